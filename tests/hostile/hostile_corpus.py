"""Hostile repositories, built at test time: nothing here is stored as a symlink, a raw file
name or a crafted index in git. Each builder writes one repository under a temporary folder
and returns its path; `MARKER` files are what a filter or hook would create if it ran."""

from __future__ import annotations

import hashlib
import os
import struct
import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path

GIT_ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.org",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.org",
    "GIT_CONFIG_NOSYSTEM": "1",
}
# Every C0 byte but NUL and "/", DEL, and the C1 range as UTF-8 characters: what a file name may hold.
CONTROL_BYTES = bytes([*range(1, 0x20), 0x7F])
C1_CHARACTERS = "".join(chr(c) for c in range(0x80, 0xA0))
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
OSC_TITLE = "\x1b]0;PWNED\x07"
CLEAR_SCREEN = "\x1b[2J\x1b[H"
HYPERLINK = "\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\"


def git(repo: Path, *args: str, input_bytes: bytes | None = None) -> bytes:
    """Run git in `repo` (our own git, for building: the repository is not yet hostile)."""
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("GIT_")}, **GIT_ENV}
    done = subprocess.run(
        ["git", "-C", str(repo), *args], input=input_bytes, capture_output=True, env=env, check=True, timeout=60
    )
    return done.stdout


def write_files(root: Path, files: Mapping[str | bytes, str | bytes]) -> None:
    """Write files; a `bytes` name is a raw file name (undecodable bytes allowed)."""
    for name, content in files.items():
        raw = name if isinstance(name, bytes) else name.encode("utf-8")
        target = root / os.fsdecode(raw)  # surrogateescape: the exact bytes on disk
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))


def git_repo(root: Path, files: Mapping[str | bytes, str | bytes]) -> Path:
    """A git repository with `files` committed."""
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    write_files(root, files)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "init")
    return root


def blob_id(repo: Path, content: bytes) -> str:
    """Store `content` as a blob in `repo`; its id."""
    return git(repo, "hash-object", "-w", "--stdin", input_bytes=content).decode().strip()


def write_index(repo: Path, entries: Iterable[tuple[bytes, str]]) -> None:
    """Replace `.git/index` with a version-2 index holding exactly `entries` (name, blob id).

    Written by hand because git itself refuses names such as `../x` or `/etc/passwd`
    (`git update-index` verifies paths); git reads such an index and lists them all the same.
    """
    rows = sorted(entries)
    body = b"DIRC" + struct.pack(">II", 2, len(rows))
    for name, sha in rows:
        stat_fields = struct.pack(">10I", 0, 0, 0, 0, 0, 0, 0o100644, 0, 0, 0)
        entry = stat_fields + bytes.fromhex(sha) + struct.pack(">H", min(len(name), 0xFFF)) + name
        entry += b"\0" * (8 - len(entry) % 8)
        body += entry
    (repo / ".git" / "index").write_bytes(body + hashlib.sha1(body).digest())  # noqa: S324 - git's checksum


def filter_repo(root: Path, marker: Path) -> Path:
    """A repository whose own config names clean, smudge and process filters that would create
    `marker`, selected for every file by `.gitattributes`; every tracked file's stat data then
    changes, so a git that re-hashes the work tree would run the filters."""
    git_repo(root, {".gitattributes": "* filter=evil\n*.py filter=evil.dotted\n", "a.py": "x = 1  # TODO\n",
                    "pyproject.toml": '[project]\nname = "x"\n'})
    command = f"sh -c 'touch {marker}; cat'"
    for driver in ("evil", "evil.dotted"):
        for kind in ("clean", "smudge"):
            git(root, "config", f"filter.{driver}.{kind}", command)
        git(root, "config", f"filter.{driver}.process", f"sh -c 'touch {marker}'")
        git(root, "config", f"filter.{driver}.required", "true")
    for name in ("a.py", "pyproject.toml", ".gitattributes"):
        os.utime(root / name, (1_000_000_000, 1_000_000_000))  # stat data no longer matches the index
    return root


