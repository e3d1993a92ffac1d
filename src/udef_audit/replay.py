"""A whole audit's report, replayed byte for byte while nothing it depends on has changed.

The rule cache (rule_cache.py) spares a warm audit the rules' work, but not the rest of a
run: the score, the gates, the fixes on offer and the rendering of two thousand results
cost about as much again. When the same command is run on the same tree, the report it
printed last time *is* the answer, so it is kept with its exit code under a digest of
everything the audit could have seen (ADR 0015):

- the tool: its version, its own files' sizes and times (a checkout edited in place), the
  interpreter, and the installed distributions on the import path (a library upgraded
  under it changes a `*.dist-info` folder's name);
- the invocation: the arguments, the working directory, the environment (all of it, but
  for the few variables a shell changes on its own), how the text report is drawn (colour
  and width, as the terminal decided them), and the date (waivers expire);
- the repository: every file the audit could list (the user's excludes are not applied:
  the config that names them is one of the files) with its content (git's blob id for a
  clean tracked file, else a digest of its bytes), the tracked paths, the symlinks and
  paths left out, and HEAD with the shallow boundary (the score's history);
- files outside it that the command names: `--config` and `--baseline`.

A report is stored only when every rule that ran is a cacheable one (built-in rules, and
plugin rules with a `cache_version`): custom policies and unversioned plugins always run.
An audit that writes or prunes a baseline, reads an org policy (`--policy`: its policy
folders could gain files) or extra policies, or runs with `--no-cache`, is never replayed.
The report of the run it repeats is replayed whole, its "N s" included: that is how long
producing it took. Any problem reading the store is a fresh audit; writing it is best effort.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sys
from collections.abc import Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from udef_audit import __version__
from udef_audit.cache import cache_dir, content_key, write_atomically
from udef_audit.entry_points import listing_digest
from udef_audit.inventory import Inventory, build_inventory
from udef_audit.plugins import safe_search_path
from udef_audit.rule_cache import code_fingerprint
from udef_audit.safe_read import UnreadableFile, read_regular_file, regular_file_size

KIND = "replay-v1"
MAX_ENTRIES = 8  # reports kept per repository (a text and a JSON run do not evict each other)
# Set by the shell for each command, never read by the audit.
VOLATILE_ENVIRONMENT = frozenset({"_", "OLDPWD", "SHLVL", "PWD"})
# A file over this size (the default max-file-size: the audit reads no more of it), or past
# this many bytes hashed in one run, is identified by its size, time and inode instead of
# its bytes: a hostile tree of large untracked files costs stat calls, not gigabytes read.
MAX_HASHED_BYTES = 5_000_000
MAX_HASHED_TOTAL = 256_000_000


@dataclass(frozen=True)
class Report:
    """What a run printed (or wrote to `-o`) and the exit code it returned."""

    output: str
    code: int


@dataclass(frozen=True)
class Invocation:
    """How the command was run, as far as it can change what it prints."""

    arguments: Sequence[str]
    cwd: str
    environment: Mapping[str, str]
    drawing: str  # the text report's options as the terminal decided them (colour, width)

    def to_key(self) -> list[Any]:
        environment = sorted((k, v) for k, v in self.environment.items() if k not in VOLATILE_ENVIRONMENT)
        return [list(self.arguments), self.cwd, environment, self.drawing]


class Replays:
    """The stored reports of one repository, and the key of this run among them: one file
    per report (its exit code on the first line), so a lookup reads only its own."""

    def __init__(self, root: Path, key: str, listing: Inventory | None = None) -> None:
        """`listing`: the repository as the key saw it (the audit may reuse it)."""
        self.key = key
        self.listing = listing
        tag = hashlib.sha256(f"{__version__}|{KIND}|{root}".encode()).hexdigest()[:20]
        self.folder = cache_dir() / f"{KIND}-{tag}"

    def lookup(self) -> Report | None:
        """The report stored under this run's key, if any."""
        try:
            data = (self.folder / self.key).read_bytes().decode("utf-8", "surrogateescape")
        except OSError:
            return None
        code, newline, output = data.partition("\n")
        if not (newline and code.isdigit() and len(code) < 4):
            return None  # not what store() wrote
        return Report(output, int(code))

    def store(self, output: str, code: int) -> None:
        """Keep a report under this run's key; the oldest beyond MAX_ENTRIES go."""
        # Bytes, not text: no newline translation, and a path git printed in a foreign
        # encoding (a lone surrogate) comes back as it was.
        data = f"{code}\n{output}".encode("utf-8", "surrogateescape")
        with suppress(OSError):  # a read-only cache makes the next run a full one, nothing worse
            write_atomically(self.folder / self.key, data)
            self._prune()

    def _prune(self) -> None:
        stored = [path for path in self.folder.iterdir() if not path.name.startswith(".")]  # not a write under way
        stored.sort(key=lambda p: p.stat().st_mtime_ns, reverse=True)
        for old in stored[MAX_ENTRIES:]:
            old.unlink(missing_ok=True)


def replays_for(root: Path, invocation: Invocation, named_files: Sequence[Path]) -> Replays:
    """The store of `root` with the key of this run (see the module docstring)."""
    inventory = build_inventory(root, lambda _: False)
    parts: list[Any] = [
        [__version__, code_fingerprint(), sys.version, listing_digest("", safe_search_path(root))],
        invocation.to_key(),
        _today(),
        _repository(root, inventory),
        [[str(path), _outside_content(path)] for path in named_files],
    ]
    digest = hashlib.blake2b(json.dumps(parts).encode("utf-8", "surrogateescape"), digest_size=20)
    return Replays(root, digest.hexdigest(), inventory)


def _today() -> str:
    return dt.date.today().isoformat()


def _repository(root: Path, inventory: Inventory) -> list[Any]:
    """The listing, each file's content identity, and HEAD (with the shallow boundary)."""
    from udef_audit.scoring.history_cache import head_state  # noqa: PLC0415

    budget = [MAX_HASHED_TOTAL]
    contents = [[path, _content(root, path, inventory, budget)] for path in inventory.files]
    listing = [inventory.tracked, inventory.skipped_symlinks, inventory.left_out, inventory.refused]
    head = head_state(root) if inventory.is_git else None
    return [contents, listing, inventory.is_git, inventory.git_refused, head]


def _content(root: Path, path: str, inventory: Inventory, budget: list[int]) -> str:
    """Git's blob id for a clean tracked file, else a digest of the bytes as read safely
    (a large file, or once `budget` bytes are spent: its size, time and inode, as git's own
    stat check would)."""
    blob = inventory.blob_ids.get(path)
    if blob is not None:
        return blob
    size = regular_file_size(root, path)
    if size is None:
        return "not a regular file"
    if size <= min(MAX_HASHED_BYTES, budget[0]):
        try:
            data = read_regular_file(root, path, MAX_HASHED_BYTES)
        except UnreadableFile as exc:  # replaced meanwhile
            return f"unreadable: {exc}"
        budget[0] -= len(data)
        return content_key(data)
    info = (root / path).lstat()  # reached without a symlink: regular_file_size said so
    return f"stat: {info.st_size}:{info.st_mtime_ns}:{info.st_ino}"


def _outside_content(path: Path) -> str | None:
    """A file the command names (not inside the repository): a digest of its bytes."""
    try:
        return content_key(path.read_bytes())
    except OSError:
        return None
