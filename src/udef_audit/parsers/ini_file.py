"""INI files read the way Python's configparser reads them, with the line of every section
and key.

Tools configure themselves in INI files (setup.cfg, tox.ini, mypy.ini, .flake8,
.coveragerc, pytest.ini), and nearly all of them read those files with configparser. This
module follows configparser's own reading algorithm (`RawConfigParser._read`) line by line,
with the settings those tools share: `=` and `:` delimiters, `#` and `;` comment lines (no
inline comments), blank lines kept inside multi-line values, no interpolation, keys
lower-cased, a duplicate section or key merged (the later value wins, as with
`strict=False`), and no special `[DEFAULT]` section. Where configparser would raise, this
raises IniError; where it reads a value, this reads the same value (a differential test
holds it to that) and also says where it stands.

Lines end at LF, CRLF or CR, as a tool reading the file in text mode sees them. The work is
linear in the size of the text (configparser's own option pattern backtracks quadratically
on long runs of blanks; this does not use it), and the text is bounded by MAX_INI_CHARS.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from udef_audit.parsers.requirements import split_lines

# A real configuration file is a few kilobytes; a larger one is not read.
MAX_INI_CHARS = 2 * 1024 * 1024
_COMMENT_PREFIXES = ("#", ";")


class IniError(Exception):
    """configparser would reject the text (the message names the first bad line)."""


@dataclass(frozen=True)
class IniEntry:
    """One key: its value as configparser returns it, and where it is written.

    `line` is the key's line; `end_line` the last line of its value (a value continues on
    lines indented deeper than the key); `column` the 0-based offset of the value on the
    key's line, so a caller can map a position inside the value back to the text."""

    key: str
    value: str
    line: int
    end_line: int
    column: int


@dataclass(frozen=True)
class IniSection:
    """A section: its name as written between the brackets, its first header line, and its
    keys (lower-cased) in the order they first appear."""

    name: str
    line: int
    entries: Mapping[str, IniEntry]

    def get(self, key: str) -> str | None:
        """The value of a key (any case), or None."""
        entry = self.entries.get(key.lower())
        return None if entry is None else entry.value

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.lower() in self.entries


@dataclass(frozen=True)
class IniDocument:
    """A parsed INI file: sections by name, in the order they first appear."""

    sections: Mapping[str, IniSection]

    def section(self, name: str) -> IniSection | None:
        """A section by its exact name (section names are case-sensitive), or None."""
        return self.sections.get(name)

    def get(self, section: str, key: str) -> str | None:
        """A value, or None when the section or the key is missing."""
        found = self.sections.get(section)
        return None if found is None else found.get(key)

    def as_dict(self) -> dict[str, dict[str, str]]:
        """section -> key -> value: what configparser's `{s: dict(p[s])}` would give."""
        return {name: {key: e.value for key, e in s.entries.items()} for name, s in self.sections.items()}


def parse_ini(data: bytes | str) -> IniDocument:
    """Parse an INI text (bytes are decoded as UTF-8, a BOM dropped); raise IniError where
    configparser would raise, with a one-line reason."""
    text = _decoded(data)
    if len(text) > MAX_INI_CHARS:
        raise IniError(f"too large ({len(text)} characters)")
    reader = _Reader()
    for number, raw in enumerate(split_lines(text), 1):
        reader.line(number, raw)
    return reader.document()


def _decoded(data: bytes | str) -> str:
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IniError(f"not UTF-8 (byte {exc.start})") from None


@dataclass
class _Value:
    """A value being read: its lines (blank ones included, as configparser keeps them)."""

    key: str
    line: int
    column: int
    parts: list[str]
    end_line: int

    def entry(self) -> IniEntry:
        return IniEntry(self.key, "\n".join(self.parts).rstrip(), self.line, self.end_line, self.column)


@dataclass
class _Section:
    name: str
    line: int
    values: dict[str, _Value] = field(default_factory=dict)


class _Reader:
    """configparser's reading loop, one physical line at a time."""

    def __init__(self) -> None:
        self.sections: dict[str, _Section] = {}
        self.current: _Section | None = None
        self.value: _Value | None = None  # the option a continuation line would extend
        self.indent = 0  # indent of the last header or option line
        self.error: str | None = None  # configparser raises parsing errors at the end

    def line(self, number: int, raw: str) -> None:
        stripped = raw.strip()
        if not stripped or stripped.startswith(_COMMENT_PREFIXES):
            self._blank_or_comment(stripped)
            return
        indent = _indent(raw)
        if self.value is not None and indent > self.indent:  # a continuation line
            self.value.parts.append(stripped)
            self.value.end_line = number
            return
        self.indent = indent
        header = _header(stripped)
        if header is not None:
            self._enter(header, number)
        elif self.current is None:
            raise IniError(f"line {number}: no section header before the first key")
        else:
            self._option(self.current, number, raw, stripped)

    def _blank_or_comment(self, stripped: str) -> None:
        """A blank line belongs to the value being read; a comment line to nothing."""
        if not stripped and self.value is not None:
            self.value.parts.append("")

    def _enter(self, name: str, number: int) -> None:
        if name not in self.sections:
            self.sections[name] = _Section(name, number)
        self.current = self.sections[name]
        self.value = None  # a section never starts with a continuation line

    def _option(self, section: _Section, number: int, raw: str, stripped: str) -> None:
        delimiter = _first_delimiter(stripped)
        if delimiter < 0:
            self.error = self.error or f"line {number}: neither a section header nor a key = value"
            return  # configparser keeps extending the previous value; the file fails anyway
        key = stripped[:delimiter].rstrip().lower()
        if not key:
            self.error = self.error or f"line {number}: a value without a key"
        value_text = stripped[delimiter + 1 :].strip()
        column = _value_column(raw, delimiter, value_text)
        self.value = _Value(key, number, column, [value_text], number)
        section.values[key] = self.value

    def document(self) -> IniDocument:
        if self.error is not None:
            raise IniError(self.error)
        return IniDocument(
            {
                name: IniSection(name, section.line, {k: v.entry() for k, v in section.values.items()})
                for name, section in self.sections.items()
            }
        )


def _indent(raw: str) -> int:
    """Offset of the first non-blank character (configparser's `\\S` search)."""
    return len(raw) - len(raw.lstrip())


def _header(stripped: str) -> str | None:
    """configparser's greedy `\\[(?P<header>.+)\\]` at the start of the stripped line:
    everything up to the last `]`, which must leave a non-empty name."""
    if not stripped.startswith("["):
        return None
    end = stripped.rfind("]")
    return stripped[1:end] if end >= 2 else None


def _first_delimiter(stripped: str) -> int:
    """Index of the first `=` or `:` (configparser's option pattern is non-greedy)."""
    positions = [p for p in (stripped.find("="), stripped.find(":")) if p >= 0]
    return min(positions, default=-1)


def _value_column(raw: str, delimiter: int, value_text: str) -> int:
    """Where the value starts on the raw line (its end, for an empty value)."""
    start = _indent(raw) + delimiter + 1
    if not value_text:
        return len(raw.rstrip())
    return raw.index(value_text[0], start)

