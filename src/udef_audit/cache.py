"""A small on-disk cache of per-file facts, keyed by file content and tool version.

A second audit of an unchanged tree then reads each file and hashes it, and parses
nothing. The cache lives in the user's cache directory (never in the scanned repository)
and is a plain JSON file per audited root; any problem reading or writing it just means a
cold run.
"""

from __future__ import annotations

import hashlib
import json
import os
from contextlib import suppress
from pathlib import Path
from typing import Any

from udef_audit import __version__


def cache_dir() -> Path:
    """`$UDEF_AUDIT_CACHE_DIR`, else `$XDG_CACHE_HOME/udef-audit`, else `~/.cache/udef-audit`."""
    explicit = os.environ.get("UDEF_AUDIT_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "udef-audit"


def write_atomically(path: Path, data: bytes) -> None:
    """Write `path` whole or not at all (a temporary file beside it, then a rename), so a
    concurrent reader sees the old or the new content; its folder is made if missing.
    OSError when it cannot be written: callers of a cache skip it."""
    import tempfile  # noqa: PLC0415 - only a run that writes pays for it

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def content_key(data: bytes) -> str:
    """A short, collision-safe digest of a file's bytes."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


class FactsCache:
    """content digest -> facts (JSON-able), for one audited root and one kind of facts."""

    def __init__(self, root: Path, kind: str, settings: str, *, enabled: bool = True) -> None:
        self.path = self._path(root, kind, settings)
        self.enabled = enabled
        self.entries: dict[str, Any] = self._load() if enabled else {}
        self.dirty = False

    @staticmethod
    def _path(root: Path, kind: str, settings: str) -> Path:
        tag = f"{__version__}|{kind}|{settings}|{root}"
        return cache_dir() / f"{kind}-{hashlib.sha256(tag.encode()).hexdigest()[:20]}.json"

    @classmethod
    def stored(cls, root: Path, kind: str, settings: str) -> bool:
        """Whether such a cache was written (without reading it)."""
        return cls._path(root, kind, settings).is_file()

    def _load(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def get(self, key: str) -> Any:
        """The cached facts for a content digest, or None."""
        return self.entries.get(key)

    def put(self, key: str, value: Any) -> None:
        """Remember facts for a content digest."""
        if self.entries.get(key) != value:
            self.entries[key] = value
            self.dirty = True

    def save(self, keep: set[str]) -> None:
        """Write the entries still in use (atomically); silently skip when not possible."""
        if not self.enabled:
            return
        stale = set(self.entries) - keep
        if not self.dirty and not stale:
            return
        kept = {k: v for k, v in self.entries.items() if k in keep}
        # dumps, not dump: only the one-shot encoder is the C one (5x faster here).
        with suppress(OSError):
            write_atomically(self.path, json.dumps(kept, separators=(",", ":")).encode("utf-8"))
