"""Lexical view of Python source text: where the comments and strings are, and where statements start.

This is the fast path of the Python-source scanner. One compiled regular expression finds
comments and string literals (the code between them is skipped by the regex engine in C),
which is several times faster than :mod:`tokenize` on CPython 3.11 and is exact for every
string form up to Python 3.11. Newer forms that it cannot follow (a PEP 701 f-string that
reuses its own quote inside a replacement field, an unterminated string) make the result
``anomalous``; the caller then uses :func:`tokenize_regions` or a real parser instead.

The statement-start helpers guess, from indentation alone, the lines at which statements
of one block begin, so that a caller can hand ``ast.parse`` one statement instead of a
whole file. A guess is only a proposal: every chunk built from it must parse, and a chunk
that does not parse sends the caller back to a bigger one.

Every function takes text whose line breaks are ``\\n`` only (the caller normalises ``\\r\\n``
and ``\\r`` the way Python's own tokenizer does). Offsets are character offsets into it.
"""

from __future__ import annotations

import io
import operator
import re
import tokenize
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate, repeat

__all__ = [
    "COMMENT",
    "DOCSTRING",
    "STRING",
    "LineIndex",
    "Regions",
    "block_body",
    "lex_regions",
    "quote_length",
    "statement_starts",
    "tokenize_regions",
]

COMMENT = 0
STRING = 1
DOCSTRING = 2  # set by callers that know (from a parser) that a string is a docstring


def _body(quote: str, triple: bool) -> str:
    # Unrolled loops (runs of ordinary characters, then an escape or a lone quote): linear.
    if triple:
        return rf"[^{quote}\\]*(?:(?:\\.|{quote}(?!{quote}{quote}))[^{quote}\\]*)*"
    return rf"[^{quote}\\\n]*(?:\\.[^{quote}\\\n]*)*"


def _alternatives() -> str:
    # Every alternative starts with a literal character, so that the regex engine jumps
    # from one '#' or quote to the next in C (a leading group or look-around would make it
    # try every position); the empty named group after it says which alternative matched.
    # At each position a terminated triple-quoted string is tried before an unterminated
    # one (which runs to the end of the file, as it does for Python), and both before the
    # one-quote forms, so that three quotes are never read as an empty string and a quote.
    parts = [r"\#(?P<comment>)[^\n]*"]
    for quote, name in (("'", "a"), ('"', "b")):
        parts.append(f"{quote * 3}(?P<string3{name}>){_body(quote, True)}{quote * 3}")
    for quote, name in (("'", "a"), ('"', "b")):
        parts.append(f"{quote * 3}(?P<open3{name}>).*")
    for quote, name in (("'", "a"), ('"', "b")):
        parts.append(f"{quote}(?P<string1{name}>){_body(quote, False)}{quote}")
    for quote, name in (("'", "a"), ('"', "b")):
        parts.append(f"{quote}(?P<open1{name}>)[^\\n]*")
    return "|".join(parts)


_TOKEN = re.compile(_alternatives(), re.DOTALL)
_COMMENT_GROUP = _TOKEN.groupindex["comment"]
_UNTERMINATED = frozenset(
    _TOKEN.groupindex[name] for name in ("open3a", "open3b", "open1a", "open1b")
)

_PREFIX_LETTERS = frozenset("rRbBuUfFtT")
_TEMPLATE_LETTERS = frozenset("fFtT")


@dataclass
class Regions:
    """Comment and string spans of a text, sorted by start, never overlapping.

    ``kinds[i]`` is :data:`COMMENT`, :data:`STRING` or :data:`DOCSTRING`. A string span
    starts at its opening quote (a prefix such as ``rb`` is not part of it) and ends after
    its closing quote. ``anomalous`` says that the lexer met something it cannot follow;
    ``complete`` that the whole text was lexed (and not only a leading part).
    """

    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    kinds: list[int] = field(default_factory=list)
    anomalous: bool = False
    complete: bool = True

    def index_at(self, offset: int) -> int:
        """Index of the span containing ``offset``, or -1 when it is in code."""
        index = bisect_right(self.starts, offset) - 1
        if index >= 0 and offset < self.ends[index]:
            return index
        return -1

    def add(self, start: int, end: int, kind: int) -> None:
        """Append a span (callers add them in text order)."""
        self.starts.append(start)
        self.ends.append(end)
        self.kinds.append(kind)