def outside_tripwires(folder: Path, names: Iterable[str]) -> Path:
    """A folder outside every audited root whose `names` are FIFOs: a process that opens one
    for reading without O_NONBLOCK blocks there (the run then hits its timeout), and the
    in-process tests record every open of a path in this folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        os.mkfifo(target)
    (folder / "SECRET.txt").write_text("TOP-SECRET-CONTENT  # TODO leak\n", encoding="utf-8")
    return folder


def symlinked_folder_repo(root: Path, outside: Path, depth: int) -> Path:
    """A repository whose tracked `d1/.../d<depth>/Dockerfile` and `.py` file sit in a folder
    that is replaced, after the commit, by a symlink to `outside` (git still lists them)."""
    folder = "/".join(f"d{i}" for i in range(1, depth + 1))
    git_repo(root, {
        "pyproject.toml": '[project]\nname = "x"\n',
        f"{folder}/Dockerfile": "FROM python:3.12\n",
        f"{folder}/SECRET.txt": "harmless\n",
        f"{folder}/mod.py": "x = 1\n",
    })
    target = root / folder
    for child in target.iterdir():
        child.unlink()
    target.rmdir()
    target.symlink_to(outside, target_is_directory=True)
    return root


def climbing_index_repo(root: Path, outside: Path) -> Path:
    """A repository whose index lists `../<outside>/...`, an absolute path into `outside`, a
    `./`-prefixed, a doubled-slash and a NUL-free but empty-component path, next to real files."""
    git_repo(root, {"pyproject.toml": '[project]\nname = "x"\n', "README.md": "# x\n"})
    blob = blob_id(root, b"x = 1  # TODO leak\n")
    readme = blob_id(root, b"# x\n")
    manifest = blob_id(root, b'[project]\nname = "x"\n')
    relative_out = os.path.relpath(outside, root).encode()
    write_index(root, [
        (relative_out + b"/SECRET.txt", blob),
        (relative_out + b"/Dockerfile", blob),
        (os.fsencode(outside) + b"/SECRET.txt", blob),
        (os.fsencode(outside) + b"/mod.py", blob),
        (b"./README.md", readme),
        (b"docs//x.py", blob),
        (b"README.md", readme),
        (b"pyproject.toml", manifest),
    ])
    return root


def control_names_repo(root: Path) -> dict[str, bytes]:
    """A repository (not git: names git would quote) with a file per control byte, per C1 and
    bidi character and per terminal sequence, each holding a placeholder comment; the raw names by label."""
    names: dict[str, bytes] = {f"c0-{byte:02x}": b"n" + bytes([byte]) + b"x.py" for byte in CONTROL_BYTES}
    names.update({f"c1-{ord(c):04x}": f"n{c}x.py".encode() for c in C1_CHARACTERS})
    names.update({f"bidi-{ord(c):04x}": f"n{c}x.py".encode() for c in BIDI_CONTROLS})
    names.update({"osc-title": f"t{OSC_TITLE}.py".encode(), "clear": f"c{CLEAR_SCREEN}.py".encode(),
                  "hyperlink": f"h{HYPERLINK}.py".encode().replace(b"/", b"-"),
                  "pipe-newline": b"a|b\n| c |.py", "backticks": b"``x`.py", "html": b"<img src=x>.py",
                  "quote-backslash": b'q"\\.py', "invalid-utf8": b"bad\xff\xfe\xc3(.py"})
    files: dict[str | bytes, str | bytes] = {"pyproject.toml": '[project]\nname = "x"\n'}
    files.update({raw: "x = 1  # TODO: finish\n" for raw in names.values()})
    root.mkdir(parents=True, exist_ok=True)
    write_files(root, files)
    return names


def fake_git(folder: Path, hang_on: str, record: Path) -> Path:
    """A `git` for PATH that records its parent's pid in `record` and sleeps when its
    arguments contain `hang_on`; otherwise it runs the real git."""
    real = subprocess.run(["sh", "-c", "command -v git"], capture_output=True, text=True, check=True).stdout.strip()
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "git"
    script.write_text(
        "#!/bin/sh\n"
        f'case " $* " in *" {hang_on} "*) echo $PPID > "{record}"; exec sleep 300;; esac\n'
        f'exec "{real}" "$@"\n',
        encoding="utf-8",
    )
    script.chmod(0o755)
    return folder
