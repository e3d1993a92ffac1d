"""Short, unambiguous names for the repositories of one run.

A repository's key (its normalised URL or absolute path) identifies it but is long; the
last path segment alone is short but ambiguous: every bare mirror laid out as
`<owner>+<name>/repo` would be called "repo", and `/srv/a/app` and `/srv/b/app` would both
be "app". The name is therefore the shortest suffix of the key's path that no other
repository of the run shares:

- a `.git` ending is removed; on this machine (a path, a `file://` URL) a trailing
  segment that names no project (`repo`, `repository`, `git`, `.git`) is dropped too:
  `file:///m/psf+requests/repo` -> `psf+requests` (on a forge, `org/repo` is a project);
- a URL with a host (https, ssh, git, `host:path`) is named at least by its last two
  segments, owner/name as a forge shows it: `https://github.com/psf/requests` ->
  `psf/requests`;
- when two keys still agree on every segment (the same path on two hosts), the host is the
  first segment; when even that does not tell them apart (https and ssh of one
  repository), the name is the key itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import unquote, urlsplit

# Trailing path segments that say where a repository is kept, not which one it is.
GENERIC_SEGMENTS = frozenset({"repo", "repository", "git", ".git"})
_URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
_SCP = re.compile(r"^[^/\\:]{2,}:")
_REFUSED = re.compile(r"::")


def repository_names(keys: Iterable[str]) -> dict[str, str]:
    """Every key's name, unique within `keys` (see the module docstring)."""
    unique_keys = list(dict.fromkeys(keys))
    parts = {key: _segments(key) for key in unique_keys}
    names = {key: _shortest_unique(key, parts) for key in unique_keys}
    taken: dict[str, int] = {}
    for name in names.values():
        taken[name] = taken.get(name, 0) + 1
    return {key: (name if taken[name] == 1 else key) for key, name in names.items()}


def short_name(key: str) -> str:
    """A key's name when it stands alone: its last meaningful segment (owner/name for a URL)."""
    return repository_names([key])[key]


class _Segments:
    """A key's path segments (host first, for a URL), and how many a name needs at least."""

    def __init__(self, segments: list[str], minimum: int) -> None:
        self.segments = segments
        self.minimum = max(1, min(minimum, len(segments)))

    def suffix(self, size: int) -> tuple[str, ...]:
        return tuple(self.segments[-size:])


def _segments(key: str) -> _Segments:
    if _REFUSED.search(key):  # a refused list entry keeps its text as it was written
        return _Segments([key], 1)
    url = _URL.match(key)
    if url:
        parts = urlsplit(key)
        host = parts.netloc.rpartition("@")[2]
        path = _path_segments(unquote(parts.path), drop_generic=not host)
        return _Segments(([host] if host else []) + path, min(2, len(path)) if host else 1)
    if _SCP.match(key):
        login, _, scp_path = key.partition(":")
        path = _path_segments(scp_path, drop_generic=False)
        return _Segments([login.rpartition("@")[2], *path], min(2, len(path)))
    return _Segments(_path_segments(key, drop_generic=True), 1)


def _path_segments(path: str, *, drop_generic: bool) -> list[str]:
    segments = [segment for segment in re.split(r"[/\\]", path) if segment]
    if segments:
        segments[-1] = segments[-1].removesuffix(".git") or segments[-1]
    while drop_generic and len(segments) > 1 and segments[-1].lower() in GENERIC_SEGMENTS:
        segments.pop()
    return segments or [path]


def _shortest_unique(key: str, parts: dict[str, _Segments]) -> str:
    mine = parts[key]
    others = [segments for other, segments in parts.items() if other != key]
    for size in range(mine.minimum, len(mine.segments) + 1):
        suffix = mine.suffix(size)
        if all(other.suffix(size) != suffix for other in others):
            return "/".join(suffix)
    return key
