"""Python code that runs commands: `subprocess` calls with a literal argument list and nox's
`session.install`/`session.run`, as the Python scanner found them (`PipCall`).

The scanner keeps the position of each call, not of each argument: a word is placed at the
first string literal that writes it between its call and the next one, and a word that is
not a literal (`sys.executable`) at no place.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from udef_audit.commands.model import ArgvCommand, FileCommands, Origin, Positions

if TYPE_CHECKING:
    from udef_audit.parsers.python_source import PipCall

NOX = Origin("nox", "nox session")
SUBPROCESS = Origin("subprocess", "subprocess call")


def python_commands(path: str, text: str, calls: Sequence[PipCall]) -> FileCommands:
    """The argv commands of one Python file; `text` is only read to place the words."""
    positions = Positions.of_lines(text)
    starts = sorted(_call_offset(positions, call) for call in calls)
    commands = []
    for call in calls:
        start = _call_offset(positions, call)
        following = bisect.bisect_right(starts, start)
        end = starts[following] if following < len(starts) else len(text)
        places = tuple(_literal_place(text, positions, word, start, end) for word in call.argv)
        origin = NOX if call.via == "nox" else SUBPROCESS
        commands.append(ArgvCommand(path, origin, call.argv, call.line, call.column, places))
    return FileCommands(path, argv=tuple(commands))


def _call_offset(positions: Positions, call: PipCall) -> int:
    index = min(max(call.line - 1, 0), len(positions.starts) - 1)
    return positions.starts[index] + max(call.column - 1, 0)


def _literal_place(text: str, positions: Positions, word: str, start: int, end: int) -> tuple[int, int | None] | None:
    literal = re.compile(rf"([\"']){re.escape(word)}\1").search(text, start, end)
    return None if literal is None else positions.at(literal.start() + 1)
