"""The history of a commit never changes: cache it by HEAD (and the shallow boundary).

A warm audit of an unchanged repository then costs two `git rev-parse` calls instead of a
`git log --name-only` over the window. The key includes the
window and the shallow file, so deepening a shallow clone reads the history again.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path
from typing import Any

from udef_audit.cache import FactsCache
from udef_audit.git_history import PendingHistory, start_history
from udef_audit.gitsafe import git_outputs, read_git_file, repository_problem
from udef_audit.parsers.gitlog import Commit, History

_MAX_SHALLOW_BYTES = 1 << 20


class HistoryRead:
    """A history on its way: from the cache at once, or from a `git log` running in the
    background (remembered once read)."""

    def __init__(self, pending: PendingHistory, cache: FactsCache | None = None, key: str = "") -> None:
        self.pending = pending
        self.cache = cache
        self.key = key

    def result(self) -> History:
        """The history, waiting for git if it still runs."""
        history = self.pending.result()
        if self.cache is not None and history.available:
            self.cache.put(self.key, _to_dict(history))
            self.cache.save({self.key})
            self.cache = None
        return history

    def cancel(self) -> None:
        """Stop git if it still runs."""
        self.pending.cancel()


def start_cached_history(root: Path, window_days: int, *, enabled: bool = True) -> HistoryRead:
    """`read_history`, memoised on disk by HEAD commit, window and shallow boundary: a
    cached history at once, else git started in the background (git_history.start_history)
    so that the audit goes on meanwhile."""
    key = _history_key(root, window_days) if enabled and repository_problem(root) is None else None
    if key is None:
        return HistoryRead(start_history(root, window_days=window_days))
    cache = FactsCache(root, "history", str(window_days))
    stored = cache.get(key)
    if stored is not None:
        try:
            return HistoryRead(PendingHistory(_from_dict(stored)))
        except (KeyError, TypeError, ValueError):  # an older or damaged entry: read again
            pass
    return HistoryRead(start_history(root, window_days=window_days), cache, key)


def _history_key(root: Path, window_days: int) -> str | None:
    """HEAD's sha, the window and a digest of the shallow file; None when git cannot say."""
    head = head_state(root)
    return None if head is None else f"{head}|{window_days}"


def head_state(root: Path) -> str | None:
    """What the history of `root` is a function of: HEAD's sha and a digest of the shallow
    file (deepening a shallow clone changes the history, not HEAD); None when git cannot say."""
    # Two calls, at the same time: rev-parse prints --git-path answers before revisions,
    # whatever the order, so one call could not tell a missing HEAD from the path.
    outputs = git_outputs(root, ("rev-parse", "--verify", "-q", "HEAD"), ("rev-parse", "--git-path", "shallow"))
    head_out, path_out = (out.decode("utf-8", "surrogateescape").split() if out else [] for out in outputs)
    if not head_out or not path_out:
        return None
    head, shallow_path = head_out[0], Path(path_out[0])
    if not shallow_path.is_absolute():
        shallow_path = root / shallow_path
    try:
        shallow = hashlib.sha256(read_git_file(shallow_path, _MAX_SHALLOW_BYTES)).hexdigest()[:16]
    except OSError:
        shallow = "complete"
    return f"{head}|{shallow}"


def _to_dict(history: History) -> dict[str, Any]:
    return {
        "reason": history.reason,
        "head_sha": history.head_sha,
        "head_date": history.head_date.isoformat() if history.head_date else None,
        "detached": history.detached,
        "shallow": history.shallow,
        "window_days": history.window_days,
        "truncated": history.truncated,
        "commits": [
            [c.sha, c.date.isoformat(), c.subject, list(c.parents), list(c.files)]
            for c in history.commits
        ],
    }


def _from_dict(data: dict[str, Any]) -> History:
    commits = tuple(
        Commit(
            sha=sha,
            date=datetime.fromisoformat(date),
            subject=subject,
            parents=tuple(parents),
            files=tuple(files),
        )
        for sha, date, subject, parents, files in data["commits"]
    )
    return History(
        available=True,
        reason=data["reason"],
        head_sha=data["head_sha"],
        head_date=datetime.fromisoformat(data["head_date"]) if data["head_date"] else None,
        detached=data["detached"],
        shallow=data["shallow"],
        window_days=data["window_days"],
        commits=commits,
        truncated=data["truncated"],
    )
