"""Parse ``git log -z --name-only`` output into commits: pure, bytes in, commits out.

Running git is not this module's business (git_history.py runs it, hardened); this module
only reads what git printed. Records start with RS and end in NUL, which no subject or path
can contain, so hostile subjects and paths cannot shift the fields.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from itertools import pairwise
from typing import IO

_CHUNK_BYTES = 1 << 16


# Records: RS, then sha, parents, unix time, ISO date, subject separated by US. The subject
# comes last so a hostile subject holding US cannot shift the other fields. With -z every
# record and every path ends in NUL, which no subject or path can contain, so paths with
# spaces, tabs, newlines or non-ASCII arrive unquoted and unambiguous.
_RECORD_START = 0x1E


FIELD_SEPARATOR = "\x1f"


LOG_FORMAT = "%x1e%H%x1f%P%x1f%ct%x1f%cI%x1f%s"


@dataclass(frozen=True, slots=True)
class Commit:
    """One commit as ``git log --name-only`` describes it.

    ``date`` is the committer date with the committer's UTC offset; ``files`` the paths it
    changed. Merges have no files (git log shows no diff for merges by default), nor have
    commits older than the newest 20,000 of a window (git_history.py). No line
    counts: no criterion of the score reads them, and counting them (`--numstat`) made git
    diff every blob, ten times the cost of listing the paths.
    """

    sha: str
    date: datetime
    subject: str
    parents: tuple[str, ...]
    files: tuple[str, ...]

    @property
    def is_merge(self) -> bool:
        """True for a commit with more than one parent."""
        return len(self.parents) > 1


@dataclass(frozen=True)
class History:
    """The commits within ``window_days`` before HEAD's committer date, newest first.

    ``available`` is False when the history cannot be used at all; ``reason`` then says
    why. ``reason`` is also set when the history is usable but incomplete (a shallow clone
    whose boundary lies inside the window). ``truncated`` is True when the window held
    more than ``max_commits`` commits and only the newest were kept. Ancestors of HEAD
    dated after it (skewed clocks) are kept: the window bounds how far back to read.
    """

    available: bool
    reason: str | None
    head_sha: str | None
    head_date: datetime | None
    detached: bool
    shallow: bool
    window_days: int
    commits: tuple[Commit, ...]
    truncated: bool


def parse_date(timestamp: str, iso_date: str) -> tuple[int, datetime] | None:
    """Unix time and the committer date with its offset (UTC if Python rejects the offset).

    None when git printed something that is not a date at all (a corrupt commit).
    """
    try:
        seconds = int(timestamp)
    except ValueError:
        return None
    try:
        return seconds, datetime.fromisoformat(iso_date)
    except ValueError:
        pass
    try:
        return seconds, datetime.fromtimestamp(seconds, timezone.utc)
    except (ValueError, OverflowError, OSError):
        return None


def _tokens(stream: IO[bytes]) -> Iterator[bytes]:
    """NUL-terminated tokens of a stream, yielded as they arrive."""
    pending = b""
    while chunk := stream.read(_CHUNK_BYTES):
        pieces = (pending + chunk).split(b"\0")
        pending = pieces.pop()
        yield from pieces
    if pending:
        yield pending


class _LogParser:
    """Turns ``git log -z --name-only`` tokens into commits, one record at a time."""

    def __init__(self) -> None:
        self.commits: list[Commit] = []
        self.timestamps: list[int] = []
        self._header: bytes | None = None
        self._files: list[str] = []
        self._in_paths = False

    def feed(self, token: bytes) -> None:
        if token and token[0] == _RECORD_START:
            self.finish()
            self._header = token
        elif self._header is not None:
            self._add_path(token)

    def _add_path(self, token: bytes) -> None:
        # The first path after a header starts with a newline, the others follow it. A
        # token before that first path (a hostile subject with a NUL in it: the subject is
        # one line, so no piece of it starts with a newline) is no path and is skipped.
        if token.startswith(b"\n"):
            self._in_paths, token = True, token[1:]
        if self._in_paths and token:
            # surrogateescape, like os.fsdecode: the path matches what a directory walk yields.
            self._files.append(token.decode("utf-8", "surrogateescape"))

    def finish(self) -> None:
        """Emit the commit being read, if any."""
        header, self._header = self._header, None
        files, self._files, self._in_paths = self._files, [], False
        if header is None:
            return
        fields = header[1:].decode("utf-8", "replace").split(FIELD_SEPARATOR, 4)
        if len(fields) != 5:
            return
        sha, parents, timestamp, iso_date, subject = fields
        parsed = parse_date(timestamp, iso_date)
        if parsed is None:
            return
        self.timestamps.append(parsed[0])
        self.commits.append(Commit(sha, parsed[1], subject, tuple(parents.split()), tuple(files)))


def _newest_first(commits: list[Commit], timestamps: list[int]) -> list[Commit]:
    """Commits by committer date, newest first; git's own order breaks ties.

    git log's default order already is this unless clocks were skewed, so the sort only
    runs when needed.
    """
    if all(earlier >= later for earlier, later in pairwise(timestamps)):
        return commits
    order = sorted(range(len(commits)), key=lambda index: -timestamps[index])
    return [commits[index] for index in order]


def window_start(history: History) -> datetime | None:
    """The oldest committer date the window admits, or None without a HEAD."""
    if history.head_date is None:
        return None
    return history.head_date - timedelta(days=history.window_days)


def parse_log(stream: IO[bytes]) -> list[Commit]:
    """Every commit of a ``git log -z --name-only`` stream (format LOG_FORMAT), newest first."""
    parser = _LogParser()
    for token in _tokens(stream):
        parser.feed(token)
    parser.finish()
    return _newest_first(parser.commits, parser.timestamps)
