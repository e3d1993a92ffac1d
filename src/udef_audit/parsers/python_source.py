"""Facts about Python source files: placeholders, ``raise NotImplementedError``, pip calls,
pytest fixtures, and the complexity of each function.

Serves UDEF006 no-placeholders, UDEF005 (the literal argv of ``subprocess`` calls and nox
``session.install``/``run``), UDEF012 (fixtures) and the reset-vs-repair score (complexity).

The input comes from untrusted repositories: nothing is imported or executed, nothing
raises, and the work is bounded. It is also on the hot path of every audit, so the work is
staged from cheap to expensive and each stage runs only when the previous one cannot decide:

1. decode (PEP 263 cookies honoured) and look for the marker words, ``NotImplementedError``,
   ``fixture`` and ``no-d``/``NO_DEP`` as plain substrings (:mod:`.python_text`); most files
   stop here (``parser="prefilter"``);
2. a regex lexer (:mod:`.python_lexer`) says whether each hit is in a comment, a string or
   code; comment hits need nothing more (``parser="tokens"``);
3. ``ast.parse``, on the one top-level statement (or the one class member) around each hit
   when the file is big, on the whole file otherwise (:mod:`.python_chunks`), and the one
   fact visitor over the tree (:mod:`.python_tree`) (``parser="ast"``);
4. when ``ast`` rejects the file (syntax newer than the running interpreter, or a real
   error), the newer syntax is located, blanked, and stage 3 runs on the rest
   (:mod:`.python_newsyntax`): located from the lexer's spans where it can be
   (``parser="blanked"``), else by libcst in a child process, where a crash, a timeout or a
   memory blow-up costs only that file (``parser="libcst"``). When that fails too, the file
   gets ``error`` and its comment markers from the lexer (``parser="tokens"``).

Complexity needs the whole tree, so :func:`complexity_many` parses every file it is given
(stages 3 and 4). Many files are spread over worker processes (:mod:`.python_pool`).
Positions are 1-based lines and 1-based columns counted in characters.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any, NamedTuple, Protocol

from udef_audit.parsers.python_chunks import MAX_WHOLE_PARSE_CHARS, tree_facts, whole_file_facts
from udef_audit.parsers.python_facts import (
    Complexity,
    Fixture,
    FunctionComplexity,
    Marker,
    NotImplementedRaise,
    PipCall,
    PythonFacts,
)
from udef_audit.parsers.python_lexer import COMMENT, LineIndex, Regions, lex_regions, tokenize_regions
from udef_audit.parsers.python_newsyntax import (
    LIBCST_MAX_BYTES,
    Located,
    desugar,
    locate_many,
    located,
    quick_locate,
)
from udef_audit.parsers.python_pool import Batches, Payload, Unread, worker_count
from udef_audit.parsers.python_text import (
    DEFAULT_MAX_BYTES,
    DEFAULT_WORDS,
    Hits,
    clean_words,
    find_hits,
    mark_docstrings,
    markers,
    read_source,
)
from udef_audit.parsers.python_tree import (
    MAX_LIBCST_WEIGHT,
    TOO_LARGE,
    Rejected,
    TreeFacts,
    parse_source,
    parse_weight,
)

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_WORDS",
    "Complexity",
    "Fixture",
    "FunctionComplexity",
    "Marker",
    "NotImplementedRaise",
    "PendingScan",
    "PipCall",
    "PythonFacts",
    "Reader",
    "ScanResult",
    "Unread",
    "check_syntax",
    "complexity_many",
    "measure_complexity",
    "parse_module",
    "parse_weight",
    "scan_many",
    "scan_python",
    "start_scan_and_measure",
]


def _position(fact: NotImplementedRaise | PipCall | Fixture) -> tuple[int, int]:
    return fact.line, fact.column


def _facts(text: str, lines: LineIndex, regions: Regions, hits: Hits, tree: TreeFacts, *,
           parser: str) -> PythonFacts:
    mark_docstrings(regions, tree.docstrings)
    return PythonFacts(
        markers=markers(text, lines, regions, hits.markers),
        raises=tuple(sorted(tree.raises.values(), key=_position)),
        pip_calls=tuple(sorted(tree.pip_calls(), key=_position)),
        fixtures=tuple(sorted(tree.fixtures(), key=_position)),
        parser=parser,
    )


class _Deferred(Protocol):
    """Work that ``ast`` could not do, waiting for libcst's verdict (picklable: worker
    processes hand them back, and the parent sends all of them to a few libcst children)."""

    text: str
    size: int

    def finish(self, answer: dict[str, Any] | None) -> Any:
        """The result given libcst's answer (None when libcst was not run or crashed)."""


