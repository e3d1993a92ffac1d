"""The repository context's Python files: lexed regions, `ast` modules, the scanner's facts,
complexity, and inline suppressions, each cached by content where it is costly.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cached_property, partial
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from udef_audit.cache import FactsCache, content_key
from udef_audit.context_files import FileReader
from udef_audit.safe_read import UnreadableFile, read_regular_file
from udef_audit.suppression import MARKER, InlineIgnore, find_suppressions

if TYPE_CHECKING:
    from udef_audit.parsers.python_facts import Complexity, FunctionComplexity, PythonFacts
    from udef_audit.parsers.python_lexer import Regions
    from udef_audit.parsers.python_pool import Payload
    from udef_audit.parsers.python_source import PendingScan


DEFAULT_WORDS = ("TODO", "FIXME", "XXX")
_FACTS = "python-facts-v4"  # the facts cache's kind


class _FactsScan(NamedTuple):  # not a dataclass: defining one costs a pre-commit run 0.6 ms
    """A facts scan on its way: what the cache knew, and the rest in worker processes."""

    paths: list[str]
    keys: dict[str, str]
    cache: FactsCache
    known: dict[str, PythonFacts]
    running: PendingScan
    unread: frozenset[str] = frozenset()  # left for the workers to read


def read_quietly(root: Path, limit: int, path: str) -> bytes | None:
    """A worker's read of a file it was given by name: as the context reads (within the
    root, no symlink, at most `limit` bytes), None when that fails (the rule that asks for
    the file reads it again, and reports it)."""
    try:
        return read_regular_file(root, path, limit)
    except UnreadableFile:
        return None


class PythonFiles(FileReader):
    """What the context knows about Python files (the scanner's work, cached by content)."""

    def python_regions(self, path: str) -> Regions | None:
        """Where a Python file's comments and strings are (character offsets into
        `text(path)`), from the scanner's lexer, or from `tokenize` where the lexer cannot
        follow the file; None when the file cannot be decoded."""
        return self._once("regions", path, self._lex)

    def _lex(self, path: str) -> Regions | None:
        from udef_audit.parsers.python_lexer import LineIndex, lex_regions, tokenize_regions  # noqa: PLC0415

        text = self.text(path)
        if text is None:
            return None
        regions = lex_regions(text)
        return (tokenize_regions(text, LineIndex(text)) or regions) if regions.anomalous else regions

    def python_module(self, path: str) -> ast.Module | None:
        """The `ast` of a Python file, for rules that read declarations (setup.py)."""
        return self._once("ast", path, self._load_module)

    def _load_module(self, path: str) -> ast.Module | None:
        from udef_audit.parsers.python_source import check_syntax, parse_module  # noqa: PLC0415

        data = self.read_bytes(path)
        if data is None:
            return None
        module = parse_module(data)
        if module is None:
            # Newer syntax that libcst accepts is no error; check_syntax says which it is.
            reason = check_syntax(data)
            if reason is not None:
                self.unparseable(path, reason)
        return module

    def python_facts(
        self, paths: Iterable[str] | None = None, words: Sequence[str] = DEFAULT_WORDS
    ) -> dict[str, PythonFacts]:
        """Placeholder, NotImplementedError and pip-call facts for Python files.

        All Python files in scope by default. Facts are cached on disk by file content and
        tool version, computed in parallel for the files the cache does not know, and
        reported once as UDEF000 when a file is unparseable.
        """
        wanted = [p for p in (self.python_files if paths is None else paths)]
        key = ("facts", "|".join(words))
        known: dict[str, PythonFacts] = self._parsed.setdefault(key, {})
        ahead = self._prefetched.pop(tuple(words), None)
        if ahead is not None:
            known.update(self._finish_facts(ahead, quiet=True))
        missing = [p for p in wanted if p not in known]
        if missing:
            known.update(self._finish_facts(self._start_facts(missing, tuple(words), quiet=False), quiet=False))
        return {p: known[p] for p in wanted if p in known}

    def prefetch_python_facts(self) -> None:
        """Start the facts scan of every Python file (the default words) in worker processes
        and return at once, so that the rules that read no Python file run meanwhile; the
        first `python_facts` call collects it. Until then nothing is in `read_log` and no
        UDEF000 note is made: the rule that asks reads, and reports, as if it had scanned."""
        words = tuple(DEFAULT_WORDS)
        if words not in self._prefetched and ("facts", "|".join(words)) not in self._parsed:
            self._prefetched[words] = self._start_facts(self.python_files, words, quiet=True)

    def prefetch_if_cold(self) -> None:
        """`prefetch_python_facts` at once when no facts of this repository are stored and
        the scan deserves worker processes: a first audit (a CI job) then starts its scan as
        soon as its files are listed, before the plugins and the policy load, the rules are
        chosen and the history starts (a tenth of a second on sympy, one core busy and the
        other idle). The complexity sample joins the running scan when it is named
        (`expect_complexity`). Should no rule read every Python file after all, the scan is
        stopped (`cancel_prefetch`). With facts stored, the rule cache may answer those rules
        without any: the scan waits until they are chosen."""
        from udef_audit.parsers.python_pool import Unread, worker_count  # noqa: PLC0415 - with the scanner

        words = tuple(DEFAULT_WORDS)
        if self.use_cache and FactsCache.stored(self.root, _FACTS, self._facts_settings(words)):
            return
        if worker_count(self.workers, [(path, Unread(self._size_hint(path))) for path in self.python_files]) < 2:
            return  # it would run here, when asked: nothing to gain, and nothing read for it
        self._prefetched[words] = self._start_facts(self.python_files, words, quiet=True)

    def cancel_prefetch(self) -> None:
        """Stop a scan nobody collected (the audit ended early)."""
        for scan in self._prefetched.values():
            scan.running.cancel()
        self._prefetched.clear()

    @cached_property
    def _prefetched(self) -> dict[tuple[str, ...], _FactsScan]:
        return {}

    @cached_property
    def python_files(self) -> list[str]:
        """In-scope `*.py` (and `*.pyi`) files."""
        return [f for f in self.files if f.endswith((".py", ".pyi"))]

    def _start_facts(self, paths: list[str], words: tuple[str, ...], *, quiet: bool) -> _FactsScan:
        """The facts the cache knows, and the scan of the rest started; `quiet`: read as a
        prefetch does (see `prefetch_python_facts`)."""
        from udef_audit.parsers.python_source import start_scan_and_measure  # noqa: PLC0415

        cache = FactsCache(self.root, _FACTS, self._facts_settings(words), enabled=self.use_cache)
        keys = {path: key for path in paths if (key := self._facts_key(path, quiet)) is not None}
        result, todo = self._from_cache(keys, cache, quiet)
        read = partial(read_quietly, self.root, self.max_file_size)
        running = start_scan_and_measure(
            todo, self._complexity_ahead(), words=words, workers=self.workers, read=read, flag=MARKER
        )
        unread = frozenset(path for path, data in todo if not isinstance(data, bytes))
        return _FactsScan(paths, keys, cache, result, running, unread)

    def _facts_settings(self, words: tuple[str, ...]) -> str:
        return f"{'|'.join(words)}|{self.max_file_size}"

    def _facts_key(self, path: str, quiet: bool) -> str | None:
        """The content key of a file; `quiet`: without a read a rule could be said to make."""
        if not quiet:
            return self._cache_key(path)
        known = self._blob_key(path)
        if known is not None:
            return known
        data = self._quiet_bytes(path)
        return None if data is None else content_key(data)

    def _finish_facts(self, scan: _FactsScan, *, quiet: bool) -> dict[str, PythonFacts]:
        scanned, measured = self._collect(scan)
        self._measured_ahead.update(measured)
        result = scan.known
        for path, facts in scanned.items():
            result[path] = facts
            scan.cache.put(scan.keys[path], {"f": facts.to_dict(), "u": self.mentions_suppression(path)})
        paths = scan.paths
        scan.cache.save(set(scan.cache.entries) if len(paths) < len(self.python_files) else set(scan.keys.values()))
        if quiet:  # now a rule asks: its reads, and the notes for what could not be read
            for path in paths:
                self.read_log[path] = None
                if path not in result:
                    self.read_bytes(path)
        for path, facts in result.items():
            if facts.error:
                self.unparseable(path, facts.error)
        return result

    def _collect(self, scan: _FactsScan) -> tuple[dict[str, PythonFacts], dict[str, Complexity]]:
        """The scan's results, waiting for the workers; and each scanned file's suppression
        hint (the cache entries keep it): settled before the wait, while the workers are
        still busy, rather than after it on one core. The workers tell it for the files
        they read."""
        for path in scan.running.scanning:
            if path not in scan.unread:
                self.mentions_suppression(path)
        scanned, measured, flagged = scan.running.result()
        for path in scan.unread:
            self._settle_hint(path, path in flagged)
        return scanned, measured

    def complexity(self, paths: Iterable[str]) -> dict[str, tuple[FunctionComplexity, ...]]:
        """The McCabe complexity of every function (methods and nested functions included,
        in source order) of the given Python files, counted from their `ast` as radon does.

        Cached on disk by file content like the facts, computed in worker processes for the
        files the cache does not know; a file that cannot be read or parsed gets a UDEF000
        note and no entry.
        """
        wanted = list(paths)
        known: dict[str, tuple[FunctionComplexity, ...]] = self._parsed.setdefault(("complexity", ""), {})
        missing = [p for p in dict.fromkeys(wanted) if p not in known]
        if missing:
            known.update(self._compute_complexity(missing))
        return {p: known[p] for p in wanted if p in known}

    def _compute_complexity(self, paths: list[str]) -> dict[str, tuple[FunctionComplexity, ...]]:
        cache = FactsCache(self.root, "python-complexity-v1", str(self.max_file_size), enabled=self.use_cache)
        keys = {path: key for path in paths if (key := self._cache_key(path)) is not None}
        measured, todo = self._complexity_from_cache(keys, cache)
        if todo:
            measured.update(self._measure_complexity(todo, keys, cache))
        cache.save(set(cache.entries) if len(paths) < len(self.python_files) else set(keys.values()))
        for path, found in measured.items():
            if found.error is not None:
                self.unparseable(path, found.error)
        return {path: found.functions for path, found in measured.items() if found.error is None}

    def _measure_complexity(
        self, todo: list[tuple[str, bytes]], keys: dict[str, str], cache: FactsCache
    ) -> dict[str, Complexity]:
        """Measure the files the cache does not know (in worker processes), and remember them."""
        from udef_audit.parsers.python_source import complexity_many  # noqa: PLC0415

        fresh = complexity_many(todo, workers=self.workers)
        for path, found in fresh.items():
            cache.put(keys[path], found.to_dict())
        return fresh

    def expect_complexity(self, sample: Callable[[], Sequence[str]]) -> None:
        """Say how to name the files `complexity` will be asked about (the score's sample),
        once that is known. When a facts scan runs first (a cold audit), they are measured
        in its worker processes too, which would otherwise idle at its end while the rules
        go on; what is read for this is no read a rule made (`read_log`). A scan already
        running (`prefetch_if_cold`) gets them now, the sample named at once."""
        self._expected_complexity[:] = [sample]
        running = next(iter(self._prefetched.values()), None)
        if running is not None:
            running.running.measure(self._complexity_ahead())

    @cached_property
    def _expected_complexity(self) -> list[Callable[[], Sequence[str]]]:
        return []

    @cached_property
    def _measured_ahead(self) -> dict[str, Complexity]:
        return {}

    def _take_expected(self) -> list[str]:
        """The expected files in scope (the sample named now, once)."""
        if not self._expected_complexity:
            return []
        return [path for path in dict.fromkeys(self._expected_complexity.pop()()) if path in self.file_set]

    def _complexity_ahead(self) -> list[tuple[str, Payload]]:
        """The expected files the complexity cache does not know, with their bytes (read
        quietly, or by the workers); asked once."""
        wanted = self._take_expected()
        if not wanted:
            return []
        cache = FactsCache(self.root, "python-complexity-v1", str(self.max_file_size), enabled=self.use_cache)
        todo: list[tuple[str, Payload]] = []
        for path in wanted:
            known = self._blob_key(path)
            if known is not None and cache.get(known) is not None:
                continue  # known, and nothing read to know it
            if known is not None:
                if (item := self._to_scan(path, quiet=True)) is not None:
                    todo.append(item)
                continue
            data = self._quiet_bytes(path)
            if data is not None and cache.get(content_key(data)) is None:
                todo.append((path, data))
        return todo

    def _complexity_from_cache(
        self, keys: dict[str, str], cache: FactsCache
    ) -> tuple[dict[str, Complexity], list[tuple[str, bytes]]]:
        """Complexity the cache knows or the workers measured ahead (both remembered), and the
        (path, bytes) still to measure."""
        from udef_audit.parsers.python_facts import Complexity  # noqa: PLC0415

        known: dict[str, Complexity] = {}
        todo: list[tuple[str, bytes]] = []
        for path, key in keys.items():
            try:
                known[path] = Complexity.from_dict(cache.get(key))
            except (KeyError, TypeError, ValueError):  # not cached, or malformed
                if path in self._measured_ahead:  # read and measured by the workers: not again
                    self.read_log[path] = None
                    known[path] = self._measured_ahead.pop(path)
                    cache.put(key, known[path].to_dict())
                elif (data := self.read_bytes(path)) is not None:
                    todo.append((path, data))
        return known, todo

    def _from_cache(
        self, keys: dict[str, str], cache: FactsCache, quiet: bool = False
    ) -> tuple[dict[str, PythonFacts], list[tuple[str, Payload]]]:
        """Facts the cache knows, and the files still to scan."""
        from udef_audit.parsers.python_facts import PythonFacts  # noqa: PLC0415

        known: dict[str, PythonFacts] = {}
        todo: list[tuple[str, Payload]] = []
        for path, key in keys.items():
            cached = cache.get(key)
            if isinstance(cached, dict) and "f" in cached:
                known[path] = PythonFacts.from_dict(cached["f"])
                self._suppression_hint[path] = bool(cached.get("u", True))
            elif (item := self._to_scan(path, quiet)) is not None:
                todo.append(item)
        return known, todo

    def _to_scan(self, path: str, quiet: bool) -> tuple[str, Payload] | None:
        """A file for the scan: its bytes, or, for a prefetch, the file left for a worker to
        read when nothing here needs them yet (its blob id is its key): on sympy the parent
        would read 18 MB before the workers could start."""
        from udef_audit.parsers.python_pool import Unread  # noqa: PLC0415 - with the scanner

        if quiet and path in self.inventory.blob_ids and not self._holds_bytes(path):
            return path, Unread(self._size_hint(path))
        data = self._quiet_bytes(path) if quiet else self.read_bytes(path)
        return None if data is None else (path, data)

    def _size_hint(self, path: str) -> int:
        """A file's size when the inventory listed it (0 when unknown), to balance the
        workers' batches before anything is read: the listing's `lstat`, not another."""
        return self.inventory.sizes.get(path, 0)

    def mentions_suppression(self, path: str) -> bool:
        """Whether the file contains `udef:` at all (cheap, and cached with the facts). Asking
        never adds a UDEF000 note: a file too large or unreadable holds no suppression."""
        if path not in self._suppression_hint:
            self._suppression_hint[path] = self._hint(path)
        return self._suppression_hint[path]

    @cached_property
    def _hint_cache(self) -> FactsCache:
        return FactsCache(self.root, "suppression-hints-v1", "", enabled=self.use_cache)

    def _hint(self, path: str) -> bool:
        """Whether the bytes hold `udef:`: from the cache for a clean tracked file (its blob
        id names the content, so nothing is read), else from the bytes."""
        blob = self.inventory.blob_ids.get(path)
        cached = self._hint_cache.get(blob) if blob is not None else None
        if isinstance(cached, bool):
            return cached
        data = self._quiet_bytes(path)
        found = data is not None and MARKER in data
        if blob is not None:
            self._hint_cache.put(blob, found)
        return found

    def _settle_hint(self, path: str, found: bool) -> None:
        """A hint a worker found reading a clean tracked file for the scan (the only files
        the workers read), kept by its blob id as `_hint` keeps its own."""
        self._suppression_hint[path] = found
        self._hint_cache.put(self.inventory.blob_ids[path], found)

    def suppressions(self, path: str) -> Mapping[int, InlineIgnore]:
        """Line -> the inline `udef: ignore[...]` comment on it (suppression.py): empty for
        every file without `udef:` in its bytes, which is almost every file."""
        return self._once("suppressions", path, self._load_suppressions)

    def _load_suppressions(self, path: str) -> Mapping[int, InlineIgnore]:
        if not self.exists(path) or not self.mentions_suppression(path):
            return {}
        data = self._quiet_bytes(path)
        if data is None or b"\0" in data:
            return {}
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return {}
        return find_suppressions(path, text)
