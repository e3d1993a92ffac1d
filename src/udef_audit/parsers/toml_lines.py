"""Line numbers in TOML text: where each table, key and array element is defined.

tomli parses TOML but keeps no positions. This light line scanner maps table headers,
array-of-tables headers and keys (dotted and quoted ones included) to their first line,
skipping multi-line strings and arrays so their contents never look like headers. It never
raises: a line it cannot read is skipped (the caller has parsed the text with tomli first).
`array_item_lines` finds the line of each element of an array (`dependencies = [...]`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from udef_audit.parsers.requirements import split_lines

# Line numbers are looked up only in this much text; later declarations fall back.
MAX_INDEXED_CHARS = 4 * 1024 * 1024
# Deeper keys are not indexed: the paths looked up have at most five parts, and recording
# every parent of a hostile thousand-part key would be quadratic.
_MAX_KEY_PARTS = 16
BARE_KEY_RE = re.compile(r"[A-Za-z0-9_-]+")
_BASIC_STRING_RE = re.compile(r'"(?:[^"\\]|\\.)*"')
_MULTILINE_BASIC_END_RE = re.compile(r'(?:[^"\\]|\\.|"(?!""))*"""')


@dataclass
class _ValueState:
    """Where the scanner is inside a value that spans lines."""

    depth: int = 0
    open_string: str | None = None


@dataclass
class _LineIndex:
    explicit: dict[tuple[str, ...], int] = field(default_factory=dict)
    implicit: dict[tuple[str, ...], int] = field(default_factory=dict)

    def record(self, path: tuple[str, ...], line: int) -> None:
        """Note where ``path`` is defined; its parents are defined there implicitly."""
        self.explicit.setdefault(path, line)
        for length in range(1, len(path)):
            self.implicit.setdefault(path[:length], line)

    def merged(self) -> dict[tuple[str, ...], int]:
        return {**self.implicit, **self.explicit}


def line_of(lines: Mapping[tuple[str, ...], int], path: tuple[str, ...]) -> int:
    """Line of ``path``, else of its closest enclosing table, else 1."""
    for length in range(len(path), 0, -1):
        line = lines.get(path[:length])
        if line is not None:
            return line
    return 1


def first_line_within(lines: Mapping[tuple[str, ...], int], prefix: tuple[str, ...]) -> int | None:
    """The first line defining ``prefix`` or anything inside it (``[tool.ruff.lint]`` above
    ``[tool.ruff]`` is the first line of ``tool.ruff``), else None."""
    size = len(prefix)
    return min((line for path, line in lines.items() if path[:size] == prefix), default=None)


def toml_line_index(text: str) -> dict[tuple[str, ...], int]:
    """First line defining each table or key path, e.g. ``("project", "dependencies")``.

    A path defined only as the parent of another (``project`` in ``[project.urls]``) gets
    that line unless it is defined itself. Only the first MAX_INDEXED_CHARS are scanned.
    """
    index = _LineIndex()
    state = _ValueState()
    table: tuple[str, ...] = ()
    for number, raw in enumerate(split_lines(text[:MAX_INDEXED_CHARS]), 1):
        if state.depth or state.open_string:
            _scan_value(raw, 0, state)
            continue
        line = raw.strip().removeprefix("\ufeff").lstrip()
        if line and not line.startswith("#"):
            table = _index_statement(line, number, table, index, state)
    return index.merged()


def _index_statement(
    line: str, number: int, table: tuple[str, ...], index: _LineIndex, state: _ValueState
) -> tuple[str, ...]:
    """Record a ``[header]`` or ``key = value`` line in ``index``; the table of the next lines."""
    if line.startswith("["):
        header = _read_header(line)
        if header is not None:
            index.record(header, number)
            return header
        return table
    key = _read_key(line, 0)
    if key is not None and key[1] < len(line) and line[key[1]] == "=":
        index.record(table + key[0], number)
        _scan_value(line, key[1] + 1, state)  # a value may open an array or string over lines
    return table


def _read_header(line: str) -> tuple[str, ...] | None:
    """The path of a ``[table]`` or ``[[array.of.tables]]`` header line, else None."""
    closing = "]]" if line.startswith("[[") else "]"
    key = _read_key(line, len(closing))
    if key is None or not line.startswith(closing, key[1]):
        return None
    return key[0]


def _read_key(line: str, position: int) -> tuple[tuple[str, ...], int] | None:
    """A (possibly dotted, quoted) key starting at ``position``, and where it ends."""
    parts: list[str] = []
    while True:
        simple = _read_simple_key(line, _skip_blanks(line, position))
        if simple is None:
            return None
        parts.append(simple[0])
        if len(parts) > _MAX_KEY_PARTS:
            return None
        position = _skip_blanks(line, simple[1])
        if not line.startswith(".", position):
            return tuple(parts), position
        position += 1


