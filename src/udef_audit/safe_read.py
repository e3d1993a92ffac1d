"""Reading one file of the scanned tree: regular files only, never through a symlink, bounded."""

from __future__ import annotations

import os
import stat
from pathlib import Path


class UnreadableFile(Exception):
    """Why a file of the scanned tree was not read (the message says it plainly)."""


def read_regular_file(root: Path, rel: str, limit: int) -> bytes:
    """The bytes of `root/rel` when it is a regular file of at most `limit` bytes.

    O_NOFOLLOW: the file may have been swapped for a symlink since it was listed.
    """
    try:
        fd = os.open(root / rel, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError as exc:
        raise UnreadableFile(f"cannot be read ({exc.strerror or exc})") from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise UnreadableFile("not a regular file")
        if info.st_size > limit:
            raise UnreadableFile(f"too large ({info.st_size} bytes; max-file-size is {limit})")
        return handle.read(limit + 1)
