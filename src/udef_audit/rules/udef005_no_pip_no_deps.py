"""UDEF005 no-pip-no-deps: `pip install --no-deps` (or PIP_NO_DEPS) wherever installs run."""

from __future__ import annotations

import bisect
import configparser
import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from udef_audit.context import RepoContext
from udef_audit.findings import Finding, Level
from udef_audit.parsers.pip_commands import (
    NoDepsUse,
    find_no_deps,
    find_no_deps_in_argv,
    is_rejected_abbreviation,
    is_truthy_pip_env,
)

if TYPE_CHECKING:
    from udef_audit.parsers.dockerfile import Dockerfile, Heredoc, RunCommand
    from udef_audit.parsers.python_source import PipCall

# Every way to turn dependencies off contains one of these (`--no-deps`, `--no-depe...`,
# `PIP_NO_DEPS`, `PIP_no_dependencies`): files without them are never decoded or parsed.
_FLAG_BYTES = b"no-d"
_ENV_BYTES = re.compile(rb"(?i)no_dep")

_SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ash", "ksh", "mksh"})
_NO_DEPS_OPTIONS = frozenset({"no-deps", "no-dependencies"})
# Keys in fingerprints stay readable; a 200 kB one-line command would not be.
_MAX_KEY_COMMAND = 300
# How far around a flag the command for its key is looked for.
_COMMAND_WINDOW = 2000
# A newline not escaped by a continuation backslash ends a logical line.
_LOGICAL_LINE_END = re.compile(r"(?<!\\)(?<!\\\r)\n")
_COMMAND_SEPARATOR = re.compile(r"[^;&|]+")


# --- what a result says ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Where:
    """A kind of place: `kind` goes into the fingerprint key, `place` into the message."""

    kind: str
    place: str
    docs: bool = False


@dataclass(frozen=True)
class _Hit:
    """One place that turns dependencies off: the flag (or assignment) as written."""

    line: int
    column: int | None
    written: str
    tool: str
    command: str


def _clean(written: str) -> str:
    """The flag or assignment without quotes, escapes and repeated blanks."""
    return " ".join(re.sub(r"[\"'\\]", "", written).split())


def _normalised(command: str) -> str:
    """A command on one line: continuations removed, blanks collapsed, length capped."""
    return " ".join(re.sub(r"\\\r?\n", " ", command).split())[:_MAX_KEY_COMMAND]


def _finding(path: str, hit: _Hit, where: _Where) -> Finding:
    shown = _clean(hit.written)
    if shown.startswith("-"):
        subject, what, fix = f"{hit.tool} install {shown}", "it installs", "drop the flag"
        if is_rejected_abbreviation(shown):
            what = (
                "it asks pip to skip dependencies (pip rejects this abbreviation as ambiguous, "
                "so the line also fails); it installs"
            )
        flag = shown
    else:
        subject, what, fix = shown, "it makes pip install", "remove it"
        flag = re.split(r"[\s:?+!]*=", shown, maxsplit=1)[0]
    if where.docs:
        message = (
            f"{subject} in install instructions: readers who copy it install packages without their "
            f"dependencies; {fix} and document installing from the lock."
        )
    else:
        message = (
            f"{subject} in {where.place}: {what} packages without their dependencies; {fix} and install from the lock."
        )
    return Finding(
        rule_id=NoPipNoDeps.id,
        path=path,
        line=hit.line,
        column=hit.column,
        message=message,
        key=f"{where.kind}|{flag}|{hit.command}",
        level=Level.WARNING if where.docs else None,
        kind="documentation" if where.docs else "executable",
    )


def _is_no_deps_name(name: str) -> bool:
    """Whether pip reads the variable as its --no-deps option (`PIP_` + any case, `_` = `-`)."""
    return name.startswith("PIP_") and name[4:].lower().replace("_", "-") in _NO_DEPS_OPTIONS


def _basename(word: str) -> str:
    return word.replace("\\", "/").rsplit("/", 1)[-1]


# --- shell text -----------------------------------------------------------------------------


class _Positions:
    """Line and 1-based column of character offsets in a text split at "\\n"."""

    def __init__(self, text: str, first_line: int = 1) -> None:
        self.starts = [0, *(match.end() for match in re.finditer("\n", text))]
        self.first_line = first_line

    def at(self, offset: int) -> tuple[int, int]:
        index = max(bisect.bisect_right(self.starts, offset) - 1, 0)
        return self.first_line + index, offset - self.starts[index] + 1


def _script_uses(script: str, *, make_syntax: bool = False) -> list[tuple[NoDepsUse, str]]:
    """Each no-deps use in a script with the normalised text of the command around it."""
    return [(use, _command_around(script, use.offset)) for use in find_no_deps(script, make_syntax=make_syntax)]


