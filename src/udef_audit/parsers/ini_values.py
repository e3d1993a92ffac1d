"""Where the values of an INI file (tox.ini, setup.cfg) stand, read as configparser reads them.

configparser gives values but no positions. `ini_values` scans the text the same way (a
line indented deeper than its key continues the value, comment lines are skipped, a key
seen again replaces the earlier value) and keeps each value as physical lines: everything
before the value on the key's line is blanked out and comment lines are empty, so an offset
into the joined lines keeps its line and column. `parse_ini` is configparser itself (no
interpolation, duplicates allowed), for the keys and sections it accepts.
"""

from __future__ import annotations

import configparser
import re
from dataclasses import dataclass

# configparser's header pattern (greedy, matched on the stripped line) and first delimiter.
_INI_HEADER = re.compile(r"\[(?P<name>.+)\]")
_INI_DELIMITER = re.compile(r"[=:]")
# configparser's option regex backtracks quadratically on long blank runs: squeeze them.
_LONG_BLANK_RUN = re.compile(r"(?<=\S)[^\S\n]{64,}")
# A name no file uses, so that no section is configparser's DEFAULT (tox reads none).
_NO_DEFAULT_SECTION = "\x00no default section"


@dataclass
class IniValue:
    """A key's value as physical lines from `line` on: the first with blanks where the key
    and delimiter were, continuation lines as written, comment lines empty."""

    line: int
    lines: list[str]

    @property
    def text(self) -> str:
        """The lines joined: offsets into it map to `line + row`, column `offset in row + 1`."""
        return "\n".join(self.lines)


def parse_ini(text: str) -> configparser.ConfigParser | None:
    """configparser's reading of `text` (no interpolation, no default section, repeated
    keys and sections allowed), or None when it rejects the text."""
    parser = configparser.ConfigParser(interpolation=None, strict=False, default_section=_NO_DEFAULT_SECTION)
    try:
        parser.read_string(_LONG_BLANK_RUN.sub(" ", text))
    except (configparser.Error, ValueError):
        return None
    return parser


def ini_values(text: str) -> dict[tuple[str, str], IniValue]:
    """Each (section, lower-cased key) with its value's lines; keys before any section
    have the section ""."""
    return _IniScanner().scan(text)


class _IniScanner:
    def __init__(self) -> None:
        self.values: dict[tuple[str, str], IniValue] = {}
        self.section = ""
        self.current: IniValue | None = None
        self.indent = 0

    def scan(self, text: str) -> dict[tuple[str, str], IniValue]:
        for number, raw in enumerate(text.split("\n"), 1):
            self._line(number, raw.removesuffix("\r"))
        return self.values

    def _line(self, number: int, raw: str) -> None:
        stripped = raw.strip()
        if not stripped or stripped[0] in "#;":
            if self.current is not None:
                self.current.lines.append("")
            return
        indent = len(raw) - len(raw.lstrip())
        if self.current is not None and indent > self.indent:
            self.current.lines.append(raw)
            return
        self.indent = indent
        header = _INI_HEADER.match(stripped)
        delimiter = _INI_DELIMITER.search(raw)
        self.current = None
        if header is not None:
            self.section = header.group("name")
        elif delimiter is not None and raw[: delimiter.start()].strip():
            key = raw[: delimiter.start()].strip().lower()
            value_at = len(raw) - len(raw[delimiter.end() :].lstrip())
            self.current = IniValue(number, [" " * value_at + raw[value_at:]])
            self.values[(self.section, key)] = self.current
