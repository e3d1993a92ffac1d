"""Following commands into the repository: a CI step runs `make test`, the Makefile's
`test` target runs `scripts/test.sh`, the script runs pytest.

Every simple command met becomes an `Invocation` with the chain of hops that reached it.
A command that leads somewhere (a script file, a make or just target, a tox environment,
a nox session, pre-commit hooks, a hatch/pdm/poe task) is followed into it, at most four
levels deep; a command that only wraps another (`uv run`, `poetry run`, `docker run IMAGE
CMD`, `sudo`, `env VAR=1`) is followed into the command it wraps, at the same level. A
definition already entered on the way is not entered again (the cycle is cut and said),
and the whole walk stops after `MAX_INVOCATIONS` commands.
"""

from __future__ import annotations

from dataclasses import replace

from udef_audit.commands.definitions import Definitions
from udef_audit.commands.frames import MAX_DEPTH, Command, Frame, resolve
from udef_audit.commands.model import Hop, Invocation, Job, PlacedWord, Script, Unfollowed, Value
from udef_audit.commands.resolvers import follow
from udef_audit.parsers.shell_lexer import simple_commands

MAX_INVOCATIONS = 10_000
_MAX_VARIANTS = 16


class Follower:
    """Collects invocations and what could not be followed, from scripts and commands."""

    def __init__(self, definitions: Definitions) -> None:
        self.definitions = definitions
        self.invocations: list[Invocation] = []
        self.unfollowed: list[Unfollowed] = []
        # A script reached many times (a Makefile target every job runs) is lexed once.
        self._lexed: dict[Script, list[tuple[PlacedWord, ...]]] = {}

    @property
    def full(self) -> bool:
        """Whether the walk has met as many commands as it may."""
        return len(self.invocations) >= MAX_INVOCATIONS

    def script(self, script: Script, frame: Frame) -> None:
        """Every simple command of a script; `cd DIR` moves the commands after it."""
        folder = frame.folder
        for placed in [] if self.full else self._commands_of(script):
            if self.full:
                return
            if placed[0].text in ("cd", "pushd") and len(placed) == 2:
                folder = resolve(folder, placed[1].text) or folder
                continue
            words = placed
            if frame.arguments is not None and not script.make_syntax:  # in make, `$@` is the target
                words = _passed_on(placed, frame.arguments)
            self.command(Command(words, script.path, script.origin), replace(frame, folder=folder))

    def _commands_of(self, script: Script) -> list[tuple[PlacedWord, ...]]:
        if script not in self._lexed:
            self._lexed[script] = [
                tuple(PlacedWord(word.text, *script.position(word.offset)) for word in words)
                for words in simple_commands(script.text, make_syntax=script.make_syntax)
            ]
        return self._lexed[script]

    def command(self, command: Command, frame: Frame) -> None:
        """Record the command, then follow it where it leads."""
        if self.full or not command.words:
            return
        where = (frame.chain, frame.job, frame.pipeline, frame.folder)
        self.invocations.append(Invocation(command.words, command.path, command.origin, *where))
        for variant in matrix_variants(command, frame.job):
            follow(self, variant, frame)

    def enter(self, command: Command, frame: Frame, key: str, hop: Hop | None = None) -> Frame | None:
        """The frame one level into `key` (a file, target, environment) through `hop` (the
        command itself unless said), or None when that would be too deep or a cycle (said
        as unfollowed)."""
        hop = hop or command.hop
        if key in frame.entered:
            self.skip(command, frame, f"a cycle: {key.partition(':')[2]} is already being run")
            return None
        if frame.depth >= MAX_DEPTH:
            self.skip(command, frame, f"more than {MAX_DEPTH} levels deep")
            return None
        deeper = frame.entered | {key}
        return replace(frame, chain=(*frame.chain, hop), depth=frame.depth + 1, entered=deeper, arguments=None)

    def skip(self, command: Command, frame: Frame, reason: str) -> None:
        """Say that a command leads somewhere the model does not follow."""
        hop = command.hop
        self.unfollowed.append(Unfollowed(hop.path, hop.line, hop.text, reason, frame.chain))


def matrix_variants(command: Command, job: Job | None) -> list[Command]:
    """The command once per value of the matrix variables its words use (`tox -e
    ${{ matrix.env }}` is `tox -e py311`, `tox -e py312`...), at most 16; the command
    itself when it uses none."""
    if job is None or not job.matrix or not any("${{" in word.text for word in command.words):
        return [command]
    variants: list[tuple[PlacedWord, ...]] = [()]
    for word in command.words:
        variants = [(*done, choice) for done in variants for choice in _choices(word, job)][:_MAX_VARIANTS]
    return [Command(words, command.path, command.origin) for words in variants]


def _choices(word: PlacedWord, job: Job) -> list[PlacedWord]:
    """The word with its matrix references replaced by each value, at the word's place."""
    texts = dict.fromkeys(value.text for value in job.expand(Value(word.text, word.line, word.column)))
    return [PlacedWord(text, word.line, word.column) for text in texts]


# A script's words that pass on the arguments it was called with.
_FORWARDED = frozenset({"$@", "${@}", "$*", "${*}"})


def _passed_on(words: tuple[PlacedWord, ...], arguments: tuple[PlacedWord, ...]) -> tuple[PlacedWord, ...]:
    """The words with `"$@"` (`$*`) replaced by the arguments the script was called with,
    placed where `"$@"` is written (`bash scripts/test.sh --cov` makes `pytest "$@"` run
    `pytest --cov`)."""
    if not any(word.text in _FORWARDED for word in words):
        return words
    replaced: list[PlacedWord] = []
    for word in words:
        if word.text in _FORWARDED:
            replaced.extend(PlacedWord(argument.text, word.line, word.column) for argument in arguments)
        else:
            replaced.append(word)
    return tuple(replaced)

