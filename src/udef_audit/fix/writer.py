"""Apply a tree's staged changes: verify every file read is unchanged, move folders, then
write each file atomically (keeping its mode), then remove what the fixes emptied."""

from __future__ import annotations

import posixpath

from udef_audit.fix import safe_fs
from udef_audit.fix.tree import MAX_SIZE, FileChange, FixTree


class ChangedMeanwhile(Exception):
    """A file differs from what the fix read: nothing (more) is written."""


def apply(tree: FixTree) -> list[FileChange]:
    """Write the staged changes; the changes written. ChangedMeanwhile, before any write,
    when a file read changed on disk (or a folder move's target appeared)."""
    changes = tree.changes()
    _verify(tree)
    for source, target in tree.folder_moves:
        safe_fs.move(tree.root, source, target)
    for change in changes:
        _verify_one(tree, change.source or change.path, change.before)
        if change.after is not None:
            safe_fs.write_file(tree.root, change.path, change.after, _mode(tree, change))
        gone = change.path if change.after is None else change.source
        if gone is not None:
            safe_fs.remove_file(tree.root, gone)
            if "/" in gone:  # a folder the fix emptied goes too (git tracks no empty folder)
                safe_fs.remove_empty_folders(tree.root, posixpath.dirname(gone))
    return changes


def _verify(tree: FixTree) -> None:
    for path, data in tree.disk.items():
        _verify_one(tree, path, data)
    for _, target in tree.folder_moves:
        if safe_fs.lstat(tree.root, target) is not None:
            raise ChangedMeanwhile(f"{target} appeared since the fix was planned")


def _verify_one(tree: FixTree, disk_path: str, expected: bytes | None) -> None:
    """The file at `disk_path` (after the folder moves already done) still has the bytes read."""
    path = disk_path
    for source, target in tree.folder_moves:
        if (path == source or path.startswith(source + "/")) and safe_fs.lstat(tree.root, source) is None:
            path = target + path[len(source) :]
    expected = tree.disk.get(disk_path, expected)
    try:
        current = safe_fs.read_file(tree.root, path, MAX_SIZE)
    except safe_fs.UnsafePath as exc:
        raise ChangedMeanwhile(str(exc)) from None
    if current != expected:
        raise ChangedMeanwhile(f"{disk_path} changed since the fix read it; nothing more was written")


def _mode(tree: FixTree, change: FileChange) -> int:
    """The file's own mode (a moved file keeps its source's); a new file gets rw-r--r--."""
    origin = change.source or tree.disk_path_of(change.path) or change.path
    for source, target in tree.folder_moves:
        if origin.startswith(source + "/") and safe_fs.lstat(tree.root, source) is None:
            origin = target + origin[len(source) :]
    mode = safe_fs.file_mode(tree.root, origin)
    return mode if mode is not None else safe_fs.DEFAULT_MODE
