"""File operations of a fix, each reached from the root one folder at a time by descriptor.

Every path is a normalised path relative to the root (repo_paths), none of whose
components is `.git` (in any case: a case-insensitive file system would honour `.GIT`).
Each folder on the way is opened with `O_DIRECTORY | O_NOFOLLOW` relative to the previous
one, so a symlink in any component, the last included, is refused, and nothing can swap a
folder for a link between a check and the write. A write goes to a temporary file in the
same folder, takes the mode it should have, is flushed to disk, and is renamed over the
target: a reader sees the old file or the new one, never half of one.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path

from udef_audit.repo_paths import path_problem

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
SUPPORTED = os.open in os.supports_dir_fd and os.rename in os.supports_dir_fd and bool(_DIRECTORY and _NOFOLLOW)
DEFAULT_MODE = 0o644


class UnsafePath(Exception):
    """A path a fix must not touch, or a file operation that failed (the message says why)."""


def check_path(rel: str) -> list[str]:
    """The components of a path a fix may touch; UnsafePath when it is not one."""
    problem = path_problem(rel)
    if problem is not None:
        raise UnsafePath(f"refused {rel!r}: {problem}")
    parts = rel.split("/")
    if any(part.casefold() == ".git" for part in parts):
        raise UnsafePath(f"refused {rel}: a fix never writes into .git")
    return parts


@contextlib.contextmanager
def opened_folder(root: Path, parts: list[str], *, create: bool = False) -> Iterator[int]:
    """A descriptor of the folder `root/parts...`, every component opened without following
    a link (created as needed with `create`)."""
    if not SUPPORTED:  # pragma: no cover - platforms without dir_fd (Windows)
        raise UnsafePath("fixes need a platform that opens folders by descriptor (not Windows)")
    fd = os.open(str(root), os.O_RDONLY | _DIRECTORY | _CLOEXEC)
    try:
        for index, part in enumerate(parts):
            if create:
                with contextlib.suppress(FileExistsError):
                    os.mkdir(part, 0o777, dir_fd=fd)
            child = _open_child(part, fd, "/".join(parts[: index + 1]))
            os.close(fd)
            fd = child
        yield fd
    finally:
        os.close(fd)


def _open_child(part: str, fd: int, shown: str) -> int:
    try:
        return os.open(part, os.O_RDONLY | _DIRECTORY | _NOFOLLOW | _CLOEXEC, dir_fd=fd)
    except FileNotFoundError:
        raise FileNotFoundError(errno.ENOENT, "no such folder", shown) from None
    except OSError as exc:
        raise UnsafePath(_why(exc, part, fd, shown)) from None


def _why(exc: OSError, name: str, fd: int, shown: str) -> str:
    if exc.errno in (errno.ELOOP, errno.ENOTDIR, errno.EMLINK):
        with contextlib.suppress(OSError):
            if stat.S_ISLNK(os.stat(name, dir_fd=fd, follow_symlinks=False).st_mode):
                return f"refused: {shown} is a symlink"
        return f"refused: {shown} is not a folder"
    return f"{shown}: {exc.strerror or exc}"


def lstat(root: Path, rel: str) -> os.stat_result | None:
    """The file's own status (a link is not followed), None when nothing is there (or a
    folder on the way is missing)."""
    parts = check_path(rel)
    try:
        with opened_folder(root, parts[:-1]) as fd:
            return os.stat(parts[-1], dir_fd=fd, follow_symlinks=False)
    except FileNotFoundError:
        return None


def read_file(root: Path, rel: str, limit: int) -> bytes | None:
    """The bytes of a regular file, None when there is none; UnsafePath for a link, a
    folder, a device, or a file over `limit` bytes."""
    info = lstat(root, rel)
    if info is None:
        return None
    if not stat.S_ISREG(info.st_mode):
        raise UnsafePath(f"refused {rel}: not a regular file")
    if info.st_size > limit:
        raise UnsafePath(f"refused {rel}: too large ({info.st_size} bytes)")
    parts = rel.split("/")
    with opened_folder(root, parts[:-1]) as folder:
        fd = os.open(parts[-1], os.O_RDONLY | _NOFOLLOW | _CLOEXEC | _NONBLOCK, dir_fd=folder)
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise UnsafePath(f"refused {rel}: not a regular file")
            return handle.read(limit + 1)


def file_mode(root: Path, rel: str) -> int | None:
    """The permission bits of a regular file, None when there is none."""
    info = lstat(root, rel)
    return stat.S_IMODE(info.st_mode) if info is not None and stat.S_ISREG(info.st_mode) else None


def write_file(root: Path, rel: str, data: bytes, mode: int) -> None:
    """Replace (or create) `root/rel` atomically with `data` and permission bits `mode`;
    the target must be a regular file or absent."""
    parts = check_path(rel)
    name = parts[-1]
    with opened_folder(root, parts[:-1], create=True) as folder:
        _refuse_non_regular(folder, name, rel)
        temporary = f".{name}.udef-fix-{secrets.token_hex(4)}"
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC, 0o600, dir_fd=folder)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fchmod(handle.fileno(), mode)
                os.fsync(handle.fileno())
            _refuse_non_regular(folder, name, rel)
            os.replace(temporary, name, src_dir_fd=folder, dst_dir_fd=folder)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary, dir_fd=folder)
            raise


def _refuse_non_regular(folder: int, name: str, rel: str) -> None:
    try:
        info = os.stat(name, dir_fd=folder, follow_symlinks=False)
    except FileNotFoundError:
        return
    if not stat.S_ISREG(info.st_mode):
        raise UnsafePath(f"refused {rel}: not a regular file")


def remove_file(root: Path, rel: str) -> None:
    """Unlink a regular file (a link or a folder is refused)."""
    parts = check_path(rel)
    with opened_folder(root, parts[:-1]) as folder:
        info = os.stat(parts[-1], dir_fd=folder, follow_symlinks=False)
        if not stat.S_ISREG(info.st_mode):
            raise UnsafePath(f"refused {rel}: not a regular file")
        os.unlink(parts[-1], dir_fd=folder)


def move(root: Path, source: str, target: str) -> None:
    """Rename a file or folder inside the root; the target must not exist (a folder on the
    way is created)."""
    source_parts, target_parts = check_path(source), check_path(target)
    with opened_folder(root, source_parts[:-1]) as src, opened_folder(root, target_parts[:-1], create=True) as dst:
        info = os.stat(source_parts[-1], dir_fd=src, follow_symlinks=False)
        if stat.S_ISLNK(info.st_mode):
            raise UnsafePath(f"refused {source}: a symlink")
        with contextlib.suppress(FileNotFoundError):
            os.stat(target_parts[-1], dir_fd=dst, follow_symlinks=False)
            raise UnsafePath(f"refused to move {source}: {target} exists")
        os.rename(source_parts[-1], target_parts[-1], src_dir_fd=src, dst_dir_fd=dst)


def remove_empty_folders(root: Path, rel: str) -> None:
    """Remove `rel` and its parents while they are empty (never the root)."""
    parts = check_path(rel)
    while parts:
        try:
            with opened_folder(root, parts[:-1]) as folder:
                os.rmdir(parts[-1], dir_fd=folder)
        except (OSError, UnsafePath):
            return
        parts = parts[:-1]
