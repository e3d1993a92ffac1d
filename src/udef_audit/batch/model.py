"""The data that crosses process and machine boundaries in a batch audit.

Everything here is plain data (dataclasses of str/int/float/bool/dict/list) so it pickles
for local processes and Dask workers alike and serialises to JSON for the store.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

# What each status means, in words every output uses (terminal, CSV, JSON, HTML):
#   audited              the repository was audited in this run and has a result
#   skipped (unchanged)  its HEAD, org policy and tool version are those of its last result,
#                        which this run carries instead of auditing it again
#   failed               no result: refused, missing, empty, clone failure, crash
#   timed out            no result within --timeout
# Every repository of a run has exactly one of them.
STATUS_WORDS = {"ok": "audited", "skipped": "skipped (unchanged)", "failed": "failed", "timeout": "timed out"}


@dataclass(frozen=True)
class RepoTask:
    """One repository to audit.

    `key` identifies the repository across runs (its normalised URL or absolute path,
    credentials stripped); `source` is what to clone or open; `checkout` is the local
    directory the worker audits (the clone cache entry, or the local path itself).
    """

    key: str
    source: str
    checkout: str
    policy_file: str | None = None
    timeout_seconds: float = 300.0
    sarif_dir: str | None = None


@dataclass(frozen=True)
class RepoOutcome:
    """What one task produced: a result, or the reason there is none."""

    key: str
    status: str  # "ok" | "failed" | "timeout" | "skipped" (unchanged since the last result)
    reason: str | None = None
    head: str | None = None
    policy_hash: str | None = None
    tool_version: str | None = None
    score: int | None = None
    verdict: str | None = None
    exit_code: int | None = None
    counts: dict[str, int] = field(default_factory=dict)  # rule id -> unsuppressed findings
    findings: list[dict[str, Any]] = field(default_factory=list)  # the JSON report's findings
    criteria: list[dict[str, Any]] = field(default_factory=list)  # udef/resetVsRepair criteria
    rules_run: list[str] = field(default_factory=list)
    seconds: float = 0.0
    sarif_file: str | None = None
    # The phase gates, compact: {"reached", "profile", "next": {"phase", "checklist", "gate"} | None,
    # "blocking": [{"phase", "item", "status", "rules"}]} (the next gate's fail / not checked items).
    gates: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RepoOutcome:
        """Inverse of to_dict."""
        return cls(**data)


@dataclass(frozen=True)
class Tally:
    """How many repositories of a run ended in each status (STATUS_WORDS); they add up."""

    repositories: int
    audited: int
    skipped: int
    failed: int
    timed_out: int

    @classmethod
    def of(cls, statuses: Iterable[object]) -> Tally:
        """The tally of a run's statuses; an unknown status has no result, so it counts as failed."""
        seen = [str(status) for status in statuses]
        audited, skipped, timed_out = seen.count("ok"), seen.count("skipped"), seen.count("timeout")
        return cls(len(seen), audited, skipped, len(seen) - audited - skipped - timed_out, timed_out)

    @property
    def with_result(self) -> int:
        """Repositories the summary has a result for: audited now, or unchanged and carried."""
        return self.audited + self.skipped

    @property
    def without_result(self) -> int:
        """Repositories that could not be audited: failed or timed out."""
        return self.failed + self.timed_out

    @classmethod
    def of_summary(cls, summary: Mapping[str, Any]) -> Tally:
        """The tally of an org summary: counted from its repositories' statuses, so that a
        summary written by hand or by an older udef-audit agrees with its own rows."""
        repositories = summary.get("repositories")
        rows = repositories if isinstance(repositories, list) else []
        return cls.of(row.get("status") for row in rows if isinstance(row, Mapping))

    def to_dict(self) -> dict[str, int]:
        """The summary's `totals`."""
        return asdict(self)

    def line(self) -> str:
        """`6 repositories: 3 audited, 1 skipped (unchanged), 1 failed, 1 timed out`."""
        parts = zip(STATUS_WORDS.values(), (self.audited, self.skipped, self.failed, self.timed_out), strict=True)
        noun = "repository" if self.repositories == 1 else "repositories"
        return f"{self.repositories} {noun}: " + ", ".join(f"{count} {word}" for word, count in parts)


# The org summary the terminal table, CSV/JSON exports and the HTML report read
# (store.org_summary(run_id) builds it):
#
# {
#   "run": {"id": int, "started": iso8601, "finished": iso8601 | None, "tool_version": str,
#           "policy_hash": str, "repositories": int},
#   "totals": {"repositories": int, "audited": int, "skipped": int, "failed": int,
#              "timed_out": int},   # Tally: the statuses counted, the words of STATUS_WORDS
#   "repositories": [  # sorted by score, highest first; failures last
#     {"key": str, "name": str,   # the name is unique within the run (batch/names.py)
#      "status": str, "reason": str | None, "head": str | None,
#      "score": int | None, "verdict": str | None, "counts": {rule: int},
#      "criteria_met": [criterion id], "evidence": [str], "sarif_file": str | None,
#      "phase_reached": int | None, "next_gate": str | None,
#      "blocking": [{"phase": int, "item": str, "status": str, "rules": [id]}]}
#   ],
#   "phases": {"distribution": [{"phase": -1..4, "repositories": int}],   # phase reached
#              "blocking": [{"phase": int, "item": str, "rules": [id], "repositories": int}]},
#   "rules": [{"id": str, "slug": str, "title": str, "passing": int, "failing": int,
#              "pass_rate": float}],   # over repositories with status ok
#   "scores": {"histogram": [[lower, upper, count], ...], "reset": int, "repair": int},
#   "trend": [{"run_id": int, "date": iso8601, "mean_score": float, "reset": int,
#              "repositories": int, "pass_rate": float}],   # oldest first, this run last
#   "changes": {"previous_run_id": int | None,
#               "new_resets": [key], "recovered": [key],     # verdict changes since then
#               "score_deltas": [{"key": str, "before": int, "after": int}]}
# }
