"""Paths of the scanned repository as git or the file system report them, checked before use.

A path of the scanned tree is a posix path relative to the root: not empty, not absolute,
no NUL, and normalised (no `.`, `..` or empty component). Git lists whatever its index
holds, and an index is a file the repository ships: `../x` and `/etc/passwd` are entries
git will print. Anything else is refused with the reason, before it is joined to the root.
"""

from __future__ import annotations

import posixpath


def path_problem(rel: str) -> str | None:
    """Why `rel` is not a normalised relative path inside the root, or None when it is."""
    if not rel:
        return "an empty path"
    if "\0" in rel:
        return "a NUL byte in the path"
    if rel.startswith("/"):
        return "an absolute path"
    parts = rel.split("/")
    if ".." in parts:
        return "a `..` component (it climbs out of the root)"
    if "" in parts or "." in parts:
        return "not a normalised path (an empty or `.` component)"
    return None


def is_inside(rel: str) -> bool:
    """Whether `rel` passes `path_problem` (a shorthand for filters)."""
    return path_problem(rel) is None


def parent_dirs(rel: str) -> list[str]:
    """The folders leading to `rel`, outermost first: `a/b/c.py` gives `a`, `a/b`."""
    parents = []
    directory = posixpath.dirname(rel)
    while directory and directory not in ("/", "."):
        parents.append(directory)
        directory = posixpath.dirname(directory)
    return parents[::-1]
