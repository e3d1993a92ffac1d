"""Where a repository comes from: vetting a source, its key, and the clone cache.

A source is a git URL or a local path. Only https, ssh (URL or scp-like `host:path`),
git, file and local paths are allowed; git's remote helpers (`ext::`, `fd::`, any
`name::address`) and every other scheme are refused here, before git sees them, and again
by git itself (`protocol.allow=never` plus an allow-list) and by GitPython, whose
`allow_unsafe_protocols`/`allow_unsafe_options` stay off.

Clones are blobless (`--filter=blob:none`: every commit and tree, blobs on demand), with
the whole history the score reads (no `--depth`), into `CACHE/<sha256 of the key>`; when
the blobless clone fails, a full one is tried (by path for a repository on this machine,
see `_full_clone_command`). A later run fetches the remote HEAD and resets to it instead
of cloning again. Git never runs
a repository hook, never fetches a submodule, never smudges an LFS file and never prompts.

A credential in a URL (`https://user:token@host/...`) never reaches a command line, the
clone's `.git/config`, a message, the store or an export: git gets the clean URL plus an
`url.<with credential>.insteadOf=<clean>` rewrite through the environment, and every message
goes through `redact`.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import re
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

# GitPython looks for the git executable when imported and raises if it is missing; a batch
# wants that as a per-repository failure ("git not found"), not an import error.
os.environ["GIT_PYTHON_REFRESH"] = "quiet"
import git  # after the environment setting above, on purpose

from udef_audit.batch.names import short_name
from udef_audit.gitsafe import source_problem

# GitPython cannot parse the `HEAD -> FETCH_HEAD` line of `git fetch origin HEAD` and logs a
# warning for it on every refresh; the fetch itself is fine, so that logger is quietened.
logging.getLogger("git.remote").setLevel(logging.ERROR)

ALLOWED_SCHEMES = ("https", "ssh", "git", "file")

# Applied to every git command we run (before the subcommand, so also to the commands git
# itself spawns): no hooks, no fsmonitor, no LFS filters, no submodules, and only the
# allowed transports, whatever the user's or the repository's configuration says.
SAFE_GIT_CONFIG = (
    "core.hooksPath=/dev/null",
    "core.fsmonitor=false",
    "filter.lfs.smudge=",
    "filter.lfs.process=",
    "filter.lfs.required=false",
    "submodule.recurse=false",
    "fetch.recurseSubmodules=false",
    "protocol.allow=never",
    *(f"protocol.{scheme}.allow=always" for scheme in ALLOWED_SCHEMES),
)

_HELPER_TRANSPORT = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*::")
_URL_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
_USERINFO_IN_URL = re.compile(r"\b([A-Za-z][A-Za-z0-9+.-]*://)[^/@\s'\"]+@")
# Literal secrets shorter than this are left to the URL pattern: replacing a two-letter
# password everywhere would garble messages without hiding anything.
_MIN_LITERAL_SECRET = 6


class SourceError(Exception):
    """A source that is refused before git is called (unsafe transport, option-like text)."""


class CloneError(Exception):
    """Cloning or refreshing failed; the message is one line, credentials redacted."""


@dataclass(frozen=True)
class Source:
    """One vetted entry of the repository list."""

    key: str  # identity across runs: normalised URL or absolute path, no credentials
    location: str  # what git or the audit opens: the URL (maybe with a credential) or the path
    is_local: bool
    secrets: tuple[str, ...] = ()  # credential fragments of `location`, for redaction

    @property
    def display(self) -> str:
        """The source as it may be printed."""
        return redact(self.location, self.secrets)

    @property
    def name(self) -> str:
        """A short human name (names.short_name); a run's names are made unique by the store."""
        return short_name(self.key)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`https://user:token@host` -> `https://***@host`, and every known secret -> `***`."""
    cleaned = _USERINFO_IN_URL.sub(r"\1***@", text)
    for secret in sorted(set(secrets), key=len, reverse=True):
        if len(secret) >= _MIN_LITERAL_SECRET:
            cleaned = cleaned.replace(secret, "***")
    return cleaned


def parse_source(text: str, base_dir: Path) -> Source:
    """Vet one list entry; relative paths are relative to `base_dir`. Raises SourceError."""
    entry = text.strip()
    _refuse_unsafe(entry)
    scheme = _URL_SCHEME.match(entry)
    if scheme:
        return _url_source(entry, scheme.group(1).lower())
    if _is_scp_like(entry):
        return Source(key=_scp_key(entry), location=entry, is_local=False)
    path = Path(entry).expanduser()
    absolute = path if path.is_absolute() else base_dir / path
    return Source(key=os.path.normpath(absolute), location=os.path.normpath(absolute), is_local=True)


def _refuse_unsafe(entry: str) -> None:
    """SourceError for a remote helper, an option look-alike, or blanks and control characters."""
    if _HELPER_TRANSPORT.match(entry):
        helper = entry.split("::", 1)[0]
        raise SourceError(f"refused: git remote helper transport '{helper}::' is not allowed")
    if not entry or any(ch.isspace() or ord(ch) < 32 for ch in entry):
        raise SourceError("refused: empty or contains whitespace or control characters")
    if entry.startswith("-"):
        raise SourceError("refused: a source may not start with '-' (it would be read as an option)")


def _is_scp_like(entry: str) -> bool:
    """git reads `[user@]host:path` as ssh when no slash comes before the first colon."""
    head, colon, _ = entry.partition(":")
    return bool(colon) and "/" not in head and "\\" not in head and len(head) > 1


def _scp_key(entry: str) -> str:
    host_part, _, path = entry.partition(":")
    host = host_part.rpartition("@")[2].lower()
    return f"{host}:{path.rstrip('/').removesuffix('.git')}"


def _url_source(entry: str, scheme: str) -> Source:
    if scheme not in ALLOWED_SCHEMES:
        raise SourceError(f"refused: transport '{scheme}' is not allowed (allowed: {', '.join(ALLOWED_SCHEMES)})")
    try:
        parts = urlsplit(entry)
        port = parts.port
    except ValueError as exc:
        raise SourceError(f"refused: not a valid URL ({redact(str(exc))})") from None
    host = (parts.hostname or "") + (f":{port}" if port else "")
    path = parts.path.rstrip("/").removesuffix(".git")
    key = urlunsplit((scheme, host, path, "", ""))
    return Source(key=key, location=entry, is_local=False, secrets=_secrets(parts.username, parts.password))


def _secrets(username: str | None, password: str | None) -> tuple[str, ...]:
    found: list[str] = []
    for value in (username, password):
        if value:
            found.extend({value, unquote(value)})
    if username and password:
        found.append(f"{username}:{password}")
    return tuple(found)


def clean_url(source: Source) -> str:
    """The source's URL without its userinfo credential (scp-like and local: unchanged)."""
    if source.is_local or not source.secrets:
        return source.location
    parts = urlsplit(source.location)
    netloc = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def git_environment(source: Source) -> dict[str, str]:
    """Environment overrides for every git command touching `source`.

    The credential travels as an `insteadOf` rewrite of the clean URL (config through the
    environment, git >= 2.31), so it is on no command line and in no `.git/config`.
    """
    env = {
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_LFS_SKIP_SMUDGE": "1",
        "GIT_CONFIG_COUNT": "0",
        "GCM_INTERACTIVE": "never",
    }
    if "GIT_SSH_COMMAND" not in os.environ and "GIT_SSH" not in os.environ:
        env["GIT_SSH_COMMAND"] = "ssh -o BatchMode=yes"  # a key with a passphrase fails, never asks
    clean = clean_url(source)
    if clean != source.location:
        env.update(
            GIT_CONFIG_COUNT="1",
            GIT_CONFIG_KEY_0=f"url.{source.location}.insteadOf",
            GIT_CONFIG_VALUE_0=clean,
        )
    return env


