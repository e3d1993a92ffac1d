"""The repository context's base: the files in scope, read once each, and its UDEF000 notes.

Every other part of the context (context_python.py, context_documents.py, context.py) reads
through these methods, so the at-most-once guarantee and the read log the rule cache keys
on (rule_cache.py) live in one place.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from udef_audit.cache import content_key
from udef_audit.findings import Finding
from udef_audit.inventory import Inventory
from udef_audit.safe_read import NOT_REGULAR, UnreadableFile, read_regular_file, regular_file_size

if TYPE_CHECKING:
    pass

UNPARSEABLE = "UDEF000"
T = TypeVar("T")


class FileReader:
    """The inventory, reading with memoisation, and the notes for files that cannot be read."""

    def __init__(
        self,
        inventory: Inventory,
        *,
        max_file_size: int = 5_000_000,
        project_roots: Sequence[str] = (),
        use_cache: bool = True,
        workers: int | None = None,
        profile: str | None = None,
        phase: int | None = None,
        preread: Mapping[str, bytes] | None = None,
        config_source: str = "defaults",
    ) -> None:
        """Everything is fixed here, once: the files in scope (excludes already applied by
        the inventory), the size limit, project roots, and the profile and phase the config
        declares. `preread` hands over bytes read before the context existed (the config's
        pyproject.toml), so no file is read twice."""
        self.inventory = inventory
        self.root = inventory.root
        self.files = inventory.files
        self.file_set = frozenset(inventory.files)
        self.max_file_size = max_file_size
        self.project_roots = tuple(project_roots)
        self.use_cache = use_cache
        self.workers = workers
        self.declared_profile = profile
        self.phase = phase
        self.config_source = config_source
        self.diagnostics: list[Finding] = []
        self._preread = {k: v for k, v in (preread or {}).items() if k in self.file_set}
        self._bytes: dict[str, bytes | None] = {}
        self._parsed: dict[tuple[str, str], Any] = {}
        self._reported: set[str] = set()
        self._suppression_hint: dict[str, bool] = {}
        # Every path whose content something asked for (bytes, size or content key), in
        # first-asked order: the rule cache (rule_cache.py) keys a rule's results by the
        # content of the files read up to its end, so no memoised artefact escapes it.
        self.read_log: dict[str, None] = {}
        self._markdown_keys: set[str] = set()

    @property
    def is_git(self) -> bool:
        """Whether the files came from a git work tree."""
        return self.inventory.is_git

    @property
    def tracked_files(self) -> tuple[str, ...]:
        """Every path in the git index (sorted), whatever the skip list and excludes say:
        for rules about what should never be tracked. Empty outside a git work tree."""
        return self.inventory.tracked

    def exists(self, path: str) -> bool:
        """Whether a posix relative path is in scope."""
        return path in self.file_set

    def matching(self, predicate: Callable[[str], bool]) -> list[str]:
        """In-scope paths for which the predicate holds, in order."""
        return [f for f in self.files if predicate(f)]

    def named(self, *names: str) -> list[str]:
        """In-scope paths whose file name is one of `names`."""
        wanted = set(names)
        return [f for f in self.files if f.rpartition("/")[2] in wanted]

    def read_bytes(self, path: str) -> bytes | None:
        """The file's bytes, read once; None (and a UDEF000 note) when unreadable."""
        self.read_log[path] = None
        if path not in self._bytes:
            self._bytes[path] = self._read(path)
        return self._bytes[path]

    def _holds_bytes(self, path: str) -> bool:
        """Whether this file's bytes are here already (read, or read ahead for the replay key)."""
        return self._bytes.get(path) is not None or path in self._preread

    def _read(self, path: str) -> bytes | None:
        if path in self._preread:
            return self._preread.pop(path)
        try:
            return read_regular_file(self.root, path, self.max_file_size)
        except UnreadableFile as exc:
            if str(exc) != NOT_REGULAR:  # a fifo or socket: nothing to say
                self.unparseable(path, str(exc))
            return None

    def file_size(self, path: str) -> int | None:
        """The size of an in-scope regular file (from the bytes when already read), reached
        without a symlink in any component; None when it is not one."""
        self.read_log[path] = None
        return self.quiet_size(path)

    def quiet_size(self, path: str) -> int | None:
        """`file_size` for work that runs ahead of the rules (a prefetch): not in
        `read_log`, so no rule's cached results come to depend on it."""
        if self._bytes.get(path) is not None:
            return len(self._bytes[path] or b"")
        return regular_file_size(self.root, path) if path in self.file_set else None

    def text(self, path: str) -> str | None:
        """The file decoded as UTF-8 (BOM allowed); None and a UDEF000 note otherwise."""
        return self._once("text", path, self._decode)

    def _decode(self, path: str) -> str | None:
        data = self.read_bytes(path)
        if data is None:
            return None
        if b"\0" in data:
            self.unparseable(path, "binary file (NUL bytes)")
            return None
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            self.unparseable(path, f"not UTF-8 (byte {exc.start})")
            return None

    def lines(self, path: str) -> list[str]:
        """The file's lines (empty when unreadable), split once."""
        return self._once("lines", path, self._split_lines)

    def _split_lines(self, path: str) -> list[str]:
        # Split on "\n" only: str.splitlines() also breaks at \f, \v, \x85, \u2028..., which
        # would make our line numbers disagree with git, GitHub and the parsers.
        text = self.text(path) or ""
        lines = [line.removesuffix("\r") for line in text.split("\n")]
        return lines[:-1] if lines and lines[-1] == "" else lines

    def _cache_key(self, path: str) -> str | None:
        """The content key: git's blob id for a clean tracked file (no read needed), else a
        digest of the bytes; None when the file cannot be read."""
        self.read_log[path] = None
        known = self._blob_key(path)
        if known is not None:
            return known
        data = self.read_bytes(path)
        return None if data is None else content_key(data)

    def _blob_key(self, path: str) -> str | None:
        """The content key of a clean tracked file, from git's blob id (nothing read)."""
        blob = self.inventory.blob_ids.get(path)
        return None if blob is None else f"git:{blob}"

    def _quiet_bytes(self, path: str) -> bytes | None:
        """The bytes of a file no rule may have needed: read once and kept like any other,
        but a file over the size limit or unreadable is None without a note (the rules that
        need it report it when they ask). Not a read a rule made: not in `read_log`."""
        if path in self._bytes:
            return self._bytes[path]
        if path in self._preread:
            data = self._preread.pop(path)
            self._bytes[path] = data
            return data
        if path not in self.file_set:
            return None
        try:  # one walk to the file: a file over the limit is refused after its fstat
            data = read_regular_file(self.root, path, self.max_file_size)
        except UnreadableFile:
            return None
        self._bytes[path] = data
        return data

    def current_content_key(self, path: str) -> str:
        """What a path holds now, as the rule cache compares it: git's blob id for a clean
        tracked file, else a digest of its bytes, else why it cannot be read. Quiet: asking
        adds no UDEF000 note (a rule that reads the file reports it)."""
        known = self._blob_key(path)
        if known is not None:
            return known
        data = self._bytes.get(path)
        if data is None:
            try:
                data = read_regular_file(self.root, path, self.max_file_size)
            except UnreadableFile as exc:
                return f"!{exc}"
        return content_key(data)

    def unparseable(self, path: str, reason: str, line: int = 1) -> None:
        """Record a UDEF000 note for a file (once per file)."""
        if path in self._reported:
            return
        self._reported.add(path)
        self.diagnostics.append(
            Finding(
                rule_id=UNPARSEABLE,
                path=path,
                line=line,
                message=f"{path} could not be read or parsed: {reason}; results that needed it are missing.",
                key=reason.split(" (", maxsplit=1)[0],
            )
        )

    def replay_diagnostics(self, notes: Iterable[Finding]) -> None:
        """UDEF000 notes a cached rule reported last time, added as if it had just run
        (still once per file)."""
        for note in notes:
            if note.path not in self._reported:
                self._reported.add(note.path)
                self.diagnostics.append(note)

    def _once(self, kind: str, path: str, load: Callable[[str], T]) -> T:
        """Memoise one artefact per (kind, path): the at-most-once guarantee lives here."""
        key = (kind, path)
        if key not in self._parsed:
            self._parsed[key] = load(path)
        value: T = self._parsed[key]
        return value
