"""JSON documents with the line of every value.

The standard library's decoder (C, strict: no NaN, no duplicate-key merging surprises
beyond last-wins, as JSON parsers do) builds the data; `json` keeps no positions, so one
linear pass over the tokens of the already valid text records the line where each value
starts, keyed by its path (`("jobs", "build", 0)`). A document nested too deep for the
decoder is refused (RecursionError), and at most MAX_INDEXED lines are recorded.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

MAX_INDEXED = 200_000  # values whose line is recorded; later ones fall back to their parent's
# Strings, punctuation and bare words (numbers, true, false, null). Only run on text the
# decoder accepted, so every string is terminated and the scan is linear.
_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|[{}\[\]:,]|[^\s{}\[\]:,"]+')

Path = tuple[str | int, ...]


class JsonError(Exception):
    """Not JSON we read (syntax, nesting too deep); the message says where."""


@dataclass(frozen=True)
class JsonDocument:
    """The decoded data and the line where each value starts (by path)."""

    data: Any
    lines: dict[Path, int] = field(default_factory=dict, compare=False)

    def line_of(self, path: Path) -> int:
        """The line of the value at `path`, else of its closest parent, else 1."""
        for length in range(len(path), 0, -1):
            line = self.lines.get(path[:length])
            if line is not None:
                return line
        return 1


def load_json(data: bytes | str) -> JsonDocument:
    """Decode a JSON document (UTF-8, a BOM allowed) and index its lines."""
    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
        value = json.loads(text, parse_constant=_not_json)
    except UnicodeDecodeError as exc:
        raise JsonError(f"not UTF-8 (byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise JsonError(f"line {exc.lineno}: {exc.msg}") from None
    except (ValueError, RecursionError) as exc:
        raise JsonError(str(exc) or type(exc).__name__) from None
    return JsonDocument(value, _index_lines(text))


def _not_json(constant: str) -> Any:
    """Python's decoder reads NaN and Infinity; JSON has neither (RFC 8259)."""
    raise ValueError(f"{constant} is not JSON")


class _Frame:
    __slots__ = ("index", "is_object", "key", "path")

    def __init__(self, path: Path, is_object: bool) -> None:
        self.path = path
        self.is_object = is_object
        self.key: str | None = None  # the key whose value comes next (objects)
        self.index = 0  # the next item's index (arrays)


class _Indexer:
    """Walks the tokens of valid JSON, recording the line each value starts on."""

    def __init__(self) -> None:
        self.lines: dict[Path, int] = {}
        self.stack: list[_Frame] = []
        self.expecting_key = False

    def token(self, piece: str, line: int) -> None:
        if piece == ",":
            self.expecting_key = bool(self.stack) and self.stack[-1].is_object
        elif piece in "]}":
            self.stack.pop()
            self.expecting_key = False
        elif piece != ":":
            self._value_or_key(piece, line)

    def _value_or_key(self, piece: str, line: int) -> None:
        if self.expecting_key:
            self.stack[-1].key = json.loads(piece) if piece.startswith('"') else piece
            self.expecting_key = False
            return
        path = _value_path(self.stack)
        if len(self.lines) < MAX_INDEXED:
            self.lines.setdefault(path, line)
        if piece in "[{":
            self.stack.append(_Frame(path, piece == "{"))
            self.expecting_key = piece == "{"


def _index_lines(text: str) -> dict[Path, int]:
    indexer = _Indexer()
    line, position = 1, 0
    for match in _TOKEN.finditer(text):
        line += text.count("\n", position, match.start())
        position = match.start()
        indexer.token(match.group(), line)
    return indexer.lines


def _value_path(stack: list[_Frame]) -> Path:
    """The path of the value about to start, advancing the enclosing array's index."""
    if not stack:
        return ()
    frame = stack[-1]
    if frame.is_object:
        return (*frame.path, frame.key or "")
    frame.index += 1
    return (*frame.path, frame.index - 1)