class LineIndex:
    """Line starts of a text: offset <-> (line, column) conversions, lines 0-based here."""

    def __init__(self, text: str) -> None:
        self.text = text
        # starts[i + 1] = starts[i] + len(line i) + 1, computed without a Python-level loop.
        lengths = map(operator.add, map(len, text.split("\n")), repeat(1))
        self.starts: list[int] = list(accumulate(lengths, initial=0))
        self.starts.pop()  # the start of the line after the last one

    def line_of(self, offset: int) -> int:
        """0-based index of the line holding ``offset``."""
        return bisect_right(self.starts, offset) - 1

    def end_of(self, line: int) -> int:
        """Offset just past line ``line`` (after its newline), or the text length."""
        return self.starts[line + 1] if line + 1 < len(self.starts) else len(self.text)

    def line_text(self, line: int) -> str:
        """The line without its newline."""
        return self.text[self.starts[line] : self.end_of(line)].rstrip("\n")

    def char_column(self, line: int, byte_column: int) -> int:
        """Convert a UTF-8 byte column (as ``ast`` reports it) to a character column."""
        text = self.line_text(line)
        if text.isascii():
            return byte_column
        return len(text.encode("utf-8")[:byte_column].decode("utf-8", "ignore"))

    def offset(self, line: int, byte_column: int) -> int:
        """Character offset of a (0-based line, UTF-8 byte column) position."""
        line = min(max(line, 0), len(self.starts) - 1)
        return self.starts[line] + self.char_column(line, byte_column)


def quote_length(text: str, start: int) -> int:
    """3 for a triple-quoted string opening at ``start``, else 1."""
    return 3 if text.startswith(text[start] * 3, start) else 1


def _is_template(text: str, quote_at: int) -> bool:
    """Whether the string opening at ``quote_at`` has an f or t prefix."""
    begin = quote_at
    while begin > 0 and quote_at - begin < 2 and text[begin - 1] in _PREFIX_LETTERS:
        begin -= 1
    if begin > 0 and (text[begin - 1].isalnum() or text[begin - 1] == "_"):
        return False  # the letters end a name: `elif"x"` is a name and a plain string
    return any(letter in _TEMPLATE_LETTERS for letter in text[begin:quote_at])


_BRACE = re.compile(r"[{}]")


def _unbalanced_fields(body: str) -> bool:
    """Whether an f-string body has unmatched braces: the sign of a PEP 701 nested quote.

    Doubled braces are literal outside replacement fields only; inside one (a nested format
    spec such as ``{x:{width}}``) every brace counts. A brace inside a string inside a field
    is miscounted: that only sends the file to the slower, exact path.
    """
    depth = 0
    literal_until = -1
    for match in _BRACE.finditer(body):
        at = match.start()
        if at < literal_until:
            continue
        brace = body[at]
        if depth == 0 and body.startswith(brace * 2, at):
            literal_until = at + 2
            continue
        depth += 1 if brace == "{" else -1
        if depth < 0:
            return True
    return depth != 0


def _template_anomaly(text: str, start: int, end: int) -> bool:
    if not _is_template(text, start):
        return False
    width = quote_length(text, start)
    return _unbalanced_fields(text[start + width : end - width])


