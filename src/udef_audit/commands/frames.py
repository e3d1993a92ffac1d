"""The state of following a command: its frame (chain, job, depth, folder) and the command."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from udef_audit.commands.model import Hop, Job, Origin, PlacedWord

if TYPE_CHECKING:
    from udef_audit.commands.follow import Follower

MAX_DEPTH = 4


@dataclass(frozen=True)
class Frame:
    """Where a command runs: the chain that reached it, its job, how deep it is, what was
    entered on the way (to cut cycles), the folder it runs in ("" is the root), whether it
    runs in a container, the CI definition whose job runs it, and the environment variables
    its step sets that choose what runs (`TOXENV`, `NOXSESSION`). `arguments` are those a
    shell script was called with (its `"$@"`); None outside a script or when not known."""

    chain: tuple[Hop, ...] = ()
    job: Job | None = None
    depth: int = 0
    entered: frozenset[str] = frozenset()
    folder: str = ""
    container: bool = False
    pipeline: str = ""
    env: tuple[tuple[str, str], ...] = ()
    arguments: tuple[PlacedWord, ...] | None = None

    def variable(self, name: str) -> str | None:
        """An environment variable the CI step sets (`TOXENV`), its matrix values joined
        with commas; None when unset."""
        return next((value for key, value in self.env if key == name), None)

    def wrapped(self, hop: Hop) -> Frame:
        """The frame of a command another one wraps (same level)."""
        return replace(self, chain=(*self.chain, hop))


@dataclass(frozen=True)
class Command:
    """A simple command being followed: its words, file and origin."""

    words: tuple[PlacedWord, ...]
    path: str
    origin: Origin

    @property
    def hop(self) -> Hop:
        """This command as a step of a chain."""
        first = self.words[0]
        return Hop(self.path, first.line, first.column, " ".join(word.text for word in self.words)[:300])

    def texts(self) -> list[str]:
        """The words' texts."""
        return [word.text for word in self.words]


def resolve(folder: str, name: str) -> str | None:
    """A path relative to `folder` as a repository path; None when it leaves the root, is
    absolute, or is not written literally (`$VAR`, `~`)."""
    if not name or name.startswith(("/", "~")) or "$" in name or "`" in name:
        return None
    joined = posixpath.normpath(posixpath.join(folder, name)) if folder else posixpath.normpath(name)
    if joined == ".":
        return ""
    return None if joined.startswith("../") or joined == ".." else joined


@dataclass(frozen=True)
class Call:
    """A command whose program leads somewhere, being followed: `args` is the index of the
    program's first argument in the command's words."""

    follower: Follower
    command: Command
    frame: Frame
    args: int

    @property
    def words(self) -> list[str]:
        """The command's words as texts."""
        return self.command.texts()

    def word(self, index: int) -> str:
        """The word at `index` ("" past the end)."""
        return self.command.words[index].text if 0 <= index < len(self.command.words) else ""

    def enter(self, key: str) -> Frame | None:
        """The frame one level into `key`, or None (too deep, a cycle: said)."""
        return self.follower.enter(self.command, self.frame, key)

    def skip(self, reason: str, frame: Frame | None = None) -> None:
        """Say that the command leads somewhere not followed."""
        self.follower.skip(self.command, frame or self.frame, reason)

    def wrapped(self, start: int, *, container: bool = False) -> None:
        """Follow the words from `start` on as the command this one runs (same level); in a
        `container` its folder is the image's, which the repository does not say."""
        if start < len(self.command.words):
            inner = Command(self.command.words[start:], self.command.path, self.command.origin)
            frame = self.frame.wrapped(self.command.hop)
            self.follower.command(inner, replace(frame, container=True) if container else frame)


def skip_options(words: list[str], index: int, values: frozenset[str]) -> int:
    """The index of the first operand from `index` on (`--x=y` and flags skipped)."""
    while index < len(words) and words[index].startswith("-") and words[index] != "-":
        if words[index] == "--":
            return index + 1
        index += 2 if words[index] in values else 1
    return index