def _read_simple_key(line: str, position: int) -> tuple[str, int] | None:
    if line.startswith('"', position):
        match = _BASIC_STRING_RE.match(line, position)
        return None if match is None else (match.group()[1:-1], match.end())
    if line.startswith("'", position):
        end = line.find("'", position + 1)
        return None if end < 0 else (line[position + 1 : end], end + 1)
    bare = BARE_KEY_RE.match(line, position)
    return None if bare is None else (bare.group(), bare.end())


def _skip_blanks(line: str, position: int) -> int:
    while position < len(line) and line[position] in " \t":
        position += 1
    return position


def _scan_value(line: str, position: int, state: _ValueState) -> None:
    """Track open brackets and multi-line strings through one line of a value."""
    while position < len(line):
        if state.open_string is not None:
            position = _close_multiline_string(line, position, state)
            continue
        char = line[position]
        if char == "#":
            return
        if line.startswith(('"""', "'''"), position):
            state.open_string = line[position : position + 3]
            position += 3
        elif char in "\"'":
            position = _skip_string(line, position)
        else:
            if char in "[{":
                state.depth += 1
            elif char in "]}":
                state.depth = max(0, state.depth - 1)
            position += 1


def _close_multiline_string(line: str, position: int, state: _ValueState) -> int:
    """Position after the closing delimiter on this line, or the line's end if none."""
    if state.open_string == '"""':
        match = _MULTILINE_BASIC_END_RE.match(line, position)
        end = -1 if match is None else match.end()
    else:
        found = line.find("'''", position)
        end = -1 if found < 0 else found + 3
    if end < 0:
        return len(line)
    state.open_string = None
    return end


def _skip_string(line: str, position: int) -> int:
    """Position after a single-line string starting at ``position`` (line end if open)."""
    if line[position] == '"':
        match = _BASIC_STRING_RE.match(line, position)
        return len(line) if match is None else match.end()
    end = line.find("'", position + 1)
    return len(line) if end < 0 else end + 1


# --- array elements -------------------------------------------------------------------------


@dataclass
class _ArrayScan:
    """Where the element scanner is: bracket depth, an open multi-line string, lines found."""

    depth: int = 0
    open_string: str | None = None
    lines: list[int] = field(default_factory=list)
    done: bool = False


def array_item_lines(text: str, path: tuple[str, ...]) -> tuple[int, ...]:
    """The line of each element of the array assigned to ``path`` (``("project",
    "dependencies")``), in order; empty when ``path`` is not a ``key = [...]`` line of the text
    (an inline table, a value that is no array), so the caller falls back to the key's line."""
    start = toml_line_index(text).get(path)
    if start is None:
        return ()
    physical = split_lines(text[:MAX_INDEXED_CHARS])
    first = physical[start - 1].strip().removeprefix("\ufeff").lstrip()
    key = _read_key(first, 0)
    if key is None or not first.startswith("=", key[1]):
        return ()
    opening = _skip_blanks(first, key[1] + 1)
    if not first.startswith("[", opening):
        return ()
    scan = _ArrayScan(depth=1)
    _scan_elements(first, opening + 1, start, scan)
    for number in range(start + 1, len(physical) + 1):
        if scan.done:
            break
        _scan_elements(physical[number - 1], 0, number, scan)
    return tuple(scan.lines) if scan.done else ()


def _scan_elements(line: str, position: int, number: int, scan: _ArrayScan) -> None:
    """Record the line of each element that starts on this line of the array."""
    while position < len(line) and not scan.done:
        if scan.open_string is not None:
            state = _ValueState(open_string=scan.open_string)
            position = _close_multiline_string(line, position, state)
            scan.open_string = state.open_string
            continue
        char = line[position]
        if char == "#":
            return
        if char in " \t,":
            position += 1
            continue
        if scan.depth == 1 and char not in "]}":
            scan.lines.append(number)
        position = _step(line, position, scan)


def _step(line: str, position: int, scan: _ArrayScan) -> int:
    """Consume one token (a string, a bracket, or a character of a bare value)."""
    char = line[position]
    if line.startswith(('"""', "'''"), position):
        scan.open_string = line[position : position + 3]
        return position + 3
    if char in "\"'":
        return _skip_string(line, position)
    if char in "[{":
        scan.depth += 1
    elif char in "]}":
        scan.depth -= 1
        scan.done = scan.depth == 0
    elif scan.depth == 1:  # a bare value (number, boolean, date): skip to its end
        while position + 1 < len(line) and line[position + 1] not in " \t,]#":
            position += 1
    return position + 1
