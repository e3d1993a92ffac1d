"""The `udef_audit.rules` entry points of the installed packages, remembered by the listing.

`importlib.metadata` reads every installed distribution's metadata to answer "which
packages declare this group": with its import, about 25 ms of every run, most of a
pre-commit hook's budget. What it answers changes only when a package is installed,
removed or upgraded, and each of those changes a `*.dist-info` (or `*.egg-info`) folder's
name or its `entry_points.txt`. So the answer is kept in the user's cache directory under
a digest of that listing (each search path entry's distribution folders with the size and
modification time of their `entry_points.txt`), and `importlib.metadata` is asked only
when the digest is new. A cached entry point loads as `EntryPoint.load` would: import the
module, then follow the attribute path.

The search path given here is already the safe one (plugins.py): nothing inside the
scanned repository is listed, whatever the cache says.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import re
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path
from typing import Any, NamedTuple

from udef_audit import __version__
from udef_audit.cache import cache_dir, write_atomically

_PATTERN = re.compile(r"(?P<module>[\w.]+)\s*(?::\s*(?P<attr>[\w.]+)\s*)?(?:\[.*\]\s*)?$")
_SUFFIXES = (".dist-info", ".egg-info")


class PluginEntry(NamedTuple):  # not a dataclass: defining one costs every run 0.6 ms
    """One entry point of the group: its name, `module:attr` value and distribution."""

    name: str
    value: str
    dist: str | None

    def load(self) -> Any:
        """The object the value names (as `importlib.metadata.EntryPoint.load`)."""
        match = _PATTERN.match(self.value)
        if match is None:
            raise ValueError(f"not an entry point reference: {self.value!r}")
        found: Any = importlib.import_module(match.group("module"))
        for attr in filter(None, (match.group("attr") or "").split(".")):
            found = getattr(found, attr)
        return found


def entry_points(group: str, search_path: Sequence[str], *, use_cache: bool = True) -> list[PluginEntry]:
    """The group's entry points seen from `search_path`, by name (the first of a name wins)."""
    key = listing_digest(group, search_path)
    where = cache_dir() / f"entry-points-{key}.json"
    if use_cache:
        remembered = _read(where)
        if remembered is not None:
            return remembered
    found = _from_metadata(group, search_path)
    if use_cache:
        _write(where, found)
    return found


def listing_digest(group: str, search_path: Sequence[str]) -> str:
    """A digest of every distribution folder on the path and of its `entry_points.txt`."""
    digest = hashlib.blake2b(f"{__version__}|{group}".encode(), digest_size=16)
    for entry in search_path:
        digest.update(f"\0{entry}\0".encode())
        for name, stamp in _distributions(entry or "."):
            digest.update(f"{name}|{stamp}\n".encode())
    return digest.hexdigest()


def _distributions(entry: str) -> list[tuple[str, str]]:
    """(folder name, stamp of its entry_points.txt) for each distribution in a path entry;
    a zip or other file is stamped as a whole."""
    folder = Path(entry)
    try:
        if not folder.is_dir():
            return [("", _stamp(folder))]
        with os.scandir(entry) as children:
            names = sorted(child.name for child in children if child.name.endswith(_SUFFIXES))
    except OSError:
        return []
    return [(name, _stamp(folder / name / "entry_points.txt")) for name in names]


def _stamp(path: Path) -> str:
    try:
        stat = path.stat()
    except OSError:
        return "-"
    return f"{stat.st_size}:{stat.st_mtime_ns}"


def _from_metadata(group: str, search_path: Sequence[str]) -> list[PluginEntry]:
    import importlib.metadata as md  # noqa: PLC0415 - only when the listing changed

    seen: dict[str, PluginEntry] = {}
    for dist in md.distributions(path=list(search_path)):
        for ep in dist.entry_points:
            if ep.group == group and ep.name not in seen:
                seen[ep.name] = PluginEntry(ep.name, ep.value, dist.name)
    return [seen[name] for name in sorted(seen)]


def _read(where: Path) -> list[PluginEntry] | None:
    try:
        rows = json.loads(where.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not (isinstance(rows, list) and all(_is_row(row) for row in rows)):
        return None  # not what this module wrote
    return [PluginEntry(name, value, dist) for name, value, dist in rows]


def _is_row(row: object) -> bool:
    return (
        isinstance(row, list)
        and len(row) == 3
        and isinstance(row[0], str)
        and isinstance(row[1], str)
        and (row[2] is None or isinstance(row[2], str))
    )


def _write(where: Path, found: list[PluginEntry]) -> None:
    rows = [[entry.name, entry.value, entry.dist] for entry in found]
    with suppress(OSError):  # a read-only cache is a slower run, not an error
        write_atomically(where, json.dumps(rows).encode("utf-8"))