class _DeferredFacts(NamedTuple):
    text: str
    hits: Hits
    regions: Regions
    message: str
    size: int

    def finish(self, answer: dict[str, Any] | None) -> PythonFacts:
        lines = LineIndex(self.text)
        where = located(answer, lines)
        facts = None if where is None else _blanked_facts(self.text, where, self.hits, "libcst")
        if facts is not None:
            return facts
        return PythonFacts(markers=markers(self.text, lines, self.regions, self.hits.markers),
                           error=_unchecked(self.message, self.size), parser="tokens")


def _blanked_facts(text: str, where: Located, hits: Hits, parser: str) -> PythonFacts | None:
    """The facts of ``text`` once its newer syntax is blanked; None when ``ast`` rejects it
    still. The blanked text is valid for this interpreter: the lexer and the visitor read it
    as any other file, at the same offsets (blanks keep comments and docstrings)."""
    plain = desugar(text, where)
    plain_lines = LineIndex(plain)
    tree = whole_file_facts(plain, plain_lines, calls=hits.pip)
    if isinstance(tree, Rejected):
        return None
    regions = lex_regions(plain)
    if regions.anomalous:
        regions = tokenize_regions(plain, plain_lines) or regions
    return _facts(plain, plain_lines, regions, hits, tree, parser=parser)


def _blanked_complexity(text: str, where: Located) -> Complexity | None:
    plain = desugar(text, where)
    tree = whole_file_facts(plain, LineIndex(plain), complexity=True)
    return None if isinstance(tree, Rejected) else _complexity(tree)


def _unchecked(message: str, size: int) -> str:
    if size > LIBCST_MAX_BYTES and message.startswith("syntax error"):
        return message + f" (not checked with libcst: over {LIBCST_MAX_BYTES} bytes)"
    return message


class _DeferredComplexity(NamedTuple):
    text: str
    message: str
    size: int

    def finish(self, answer: dict[str, Any] | None) -> Complexity:
        where = located(answer, LineIndex(self.text))
        measured = None if where is None else _blanked_complexity(self.text, where)
        return measured or Complexity(error=_unchecked(self.message, self.size))


def _complexity(tree: TreeFacts) -> Complexity:
    return Complexity(tuple(sorted(tree.functions, key=lambda function: (function.line, function.column))))


def _libcst_eligible(item: _DeferredFacts | _DeferredComplexity) -> bool:
    # Never for a file refused as too large: libcst costs several times what ast does.
    return (
        item.size <= LIBCST_MAX_BYTES
        and not getattr(item, "message", "").startswith(TOO_LARGE)
        and parse_weight(item.text) <= MAX_LIBCST_WEIGHT
    )


def _finish_all(outcomes: dict[str, Any], workers: int) -> dict[str, Any]:
    """Every outcome, the deferred ones finished with libcst (in ``workers`` children)."""
    deferred = {name: item for name, item in outcomes.items()
                if isinstance(item, (_DeferredFacts, _DeferredComplexity))}
    eligible = [name for name, item in deferred.items() if _libcst_eligible(item)]
    answers = dict(zip(eligible, locate_many([deferred[name].text for name in eligible], workers),
                       strict=True))
    finished = dict(outcomes)
    for name, item in deferred.items():
        finished[name] = item.finish(answers.get(name))
    return finished