def _command_around(script: str, offset: int) -> str:
    """The command holding `offset`, for the fingerprint: its logical line (continuations
    joined), cut at `;`, `&&`, `||`, `|`, `&` (quotes are not read: the text only has to
    stay the same while the command does). A bounded window keeps this linear."""
    low = max(0, offset - _COMMAND_WINDOW)
    high = min(len(script), offset + _COMMAND_WINDOW)
    starts = [match.end() for match in _LOGICAL_LINE_END.finditer(script, low, offset)]
    end = _LOGICAL_LINE_END.search(script, offset, high)
    line_start = starts[-1] if starts else low
    line = script[line_start : end.start() if end else high]
    position = offset - line_start
    for part in _COMMAND_SEPARATOR.finditer(line):
        if part.start() <= position <= part.end():
            return _normalised(part.group())
    return _normalised(line)


def _text_hits(script: str, positions: _Positions, *, make_syntax: bool = False) -> Iterator[_Hit]:
    """Hits of a script whose offsets `positions` maps straight to the file."""
    for use, command in _script_uses(script, make_syntax=make_syntax):
        line, column = positions.at(use.offset)
        yield _Hit(line, column, use.flag, use.tool, command)


def _runs_shell(interpreter: str | None) -> bool:
    """Whether a heredoc body or shebang interpreter is a POSIX-like shell (None: /bin/sh)."""
    words = (interpreter or "sh").split()
    if words and _basename(words[0]) == "env":
        words = [word for word in words[1:] if not word.startswith("-") and "=" not in word]
    return bool(words) and _basename(words[0]) in _SHELLS


def _shebang_shell(data: bytes) -> bool:
    if not data.startswith(b"#!"):
        return False
    first = data[2:].split(b"\n", 1)[0].decode("utf-8", "replace").strip()
    return bool(first) and _runs_shell(first)


def _argv_hit(argv: Sequence[str], lines: Sequence[str], first: int, last: int) -> _Hit | None:
    """An exec-form command list: the physical line is the first in range naming the flag."""
    flag = find_no_deps_in_argv(argv)
    if flag is None:
        return None
    tool = "uv pip" if any(_basename(word) == "uv" for word in argv) else "pip"
    for number in range(first, min(last, len(lines)) + 1):
        at = lines[number - 1].find(flag)
        if at >= 0:
            return _Hit(number, at + 1, flag, tool, _normalised(" ".join(argv)))
    return _Hit(first, None, flag, tool, _normalised(" ".join(argv)))


def _split_lines(text: str) -> list[str]:
    """Physical lines as editors and GitHub count them (only "\\n" ends a line)."""
    return [line.removesuffix("\r") for line in text.split("\n")]


# --- Dockerfiles ----------------------------------------------------------------------------

_DOCKER_RUN = _Where("dockerfile-run", "Dockerfile RUN")


def _dockerfile_findings(ctx: RepoContext, path: str) -> Iterator[Finding]:
    model, text = ctx.dockerfile(path), ctx.text(path)
    if model is None or text is None:
        return
    lines = _split_lines(text)
    for run in model.runs:
        for hit in _run_hits(run, lines):
            yield _finding(path, hit, _DOCKER_RUN)
    for instruction, hit in _docker_env_hits(model, lines):
        yield _finding(path, hit, _Where("dockerfile-env", f"Dockerfile {instruction}"))


def _run_hits(run: RunCommand, lines: Sequence[str]) -> Iterator[_Hit]:
    if run.exec_argv is not None:
        hit = _argv_hit(run.exec_argv, lines, run.start_line, run.end_line)
        if hit is not None:
            yield hit
        return
    for use, command in _script_uses(run.shell or ""):
        line = run.line_at(use.offset)
        yield _Hit(line, _run_column(run, use.offset, line, lines), use.flag, use.tool, command)
    for heredoc in run.heredocs:
        if _runs_shell(heredoc.interpreter):
            yield from _heredoc_hits(heredoc, lines)


def _run_column(run: RunCommand, offset: int, line: int, lines: Sequence[str]) -> int | None:
    """The column in the physical line: RUN text is joined from stripped line pieces."""
    starts = [start for start, _ in run.segments]
    index = bisect.bisect_right(starts, offset) - 1
    if index < 0 or run.segments[index][1] != line or not 0 < line <= len(lines):
        return None
    end = starts[index + 1] - 1 if index + 1 < len(starts) else len(run.text)
    at = lines[line - 1].find(run.text[starts[index] : end])
    return None if at < 0 else at + offset - starts[index] + 1


def _heredoc_hits(heredoc: Heredoc, lines: Sequence[str]) -> Iterator[_Hit]:
    body = heredoc.body
    for use, command in _script_uses(body):
        line = heredoc.line_at(use.offset)
        start = body.rfind("\n", 0, use.offset) + 1
        # `<<-` bodies lose their leading tabs: find the body line in the physical one.
        at = lines[line - 1].find(body[start : body.find("\n", use.offset)]) if 0 < line <= len(lines) else -1
        column = None if at < 0 else at + use.offset - start + 1
        yield _Hit(line, column, use.flag, use.tool, command)


