"""Wrapping a report line to the terminal's width, between words, with a hanging indent.

Apart from report/terminal.py because it needs rich's cell widths, and rich is imported only
when a text report is drawn (plugins.py: never from the scanned repository's folder).
"""

from __future__ import annotations

import re

from rich.cells import cell_len
from rich.text import Text

_WORD = re.compile(r"\S+")


def wrap(text: Text, width: int | None, indent: int) -> list[Text]:
    """`text` as lines of at most `width` cells, broken between words only; every line
    after the first starts with `indent` spaces (a hanging indent). A word longer than a
    line (a URL) is never broken: it overflows. No width: one line, as it is."""
    if width is None:
        return [text]
    plain = text.plain
    breaks = _breaks(plain, width, indent)
    if not breaks:
        return [text]
    pieces = text.divide(breaks)
    lines = [pieces[0]]
    for piece in pieces[1:]:
        line = Text(" " * indent)
        line.append_text(piece)
        lines.append(line)
    for line in lines:
        line.rstrip()
    return lines


def _breaks(plain: str, width: int, indent: int) -> list[int]:
    """Offsets of the words that start a new line."""
    breaks: list[int] = []
    used = 0  # cells on the current line up to the end of its last word
    end = 0  # offset just past that word
    first_on_line = True
    for match in _WORD.finditer(plain):
        start, stop = match.span()
        gap = cell_len(plain[end:start])
        word = cell_len(plain[start:stop])
        if not first_on_line and used + gap + word > width:
            breaks.append(start)
            used, gap = indent, 0
        used += gap + word
        end, first_on_line = stop, False
    return breaks