# --- stages 2-3 for one file ------------------------------------------------------------------


def _analyse(text: str, hits: Hits, size: int) -> PythonFacts | _DeferredFacts:
    """Stages 2-3 for a file with hits (see the module docstring)."""
    # Marker hits alone need the lexer only up to the last of them.
    regions = lex_regions(text, hits.markers[-1][0] if hits.markers_only else None)
    lines = LineIndex(text)
    string_hits, code_hits = _parser_hits(regions, hits)
    if not (regions.anomalous or hits.pip or string_hits or code_hits):
        return PythonFacts(markers=markers(text, lines, regions, hits.markers), parser="tokens")
    if not regions.complete:
        regions = lex_regions(text)
    # An anomalous lex may have missed or misplaced hits: then the whole tree is walked.
    targets = None if regions.anomalous else _targets(lines, regions, string_hits, code_hits)
    return _parsed(text, lines, regions, hits, targets=targets, size=size)


def _parsed(text: str, lines: LineIndex, regions: Regions, hits: Hits, *,
            targets: list[int] | None, size: int) -> PythonFacts | _DeferredFacts:
    """Stage 3: the facts of the statements holding the targets (all when None)."""
    tree = tree_facts(text, lines, regions, targets, hits.pip)
    if isinstance(tree, Rejected):
        quick = quick_locate(text, regions)
        facts = None if quick is None else _blanked_facts(text, quick, hits, "blanked")
        return facts or _DeferredFacts(text, hits, regions, tree.message, size)
    if regions.anomalous:
        # The file is valid for this interpreter, so its tokenizer is the better lexer here.
        regions = tokenize_regions(text, lines) or regions
    return _facts(text, lines, regions, hits, tree, parser="ast")


def _parser_hits(regions: Regions, hits: Hits) -> tuple[list[int], list[int]]:
    """Offsets of the hits only a parser can settle: marker words in strings (is it a
    docstring?) and raise/fixture hits in code (not in a comment or a string)."""
    string_hits = [offset for offset, _ in hits.markers
                   if (index := regions.index_at(offset)) >= 0 and regions.kinds[index] != COMMENT]
    return string_hits, [offset for offset in hits.code if regions.index_at(offset) < 0]


def _targets(lines: LineIndex, regions: Regions, string_hits: Sequence[int],
             code_hits: Sequence[int]) -> list[int]:
    """Lines whose statements must be parsed (where each hit string starts, each code hit),
    sorted and unique."""
    targets = {lines.line_of(regions.starts[regions.index_at(hit)]) for hit in string_hits}
    targets.update(lines.line_of(offset) for offset in code_hits)
    return sorted(targets)


def _scan(data: bytes, words: tuple[str, ...], max_bytes: int) -> PythonFacts | _DeferredFacts:
    text, error = read_source(data, max_bytes)
    if text is None:
        return PythonFacts(error=error)
    hits = find_hits(text, words)
    if not hits:
        return PythonFacts()
    return _analyse(text, hits, len(data))


def scan_python(
    data: bytes, *, words: Sequence[str] = DEFAULT_WORDS, max_bytes: int = DEFAULT_MAX_BYTES
) -> PythonFacts:
    """Placeholder markers, ``raise NotImplementedError`` statements, pip calls and pytest
    fixtures of one file.

    ``words`` are matched case-sensitively as whole words. Never raises; a file that cannot
    be read or parsed gets ``error`` (see :class:`PythonFacts`).
    """
    outcome = _scan(data, clean_words(words), max_bytes)
    facts: PythonFacts = _finish_all({"": outcome}, 1)[""]
    return facts


# --- many files -------------------------------------------------------------------------------


