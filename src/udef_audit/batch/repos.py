"""The repository list of `udef-audit batch`, and what is known about each entry before it
is audited (its HEAD, or why it cannot be audited at all).

LIST is a file with one git URL or local path per line (`#` comment lines and blank lines
ignored), `-` for standard input, or a directory, in which case every immediate
subdirectory that is a git checkout is a repository. Relative paths in a file are relative
to the file's directory (standard input: the current directory), so a list works from
anywhere. An entry that is refused (an unsafe transport, say) stays in the list as a
failure with its reason: one bad line never stops an org-wide batch.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from udef_audit.batch.clone import (
    CloneError,
    Source,
    SourceError,
    is_git_checkout,
    parse_source,
    read_head,
    redact,
    remote_head,
)
from udef_audit.batch.names import short_name


class ListError(Exception):
    """The list itself cannot be used (missing, unreadable, empty): a usage error."""


@dataclass(frozen=True)
class ListEntry:
    """One repository of the list: a vetted source, or the reason it was refused."""

    text: str  # the entry as written, credentials redacted
    source: Source | None
    refusal: str | None = None

    @property
    def key(self) -> str:
        """The repository's identity across runs (the redacted text when refused)."""
        return self.source.key if self.source else self.text

    @property
    def name(self) -> str:
        """A short human name."""
        return short_name(self.key)

    @property
    def display(self) -> str:
        """What may be printed for this entry."""
        return self.source.display if self.source else self.text


@dataclass(frozen=True)
class Probe:
    """What a quick look found before any audit: the HEAD commit, or why there is none."""

    head: str | None
    failure: str | None = None
    timed_out: bool = False
    seconds: float = 0.0


def read_repository_list(spec: str, stdin: TextIO) -> list[ListEntry]:
    """The entries of LIST (`-`, a file or a directory), each key once, in list order."""
    if spec == "-":
        entries = parse_list(stdin.read(), Path.cwd())
    else:
        path = Path(spec).expanduser()
        entries = checkouts_in(path) if path.is_dir() else parse_list(_read_list_file(path), path.resolve().parent)
    if not entries:
        raise ListError(_nothing_to_audit(spec))
    return unique(entries)


def _nothing_to_audit(spec: str) -> str:
    path = Path(spec).expanduser()
    if spec != "-" and path.is_dir() and is_git_checkout(path):
        # The likely mistake: a single repository where a directory of them was expected.
        return f"no git checkouts directly under {spec} (to audit {spec} itself: echo {spec} | udef-audit batch -)"
    return f"no repositories in {spec}"


def _read_list_file(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ListError(f"repository list not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ListError(f"cannot read repository list {path}: {exc}") from None


def parse_list(text: str, base_dir: Path) -> list[ListEntry]:
    """One entry per line that is neither blank nor a `#` comment."""
    entries = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        try:
            source = parse_source(line, base_dir)
        except SourceError as exc:
            entries.append(ListEntry(text=redact(line), source=None, refusal=str(exc)))
        else:
            entries.append(ListEntry(text=source.display, source=source))
    return entries


def checkouts_in(directory: Path) -> list[ListEntry]:
    """Every immediate subdirectory of `directory` that is a git checkout, by name."""
    try:
        children = sorted(child for child in directory.iterdir() if child.is_dir() and is_git_checkout(child))
    except OSError as exc:
        raise ListError(f"cannot list {directory}: {exc}") from None
    return [ListEntry(text=str(child), source=parse_source(str(child.resolve()), directory)) for child in children]


def unique(entries: Iterable[ListEntry]) -> list[ListEntry]:
    """The first entry of each key: a repository listed twice is audited once."""
    seen: dict[str, ListEntry] = {}
    for entry in entries:
        seen.setdefault(entry.key, entry)
    return list(seen.values())


def probe(entry: ListEntry, timeout: float) -> Probe:
    """HEAD of a local checkout (`git rev-parse`) or of a remote (`git ls-remote`, no clone)."""
    started = time.monotonic()
    if entry.source is None:
        return Probe(None, entry.refusal or "refused")
    if entry.source.is_local:
        return _probe_local(Path(entry.source.location))
    try:
        head = remote_head(entry.source, timeout)
    except CloneError as exc:
        elapsed = time.monotonic() - started
        # GitPython kills a command at its timeout and reports a generic failure; the clock says which it was.
        if elapsed >= timeout:
            return Probe(None, f"the remote did not answer within {timeout:g} s", timed_out=True, seconds=elapsed)
        return Probe(None, str(exc), seconds=elapsed)
    return Probe(head, seconds=time.monotonic() - started)


def _probe_local(path: Path) -> Probe:
    if not path.exists():
        return Probe(None, f"path not found: {path}")
    if not path.is_dir():
        return Probe(None, f"not a directory: {path}")
    head = read_head(path)
    if head is None and is_git_checkout(path):
        return Probe(None, "empty repository: no commit to audit")
    return Probe(head)  # a plain directory (no git) is audited, never skipped
