"""Requirement IDs that a test file mentions (UDEF019), found in its bytes.

A test references a requirement wherever the ID stands as a whole word: in a comment, a
docstring, a string, a marker (`@pytest.mark.requirement("FR-01")`) or an identifier
(`def test_fr_01_status`). So the scan is textual and works on any file, parseable or
not; "whole word" counts `_` as a boundary (identifiers join words with it) but no letter
or digit: `test_fr_01_status` and `"NFR-2"` reference, `xfr_1`, `FR-1a` and `FR-12`
(for FR-1) do not. `-` and `_` are equivalent and leading zeros ignored, as in the
requirement keys (`fr_01` is `FR-1`).

What stands right before an ID may qualify it with a module: the word or words joined by
`_` or `-` before it, separated from it by one of `:`, `_`, `-`, `.`, `/` or a space
(`health:FR-01`, `test_health_fr_01`, `# health FR-01`). The words are kept lower-cased
with `_` read as `-` (`test-health`); deciding whether they name a module is the caller's
business (it knows the modules).

A file without `fr-` or `fr_` followed by a digit (any case) cannot reference anything:
`may_reference` answers that with one byte search, before anything is decoded. A file
yields at most `MAX_REFERENCES` references (a generated file could hold millions).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_REFERENCES = 10_000
_PREFILTER_RE = re.compile(rb"[fF][rR][-_][0-9]")
_REFERENCE_RE = re.compile(rb"(?<![A-Za-z0-9])(?P<kind>[nN]?[fF][rR])[-_](?P<number>[0-9]+)(?![A-Za-z0-9])")
_QUALIFIER_RE = re.compile(rb"(?P<words>[A-Za-z0-9][A-Za-z0-9_-]{0,80})[:_./ -]$")


@dataclass(frozen=True)
class Reference:
    """An ID a file mentions: its key (`FR-1`), as written, where, and the words written
    right before it (lower case, `_` read as `-`; "" when none)."""

    key: str
    written: str
    line: int
    column: int
    before: str = ""

    def to_dict(self) -> dict[str, str | int]:
        """A JSON-able form (for the facts cache)."""
        return {"k": self.key, "w": self.written, "l": self.line, "c": self.column, "b": self.before}

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Reference:
        """The inverse of `to_dict`."""
        return cls(str(data["k"]), str(data["w"]), int(str(data["l"])), int(str(data["c"])), str(data["b"]))


def may_reference(data: bytes) -> bool:
    """Whether the bytes can hold a requirement ID at all (a cheap prefilter)."""
    return _PREFILTER_RE.search(data) is not None


def find_references(data: bytes) -> tuple[Reference, ...]:
    """Every requirement ID the bytes mention, in order (at most MAX_REFERENCES)."""
    if not may_reference(data):
        return ()
    found: list[Reference] = []
    line, line_start, counted = 1, 0, 0
    for match in _REFERENCE_RE.finditer(data):
        start = match.start()
        newlines = data.count(b"\n", counted, start)
        if newlines:
            line += newlines
            line_start = data.rfind(b"\n", counted, start) + 1
        counted = start
        column = len(data[line_start:start].decode("utf-8", "replace")) + 1
        key = f"{match['kind'].decode().upper()}-{int(match['number'])}"
        found.append(Reference(key, match[0].decode(), line, column, _before(data, line_start, start)))
        if len(found) >= MAX_REFERENCES:
            break
    return tuple(found)


def _before(data: bytes, line_start: int, start: int) -> str:
    """The words right before an ID on its line (lower case, `_` as `-`), or ""."""
    match = _QUALIFIER_RE.search(data, max(line_start, start - 82), start)
    if match is None:
        return ""
    return match["words"].decode().lower().replace("_", "-").strip("-")
