"""Where each character of a YAML scalar's value was written.

The safe loader's nodes know where a scalar starts and ends in the text; this module reads
that source range again, the way YAML builds the value (quotes, escapes, `''`, folded line
breaks, block indentation and folding), and returns the value cut into segments, each
with the text offset its first character was read from. Every segment is checked against
the loaded value: when the reading disagrees (a YAML corner this reader does not follow,
such as a lone carriage return as a line break), the answer is None and the caller falls
back to the node's start, never to a guess.

Work is linear in the scalar's source; nothing is executed or constructed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

# (offset in the value, offset in the text) of the first character of a segment.
Segment = tuple[int, int]

_BLANKS = " \t"
_SIMPLE_ESCAPES = {
    "0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v", "f": "\f",
    "r": "\r", "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85",
    "_": "\xa0", "L": "\u2028", "P": "\u2029",
}  # fmt: skip
_HEX_ESCAPES = {"x": 2, "u": 4, "U": 8}
# What interrupts a verbatim run inside quotes: `''` (single-quoted), an escape (double).
_SPECIAL = {"'": re.compile("''"), '"': re.compile(r"\\")}


def scalar_segments(text: str, start: int, end: int, style: str | None, value: str) -> tuple[Segment, ...] | None:
    """Segments of `value`, the scalar written at `text[start:end]` in `style` (None or ""
    for plain, `'`, `"`, `|`, `>`); None when the source does not read as `value`."""
    if not 0 <= start <= end <= len(text):
        return None
    reader = _Reader(text, value)
    if style in ("|", ">"):
        return _block(reader, start, end, folded=style == ">")
    if style in ("'", '"'):
        if end - start < 2 or text[start] != style or text[end - 1] != style:
            return None
        return reader.flow(start + 1, end - 1, style)
    return reader.flow(start, end, None)


class _Reader:
    """Builds segments while checking them against the value, character by character."""

    def __init__(self, text: str, value: str) -> None:
        self.text = text
        self.value = value
        self.segments: list[Segment] = []
        self.offset = 0  # how much of the value has been read
        self.ok = True

    def verbatim(self, start: int, end: int) -> None:
        """Source characters `start..end` stand in the value as written."""
        if end <= start or not self.ok:
            return
        length = end - start
        if self.value[self.offset : self.offset + length] != self.text[start:end]:
            self.ok = False
            return
        self.segments.append((self.offset, start))
        self.offset += length

    def produced(self, chars: str, at: int) -> None:
        """`chars` stand in the value for the source at `at` (an escape, a folded break)."""
        if not chars or not self.ok:
            return
        if self.value[self.offset : self.offset + len(chars)] != chars:
            self.ok = False
            return
        # Each produced character is read from `at` (a segment per character): they were
        # never written side by side, so the text after `at` is not theirs.
        self.segments.extend((self.offset + i, at) for i in range(len(chars)))
        self.offset += len(chars)

    def result(self, start: int, *, complete: bool = True) -> tuple[Segment, ...] | None:
        """The segments, or None when the reading failed; an empty value sits at `start`."""
        if not self.ok or (complete and self.offset != len(self.value)):
            return None
        return tuple(self.segments) or ((0, start),)

    # -- flow scalars: plain, single- and double-quoted

    def flow(self, start: int, end: int, quote: str | None) -> tuple[Segment, ...] | None:
        lines = list(_lines(self.text, start, end))
        index = 0
        while index < len(lines) and self.ok:
            last = index == len(lines) - 1
            content_start, content_end, escaped_break = self._flow_line(lines[index], index == 0, last, quote)
            self._flow_content(content_start, content_end, quote)
            empty = _count_empty(self.text, lines, index + 1)
            if not last:
                self.produced("\n" * empty if escaped_break or empty else " ", content_end)
            index += 1 + empty
        return self.result(start)

    def _flow_line(self, line: tuple[int, int], first: bool, last: bool, quote: str | None) -> tuple[int, int, bool]:
        """(start, end) of a line's content and whether it ends with an escaped line break:
        continuation lines lose their leading blanks, lines before a break their trailing
        ones (not before an escaped break, whose backslash is no content)."""
        line_start, line_end = line
        start = line_start if first else _skip_blanks(self.text, line_start, line_end)
        if quote == '"' and not last and _ends_with_escape(self.text, start, line_end):
            return start, line_end - 1, True
        return start, line_end if last else _trim_blanks(self.text, start, line_end), False

    def _flow_content(self, start: int, end: int, quote: str | None) -> None:
        """A line's content: verbatim runs between `''` (single quotes) or escapes (double)."""
        special = _SPECIAL.get(quote or "")
        run = start
        while special is not None and self.ok and (found := special.search(self.text, run, end)) is not None:
            if quote == "'":
                self.verbatim(run, found.start() + 1)  # the first quote of `''` stands for one
                run = found.end()
            else:
                self.verbatim(run, found.start())
                run = self._escape(found.start(), end)
        self.verbatim(run, end)

    def _escape(self, at: int, end: int) -> int:
        """Read the escape at `at`; the index after it."""
        kind = self.text[at + 1] if at + 1 < end else ""
        if kind in _SIMPLE_ESCAPES:
            self.produced(_SIMPLE_ESCAPES[kind], at)
            return at + 2
        width = _HEX_ESCAPES.get(kind)
        digits = self.text[at + 2 : at + 2 + width] if width else ""
        if width and len(digits) == width and all(c in "0123456789abcdefABCDEF" for c in digits):
            code = int(digits, 16)
            self.produced(chr(code) if code <= 0x10FFFF else "", at)
            return at + 2 + width
        self.ok = False
        return end


