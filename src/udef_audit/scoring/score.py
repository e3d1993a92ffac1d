"""The score's plain result: what every report and the batch read (no live context)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from udef_audit.scoring.evidence import Evidence

RESET, REPAIR = "reset", "repair"


@dataclass(frozen=True)
class Criterion:
    """One criterion or repair signal, as measured on this repository."""

    id: str
    title: str
    quote: str
    value: str
    measure: float | None
    threshold: float | None
    met: bool | None  # None: unknown (see reason)
    weight: float
    points: float
    evidence: tuple[Evidence, ...] = ()
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The SARIF/JSON form of one criterion."""
        data = asdict(self)
        data["evidence"] = [e.to_dict() for e in self.evidence]
        return data


@dataclass(frozen=True)
class ScoreResult:
    """The score (0-100, higher: a stronger case for a reset), the verdict and its parts."""

    score: int
    verdict: str
    threshold: float
    criteria: tuple[Criterion, ...]
    repair_signals: tuple[Criterion, ...]
    history: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The SARIF/JSON form: `runs[0].properties["udef/resetVsRepair"]`."""
        return {
            "score": self.score,
            "verdict": self.verdict,
            "threshold": self.threshold,
            "history": self.history,
            "criteria": [c.to_dict() for c in self.criteria],
            "repairSignals": [c.to_dict() for c in self.repair_signals],
        }