def lex_regions(text: str, stop: int | None = None) -> Regions:
    """Comment and string spans of ``text``, up to the first one starting after ``stop``.

    Unterminated strings are recorded (to the end of the line, or of the file for a
    triple-quoted one, as Python reads them) and make the result anomalous, as does an
    f-string whose braces do not balance (Python 3.12 lets a replacement field reuse the
    enclosing quote, which this lexer cannot follow).
    """
    # The hot loop of the scanner: plain list appends and integer group numbers.
    starts: list[int] = []
    ends: list[int] = []
    kinds: list[int] = []
    anomalous = False
    complete = True
    limit = len(text) if stop is None else stop
    for match in _TOKEN.finditer(text):
        start = match.start()
        if start > limit:
            complete = False
            break
        starts.append(start)
        ends.append(match.end())
        group = match.lastindex
        if group == _COMMENT_GROUP:
            kinds.append(COMMENT)
            continue
        kinds.append(STRING)
        if group in _UNTERMINATED or (
            start and text[start - 1] in _PREFIX_LETTERS and _template_anomaly(text, start, match.end())
        ):
            anomalous = True
    return Regions(starts, ends, kinds, anomalous, complete)


def _token_type(name: str) -> int:
    # FSTRING_* exist from 3.12 and TSTRING_* from 3.14; -1 never equals a token type.
    value = getattr(tokenize, name, -1)
    return value if isinstance(value, int) else -1


_NESTED_STARTS = frozenset({_token_type("FSTRING_START"), _token_type("TSTRING_START")}) - {-1}
_NESTED_ENDS = frozenset({_token_type("FSTRING_END"), _token_type("TSTRING_END")}) - {-1}


def _skip_prefix(text: str, start: int, end: int) -> int:
    while start < end and text[start] not in "'\"":
        start += 1
    return start


