"""Which files hold commands, and in which format: chosen by name, never by reading them."""

from __future__ import annotations

_EXACT_NAMES = {
    "tox.ini": "tox",
    "setup.cfg": "tox",
    "Makefile": "make",
    "makefile": "make",
    "GNUmakefile": "make",
    ".gitlab-ci.yml": "gitlab",
}
_SUFFIXES = {".mk": "make", ".sh": "shell", ".bash": "shell", ".md": "markdown", ".rst": "rst"}
_SCRIPT_DIRS = frozenset({"bin", "scripts"})
_SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ash", "ksh", "mksh"})


def file_format(path: str) -> str | None:
    """The format of the file at `path` (posix, relative), from its path alone; None: the
    file holds no commands this model reads."""
    folder, _, name = path.rpartition("/")
    lower = name.lower()
    suffix = lower[lower.rfind(".") :] if "." in lower else ""
    return _EXACT_NAMES.get(name) or _SUFFIXES.get(suffix) or _placed_format(path, folder, lower, suffix)


def _placed_format(path: str, folder: str, lower: str, suffix: str) -> str | None:
    """Formats that depend on the folder or on a Dockerfile's naming conventions."""
    if folder == ".github/workflows" and suffix in (".yml", ".yaml"):
        return "github"
    if path == ".circleci/config.yml" or path.endswith("/.circleci/config.yml"):
        return "circleci"
    if is_dockerfile_name(lower):
        return "dockerfile"
    if not suffix and _SCRIPT_DIRS.intersection(folder.split("/")):
        return "shebang"  # an extensionless script: read when its shebang names a shell
    return None


def is_dockerfile_name(lower_name: str) -> bool:
    """`Dockerfile`, `Dockerfile.dev`, `app.dockerfile`, `Containerfile`... (lower-cased)."""
    for base in ("dockerfile", "containerfile"):
        if lower_name == base or lower_name.startswith(base + ".") or lower_name.endswith("." + base):
            return True
    return False


def runs_shell(interpreter: str | None) -> bool:
    """Whether a heredoc body or shebang interpreter is a POSIX-like shell (None: /bin/sh)."""
    words = (interpreter or "sh").split()
    if words and _basename(words[0]) == "env":
        words = [word for word in words[1:] if not word.startswith("-") and "=" not in word]
    return bool(words) and _basename(words[0]) in _SHELLS


def has_shell_shebang(data: bytes) -> bool:
    """Whether the file starts with a `#!` line naming a shell."""
    if not data.startswith(b"#!"):
        return False
    first = data[2:].split(b"\n", 1)[0].decode("utf-8", "replace").strip()
    return bool(first) and runs_shell(first)


def _basename(word: str) -> str:
    return word.replace("\\", "/").rsplit("/", 1)[-1]