def scan_many(
    items: Sequence[tuple[str, bytes]],
    *,
    words: Sequence[str] = DEFAULT_WORDS,
    workers: int | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> dict[str, PythonFacts]:
    """:func:`scan_python` for each ``(name, data)``, keyed by name, with identical results.

    The files are scanned in ``workers`` processes (default: the usable CPUs) when there
    are enough of them to pay for starting processes, else in this process; most stop at
    the substring prefilter. Never raises.
    """
    return scan_and_measure(items, (), words=words, workers=workers, max_bytes=max_bytes)[0]


# --- complexity -------------------------------------------------------------------------------


def _measure(data: bytes, max_bytes: int) -> Complexity | _DeferredComplexity:
    text, error = read_source(data, max_bytes)
    if text is None:
        return Complexity(error=error)
    tree = whole_file_facts(text, LineIndex(text), complexity=True)
    if isinstance(tree, Rejected):
        quick = quick_locate(text, lex_regions(text))
        measured = None if quick is None else _blanked_complexity(text, quick)
        return measured or _DeferredComplexity(text, tree.message, len(data))
    return _complexity(tree)


def measure_complexity(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Complexity:
    """The McCabe complexity of every function of one file (see
    :class:`~.python_facts.FunctionComplexity`). Never raises."""
    return complexity_many([("", data)], workers=1, max_bytes=max_bytes)[""]


def complexity_many(
    items: Sequence[tuple[str, bytes]],
    *,
    workers: int | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> dict[str, Complexity]:
    """:func:`measure_complexity` for each ``(name, data)``, keyed by name, in ``workers``
    processes when there is enough work (as :func:`scan_many`). Never raises."""
    return scan_and_measure((), items, workers=workers, max_bytes=max_bytes)[1]


# Reads a file a worker was given by name (`Unread`): the caller's reader, passed in, so that
# this module stays pure; None when the file cannot be read (the caller reports it).
Reader = Callable[[str], "bytes | None"]


def _mixed_batch(batch: Sequence[tuple[str, Payload]], words: tuple[str, ...], max_bytes: int,
                 read: Reader | None = None, flag: bytes = b"") -> list[tuple[str, Any]]:
    """Facts for names tagged `f:`, complexity for names tagged `c:`; None for a file `read`
    could not read; and `u:` + the name for a file read here whose bytes hold `flag`."""
    done: list[tuple[str, Any]] = []
    for name, payload in batch:
        data = payload if isinstance(payload, bytes) else _read_named(read, name[2:])
        if data is None:
            done.append((name, None))
        elif name.startswith("f:"):
            done.append((name, _scan(data, words, max_bytes)))
            if flag and flag in data and not isinstance(payload, bytes):
                done.append((f"u:{name[2:]}", True))
        else:
            done.append((name, _measure(data, max_bytes)))
    return done


def _read_named(read: Reader | None, name: str) -> bytes | None:
    return None if read is None else read(name)


def scan_and_measure(
    scan: Sequence[tuple[str, bytes]],
    measure: Sequence[tuple[str, bytes]],
    *,
    words: Sequence[str] = DEFAULT_WORDS,
    workers: int | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> tuple[dict[str, PythonFacts], dict[str, Complexity]]:
    """:func:`scan_many` of ``scan`` and :func:`complexity_many` of ``measure`` in one pool:
    the same results, with one start of the worker processes and no core idle between
    the two. Never raises."""
    done = start_scan_and_measure(scan, measure, words=words, workers=workers, max_bytes=max_bytes).result()
    return done.facts, done.complexity


def start_scan_and_measure(
    scan: Sequence[tuple[str, Payload]],
    measure: Sequence[tuple[str, Payload]],
    *,
    words: Sequence[str] = DEFAULT_WORDS,
    workers: int | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    read: Reader | None = None,
    flag: bytes = b"",
) -> PendingScan:
    """:func:`scan_and_measure` started in worker processes: this process goes on (other
    rules run) and asks :meth:`PendingScan.result` when it needs the facts. An item given
    as `Unread` is read by the worker with `read` (picklable: a module-level function or a
    partial of one), and the result says which of those hold `flag`."""
    clean = clean_words(words)
    scanning, measuring = dict(scan), dict(measure)  # a name given twice: the last data counts
    # Every file goes to the workers, which settle most of them on the substring prefilter
    # (`_scan`): forked workers read the bytes from memory they inherit (or from the disk,
    # for `Unread` items), so neither reading nor the prefilter delays the start of the pool.
    tagged: list[tuple[str, Payload]] = [(f"f:{name}", data) for name, data in scanning.items()]
    tagged.extend((f"c:{name}", data) for name, data in measuring.items())
    # Complexity parses every file whole: worth a pool sooner than the facts' scan.
    count = worker_count(workers, tagged, min_chars=300_000 if measuring else None)
    work = partial(_mixed_batch, words=clean, max_bytes=max_bytes, read=read, flag=flag)
    return PendingScan(list(scanning), list(measuring), Batches(work, tagged, count), count)


class ScanResult(NamedTuple):
    """What a scan found: facts and complexity by name (a file that could not be read has
    neither), and the files read by the workers whose bytes hold the scan's `flag`."""

    facts: dict[str, PythonFacts]
    complexity: dict[str, Complexity]
    flagged: frozenset[str]


class PendingScan:
    """A facts scan and complexity measure on their way (see :func:`start_scan_and_measure`)."""

    def __init__(self, scanning: list[str], measuring: list[str], batches: Batches[Any], workers: int) -> None:
        self.scanning = scanning
        self.measuring = measuring
        self.batches = batches
        self.workers = workers

    def measure(self, items: Sequence[tuple[str, Payload]]) -> None:
        """More files to measure, once known, by the workers already running."""
        fresh = [(name, data) for name, data in dict(items).items() if name not in self.measuring]
        self.measuring.extend(name for name, _ in fresh)
        self.batches.add([(f"c:{name}", data) for name, data in fresh])

    def result(self) -> ScanResult:
        """The facts and the complexity, keyed by name (waiting for the workers); call once."""
        finished = _finish_all(self.batches.results(), self.workers)
        facts = {name: found for name in self.scanning if (found := finished[f"f:{name}"]) is not None}
        measured = {name: found for name in self.measuring if (found := finished[f"c:{name}"]) is not None}
        flagged = frozenset(name[2:] for name in finished if name.startswith("u:"))
        return ScanResult(facts, measured, flagged)

    def cancel(self) -> None:
        """Stop the workers."""
        self.batches.cancel()


# --- other users ------------------------------------------------------------------------------


def parse_module(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> ast.Module | None:
    """The ``ast`` of a file (for readers of setup.py and the like); None when it cannot be
    read, is too big to parse whole (over 2 million characters: the tree would take about
    a gigabyte), or does not parse with the running interpreter. Never raises."""
    text, _ = read_source(data, max_bytes)
    if text is None or len(text) > MAX_WHOLE_PARSE_CHARS:
        return None
    tree = parse_source(text)
    return None if isinstance(tree, Rejected) else tree


def check_syntax(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> str | None:
    """None when the file parses (with ``ast``, or with libcst for syntax newer than the
    running interpreter), else the reason, worded as :attr:`PythonFacts.error`; a file
    over the size bound of a whole parse is not parsed at all, and says so."""
    text, error = read_source(data, max_bytes)
    if text is None:
        return error
    if len(text) > MAX_WHOLE_PARSE_CHARS:
        return f"{TOO_LARGE} ({len(text)} characters; the bound is {MAX_WHOLE_PARSE_CHARS})"
    tree = parse_source(text)
    if not isinstance(tree, Rejected):
        return None
    deferred = _DeferredFacts(text, Hits([], [], [], False), Regions(), tree.message, len(data))
    facts: PythonFacts = _finish_all({"": deferred}, 1)[""]
    return facts.error