class _TokenSpans:
    """Builds :class:`Regions` from a token stream (3.12+ f-strings nest, 3.14 t-strings too)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.regions = Regions()
        self.depth = 0
        self.outer_start = 0
        self.inner_comments: list[tuple[int, int]] = []

    def feed(self, kind: int, start: int, end: int) -> None:
        if kind in _NESTED_STARTS:
            if self.depth == 0:
                self.outer_start, self.inner_comments = start, []
            self.depth += 1
        elif kind in _NESTED_ENDS:
            self.depth -= 1
            if self.depth == 0:
                self._close_template(end)
        elif kind == tokenize.COMMENT:
            if self.depth:
                self.inner_comments.append((start, end))
            else:
                self.regions.add(start, end, COMMENT)
        elif kind == tokenize.STRING and self.depth == 0:
            self.regions.add(_skip_prefix(self.text, start, end), end, STRING)

    def _close_template(self, end: int) -> None:
        # A comment inside a multi-line replacement field is a comment (as libcst sees it
        # too): the f-string becomes string pieces around its comments.
        cursor = _skip_prefix(self.text, self.outer_start, end)
        for comment_start, comment_end in self.inner_comments:
            self.regions.add(cursor, comment_start, STRING)
            self.regions.add(comment_start, comment_end, COMMENT)
            cursor = comment_end
        self.regions.add(cursor, end, STRING)


def tokenize_regions(text: str, lines: LineIndex) -> Regions | None:
    """The same spans as :func:`lex_regions`, from :mod:`tokenize` (slower, exact for the
    running interpreter's grammar, PEP 701 f-strings included on 3.12+).

    None when tokenize rejects the text. A 3.12+ f-string is one string span from its
    start token to its matching end token, less the comments inside it.
    """
    spans = _TokenSpans(text)
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            start = lines.offset(token.start[0] - 1, 0) + token.start[1]
            end = lines.offset(token.end[0] - 1, 0) + token.end[1]
            spans.feed(token.type, start, end)
    except (tokenize.TokenError, SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    return spans.regions


# --- statement starts ------------------------------------------------------------------------

# A line starting with one of these cannot start a statement of its block: blank lines,
# comments, and the closing line of a bracketed expression.
_NOT_A_START = " \t\f\n#)]}"
_CONTINUING_KEYWORD = re.compile(r"(?:else|elif|except|finally)(?![\w])")


@lru_cache(maxsize=64)
def _start_pattern(indent: str) -> re.Pattern[str]:
    # Starting with a literal newline lets the regex engine skip ahead quickly.
    return re.compile("\n" + re.escape(indent) + r"(?=[^ \t\f\n#)\]}])")


def _continues_previous_line(text: str, regions: Regions, offset: int) -> bool:
    """Whether the line at ``offset`` is joined to the previous one by a backslash."""
    if offset < 2 or text[offset - 2] != "\\":
        return False
    index = regions.index_at(offset - 2)
    return index < 0 or regions.kinds[index] != COMMENT


def _starts_statement(text: str, regions: Regions, offset: int, indent: str) -> bool:
    inside = regions.index_at(offset)
    if inside >= 0 and regions.starts[inside] < offset:
        return False  # a line of a multi-line string
    if _continues_previous_line(text, regions, offset):
        return False
    return _CONTINUING_KEYWORD.match(text, offset + len(indent)) is None


def statement_starts(
    lines: LineIndex, regions: Regions, indent: str, first: int, stop: int
) -> list[int]:
    """Lines in ``[first, stop)`` that look like the first line of a statement at ``indent``.

    Decorator lines and the ``def``/``class`` line they decorate are one statement, as are
    the clauses of an ``if``/``try`` statement. The result is a guess: a line inside a
    bracketed expression can be proposed by mistake (a chunk starting there will not parse).
    """
    text = lines.text
    begin = lines.starts[first]
    finish = lines.end_of(stop - 1) if stop > first else begin
    candidates: list[int] = []
    head = begin + len(indent)
    if text.startswith(indent, begin) and head < finish and text[head] not in _NOT_A_START:
        candidates.append(begin)
    candidates.extend(m.start() + 1 for m in _start_pattern(indent).finditer(text, begin, finish))
    found: list[int] = []
    previous_is_decorator = False
    for offset in candidates:
        if not _starts_statement(text, regions, offset, indent):
            continue
        if not previous_is_decorator:
            found.append(lines.line_of(offset))
        previous_is_decorator = text[offset + len(indent)] == "@"
    return found


def _ends_with_colon(lines: LineIndex, regions: Regions, line: int) -> bool:
    """Whether the code of ``line`` (its comment aside) ends with ``:`` outside a string."""
    end = lines.starts[line] + len(lines.line_text(line))
    index = regions.index_at(end - 1) if end > lines.starts[line] else -1
    if index >= 0 and regions.kinds[index] == COMMENT:
        end = regions.starts[index]
    code = lines.text[lines.starts[line] : end].rstrip(" \t\f")
    if not code.endswith(":"):
        return False
    return regions.index_at(lines.starts[line] + len(code) - 1) < 0


def block_body(
    lines: LineIndex, regions: Regions, first: int, stop: int, search_limit: int = 40
) -> tuple[int, str] | None:
    """First body line of the def or class statement occupying lines ``[first, stop)``,
    with its indentation, or None when that is not clear within ``search_limit`` lines.

    The body starts at the first indented line whose previous code line ends with ``:``
    (the header, decorators included, may span several lines). Again a guess to verify.
    """
    text = lines.text
    previous_colon = False
    for line in range(first, min(stop, first + search_limit)):
        body = lines.line_text(line)
        stripped = body.lstrip(" \t\f")
        if not stripped or stripped.startswith("#"):
            continue
        offset = lines.starts[line]
        indented = len(stripped) < len(body)
        inside = regions.index_at(offset)
        in_string = inside >= 0 and regions.starts[inside] < offset
        starts_body = previous_colon and indented and not in_string
        if starts_body and not _continues_previous_line(text, regions, offset):
            return line, body[: len(body) - len(stripped)]
        previous_colon = _ends_with_colon(lines, regions, line)
    return None
