"""Python source as text: decoding, the cheap substring prefilter, and marker words.

Stage 1 of the scanner (see :mod:`.python_source`): decode the bytes as Python does (PEP 263
cookies, a UTF-8 byte-order mark, ``\\r\\n`` and lone ``\\r`` line breaks) and find the
candidate substrings; most files stop here. The markers themselves are built here too, once
the lexer and the parser have said which hits are in comments and docstrings.
"""

from __future__ import annotations

import codecs
import re
from bisect import bisect_left
from collections.abc import Sequence
from functools import lru_cache
from typing import NamedTuple

from udef_audit.parsers.python_facts import Marker
from udef_audit.parsers.python_lexer import COMMENT, DOCSTRING, STRING, LineIndex, Regions, quote_length

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_WORDS",
    "Hits",
    "clean_words",
    "find_hits",
    "mark_docstrings",
    "markers",
    "read_source",
    "word_char",
]

DEFAULT_WORDS: tuple[str, ...] = ("TODO", "FIXME", "XXX")
DEFAULT_MAX_BYTES = 5_000_000

# --- reading --------------------------------------------------------------------------------

_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)", re.ASCII)
_BLANK_OR_COMMENT = re.compile(rb"^[ \t\f]*(?:#|$)")
_FIRST_LINES = re.compile(rb"\r\n|\r|\n")
_ASCII_SAMPLE = bytes(range(32, 127)) + b"\t\n\r\f"


def _declared_encoding(data: bytes) -> str | None:
    """The PEP 263 coding cookie of the first or second line, as Python finds it."""
    head = data[3:4096] if data.startswith(codecs.BOM_UTF8) else data[:4096]
    lines = _FIRST_LINES.split(head, maxsplit=2)
    match = _COOKIE.match(lines[0])
    if match is None and len(lines) > 1 and _BLANK_OR_COMMENT.match(lines[0]):
        match = _COOKIE.match(lines[1])
    return match.group(1).decode("ascii") if match else None


@lru_cache(maxsize=64)
def _ascii_compatible(codec: str) -> bool:
    # Source must read as ASCII where it is ASCII; this also keeps out the codecs
    # that are slow or not encodings at all (punycode, unicode_escape, rot13...).
    try:
        return _ASCII_SAMPLE.decode(codec) == _ASCII_SAMPLE.decode("ascii")
    except (UnicodeError, LookupError, TypeError, ValueError):
        return False


def _codec_problem(data: bytes, declared: str) -> str | None:
    """Why the declared encoding cannot be used, or None."""
    try:
        codec = codecs.lookup(declared).name
    except LookupError:
        return f"unknown encoding ({declared})"
    if data.startswith(codecs.BOM_UTF8) and codec != "utf-8":
        return f"encoding mismatch (UTF-8 byte-order mark, declared {declared})"
    if not _ascii_compatible(codec):
        return f"unsupported encoding ({declared})"
    return None


def _decode_declared(data: bytes, declared: str) -> tuple[str | None, str | None]:
    problem = _codec_problem(data, declared)
    if problem is not None:
        return None, problem
    if codecs.lookup(declared).name == "utf-8":
        return _decode_utf8(data)
    try:
        return data.decode(declared), None
    except UnicodeDecodeError as error:
        return None, f"not valid in its declared encoding ({declared}, byte {error.start})"
    except (LookupError, TypeError, ValueError):
        return None, f"unsupported encoding ({declared})"


def _decode_utf8(data: bytes) -> tuple[str | None, str | None]:
    skip = 3 if data.startswith(codecs.BOM_UTF8) else 0
    try:
        return data[skip:].decode("utf-8"), None
    except UnicodeDecodeError as error:
        return None, f"not UTF-8 (byte {error.start + skip})"