class SafeGit(git.Git):
    """GitPython's command wrapper with SAFE_GIT_CONFIG before every subcommand."""

    def __init__(self, working_dir: Any = None) -> None:
        super().__init__(working_dir)
        self.set_persistent_git_options(c=list(SAFE_GIT_CONFIG))


class SafeRepo(git.Repo):
    """A Repo whose commands (clone included) all run through SafeGit."""

    GitCommandWrapperType = SafeGit


def cache_entry(cache_dir: Path, key: str) -> Path:
    """The clone cache directory of a repository key."""
    return cache_dir / hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]


def remote_head(source: Source, timeout: float) -> str:
    """The commit the remote's HEAD points at, without cloning (`git ls-remote`)."""
    command = SafeGit()
    command.update_environment(**git_environment(source))
    try:
        out = str(command.ls_remote("--", clean_url(source), "HEAD", kill_after_timeout=timeout))
    except git.GitCommandError as exc:
        raise CloneError(f"ls-remote failed: {git_failure(exc, source.secrets)}") from None
    except git.GitError as exc:  # git missing, or GitPython refused the URL
        raise CloneError(f"ls-remote failed: {redact(str(exc), source.secrets)}") from None
    for line in out.splitlines():
        sha, _, ref = line.partition("\t")
        if ref == "HEAD" and sha:
            return sha
    raise CloneError("the remote has no HEAD (an empty repository?)")