def _docker_env_hits(model: Dockerfile, lines: Sequence[str]) -> Iterator[tuple[str, _Hit]]:
    """ENV, and ARG defaults a stage's RUNs see, that turn no-deps on."""
    first_from = model.stages[0].from_line if model.stages else None
    for assignment in model.env:
        in_stage = first_from is not None and assignment.line > first_from
        if assignment.instruction == "ARG" and not in_stage:
            continue  # a global ARG reaches RUN only when a stage declares it again
        if _is_no_deps_name(assignment.key) and is_truthy_pip_env(assignment.value):
            written = f"{assignment.key}={assignment.value}"
            yield (
                assignment.instruction,
                _Hit(assignment.line, _column_of(lines, assignment.line, assignment.key), written, "pip", written),
            )
    if first_from is not None:
        yield from _redeclared_global_args(model, lines, first_from)


def _redeclared_global_args(model: Dockerfile, lines: Sequence[str], first_from: int) -> Iterator[tuple[str, _Hit]]:
    """`ARG PIP_NO_DEPS=1` before FROM, then `ARG PIP_NO_DEPS` inside a stage."""
    for instruction in model.instructions:
        if instruction.keyword != "ARG" or instruction.start_line <= first_from:
            continue
        for name in instruction.value.split():
            default = model.global_args.get(name)
            if _is_no_deps_name(name) and default is not None and is_truthy_pip_env(default):
                written = f"{name}={default}"
                line = instruction.start_line
                yield "ARG", _Hit(line, _column_of(lines, line, name), written, "pip", written)


def _column_of(lines: Sequence[str], line: int, text: str) -> int | None:
    at = lines[line - 1].find(text) if 0 < line <= len(lines) else -1
    return None if at < 0 else at + 1


# --- shell scripts and Makefiles ------------------------------------------------------------

_SHELL_SCRIPT = _Where("shell", "shell script")
_MAKEFILE = _Where("make", "Makefile")


def _shell_findings(ctx: RepoContext, path: str) -> Iterator[Finding]:
    text = ctx.text(path)
    if text is not None:
        for hit in _text_hits(text, _Positions(text)):
            yield _finding(path, hit, _SHELL_SCRIPT)


def _makefile_findings(ctx: RepoContext, path: str) -> Iterator[Finding]:
    text = ctx.text(path)
    if text is not None:
        for hit in _text_hits(text, _Positions(text), make_syntax=True):
            yield _finding(path, hit, _MAKEFILE)


# --- tox.ini and setup.cfg ------------------------------------------------------------------

_TOX_COMMAND_KEYS = frozenset({"commands", "commands_pre", "commands_post", "install_command"})
_TOX_ENV_KEYS = frozenset({"setenv", "set_env"})
# configparser's header pattern (greedy, matched on the stripped line) and first delimiter.
_INI_HEADER = re.compile(r"\[(?P<name>.+)\]")
_INI_DELIMITER = re.compile(r"[=:]")
# configparser's option regex backtracks quadratically on long blank runs: squeeze them.
_LONG_BLANK_RUN = re.compile(r"(?<=\S)[^\S\n]{64,}")
# tox line prefixes: factor conditions (`py311,!lint: cmd`) and `- cmd` (ignore exit code).
_TOX_LINE_PREFIX = re.compile(r"\s*(?:!?[\w.{}-]+(?:\s*,\s*!?[\w.{}-]+)*\s*:\s|-\s)")
_NO_DEFAULT_SECTION = "\x00no default section"


@dataclass
class _IniValue:
    """A key's value as physical lines: everything before the value on the key's line is
    blanked out and comment lines are empty, so offsets keep their lines and columns."""

    line: int
    lines: list[str]


class _IniScanner:
    """Where each (section, key) of an INI text is, read the way configparser reads it:
    lines indented deeper than the key continue its value, comment lines are skipped,
    and a key seen again (strict=False) replaces the earlier value."""

    def __init__(self) -> None:
        self.values: dict[tuple[str, str], _IniValue] = {}
        self.section = ""
        self.current: _IniValue | None = None
        self.indent = 0

    def scan(self, text: str) -> dict[tuple[str, str], _IniValue]:
        for number, raw in enumerate(_split_lines(text), 1):
            self._line(number, raw)
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
            self.current = _IniValue(number, [" " * value_at + raw[value_at:]])
            self.values[(self.section, key)] = self.current