def read_source(data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[str | None, str | None]:
    """(text with ``\\n`` line breaks, None) or (None, reason the file cannot be read)."""
    if len(data) > max_bytes:
        return None, f"too large ({len(data)} bytes)"
    if b"\0" in data:
        return None, "binary file"
    declared = _declared_encoding(data)
    text, error = _decode_utf8(data) if declared is None else _decode_declared(data, declared)
    if text is not None and "\r" in text:
        # Python reads \r\n and a lone \r as line breaks; so do the lexer and the line index.
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, error


# --- hits -----------------------------------------------------------------------------------

_RAISE = re.compile(r"raise[\s\\(]*(?:#[^\n]*\n[\s\\(]*)*NotImplementedError(?!\w)")
_WORD_RUN = re.compile(r"\w*")
# Facts of one kind kept per file: a file with more is generated or hostile, and all of its
# facts would only bloat the report and the cache.
_MAX_HITS = 10_000
# Longest Marker.text; a longer comment or docstring line is cut around the word.
_MAX_TEXT_CHARS = 400


def word_char(character: str) -> bool:
    """Whether ``character`` is a word character."""
    # The same test as the regex class \w on str patterns.
    return character.isalnum() or character == "_"


def _whole_word_at(text: str, start: int, end: int) -> bool:
    before = start == 0 or not word_char(text[start - 1])
    return before and (end == len(text) or not word_char(text[end]))


def _run_end(text: str, start: int) -> int:
    """Offset after the run of word characters starting at ``start`` (at least start + 1)."""
    match = _WORD_RUN.match(text, start)
    return max(start + 1, match.end() if match else start)


def _marker_hits(text: str, words: tuple[str, ...]) -> list[tuple[int, str]]:
    """(offset, word) of every whole-word occurrence of the words, in text order (at most
    ``_MAX_HITS``).

    ``str.find`` per word is several times faster than one alternation regex here (the
    words start with common capitals, which defeats the regex engine's fast scan). After a
    candidate, the search resumes past the run of word characters it started: no later
    start inside that run can be a whole word, and ``XXXXXXXX...`` stays linear.
    """
    found: dict[int, str] = {}
    for word in words:
        skips_runs = word_char(word[0])
        start = text.find(word)
        while start >= 0 and len(found) < _MAX_HITS:
            end = start + len(word)
            if _whole_word_at(text, start, end) and len(found.get(start, "")) < len(word):
                found[start] = word  # the longest word wins where two start together
            start = text.find(word, _run_end(text, start) if skips_runs else start + 1)
    return sorted(found.items())[:_MAX_HITS]


def _raise_hits(text: str) -> list[int]:
    """Offsets of text that may be a ``raise NotImplementedError`` statement (a superset)."""
    if "NotImplementedError" not in text:
        return []
    hits = (match.start() for match in _RAISE.finditer(text))
    found = [start for start in hits if not (start and word_char(text[start - 1]))]
    return found[:_MAX_HITS]


def _wants_pip(text: str) -> bool:
    return "no-d" in text or "NO_DEP" in text


_FIXTURE = "fixture"
# Import statements that may bind pytest (or pytest_asyncio) or its fixture decorator under
# another name: parsed
# with the fixtures, so that `import pytest as pt` ... `@pt.fixture` is understood.
_PYTEST_IMPORT = re.compile(r"^[ \t]*(?:import|from)[ \t][^\n]*\bpytest(?:_asyncio)?\b", re.MULTILINE)
# `fixture as fx`, `pytest as pt`: the decorators written with such a name hold no `fixture`.
_ALIAS = re.compile(r"\b(?:fixture|pytest(?:_asyncio)?)[ \t]+as[ \t]+(\w+)")
_MAX_ALIASES = 8


def _fixture_hits(text: str) -> list[int]:
    """Offsets of the word ``fixture`` (``@pytest.fixture``, ``from pytest import fixture``)
    and, when there is one, of the import statements naming pytest and of the decorators
    written with a name they bind."""
    found: list[int] = []
    start = text.find(_FIXTURE)
    while start >= 0 and len(found) < _MAX_HITS:
        if _whole_word_at(text, start, start + len(_FIXTURE)):
            found.append(start)
        start = text.find(_FIXTURE, start + len(_FIXTURE))
    if found:
        found.extend(match.start() for match in _PYTEST_IMPORT.finditer(text))
        aliases = dict.fromkeys(match.group(1) for match in _ALIAS.finditer(text))
        for alias in list(aliases)[:_MAX_ALIASES]:  # each is a pass over the text: bounded
            decorator = re.compile(rf"^[ \t]*@[ \t]*{re.escape(alias)}\b", re.MULTILINE)
            found.extend(match.start() for match in decorator.finditer(text))
    return sorted(set(found))[:_MAX_HITS]


def clean_words(words: Sequence[str]) -> tuple[str, ...]:
    """The placeholder words, each once, empty ones dropped."""
    return tuple(word for word in dict.fromkeys(words) if isinstance(word, str) and word)


class Hits(NamedTuple):  # not a dataclass: defining one costs every pre-commit run 0.6 ms
    """Where the facts of a file may be: offsets into its text, found without a parser.

    ``markers`` are (offset, word) of whole-word placeholder words (in comments, strings or
    code: the lexer tells which); ``raises`` may start a ``raise NotImplementedError``;
    ``fixtures`` may be a fixture decorator or an import binding one; ``pip`` says whether
    the file may run pip (its calls are looked for everywhere).
    """

    markers: list[tuple[int, str]]
    raises: list[int]
    fixtures: list[int]
    pip: bool

    def __bool__(self) -> bool:
        return bool(self.markers or self.raises or self.fixtures or self.pip)

    @property
    def markers_only(self) -> bool:
        """Whether the only hits are marker words (the lexer alone may settle them)."""
        return not (self.raises or self.fixtures or self.pip)

    @property
    def code(self) -> list[int]:
        """The hits that matter only when they are in code (not in a comment or string)."""
        return sorted(self.raises + self.fixtures)


def find_hits(text: str, words: tuple[str, ...]) -> Hits:
    """Every candidate of ``text`` (see :class:`Hits`)."""
    return Hits(_marker_hits(text, words), _raise_hits(text), _fixture_hits(text), _wants_pip(text))


# --- markers ----------------------------------------------------------------------------------


def mark_docstrings(regions: Regions, docstrings: Sequence[tuple[int, int]]) -> None:
    for start, end in docstrings:
        index = bisect_left(regions.starts, start)
        while index < len(regions.starts) and regions.starts[index] < end:
            if regions.kinds[index] == STRING:
                regions.kinds[index] = DOCSTRING
            index += 1


def _excerpt(text: str, begin: int, end: int, offset: int) -> str:
    """``text[begin:end]`` stripped, or for a very long line the part around ``offset``
    (a hostile one-line file must not copy megabytes per marker)."""
    if end - begin > _MAX_TEXT_CHARS:
        half = _MAX_TEXT_CHARS // 2
        begin, end = max(begin, offset - half), min(end, offset + half)
    return text[begin:end].strip()


def _docstring_line(text: str, lines: LineIndex, start: int, end: int, offset: int) -> str:
    """The docstring's part of the line holding ``offset``, quotes excluded, stripped."""
    line = lines.line_of(offset)
    width = quote_length(text, start)
    line_end = lines.end_of(line)
    if line_end > start and text[line_end - 1] == "\n":
        line_end -= 1
    return _excerpt(text, max(lines.starts[line], start + width), min(line_end, end - width), offset)


def markers(text: str, lines: LineIndex, regions: Regions,
             hits: Sequence[tuple[int, str]]) -> tuple[Marker, ...]:
    """Markers for the hits inside comments and docstrings."""
    found: list[Marker] = []
    for offset, word in hits:
        index = regions.index_at(offset)
        if index < 0 or regions.kinds[index] == STRING:
            continue
        start, end = regions.starts[index], regions.ends[index]
        line = lines.line_of(offset)
        column = offset - lines.starts[line] + 1
        if regions.kinds[index] == COMMENT:
            found.append(Marker(line + 1, column, word, "comment",
                                _excerpt(text, start, end, offset)))
        else:
            found.append(Marker(line + 1, column, word, "docstring",
                                _docstring_line(text, lines, start, end, offset)))
    return tuple(found)
