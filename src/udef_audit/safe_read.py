"""The one way into a file of the scanned tree: regular files only, inside the root, bounded.

`O_NOFOLLOW` alone checks only the last component of a path: with `svc/deploy` swapped for a
symlink to `/etc`, `open("svc/deploy/passwd", O_NOFOLLOW)` reads `/etc/passwd`. So the path
is checked first (relative, normalised: repo_paths), then walked one folder at a time from
the root, each opened with `O_DIRECTORY | O_NOFOLLOW` relative to the previous one
(`dir_fd`): a symlink in any component, the last included, is refused, and nothing can
swap a folder between the check and the open, because there is no separate check. Where
the platform has no `dir_fd` (Windows), each component is `lstat`ed before the open.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path

from udef_audit.repo_paths import path_problem

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # a FIFO must not block the open; it is refused after fstat
_WALKS_BY_FD = os.open in os.supports_dir_fd and os.stat in os.supports_dir_fd and bool(_DIRECTORY)


class UnreadableFile(Exception):
    """Why a file of the scanned tree was not read (the message says it plainly)."""


NOT_REGULAR = "not a regular file"


def read_regular_file(root: Path, rel: str, limit: int) -> bytes:
    """The bytes of `root/rel` when it is a regular file of at most `limit` bytes, reached
    without a symlink in any component; else UnreadableFile with the reason."""
    with _opened(root, rel) as fd:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UnreadableFile(NOT_REGULAR)
        if info.st_size > limit:
            raise UnreadableFile(f"too large ({info.st_size} bytes; max-file-size is {limit})")
        with os.fdopen(os.dup(fd), "rb") as handle:
            return handle.read(limit + 1)


def regular_file_size(root: Path, rel: str) -> int | None:
    """The size of `root/rel` when it is a regular file reached without a symlink; else None."""
    try:
        with _opened(root, rel) as fd:
            info = os.fstat(fd)
    except UnreadableFile:
        return None
    return info.st_size if stat.S_ISREG(info.st_mode) else None


def regular_files_in(root: Path, rel: str, limit: int) -> list[str]:
    """The names of the regular files directly inside the folder `root/rel` (sorted), the
    folder reached without a symlink in any component; a symlink inside is no regular file.
    UnreadableFile when `rel` is no such folder or holds more than `limit` files."""
    with _opened(root, rel) as fd:
        if not stat.S_ISDIR(os.fstat(fd).st_mode):
            raise UnreadableFile("not a folder")
        names: list[str] = []
        with os.scandir(fd) as entries:
            for entry in entries:
                if entry.is_file(follow_symlinks=False):
                    names.append(entry.name)
                if len(names) > limit:
                    raise UnreadableFile(f"more than {limit} files")
    return sorted(names)


def is_regular_file(root: Path, rel: str) -> bool:
    """Whether `root/rel` is a regular file reached without a symlink."""
    return regular_file_size(root, rel) is not None


@contextlib.contextmanager
def _opened(root: Path, rel: str) -> Iterator[int]:
    problem = path_problem(rel)
    if problem is not None:
        raise UnreadableFile(f"refused: {problem}")
    parts = rel.split("/")
    fd = _open_last(root, parts) if _WALKS_BY_FD else _open_checked(root, parts)
    try:
        yield fd
    finally:
        os.close(fd)


def _open_last(root: Path, parts: list[str]) -> int:
    """Walk the folders by descriptor, then open the file itself, never following a link."""
    directory = _os_open(str(root), os.O_RDONLY | _DIRECTORY | _CLOEXEC, None, "")
    try:
        for index, part in enumerate(parts[:-1]):
            child = _os_open(part, os.O_RDONLY | _DIRECTORY | _NOFOLLOW | _CLOEXEC, directory, _shown(parts, index))
            os.close(directory)
            directory = child
        return _os_open(parts[-1], os.O_RDONLY | _NOFOLLOW | _CLOEXEC | _NONBLOCK, directory, "/".join(parts))
    finally:
        os.close(directory)


def _os_open(name: str, flags: int, dir_fd: int | None, shown: str) -> int:
    try:
        return os.open(name, flags, dir_fd=dir_fd)
    except OSError as exc:
        raise UnreadableFile(_why(exc, name, dir_fd, shown)) from None


def _why(exc: OSError, name: str, dir_fd: int | None, shown: str) -> str:
    """ELOOP or ENOTDIR on a component that is a symlink: say so, naming it."""
    if exc.errno in (errno.ELOOP, errno.ENOTDIR, errno.EMLINK) and dir_fd is not None:
        with contextlib.suppress(OSError):
            if stat.S_ISLNK(os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode):
                return f"refused: {shown} is a symlink"
        if exc.errno == errno.ENOTDIR:
            return f"cannot be read ({shown} is not a folder)"
    return f"cannot be read ({exc.strerror or exc})"


def _shown(parts: list[str], index: int) -> str:
    return "/".join(parts[: index + 1])


def _open_checked(root: Path, parts: list[str]) -> int:  # pragma: no cover - platforms without dir_fd
    """Without `dir_fd`: lstat each component, then open (a race remains; documented)."""
    path = root
    for index, part in enumerate(parts):
        path = path / part
        try:
            mode = os.lstat(path).st_mode
        except OSError as exc:
            raise UnreadableFile(f"cannot be read ({exc.strerror or exc})") from None
        if stat.S_ISLNK(mode):
            raise UnreadableFile(f"refused: {_shown(parts, index)} is a symlink")
    try:
        return os.open(path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK)
    except OSError as exc:
        raise UnreadableFile(f"cannot be read ({exc.strerror or exc})") from None
