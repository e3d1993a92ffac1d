"""The result of one audit: plain, typed, frozen data and nothing live.

This is what every reporter, the exit code, the gates and a batch read. It holds no
repository context, no config object and no open file: a result can be pickled to another
process, written as JSON, or kept in memory across a thousand repositories.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from udef_audit.config import RuleSettings
from udef_audit.findings import Finding, Level, Notification
from udef_audit.policy import Policy
from udef_audit.profiles import Profile

if TYPE_CHECKING:  # only annotations here: a pre-commit run imports none of these
    from udef_audit.fix.model import FindingFix
    from udef_audit.gates import GatesResult
    from udef_audit.scoring.score import ScoreResult


@dataclass(frozen=True)
class AuditSettings:
    """The settings that shaped the audit, as reports show them."""

    fail_on: str = "error"
    phase: int | None = None  # the phase the team declared (None: every rule keeps its level)
    source: str = "defaults"  # where the config came from


@dataclass(frozen=True)
class AuditStats:
    """How much was looked at and how long it took."""

    files: int = 0
    python_files: int = 0
    git: bool = False
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (`stats`)."""
        return {"files": self.files, "python_files": self.python_files, "git": self.git, "seconds": self.seconds}


@dataclass(frozen=True)
class FixedEntry:
    """A baseline entry no longer found: fixed."""

    fingerprint: str
    rule_id: str
    path: str


@dataclass(frozen=True)
class BaselineReport:
    """What the baseline did in this run."""

    file: str
    written: int | None = None  # --write-baseline: how many findings were recorded
    matched: int | None = None  # --baseline: known findings not counted
    pruned: int = 0
    fixed: tuple[FixedEntry, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The SARIF/JSON form: `properties["udef/baseline"]`."""
        data: dict[str, Any] = {"file": self.file}
        if self.written is not None:
            data["written"] = self.written
        if self.matched is not None:
            data |= {
                "matched": self.matched,
                "pruned": self.pruned,
                "fixed": [{"fingerprint": e.fingerprint, "ruleId": e.rule_id, "path": e.path} for e in self.fixed],
            }
        return data


@dataclass(frozen=True)
class AuditResult:
    """Everything one audit found, sorted and fingerprinted, with the policy that explains it."""

    root: Path
    policy: Policy
    settings: AuditSettings
    rules_run: tuple[str, ...]
    rule_settings: dict[str, RuleSettings]
    findings: tuple[Finding, ...]
    notifications: tuple[Notification, ...]
    profile: Profile
    stats: AuditStats = field(default_factory=AuditStats)
    not_applicable: tuple[str, ...] = ()  # rules that do not apply to this repository's profile
    score: ScoreResult | None = None
    gates: GatesResult | None = None
    baseline: BaselineReport | None = None
    fixes: Mapping[str, FindingFix] = field(default_factory=dict)  # by fingerprint (request.fixes)
    # Whether the same command on the same tree would give the same report: every rule that
    # ran is a cacheable one and none failed (replay.py keeps such a report).
    replayable: bool = False

    def fixable(self, safety: str | None = None) -> int:
        """How many unsuppressed results `udef-audit fix` repairs with fixes of this safety
        (default: the safe ones)."""
        if safety is None:
            from udef_audit.fix.model import SAFE  # noqa: PLC0415 - the fixers' model, only when asked

            safety = SAFE
        return sum(1 for f in self.active if (fix := self.fixes.get(f.fingerprint)) and fix.safety == safety)

    @property
    def active(self) -> list[Finding]:
        """Findings not suppressed (inline, waived or baselined)."""
        return [f for f in self.findings if not f.suppressed]

    @property
    def tool_failed(self) -> bool:
        """Whether a rule or plugin failed: the report is incomplete (exit 3)."""
        return any(n.level is Level.ERROR for n in self.notifications)

    def fails(self, fail_on: str | None = None) -> bool:
        """Whether any unsuppressed finding is at or above the fail level."""
        threshold_name = fail_on or self.settings.fail_on
        if threshold_name == "never":
            return False
        threshold = Level(threshold_name).rank
        return any((f.level or Level.NOTE).rank >= threshold for f in self.active if not f.ahead_of_phase)

    def counts(self) -> dict[str, int]:
        """Unsuppressed findings by level, and the suppressed ones."""
        levels = Counter((f.level or Level.NOTE).value for f in self.active)
        return {
            "error": levels.get("error", 0),
            "warning": levels.get("warning", 0),
            "note": levels.get("note", 0),
            "suppressed": sum(1 for f in self.findings if f.suppressed),
            "total": len(self.findings),
        }

    def properties(self) -> dict[str, Any]:
        """The run-level properties every machine format carries (SARIF `runs[0].properties`)."""
        props: dict[str, Any] = {"udef/profile": self.profile.to_dict()}
        if self.settings.phase is not None:
            props["udef/phase"] = self.settings.phase
        if self.score is not None:
            props["udef/resetVsRepair"] = self.score.to_dict()
        if self.gates is not None:
            props["udef/gates"] = self.gates.to_dict()
        if self.baseline is not None:
            props["udef/baseline"] = self.baseline.to_dict()
        return props
