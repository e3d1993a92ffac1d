"""What the repository runs: plain, frozen data with exact positions.

A *script* is shell text the repository runs or documents (a CI `run:` step, a Dockerfile
`RUN`, a Makefile, a tox `commands` value, a shell code block in a README), an *argv
command* is a command given as a list of words (Dockerfile exec-form `RUN`, a Python
`subprocess` call with a literal list, nox `session.install`), an *environment setting* is a
variable set for the commands that follow (CI `env:`/`variables:`/`environment:`,
Dockerfile `ENV`/`ARG`, tox `setenv`).

Positions are kept as tables, never as text searches: a script's `positions` maps every
character offset of its `text` to the physical line and column of the file it was read from,
so a rule that finds something at offset 123 of a folded YAML scalar or a Dockerfile `RUN`
joined from continuation lines reports the exact place.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

# A newline not escaped by a continuation backslash ends a logical line.
_LOGICAL_LINE_END = re.compile(r"(?<!\\)(?<!\\\r)\n")
_COMMAND_SEPARATOR = re.compile(r"[^;&|]+")
# How far around an offset the command holding it is looked for (keeps the lookup linear).
_COMMAND_WINDOW = 2000
# A command's text stays readable in keys and messages; a 200 kB one-line command would not.
MAX_COMMAND_TEXT = 300


@dataclass(frozen=True)
class Origin:
    """What kind of place a command comes from.

    `kind` is a stable machine name (`github-run`, `dockerfile-run`, `tox`, `docs`...),
    `place` what a person calls it ("GitHub Actions run step", "tox.ini [testenv] commands"),
    `executable` False for documentation that readers copy but nothing runs.
    """

    kind: str
    place: str
    executable: bool = True


@dataclass(frozen=True)
class Positions:
    """Where each character of a text was written: the text is cut into parts, part `i`
    starts at offset `starts[i]` and was read from line `lines[i]`, column `columns[i]`
    (1-based; None when the column is unknown). Characters of one part are consecutive
    on their line. Offsets before the first part count as the first part."""

    starts: tuple[int, ...]
    lines: tuple[int, ...]
    columns: tuple[int | None, ...]

    def at(self, offset: int) -> tuple[int, int | None]:
        """The (line, column) of the character at `offset`."""
        index = max(bisect.bisect_right(self.starts, offset) - 1, 0)
        column = self.columns[index]
        return self.lines[index], None if column is None else column + max(offset - self.starts[index], 0)

    @classmethod
    def of_lines(cls, text: str, first_line: int = 1) -> Positions:
        """A text whose lines are consecutive physical lines from `first_line` on, each
        starting at column 1; only "\\n" ends a line."""
        starts = (0, *(match.end() for match in re.finditer("\n", text)))
        return cls(starts, tuple(range(first_line, first_line + len(starts))), (1,) * len(starts))

    @classmethod
    def single(cls, line: int, column: int | None) -> Positions:
        """Every offset at one place (a text whose parts cannot be told apart)."""
        return cls((0,), (line,), (column,))


@dataclass(frozen=True)
class Script:
    """Shell text run (or documented) by the repository, as the shell reads it.

    `make_syntax` marks Makefile recipes (`@`/`-` prefixes, `$$`, `$(VAR)`), which the shell
    lexer reads differently. Lines of documentation that are not commands (a console
    session's output) are blanked, so offsets still map to the file.
    """

    path: str
    origin: Origin
    text: str
    positions: Positions
    make_syntax: bool = False

    def position(self, offset: int) -> tuple[int, int | None]:
        """The file's (line, column) of the character at `offset` of `text`."""
        return self.positions.at(offset)

    def command_at(self, offset: int) -> str:
        """The simple command holding `offset`, on one line: its logical line (continuations
        joined), cut at `;`, `&&`, `||`, `|`, `&`. Quotes are not read: the text only has to
        stay the same while the command does (it names a result, it is not executed)."""
        text = self.text
        low, high = max(0, offset - _COMMAND_WINDOW), min(len(text), offset + _COMMAND_WINDOW)
        starts = [match.end() for match in _LOGICAL_LINE_END.finditer(text, low, offset)]
        end = _LOGICAL_LINE_END.search(text, offset, high)
        line_start = starts[-1] if starts else low
        line = text[line_start : end.start() if end else high]
        position = offset - line_start
        for part in _COMMAND_SEPARATOR.finditer(line):
            if part.start() <= position <= part.end():
                return one_line(part.group())
        return one_line(line)


@dataclass(frozen=True)
class ArgvCommand:
    """A command given as a list of words (never through a shell).

    `line`/`column` are those of the command (the `RUN`, the call); `word_places[i]` is
    where `argv[i]` is written, or None when it is not written literally (`sys.executable`).
    """

    path: str
    origin: Origin
    argv: tuple[str, ...]
    line: int
    column: int | None
    word_places: tuple[tuple[int, int | None] | None, ...] = ()

    def position_of(self, text: str) -> tuple[int, int | None]:
        """Where `text` is written: the first word equal to it, else the first word that
        contains it (a `sh -c` script), else the command itself."""
        for contains in (False, True):
            for index, word in enumerate(self.argv):
                place = self.word_places[index] if index < len(self.word_places) else None
                if place is None or (word != text if not contains else text not in word):
                    continue
                line, column = place
                return line, None if column is None else column + word.find(text)
        return self.line, self.column


@dataclass(frozen=True)
class EnvSetting:
    """`name=value` set for the commands that follow; the place is that of the name."""

    path: str
    origin: Origin
    name: str
    value: str
    line: int
    column: int | None


@dataclass(frozen=True)
class FileCommands:
    """Everything one file contributes to the model."""

    path: str
    scripts: tuple[Script, ...] = ()
    argv: tuple[ArgvCommand, ...] = ()
    env: tuple[EnvSetting, ...] = ()


def one_line(command: str) -> str:
    """A command on one line: continuations removed, blanks collapsed, length capped."""
    return " ".join(re.sub(r"\\\r?\n", " ", command).split())[:MAX_COMMAND_TEXT]
