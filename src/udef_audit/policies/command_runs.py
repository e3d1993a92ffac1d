"""Commands conditions: what the repository runs, from the shared commands model
(`ctx.commands`: CI steps followed into scripts, Makefiles, justfiles, tox, nox, pre-commit
hooks and pyproject tasks, four levels at most; see ADR 0008).

A command matches when its program (read as the model reads it: `python -m mypy` runs
mypy, `uv run`, `env` and `sudo` prefixes are set aside) is one of `runs`, each word of
`with` is among its arguments (`--cov` also matches `--cov=src`) and no word of `without`
is. The condition holds when CI runs such a command; its places are the commands, with
the chain of files that leads to each.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from udef_audit.commands.words import program
from udef_audit.policies.language import CommandsCheck, Evidence, Outcome

if TYPE_CHECKING:
    from udef_audit.policies.scope import Scope

MAX_QUOTED = 200
# `${PREFIX}mypy`, `$BIN/pytest`: a variable naming where the program lives (encode's
# scripts set PREFIX to "venv/bin/" or ""); the program is what follows it.
_PATH_VARIABLE = re.compile(r"^\$(?:\{[A-Za-z_]\w*\}|[A-Za-z_]\w*)/?(?=[\w.-])")


def evaluate_commands(check: CommandsCheck, scope: Scope) -> Outcome:
    """The commands CI runs that match; none is a failure with no place (the anchor)."""
    expected = _expected(check)
    found = []
    for invocation in scope.ctx.commands.invocations():
        name, start = program(invocation.argv)
        name = _PATH_VARIABLE.sub("", name)
        arguments = invocation.argv[start:]
        if name in check.programs and _has_all(arguments, check.with_words) and not _has_any(
            arguments, check.without_words
        ):
            captures = {"command": _short(invocation.text), "program": name, "chain": _short(invocation.describe()),
                        "expected": expected}
            found.append(Evidence(invocation.path, invocation.line, invocation.column, invocation.text, captures))
    if found:
        return Outcome(True, tuple(found))
    return Outcome(False, (Evidence(None, subject=f"no {expected}", captures={"expected": expected}),))


def _expected(check: CommandsCheck) -> str:
    text = " or ".join(check.programs)
    if check.with_words:
        text += " with " + " ".join(check.with_words)
    if check.without_words:
        text += " without " + " ".join(check.without_words)
    return text


def _has(arguments: Sequence[str], word: str) -> bool:
    return any(argument == word or argument.startswith(word + "=") for argument in arguments)


def _has_all(arguments: Sequence[str], words: Sequence[str]) -> bool:
    return all(_has(arguments, word) for word in words)


def _has_any(arguments: Sequence[str], words: Sequence[str]) -> bool:
    return any(_has(arguments, word) for word in words)


def _short(text: str) -> str:
    return text if len(text) <= MAX_QUOTED else text[: MAX_QUOTED - 3] + "..."