def _block(reader: _Reader, start: int, end: int, *, folded: bool) -> tuple[Segment, ...] | None:
    """A literal (`|`) or folded (`>`) block scalar: content lines after the header line."""
    text = reader.text
    header_end = text.find("\n", start, end)
    if header_end < 0:
        return reader.result(start) if not reader.value else None
    lines = list(_lines(text, header_end + 1, end))
    detected = next((_indent(text, s, e) for s, e in lines if text[s:e].strip(" ")), 0)
    for indent in range(detected, -1, -1):  # an explicit indentation indicator may be smaller
        attempt = _Reader(text, reader.value)
        _block_lines(attempt, lines, indent, folded=folded)
        found = attempt.result(start, complete=False)
        if found is not None:
            return found
    return None


def _block_lines(reader: _Reader, lines: list[tuple[int, int]], indent: int, *, folded: bool) -> None:
    text = reader.text
    previous_plain: bool | None = None  # whether the last content line started with a non-blank
    empty = 0
    for line_start, line_end in lines:
        if line_end - line_start <= indent and not text[line_start:line_end].strip(" "):
            empty += 1
            continue
        content = line_start + indent
        if _indent(text, line_start, line_end) < indent:
            reader.ok = False
            return
        plain = content < line_end and text[content] not in _BLANKS
        reader.produced(_block_join(previous_plain, plain, empty, folded=folded), content)
        reader.verbatim(content, line_end)
        previous_plain, empty = plain, 0


def _block_join(previous_plain: bool | None, plain: bool, empty: int, *, folded: bool) -> str:
    """What stands in the value before a content line: the empty lines before it, and the
    line break after the previous line, which folding turns into a blank between two lines
    that start with a non-blank."""
    if previous_plain is None:
        return "\n" * empty
    if folded and previous_plain and plain:
        return "\n" * empty if empty else " "
    return "\n" * (1 + empty)


def _lines(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """(start, end) of each physical line of `text[start:end]`, without "\\n" or "\\r\\n"."""
    pieces = text[start:end].split("\n")
    ends_with_break = len(pieces) > 1 and pieces[-1] == ""
    if ends_with_break:
        pieces.pop()
    at = start
    for index, piece in enumerate(pieces):
        broken = ends_with_break or index < len(pieces) - 1
        yield at, at + (len(piece) - 1 if broken and piece.endswith("\r") else len(piece))
        at += len(piece) + 1


def _skip_blanks(text: str, start: int, end: int) -> int:
    while start < end and text[start] in _BLANKS:
        start += 1
    return start


def _trim_blanks(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1] in _BLANKS:
        end -= 1
    return end


def _indent(text: str, start: int, end: int) -> int:
    at = start
    while at < end and text[at] == " ":
        at += 1
    return at - start


def _ends_with_escape(text: str, start: int, end: int) -> bool:
    """Whether the line ends with a backslash that escapes the line break (an odd run)."""
    count = 0
    while end - count - 1 >= start and text[end - count - 1] == "\\":
        count += 1
    return count % 2 == 1


def _count_empty(text: str, lines: list[tuple[int, int]], index: int) -> int:
    """How many blank lines follow from `index` on (the last line never counts)."""
    count = 0
    while index + count < len(lines) - 1 and not text[lines[index + count][0] : lines[index + count][1]].strip(_BLANKS):
        count += 1
    return count