def _tox_findings(ctx: RepoContext, path: str) -> Iterator[Finding]:
    text = ctx.text(path)
    if text is None:
        return
    parser = configparser.ConfigParser(interpolation=None, strict=False, default_section=_NO_DEFAULT_SECTION)
    try:
        parser.read_string(_LONG_BLANK_RUN.sub(" ", text))
    except (configparser.Error, ValueError):
        ctx.unparseable(path, "invalid INI syntax")
        return
    name = path.rpartition("/")[2]
    for (section, key), value in _IniScanner().scan(text).items():
        if not _is_tox_section(section, name) or not parser.has_option(section, key):
            continue
        where = _Where("tox", f"{name} [{section}] {key}")
        if key in _TOX_COMMAND_KEYS:
            script = "\n".join(_blank_tox_prefixes(value.lines))
            hits = _text_hits(script, _Positions(script, value.line))
        elif key in _TOX_ENV_KEYS:
            hits = _tox_env_hits(value)
        else:
            continue
        for hit in hits:
            yield _finding(path, hit, where)


def _is_tox_section(section: str, file_name: str) -> bool:
    if section == "testenv" or section.startswith("testenv:"):
        return True
    return file_name == "setup.cfg" and section == "tox:tox"


def _blank_tox_prefixes(lines: list[str]) -> list[str]:
    """Tox's line prefixes replaced by blanks, so the command is the line's first word."""
    blanked = []
    for line in lines:
        prefix = _TOX_LINE_PREFIX.match(line)
        blanked.append(line if prefix is None else " " * prefix.end() + line[prefix.end() :])
    return blanked


def _tox_env_hits(value: _IniValue) -> Iterator[_Hit]:
    for index, line in enumerate(_blank_tox_prefixes(value.lines)):
        name, equals, setting = line.partition("=")
        if equals and _is_no_deps_name(name.strip()) and is_truthy_pip_env(setting.strip()):
            written = f"{name.strip()}={setting.strip()}"
            yield _Hit(value.line + index, len(name) - len(name.lstrip()) + 1, written, "pip", written)


# --- CI YAML --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _CiSpec:
    """Where a CI system keeps commands and environments."""

    script_keys: frozenset[str]
    env_keys: frozenset[str]
    command_key: str | None
    script: _Where
    env: _Where


_GITHUB = _CiSpec(
    frozenset({"run"}),
    frozenset({"env"}),
    None,
    _Where("github-run", "GitHub Actions run step"),
    _Where("github-env", "GitHub Actions env"),
)
_GITLAB = _CiSpec(
    frozenset({"script", "before_script", "after_script"}),
    frozenset({"variables"}),
    None,
    _Where("gitlab-script", "GitLab CI script"),
    _Where("gitlab-variables", "GitLab CI variables"),
)
_CIRCLECI = _CiSpec(
    frozenset({"run"}),
    frozenset({"environment"}),
    "command",
    _Where("circleci-run", "CircleCI run step"),
    _Where("circleci-environment", "CircleCI environment"),
)

_YAML_SUFFIX = re.compile(r"[\"']?\s*(?:#.*)?")
_YAML_COMMENT = re.compile(r"\s#")
# Lines the folded-line search may visit per file (a few full passes on a big file).
_FOLDED_SCAN_BUDGET = 500_000


_T = TypeVar("_T")
# A piece of a script line on a physical line: (line number, index of the piece, length).
_Piece = tuple[int, int, int]