def prepare_checkout(source: Source, checkout: Path) -> str | None:
    """Clone `source` into `checkout`, or fetch and reset an existing clone; return HEAD.

    A refresh that fails clones afresh (the old clone stays until the new one is complete):
    a cache entry made by the full-clone fallback may not be fetchable the blobless way.
    """
    if (checkout / ".git").is_dir():
        try:
            return _refresh(source, checkout)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError, ValueError):
            shutil.rmtree(checkout, ignore_errors=True)  # a damaged cache entry: clone afresh
        except CloneError as refresh_failure:
            try:
                return _clone(source, checkout)
            except CloneError as clone_failure:
                raise CloneError(f"{refresh_failure}; {clone_failure}") from None
    return _clone(source, checkout)


def local_path(source: Source) -> Path | None:
    """The folder a `file://` URL or a local path names; None for a network source."""
    if source.is_local:
        return Path(source.location)
    parts = urlsplit(source.location)
    if parts.scheme.lower() == "file" and parts.hostname in (None, "", "localhost"):
        return Path(unquote(parts.path))
    return None


def is_bare_repository(path: Path) -> bool:
    """Whether `path` is a bare git repository (HEAD, objects and refs, no work tree)."""
    return not (path / ".git").exists() and (path / "HEAD").is_file() and (path / "objects").is_dir()


def audited_in_place(source: Source) -> bool:
    """A local checkout is audited where it is; a bare repository has no files to audit and
    is cloned like a remote."""
    return source.is_local and not is_bare_repository(Path(source.location))


