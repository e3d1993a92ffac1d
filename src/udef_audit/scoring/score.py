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
class Arithmetic:
    """How the score came out of the criteria, for a person to check by hand:

    score = clamp(0, 100, round(100 * points / known weight - repair points))."""

    points: float  # Σ points of the criteria that are known
    known_weight: float  # Σ weights of the criteria that are known
    scaled: float  # 100 * points / known weight (0 when no criterion is known)
    repair_points: float  # Σ weights of the repair signals present
    unknown: tuple[str, ...] = ()  # criteria left out of both sums (no history)

    @property
    def unclamped(self) -> float:
        """The scaled points less the repair signals, before rounding and clamping."""
        return self.scaled - self.repair_points

    def formula(self, score: int, threshold: float, verdict: str) -> str:
        """One line: `100 * 45 / 100 = 45.0; 45.0 - 15 = 30.0 → 30; 30 < 50: repair`."""
        compared = ">=" if verdict == RESET else "<"
        return (
            f"100 * {_number(self.points)} / {_number(self.known_weight)} = {self.scaled:.1f}; "
            f"{self.scaled:.1f} - {_number(self.repair_points)} = {self.unclamped:.1f} → {score}; "
            f"{score} {compared} {_number(threshold)}: {verdict}"
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON/SARIF form (`udef/resetVsRepair.arithmetic`)."""
        return {
            "points": round(self.points, 2),
            "knownWeight": self.known_weight,
            "scaled": round(self.scaled, 2),
            "repairPoints": self.repair_points,
            "unclamped": round(self.unclamped, 2),
            "unknown": list(self.unknown),
        }


def _number(value: float) -> str:
    return f"{value:g}" if float(value).is_integer() else f"{value:.1f}"


@dataclass(frozen=True)
class ScoreResult:
    """The score (0-100, higher: a stronger case for a reset), the verdict and its parts."""

    score: int
    verdict: str
    threshold: float
    criteria: tuple[Criterion, ...]
    repair_signals: tuple[Criterion, ...]
    history: dict[str, Any] = field(default_factory=dict)
    arithmetic: Arithmetic | None = None

    def to_dict(self) -> dict[str, Any]:
        """The SARIF/JSON form: `runs[0].properties["udef/resetVsRepair"]`."""
        data: dict[str, Any] = {
            "score": self.score,
            "verdict": self.verdict,
            "threshold": self.threshold,
            "history": self.history,
            "criteria": [c.to_dict() for c in self.criteria],
            "repairSignals": [c.to_dict() for c in self.repair_signals],
        }
        if self.arithmetic is not None:
            data["arithmetic"] = {
                **self.arithmetic.to_dict(),
                "formula": self.arithmetic.formula(self.score, self.threshold, self.verdict),
            }
        return data