class _YamlLines:
    """Places values of a CI YAML file on physical lines (the safe loader keeps no marks).

    A script line (one line of a `run:`/`script:`/`command:` value) is found as the text
    of the physical line after an optional `- `, script key and quote (a one-line value,
    a list item) or as the whole line (a block scalar's line, `run: |`); a line YAML
    folded from several (`run: >`, a multi-line plain scalar) is found as the consecutive
    lines whose texts, joined by one blank, give it. Identical lines are told apart by
    order: the n-th lookup of a text takes its n-th place in the file, as the loader keeps
    mappings in document order. Variables are found as `NAME:` keys the same way. Failing
    all that, the n-th line naming the flag; failing that, line 1.

    Whole-line texts are indexed once per file, so a lookup costs a dictionary access;
    only folded lines are searched line by line, within a budget per file.
    """

    def __init__(self, text: str, script_keys: frozenset[str]) -> None:
        self.lines = _split_lines(text)
        keys = "|".join(re.escape(key) for key in sorted(script_keys))
        self.prefix = re.compile(rf"(?:-\s+)*(?:(?:{keys})\s*:\s*)?[\"']?")
        self.taken: Counter[tuple[str, str]] = Counter()
        self.placed: dict[tuple[int, int], tuple[_Piece, ...]] = {}
        self.regions: dict[str, list[tuple[_Piece, ...]]] = {}
        self.line_places: dict[tuple[str, str], list[tuple[int, int]]] = {}
        self.exact: dict[str, list[tuple[int, int]]] | None = None
        self.budget = _FOLDED_SCAN_BUDGET

    def script(self, script_no: int, script: str, use: NoDepsUse) -> tuple[int, int | None]:
        start = script.rfind("\n", 0, use.offset) + 1
        end = script.find("\n", use.offset)
        text = script[start : len(script) if end < 0 else end]
        key = (script_no, start)
        if key not in self.placed:
            self.placed[key] = self._place(text.strip(), _clean(use.flag))
        pieces = self.placed[key]
        if not pieces:
            return 1, None
        if pieces[0][2] < 0:  # only the flag was found: its own column
            return pieces[0][0], pieces[0][1] + 1
        return _piece_position(pieces, use.offset - start - (len(text) - len(text.lstrip())))

    def env(self, name: str) -> tuple[int, int | None]:
        pattern = re.compile(rf"(?:^|[\s{{,\[])[\"']?({re.escape(name)})[\"']?\s*:")
        places = self._line_places("env", name, lambda line: _group_start(pattern.search(line)))
        line, at = self._take("env", name, places) or (1, -1)
        return line, None if at < 0 else at + 1

    def _place(self, needle: str, flag: str) -> tuple[_Piece, ...]:
        exact = self._take("script", needle, self._exact_places().get(needle, []))
        if exact is not None:
            return ((exact[0], exact[1], len(needle)),)
        chosen = self._take("folded", needle, self._folded_regions(needle))
        if chosen:
            return chosen
        found = self._take("flag", flag, self._line_places("flag", flag, lambda line: line.find(flag)))
        return () if found is None else ((found[0], found[1], -1),)

    def _exact_places(self) -> dict[str, list[tuple[int, int]]]:
        """Every whole-line text a script line can have, with its (line, index), built once."""
        if self.exact is None:
            self.exact = {}
            for number, line in enumerate(self.lines, 1):
                for text, at in self._line_texts(line):
                    places = self.exact.setdefault(text, [])
                    if not places or places[-1][0] != number:
                        places.append((number, at))
        return self.exact

    def _line_texts(self, line: str) -> list[tuple[str, int]]:
        """The line as a block scalar's line, and its value after `- `/key/quote with and
        without a closing quote and a trailing ` # comment`."""
        stripped_at = len(line) - len(line.lstrip())
        if not line.strip() or line.lstrip().startswith("#"):
            return []
        texts = [(line[stripped_at:].rstrip(), stripped_at)]
        prefix = self.prefix.match(line, stripped_at)
        at = prefix.end() if prefix else stripped_at
        value = line[at:].rstrip()
        for text in dict.fromkeys((value, _YAML_COMMENT.split(value, maxsplit=1)[0].rstrip())):
            texts.append((text, at))
            if text.endswith(("'", '"')):
                texts.append((text[:-1].rstrip(), at))
        return texts

    def _folded_regions(self, needle: str) -> list[tuple[_Piece, ...]]:
        """Places of a line YAML folded from several, searched line by line (budgeted)."""
        if needle not in self.regions:
            found: list[tuple[_Piece, ...]] = []
            if self.budget > 0:
                self.budget -= len(self.lines)
                regions = (self._region(index, needle) for index in range(len(self.lines)))
                found = [region for region in regions if len(region) > 1]
            self.regions[needle] = found
        return self.regions[needle]

    def _region(self, index: int, needle: str) -> tuple[_Piece, ...]:
        """The pieces of `needle` from line `index` on, trying the whole line, then the text
        after `- `/key/quote; () when the line does not start it."""
        line = self.lines[index]
        stripped_at = len(line) - len(line.lstrip())
        if line.lstrip().startswith("#"):
            return ()
        prefix = self.prefix.match(line, stripped_at)
        for at in dict.fromkeys((stripped_at, prefix.end() if prefix else stripped_at)):
            pieces = self._folded(index, at, needle)
            if pieces:
                return pieces
        return ()

    def _folded(self, index: int, at: int, needle: str) -> tuple[_Piece, ...]:
        pieces: list[_Piece] = []
        joined = ""
        while index < len(self.lines):
            content = self.lines[index][at:].rstrip()
            candidate = f"{joined} {content}" if pieces else content
            if candidate.startswith(needle) and _YAML_SUFFIX.fullmatch(candidate[len(needle) :]):
                return (*pieces, (index + 1, at, len(content)))
            if not content or not needle.startswith(candidate + " "):
                return ()
            pieces.append((index + 1, at, len(content)))
            joined = candidate
            index += 1
            at = _indent(self.lines[index]) if index < len(self.lines) else 0
        return ()

    def _line_places(self, kind: str, needle: str, find: Callable[[str], int]) -> list[tuple[int, int]]:
        """(line, index) where `find` finds `needle`, comment lines left out; once per needle."""
        key = (kind, needle)
        if key not in self.line_places:
            places = []
            for number, line in enumerate(self.lines, 1):
                at = -1 if line.lstrip().startswith("#") else find(line)
                if at >= 0:
                    places.append((number, at))
            self.line_places[key] = places
        return self.line_places[key]

    def _take(self, kind: str, needle: str, places: Sequence[_T]) -> _T | None:
        """The next unused place of `needle` (the last one again once all are used)."""
        taken = self.taken[(kind, needle)]
        self.taken[(kind, needle)] += 1
        return places[min(taken, len(places) - 1)] if places else None


