"""The repository as fixers see it: read again, safely, with their changes staged in memory.

Nothing is written here. Every read goes through `safe_fs` (inside the root, no symlink in
any component, never `.git`, regular files only) and is remembered: the writer refuses to
apply a change to a file whose bytes differ from what was read. Changes (a file's new
bytes, a file created, deleted or moved, a folder moved) are staged in order; later fixers
read the staged state, so two fixes of one file compose.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from udef_audit.fix import safe_fs
from udef_audit.fix.text import NotText, TextForm, decode, encode

MAX_SIZE = 5_000_000


class FixRefused(Exception):
    """A fixer cannot fix this finding safely or completely (the message says why); its
    staged changes are dropped."""


@dataclass
class _Staged:
    files: dict[str, bytes | None] = field(default_factory=dict)  # current path -> bytes (None: removed)
    origin: dict[str, str] = field(default_factory=dict)  # current path -> the path it was read from
    folder_moves: list[tuple[str, str]] = field(default_factory=list)

    def copy(self) -> _Staged:
        return _Staged(dict(self.files), dict(self.origin), list(self.folder_moves))


class Reads:
    """Bytes read from disk and the files in scope, shared by the trees of one run."""

    def __init__(self, root: Path, scope: tuple[str, ...] | None = None) -> None:
        """`scope`: the audit's own listing when it excluded nothing (sorted), so that
        listing the repository is not paid twice."""
        self.root = root
        self.disk: dict[str, bytes | None] = {}
        if scope is not None:
            self.scope = scope

    @cached_property
    def scope(self) -> tuple[str, ...]:
        """The files in scope as the audit lists them (git's, else the folder's), sorted."""
        from udef_audit.inventory import build_inventory  # noqa: PLC0415 - only fixers that list need it

        return build_inventory(self.root, lambda _: False).files


@dataclass(frozen=True)
class FileChange:
    """One staged change of a file, as the diff and the writer see it."""

    path: str  # where the file is after the change
    before: bytes | None  # None: created
    after: bytes | None  # None: removed
    source: str | None = None  # the path it is moved from


class FixTree:
    """The scanned root, read safely, with staged changes on top."""

    def __init__(self, root: Path, shared: Reads | None = None) -> None:
        """`shared`: what trees of one run have read already (each alone computes one fix)."""
        self.root = root
        self.reads = shared or Reads(root)
        self.disk = self.reads.disk
        self._staged = _Staged()

    # -- what is there ---------------------------------------------------------------------
    @property
    def _scope(self) -> tuple[str, ...]:
        return self.reads.scope

    @property
    def files(self) -> list[str]:
        """The files in scope, as they are after the staged changes, sorted."""
        if not (self._staged.files or self._staged.folder_moves):
            return list(self._scope)
        current = {self._moved(path) for path in self._scope}
        for path, data in self._staged.files.items():
            if data is None:
                current.discard(path)
            else:
                current.add(path)
        return sorted(current)

    def _moved(self, path: str) -> str:
        for source, target in self._staged.folder_moves:
            if path == source or path.startswith(source + "/"):
                path = target + path[len(source) :]
        return path

    def _disk_path(self, path: str) -> str | None:
        """Where the current `path` lives on disk now (None: nowhere, it was moved away)."""
        if path in self._staged.origin:
            return self._staged.origin[path]
        for source, target in reversed(self._staged.folder_moves):
            if path == target or path.startswith(target + "/"):
                path = source + path[len(target) :]
            elif path == source or path.startswith(source + "/"):
                return None
        return path

    def read(self, path: str) -> bytes | None:
        """The file's bytes after the staged changes; None when there is no such file."""
        safe_fs.check_path(path)
        if path in self._staged.files:
            return self._staged.files[path]
        disk = self._disk_path(path)
        return None if disk is None else self.read_disk(disk)

    def read_disk(self, path: str) -> bytes | None:
        """The bytes on disk, read once and remembered (the writer compares them again)."""
        if path not in self.disk:
            try:
                self.disk[path] = safe_fs.read_file(self.root, path, MAX_SIZE)
            except (safe_fs.UnsafePath, OSError) as exc:
                raise FixRefused(str(exc)) from None
        return self.disk[path]

    def exists(self, path: str) -> bool:
        """Whether a file is there after the staged changes."""
        return self.read(path) is not None

    def read_text(self, path: str) -> tuple[str, TextForm] | None:
        """The file's text (`\\n` endings) and its form; None when there is no such file."""
        data = self.read(path)
        if data is None:
            return None
        try:
            return decode(data, path)
        except NotText as exc:
            raise FixRefused(str(exc)) from None

    # -- staging -----------------------------------------------------------------------------
    def write(self, path: str, data: bytes) -> None:
        """Stage the file's new bytes (a new file when there was none). The path is read
        first: a symlink on the way is refused now, and a file that appears there before
        the write is refused then."""
        self.read(path)
        self._staged.files[path] = data

    def write_text(self, path: str, text: str, form: TextForm | None = None) -> None:
        """Stage the file's new text, in its form (a new file: UTF-8, `\\n`, no BOM)."""
        self.write(path, encode(text, form or TextForm()))

    def remove(self, path: str) -> None:
        """Stage the removal of a file."""
        safe_fs.check_path(path)
        self.read(path)  # remembered: a removal of a file that changed meanwhile is refused
        self._staged.files[path] = None

    def move_file(self, source: str, target: str) -> None:
        """Stage a file's move (its staged content goes along)."""
        data = self.read(source)
        if data is None or self.read(target) is not None:
            raise FixRefused(f"cannot move {source} to {target}: {'no source' if data is None else 'target exists'}")
        origin = self._staged.origin.pop(source, None) or self._disk_path(source)
        self._staged.files[source] = None
        self._staged.files[target] = data
        if origin is not None:
            self._staged.origin[target] = origin

    def move_folder(self, source: str, target: str) -> None:
        """Stage a folder's move (one rename: every file in it goes, untracked ones too)."""
        safe_fs.check_path(source)
        safe_fs.check_path(target)
        staged_inside = [p for p in self._staged.files if p.startswith(source + "/") or p == source]
        if staged_inside or any(p.startswith(target + "/") for p in self.files):
            raise FixRefused(f"cannot move {source}/ to {target}/: {target}/ exists or {source}/ has staged changes")
        self._staged.folder_moves.append((source, target))

    def checkpoint(self) -> _Staged:
        """The staged state, to return to when a fixer gives up half way."""
        return self._staged.copy()

    def rollback(self, mark: _Staged) -> None:
        """Drop what was staged since `mark`."""
        self._staged = mark

    # -- what changed ------------------------------------------------------------------------
    @property
    def folder_moves(self) -> list[tuple[str, str]]:
        """The staged folder moves, in order."""
        return list(self._staged.folder_moves)

    def changes(self) -> list[FileChange]:
        """Every staged file change, by path (moves as one change at the target)."""
        moved_away = {o for p, o in self._staged.origin.items() if self._staged.files.get(p) is not None}
        staged = self._staged.files
        # A file moved away is shown at its target.
        changes = (self._change(p) for p in sorted(staged) if not (staged[p] is None and p in moved_away))
        return [change for change in changes if change is not None]

    def _change(self, path: str) -> FileChange | None:
        """The change of one staged path; None when it ends as it began."""
        after = self._staged.files[path]
        disk = self._disk_path(path)
        before = self.read_disk(disk) if disk is not None else None
        source = self._staged.origin.get(path)
        source = source if source != path else None
        if before == after and source is None:
            return None
        return FileChange(path, before, after, source)

    def disk_path_of(self, path: str) -> str | None:
        """Where a current path is read from on disk (for the writer's mode)."""
        return self._disk_path(path)
