"""Dockerfiles: what `RUN` executes and the environment it sees.

Shell-form `RUN` text is joined from continuation lines; its positions map each joined piece
back to its physical line and column. Heredoc bodies fed to a shell are scripts of their
own. Exec-form `RUN ["pip", "install"]` is an argv command. `ENV`, `ARG` defaults inside a
stage, and a global `ARG` default that a stage declares again are the environment a stage's
`RUN` sees (a global `ARG` alone does not reach `RUN`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from udef_audit.commands.model import ArgvCommand, EnvSetting, FileCommands, Origin, Positions, Script
from udef_audit.commands.sources import runs_shell

if TYPE_CHECKING:
    from udef_audit.parsers.dockerfile import Dockerfile, Heredoc, RunCommand

RUN = Origin("dockerfile-run", "Dockerfile RUN")
_ENV_KIND = "dockerfile-env"


def dockerfile_commands(path: str, model: Dockerfile, text: str) -> FileCommands:
    """The scripts, exec commands and environment of one Dockerfile."""
    lines = [line.removesuffix("\r") for line in text.split("\n")]
    scripts: list[Script] = []
    argv: list[ArgvCommand] = []
    for run in model.runs:
        if run.exec_argv is not None:
            argv.append(_exec_command(path, run, lines))
            continue
        scripts.append(Script(path, RUN, run.shell or "", _run_positions(run, lines)))
        scripts.extend(
            Script(path, RUN, heredoc.body, _heredoc_positions(heredoc, lines))
            for heredoc in run.heredocs
            if runs_shell(heredoc.interpreter)
        )
    return FileCommands(path, scripts=tuple(scripts), argv=tuple(argv), env=tuple(_environment(path, model, lines)))


def _run_positions(run: RunCommand, lines: Sequence[str]) -> Positions:
    """Each joined piece of the RUN text at its physical line, found again in that line."""
    if not run.segments:
        return Positions.single(run.start_line, None)
    starts = [start for start, _ in run.segments]
    ends = [start - 1 for start in starts[1:]] + [len(run.text)]  # a blank joins two pieces
    pieces = zip(run.segments, ends, strict=True)
    places = [_piece_place(run, lines, run.text[start:end], line) for (start, line), end in pieces]
    return Positions(tuple(starts), tuple(line for line, _ in places), tuple(column for _, column in places))


def _piece_place(run: RunCommand, lines: Sequence[str], piece: str, line: int) -> tuple[int, int | None]:
    clamped = min(max(line, run.start_line), run.end_line)
    at = lines[line - 1].find(piece) if clamped == line and 0 < line <= len(lines) else -1
    return clamped, None if at < 0 else at + 1


def _heredoc_positions(heredoc: Heredoc, lines: Sequence[str]) -> Positions:
    """Each body line at its physical line; `<<-` bodies lost their leading tabs, so the
    column is where the body line stands in the physical one."""
    body = heredoc.body
    last = max(body.count("\n") - 1, 0)
    starts: list[int] = []
    places: list[tuple[int, int | None]] = []
    start = 0
    for row in range(last + 1):
        line = heredoc.start_line + row
        newline = body.find("\n", start)
        at = lines[line - 1].find(body[start:newline]) if 0 < line <= len(lines) else -1
        starts.append(start)
        places.append((line, None if at < 0 else at + 1))
        if newline < 0:
            break
        start = newline + 1
    return Positions(tuple(starts), tuple(line for line, _ in places), tuple(column for _, column in places))


def _exec_command(path: str, run: RunCommand, lines: Sequence[str]) -> ArgvCommand:
    """An exec-form RUN; each word is placed on the first of the RUN's lines writing it."""
    argv = run.exec_argv or ()
    places = tuple(_word_place(word, run, lines) for word in argv)
    return ArgvCommand(path, RUN, tuple(argv), run.start_line, None, places)


def _word_place(word: str, run: RunCommand, lines: Sequence[str]) -> tuple[int, int | None] | None:
    for written in dict.fromkeys((word, json.dumps(word, ensure_ascii=False)[1:-1])):
        if written:
            place = _first_line_place(lines, run.start_line, run.end_line, written)
            if place is not None:
                return place
    return None


def _environment(path: str, model: Dockerfile, lines: Sequence[str]) -> Iterator[EnvSetting]:
    """ENV, and ARG defaults a stage's RUNs see."""
    first_from = model.stages[0].from_line if model.stages else None
    for assignment in model.env:
        in_stage = first_from is not None and assignment.line > first_from
        if assignment.instruction == "ARG" and not in_stage:
            continue  # a global ARG reaches RUN only when a stage declares it again
        origin = Origin(_ENV_KIND, f"Dockerfile {assignment.instruction}")
        column = _column_of(lines, assignment.line, assignment.key)
        yield EnvSetting(path, origin, assignment.key, assignment.value, assignment.line, column)
    if first_from is not None:
        yield from _redeclared_global_args(path, model, lines, first_from)


def _redeclared_global_args(
    path: str, model: Dockerfile, lines: Sequence[str], first_from: int
) -> Iterator[EnvSetting]:
    """`ARG NAME=1` before FROM, then `ARG NAME` inside a stage: the stage sees NAME=1."""
    origin = Origin(_ENV_KIND, "Dockerfile ARG")
    for instruction in model.instructions:
        if instruction.keyword != "ARG" or instruction.start_line <= first_from:
            continue
        for name in instruction.value.split():
            default = model.global_args.get(name)
            if default is not None:
                line = instruction.start_line
                yield EnvSetting(path, origin, name, default, line, _column_of(lines, line, name))


def _column_of(lines: Sequence[str], line: int, text: str) -> int | None:
    at = lines[line - 1].find(text) if 0 < line <= len(lines) else -1
    return None if at < 0 else at + 1


def _first_line_place(lines: Sequence[str], first: int, last: int, needle: str) -> tuple[int, int] | None:
    """(line, column) of `needle` on the first of the 1-based lines `first..last` holding it."""
    for number in range(max(first, 1), min(last, len(lines)) + 1):
        at = lines[number - 1].find(needle)
        if at >= 0:
            return number, at + 1
    return None