def _piece_position(pieces: Sequence[_Piece], offset: int) -> tuple[int, int]:
    """Line and column of an offset into the joined text of the pieces."""
    position = 0
    for line, at, length in pieces:
        if offset <= position + length or (line, at, length) == pieces[-1]:
            return line, at + max(offset - position, 0) + 1
        position += length + 1
    return pieces[-1][0], pieces[-1][1] + 1


def _group_start(match: re.Match[str] | None) -> int:
    return -1 if match is None else match.start(1)


def _ci_items(document: Any, spec: _CiSpec) -> Iterator[tuple[str, Any]]:
    """("script", text) and ("env", mapping) in document order, depth-first."""
    stack: list[Iterator[tuple[Any, Any]]] = [iter([(None, document)])]
    seen: set[int] = set()
    while stack:
        pair = next(stack[-1], None)
        if pair is None:
            stack.pop()
            continue
        key, value = pair
        if key in spec.env_keys and isinstance(value, dict):
            yield "env", value
            continue
        if key in spec.script_keys:
            yield from (("script", script) for script in _script_texts(value, spec.command_key))
        children = _children(value, seen)
        if children is not None:
            stack.append(children)


def _children(value: Any, seen: set[int]) -> Iterator[tuple[Any, Any]] | None:
    """(key, value) pairs of a mapping, (None, item) of a list; each container once."""
    if not isinstance(value, (dict, list)) or id(value) in seen:
        return None
    seen.add(id(value))
    return iter(value.items()) if isinstance(value, dict) else ((None, item) for item in value)


def _script_texts(value: Any, command_key: str | None) -> list[str]:
    """A script value: a string, a (nested) list of strings, or a mapping's command."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict) and command_key is not None:
        command = value.get(command_key)
        return [command] if isinstance(command, str) else []
    texts: list[str] = []
    pending = [value] if isinstance(value, list) else []
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            texts.append(item)
        elif isinstance(item, list):
            pending.extend(reversed(item))
    return texts


def _env_text(value: Any) -> str:
    """A variable's value as the CI system passes it (GitLab also allows {value: ...})."""
    if isinstance(value, dict):
        value = value.get("value")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    return ""


def _ci_findings(ctx: RepoContext, path: str, spec: _CiSpec) -> Iterator[Finding]:
    document, text = ctx.yaml(path), ctx.text(path)
    if document is None or text is None:
        return
    lines = _YamlLines(text, spec.script_keys)
    for script_no, (kind, value) in enumerate(_ci_items(document, spec)):
        if kind == "script":
            for use, command in _script_uses(value):
                line, column = lines.script(script_no, value, use)
                yield _finding(path, _Hit(line, column, use.flag, use.tool, command), spec.script)
        else:
            yield from _ci_env_findings(path, value, lines, spec.env)


def _ci_env_findings(path: str, mapping: Mapping[Any, Any], lines: _YamlLines, where: _Where) -> Iterator[Finding]:
    for name, value in mapping.items():
        if not (isinstance(name, str) and _is_no_deps_name(name)):
            continue
        line, column = lines.env(name)  # every occurrence counts, so later ones stay in order
        setting = _env_text(value)
        if is_truthy_pip_env(setting):
            written = f"{name}={setting}"
            yield _finding(path, _Hit(line, column, written, "pip", written), where)


# --- Python: subprocess and nox -------------------------------------------------------------


def _python_findings(ctx: RepoContext) -> Iterator[Finding]:
    for path, facts in ctx.python_facts().items():
        if any(find_no_deps_in_argv(call.argv) is not None for call in facts.pip_calls):
            yield from _pip_call_findings(ctx, path, facts.pip_calls)


def _pip_call_findings(ctx: RepoContext, path: str, calls: Sequence[PipCall]) -> Iterator[Finding]:
    # Only for columns: a file in another encoding keeps its lines when decoded so.
    text = (ctx.read_bytes(path) or b"").decode("utf-8", "replace")
    positions = _Positions(text)
    starts = sorted(_call_offset(positions, call) for call in calls)
    for call in calls:
        if find_no_deps_in_argv(call.argv) is None:
            continue
        start = _call_offset(positions, call)
        following = bisect.bisect_right(starts, start)
        end = starts[following] if following < len(starts) else len(text)
        yield _call_finding(path, call, text, positions, (start, end))


def _call_offset(positions: _Positions, call: PipCall) -> int:
    index = min(max(call.line - 1, 0), len(positions.starts) - 1)
    return positions.starts[index] + max(call.column - 1, 0)