def _clone(source: Source, checkout: Path) -> str | None:
    """Blobless first; when that fails, a full clone (see `_full_clone_command`)."""
    # Clone beside the final place and rename: a clone killed half-way never looks complete.
    partial = checkout.with_name(f"{checkout.name}.partial-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    checkout.parent.mkdir(parents=True, exist_ok=True)
    failures = []
    for kind, command in _clone_attempts(source):
        try:
            _clone_into(source, partial, *command())
        except CloneError as exc:
            shutil.rmtree(partial, ignore_errors=True)
            failures.append(f"{kind}: {exc}")
            continue
        shutil.rmtree(checkout, ignore_errors=True)
        partial.rename(checkout)
        return read_head(checkout)
    raise CloneError(f"clone failed ({'; '.join(failures)})")


def _clone_attempts(source: Source) -> list[tuple[str, Callable[[], tuple[str, list[str]]]]]:
    """(kind, command) in the order to try; git ignores --filter for a path, so a local
    path is cloned in full at once."""
    full = ("full clone", functools.partial(_full_clone_command, source))
    if source.is_local:
        return [full]
    return [("blobless clone", functools.partial(_blobless_clone_command, source)), full]


def _blobless_clone_command(source: Source) -> tuple[str, list[str]]:
    """Every commit and tree, blobs on demand: the score's whole history at a fraction of
    the transfer."""
    return clean_url(source), ["--filter=blob:none", "--no-recurse-submodules"]


def _full_clone_command(source: Source) -> tuple[str, list[str]]:
    """Every object. A repository on this machine is cloned by its path, which copies its
    object store as it is: over `file://`, git's upload-pack packs every object the history
    reaches and fails ("invalid index-pack output") when the source is itself a partial clone
    that never had some of them, although the files of HEAD are all there. `--no-hardlinks`:
    the clone shares no file with the source, which it must never change."""
    path = local_path(source)
    if path is None:
        return clean_url(source), ["--no-recurse-submodules"]
    problem = source_problem(path)
    if problem is not None:
        raise CloneError(f"refused to clone {path}: {problem}")
    return str(path), ["--no-hardlinks", "--no-recurse-submodules"]


def _clone_into(source: Source, target: Path, url: str, options: list[str]) -> None:
    try:
        repo = SafeRepo.clone_from(url, target, env=git_environment(source), multi_options=options)
    except git.GitCommandError as exc:
        raise CloneError(git_failure(exc, source.secrets)) from None
    except git.GitError as exc:
        raise CloneError(redact(str(exc), source.secrets)) from None
    repo.close()


def _refresh(source: Source, checkout: Path) -> str | None:
    repo = SafeRepo(checkout)
    try:
        repo.git.update_environment(**git_environment(source))
        origin = repo.remote("origin")
        if origin.url != clean_url(source):
            with origin.config_writer as writer:
                writer.set_value("url", clean_url(source))
        origin.fetch("HEAD", no_recurse_submodules=True)
        repo.git.reset("--hard", "FETCH_HEAD")
        repo.git.clean("-ffdxq")  # the audited tree is exactly the fetched commit
    except git.GitCommandError as exc:
        raise CloneError(f"fetch failed: {git_failure(exc, source.secrets)}") from None
    finally:
        repo.close()
    return read_head(checkout)


def read_head(path: Path) -> str | None:
    """HEAD's commit in a local checkout; None when it is no git repository or has no commit."""
    try:
        return str(SafeGit(path).rev_parse("--verify", "-q", "HEAD^{commit}")).strip() or None
    except git.GitError:
        return None


def is_git_checkout(path: Path) -> bool:
    """Whether `path` is the top of a git work tree (a `.git` directory or file)."""
    return (path / ".git").exists()


def git_failure(exc: git.GitCommandError, secrets: Iterable[str] = ()) -> str:
    """The useful line of a failed git command (its last `fatal:`/`error:` line), redacted."""
    stderr = str(exc.stderr or "").strip().removeprefix("stderr:")
    lines = [line.strip(" '\"") for line in stderr.splitlines() if line.strip(" '\"")]
    useful = [line for line in lines if line.startswith(("fatal:", "error:"))] or lines
    text = useful[-1] if useful else f"git exited with status {exc.status}"
    return redact(text + _missing_files(useful), secrets)


def _missing_files(lines: list[str]) -> str:
    """A failed checkout says why only in the lines before its last: which file is missing."""
    missing = [line.removeprefix("error: ") for line in lines if "unable to read sha1 file of" in line]
    if not missing:
        return ""
    more = f" and {len(missing) - 1} more" if len(missing) > 1 else ""
    return f": the repository lacks a file of HEAD ({missing[0]}{more})"
