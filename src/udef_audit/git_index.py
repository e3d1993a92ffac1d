"""Which tracked files are unchanged since they were indexed, without git hashing anything.

The blob id of a clean tracked file is a content hash git already has: a warm audit uses
it as the file's cache key and need not read the file. `git ls-files -m` would say which
files are clean, but for a file whose stat data changed it re-hashes the content, and
hashing runs the clean or process filter that the repository's own config and
`.gitattributes` name (gitsafe.py). So the index's stat data is read as printed by
`git ls-files --debug` (nothing is refreshed or hashed) and compared with our own `lstat`,
as git's `ie_match_stat` does: same size, mtime, ctime and inode, and not racily clean (an
mtime at or after the index file's own mtime could hide a change within the same tick). A
file that does not match is simply not in the answer: the audit reads and hashes it
itself, with no filter.

`--debug`'s layout is for people and "may change": if it does not parse, the answer is
empty, which only makes a warm audit read every file, as a cold one does.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

from udef_audit.repo_paths import path_problem

_ENTRY = re.compile(
    rb"(?P<mode>[0-7]{6}) (?P<sha>[0-9a-f]{40,64}) (?P<stage>[0-3])\t(?P<path>[^\0]*)\0"
    rb"  ctime: (?P<ctime_s>\d+):(?P<ctime_ns>\d+)\n"
    rb"  mtime: (?P<mtime_s>\d+):(?P<mtime_ns>\d+)\n"
    rb"  dev: \d+\tino: (?P<ino>\d+)\n"
    rb"  uid: \d+\tgid: \d+\n"
    rb"  size: (?P<size>\d+)\tflags: [0-9a-f]+\n"
)
_HEAD = re.compile(rb"(?:^|\n)[0-7]{6} [0-9a-f]{40,64} [0-3]\t([^\0]*)\0")
_REGULAR_MODES = (b"100644", b"100755")
_NS = 1_000_000_000
_UINT32 = 1 << 32


def index_commands(pathspecs: tuple[str, ...] = ()) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The git commands whose outputs `index_entries` reads (run them with the listing's, at
    once): the index with its stat data (those `pathspecs` name, when given), and where the
    index file is."""
    return ("ls-files", "-s", "--debug", "-z", "--", *pathspecs), ("rev-parse", "--git-path", "index")


def index_entries(
    root: Path, files: Mapping[str, os.stat_result], listing: bytes | None, index_path: bytes | None
) -> tuple[dict[str, str], tuple[str, ...]]:
    """The index, read once (`listing` and `index_path`: the outputs of `index_commands`):
    path -> blob id for those of `files` (checked paths of regular files, no symlink on the
    way, with the `lstat` the listing took of each) that are tracked at stage 0 and whose
    stat data still matches the index; and every tracked path that is a normalised path
    inside the root."""
    if not listing:
        return {}, ()
    tracked = sorted({path for path in _paths(listing) if path_problem(path) is None})
    return _unchanged_ids(listing, files, _index_mtime(root, index_path)), tuple(tracked)


def _unchanged_ids(listing: bytes, files: Mapping[str, os.stat_result], index_mtime: int | None) -> dict[str, str]:
    if index_mtime is None:
        return {}
    ids: dict[str, str] = {}
    for entry in _ENTRY.finditer(listing):
        path = entry["path"].decode("utf-8", "surrogateescape")
        info = files.get(path)
        if info is not None and entry["stage"] == b"0" and entry["mode"] in _REGULAR_MODES \
                and _unchanged(info, entry, index_mtime):
            ids[path] = entry["sha"].decode("ascii")
    return ids


def _paths(listing: bytes) -> list[str]:
    """Every entry's path, from the entry lines alone (whatever follows them)."""
    return [match[1].decode("utf-8", "surrogateescape") for match in _HEAD.finditer(listing)]


def _index_mtime(root: Path, answer: bytes | None) -> int | None:
    """The index file's mtime (ns): an entry at or after it may be racily clean."""
    if not answer:
        return None
    index = Path(os.fsdecode(answer.rstrip(b"\n")))
    try:
        return (index if index.is_absolute() else root / index).stat().st_mtime_ns
    except OSError:
        return None


def _unchanged(info: os.stat_result, entry: re.Match[bytes], index_mtime: int) -> bool:
    mtime = int(entry["mtime_s"]) * _NS + int(entry["mtime_ns"])
    ctime = int(entry["ctime_s"]) * _NS + int(entry["ctime_ns"])
    # The index stores 32-bit fields: compare what it could hold.
    return (
        int(entry["size"]) == info.st_size % _UINT32
        and mtime == info.st_mtime_ns
        and ctime == info.st_ctime_ns
        and int(entry["ino"]) == info.st_ino % _UINT32
        and mtime < index_mtime
    )