def _call_finding(path: str, call: PipCall, text: str, positions: _Positions, span: tuple[int, int]) -> Finding:
    """The flag's string literal between this call and the next pip call, else the call."""
    flag = find_no_deps_in_argv(call.argv) or ""
    literal = re.compile(rf"([\"']){re.escape(flag)}\1").search(text, span[0], span[1])
    line, column = positions.at(literal.start() + 1) if literal else (call.line, call.column)
    tool = "uv pip" if any(_basename(word) == "uv" for word in call.argv) else "pip"
    where = _Where("nox", "nox session") if call.via == "nox" else _Where("subprocess", "subprocess call")
    return _finding(path, _Hit(line, column, flag, tool, _normalised(" ".join(call.argv))), where)


# --- Markdown and reStructuredText ----------------------------------------------------------

_DOCS = _Where("docs", "install instructions", docs=True)
_SHELL_LANGUAGES = frozenset({"", "sh", "bash", "shell", "console", "shell-session", "shellsession", "zsh", "terminal"})
_MYST_CODE_DIRECTIVES = frozenset({"code-block", "code", "sourcecode", "code-cell"})
_FENCE = re.compile(r"\s*(`{3,}|~{3,})\s*(.*)")
_RST_CODE = re.compile(r"(\s*)\.\.\s+(?:code-block|code|sourcecode|prompt)::\s*(\S*)")
_RST_DIRECTIVE = re.compile(r"\s*\.\.\s")
# A shell prompt (`$ `, or `> ` continuing one), optionally after a `(venv)` marker.
_PROMPT = re.compile(r"\s*(?:\(\S+\)\s+)?[$>]\s")
_DOLLAR_PROMPT = re.compile(r"\s*(?:\(\S+\)\s+)?\$\s")


def _language(info: str) -> str:
    """The language of a fence info string: `bash`, `{.bash}`, MyST's `{code-block} bash`;
    another MyST directive (`{eval-rst}`) is its own, non-shell, language."""
    words = info.split()
    if not words:
        return ""
    first = words[0]
    if first.startswith("{") and first.endswith("}") and not first.startswith("{."):
        if first[1:-1] in _MYST_CODE_DIRECTIVES:
            return words[1].lower() if len(words) > 1 else ""
        return first[1:-1].lower()
    return first.strip("{}.").lower()


def _markdown_snippets(lines: Sequence[str]) -> Iterator[tuple[int, Sequence[str]]]:
    """(first line, lines) of shell code blocks and of `$ ` prompt lines outside them."""
    index = 0
    while index < len(lines):
        fence = _FENCE.fullmatch(lines[index])
        if fence is not None and not (fence.group(1)[0] == "`" and "`" in fence.group(2)):
            end = _fence_end(lines, index + 1, fence.group(1))
            if _language(fence.group(2)) in _SHELL_LANGUAGES:
                yield index + 2, lines[index + 1 : end]
            index = end + 1
            continue
        if _DOLLAR_PROMPT.match(lines[index]):
            yield index + 1, lines[index : index + 1]
        index += 1


def _fence_end(lines: Sequence[str], start: int, fence: str) -> int:
    """Index of the closing fence (same character, at least as long), else len(lines)."""
    closing = re.compile(rf"\s*{re.escape(fence[0])}{{{len(fence)},}}\s*")
    for index in range(start, len(lines)):
        if closing.fullmatch(lines[index]):
            return index
    return len(lines)


def _rst_snippets(lines: Sequence[str]) -> Iterator[tuple[int, Sequence[str]]]:
    """(first line, lines) of shell code-blocks, `::` literal blocks and `$ ` prompt lines."""
    index = 0
    while index < len(lines):
        line = lines[index]
        code = _RST_CODE.match(line)
        literal = not _RST_DIRECTIVE.match(line) and line.rstrip().endswith("::")
        if code is not None or literal:
            start, end = _rst_body(lines, index + 1, _indent(line), options=code is not None)
            if code is None or code.group(2).lower() in _SHELL_LANGUAGES:
                yield start + 1, lines[start:end]
            index = max(end, index + 1)
            continue
        if _DOLLAR_PROMPT.match(line):
            yield index + 1, lines[index : index + 1]
        index += 1


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _rst_body(lines: Sequence[str], start: int, indent: int, *, options: bool) -> tuple[int, int]:
    """(first, end) indices of the block indented deeper than `indent` after `start`."""
    index = start
    while options and index < len(lines) and lines[index].strip().startswith(":") and _indent(lines[index]) > indent:
        index += 1  # directive options such as `:caption:`
    first = index
    end = index
    while index < len(lines) and (not lines[index].strip() or _indent(lines[index]) > indent):
        index += 1
        if lines[index - 1].strip():
            end = index
    return first, end


