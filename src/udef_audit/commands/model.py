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
    def of_lines(cls, text: str, first_line: int = 1, first_column: int = 1) -> Positions:
        """A text whose lines are consecutive physical lines from `first_line` on, each
        starting at column 1 but the first, at `first_column`; only "\\n" ends a line."""
        starts = (0, *(match.end() for match in re.finditer("\n", text)))
        columns = (first_column, *(1,) * (len(starts) - 1))
        return cls(starts, tuple(range(first_line, first_line + len(starts))), columns)

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


# --- CI structure: pipelines, jobs, steps ----------------------------------------------------


@dataclass(frozen=True)
class Value:
    """A configuration value as written (`3.10` stays "3.10"), and where."""

    text: str
    line: int
    column: int | None = None


@dataclass(frozen=True)
class Step:
    """One step of a CI job: a shell script (`run`), or a reference to something that runs
    (`uses`: an action, orb, task or template) with its inputs, or both unknown (`checkout`).
    `shell` is the step's shell when it is not a POSIX one (`pwsh`, `python`): its script
    is not shell text. `env` holds the environment variables the step sets (its job's
    and its own; GitHub Actions only)."""

    path: str
    line: int
    name: str | None = None
    run: Script | None = None
    uses: Value | None = None
    inputs: tuple[tuple[str, Value], ...] = ()
    shell: str | None = None
    workdir: str | None = None
    env: tuple[tuple[str, Value], ...] = ()

    def input(self, name: str) -> Value | None:
        """The input `name` (`with:` of an action, `inputs:` of a task), if set."""
        return next((value for key, value in self.inputs if key == name), None)


@dataclass(frozen=True)
class MatrixAxis:
    """One variable of a job matrix and its values (`include:` entries added)."""

    name: str
    values: tuple[Value, ...]
    line: int


_MATRIX_REFERENCE = re.compile(r"\$\{\{\s*matrix\.([\w-]+)\s*\}\}")
_MAX_COMBINATIONS = 64


@dataclass(frozen=True)
class Job:
    """One CI job: its steps, the image its steps run in, its matrix, and the reusable
    workflow or template it calls instead (`uses`)."""

    path: str
    system: str
    name: str
    line: int
    steps: tuple[Step, ...] = ()
    image: Value | None = None
    matrix: tuple[MatrixAxis, ...] = ()
    uses: Value | None = None

    def axis(self, name: str) -> MatrixAxis | None:
        """The matrix variable `name`, if the job has it."""
        return next((axis for axis in self.matrix if axis.name == name), None)

    def expand(self, value: Value) -> tuple[Value, ...]:
        """The value with each `${{ matrix.NAME }}` replaced by every value of that axis:
        one value per combination (at most 64), placed where the matrix lists it when the
        whole value is one reference; the value itself when it names no known axis."""
        names = list(dict.fromkeys(_MATRIX_REFERENCE.findall(value.text)))
        axes = [axis for name in names if (axis := self.axis(name)) is not None and axis.values]
        if not axes or len(axes) != len(names):
            return (value,)
        whole = _MATRIX_REFERENCE.fullmatch(value.text.strip()) is not None
        expanded = []
        for chosen in _combinations(axes):
            place = next(iter(chosen.values())) if whole else value
            expanded.append(Value(_substitute(value.text, chosen), place.line, place.column))
        return tuple(dict.fromkeys(expanded))


def _combinations(axes: list[MatrixAxis]) -> list[dict[str, Value]]:
    """Every choice of one value per axis, at most `_MAX_COMBINATIONS`."""
    combinations: list[dict[str, Value]] = [{}]
    for axis in axes:
        combinations = [{**done, axis.name: item} for done in combinations for item in axis.values]
        combinations = combinations[:_MAX_COMBINATIONS]
    return combinations


def _substitute(text: str, chosen: dict[str, Value]) -> str:
    def replace(match: re.Match[str]) -> str:
        return chosen[match.group(1)].text

    return _MATRIX_REFERENCE.sub(replace, text)


@dataclass(frozen=True)
class Pipeline:
    """One CI definition file and its jobs (GitLab includes and templates resolved).
    `called_only`: a GitHub workflow that only other workflows call (`on: workflow_call`),
    which runs as part of its callers, never on its own."""

    path: str
    system: str
    jobs: tuple[Job, ...] = ()
    called_only: bool = False


# --- what runs: invocations and how they were reached ----------------------------------------


@dataclass(frozen=True)
class PlacedWord:
    """A word of a command, after quote removal, and where it is written."""

    text: str
    line: int
    column: int | None


@dataclass(frozen=True)
class Hop:
    """One step of how a command was reached: the command or definition that led on."""

    path: str
    line: int
    column: int | None
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line} runs `{self.text}`"


@dataclass(frozen=True)
class Invocation:
    """One simple command the repository runs: its words, the file it is written in, the
    CI job it runs for, and how it was reached from that job's step (`chain`, outermost
    first; empty for a command written in the step itself). `pipeline` is the CI definition
    whose job runs it (the caller of a reusable workflow, `.gitlab-ci.yml` for a job of an
    included file; "" for a pre-commit hook), `folder` the repository folder it runs in
    ("" is the root)."""

    words: tuple[PlacedWord, ...]
    path: str
    origin: Origin
    chain: tuple[Hop, ...] = ()
    job: Job | None = None
    pipeline: str = ""
    folder: str = ""

    @property
    def argv(self) -> tuple[str, ...]:
        """The words' texts."""
        return tuple(word.text for word in self.words)

    @property
    def line(self) -> int:
        """The line of the first word."""
        return self.words[0].line if self.words else 1

    @property
    def column(self) -> int | None:
        """The column of the first word."""
        return self.words[0].column if self.words else None

    @property
    def text(self) -> str:
        """The command on one line."""
        return one_line(" ".join(self.argv))

    def describe(self) -> str:
        """ "ci.yml:31 runs `make test`, Makefile:12 runs `pytest -q`"."""
        here = Hop(self.path, self.line, self.column, self.text)
        return ", ".join(str(hop) for hop in (*self.chain, here))


@dataclass(frozen=True)
class Unfollowed:
    """Something a CI definition runs that the model cannot follow: a remote reusable
    workflow or include, a missing file, a level past the limit, a cycle."""

    path: str
    line: int
    text: str
    reason: str
    chain: tuple[Hop, ...] = ()