def _snippet_script(lines: Sequence[str]) -> str:
    """The commands of a snippet: with prompts, only prompt lines (prompt blanked out) and
    the lines they continue with `\\`; other lines are output and become empty."""
    prompts = [_PROMPT.match(line) for line in lines]
    if not any(prompts):
        return "\n".join(lines)
    commands: list[str] = []
    continued = False
    for line, prompt in zip(lines, prompts, strict=True):
        if prompt is not None:
            commands.append(" " * prompt.end() + line[prompt.end() :])
        else:
            commands.append(line if continued else "")
        continued = (prompt is not None or continued) and line.rstrip().endswith("\\")
    return "\n".join(commands)


_Snippets = Callable[[Sequence[str]], Iterator[tuple[int, Sequence[str]]]]


def _docs_findings(ctx: RepoContext, path: str, snippets: _Snippets) -> Iterator[Finding]:
    text = ctx.text(path)
    if text is None:
        return
    for first_line, lines in snippets(_split_lines(text)):
        script = _snippet_script(lines)
        for hit in _text_hits(script, _Positions(script, first_line)):
            yield _finding(path, hit, _DOCS)


# --- which files ----------------------------------------------------------------------------

_EXACT_NAMES = {
    "tox.ini": "tox",
    "setup.cfg": "tox",
    "Makefile": "make",
    "makefile": "make",
    "GNUmakefile": "make",
    ".gitlab-ci.yml": "gitlab",
}
_SUFFIXES = {".mk": "make", ".sh": "shell", ".bash": "shell", ".md": "markdown", ".rst": "rst"}
_SCRIPT_DIRS = frozenset({"bin", "scripts"})


def _file_kind(path: str) -> str | None:
    """What a file is to this rule, from its path alone; None: not read at all."""
    folder, _, name = path.rpartition("/")
    lower = name.lower()
    suffix = lower[lower.rfind(".") :] if "." in lower else ""
    return _EXACT_NAMES.get(name) or _SUFFIXES.get(suffix) or _placed_kind(path, folder, lower, suffix)


def _placed_kind(path: str, folder: str, lower: str, suffix: str) -> str | None:
    """Kinds that depend on the folder or on a Dockerfile's naming conventions."""
    if folder == ".github/workflows" and suffix in (".yml", ".yaml"):
        return "github"
    if path == ".circleci/config.yml" or path.endswith("/.circleci/config.yml"):
        return "circleci"
    if _is_dockerfile(lower):
        return "dockerfile"
    if not suffix and _SCRIPT_DIRS.intersection(folder.split("/")):
        return "shebang"  # an extensionless script: read when its shebang names a shell
    return None


def _is_dockerfile(lower_name: str) -> bool:
    for base in ("dockerfile", "containerfile"):
        if lower_name == base or lower_name.startswith(base + ".") or lower_name.endswith("." + base):
            return True
    return False


def _mentions_no_deps(data: bytes) -> bool:
    return _FLAG_BYTES in data or _ENV_BYTES.search(data) is not None


_Reader = Callable[[RepoContext, str], Iterator[Finding]]
_READERS: dict[str, _Reader] = {
    "dockerfile": _dockerfile_findings,
    "shell": _shell_findings,
    "shebang": _shell_findings,
    "make": _makefile_findings,
    "tox": _tox_findings,
    "github": lambda ctx, path: _ci_findings(ctx, path, _GITHUB),
    "gitlab": lambda ctx, path: _ci_findings(ctx, path, _GITLAB),
    "circleci": lambda ctx, path: _ci_findings(ctx, path, _CIRCLECI),
    "markdown": lambda ctx, path: _docs_findings(ctx, path, _markdown_snippets),
    "rst": lambda ctx, path: _docs_findings(ctx, path, _rst_snippets),
}


class NoPipNoDeps:
    """`pip install --no-deps` installs a package without what it needs. Every place that
    runs installs is searched: Dockerfiles (RUN in both forms, heredocs, ENV/ARG), shell
    scripts, Makefiles, tox/setup.cfg, nox and subprocess calls, GitHub Actions, GitLab CI
    and CircleCI, plus shell snippets in Markdown/RST docs (warnings). Files are chosen by
    name and read only when their bytes mention `no-d`/`no_dep`; the shell lexing is the
    pip_commands parser's, this rule maps its offsets to lines and columns."""

    id: ClassVar[str] = "UDEF005"

    def check(self, ctx: RepoContext, params: Mapping[str, Any]) -> Iterator[Finding]:
        seen: set[tuple[str, int, int | None, str]] = set()
        for finding in self._findings(ctx):
            identity = (finding.path, finding.line, finding.column, finding.key)
            if identity not in seen:  # a YAML alias or `sh -c` can reach one place twice
                seen.add(identity)
                yield finding

    def _findings(self, ctx: RepoContext) -> Iterator[Finding]:
        for path in ctx.files:
            kind = _file_kind(path)
            if kind is None:
                continue
            data = ctx.read_bytes(path)
            if data is None or not _mentions_no_deps(data):
                continue
            if kind == "shebang" and not _shebang_shell(data):
                continue
            yield from _READERS[kind](ctx, path)
        yield from _python_findings(ctx)
