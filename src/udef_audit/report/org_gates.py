"""The org report's phase-gates section, as plain view values (the template draws it).

Reads the summary's `phases` (how many repositories reached each phase, the checklist items
blocking the most repositories) and each repository's phase and next gate.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from udef_audit.report.org_charts import MISSING, whole

PHASE_NAMES = {-1: "not yet at phase 0", 0: "phase 0", 1: "phase 1", 2: "phase 2", 3: "phase 3", 4: "phase 4"}
BLOCKING_SHOWN = 10


@dataclass(frozen=True)
class PhaseCount:
    """One row of the distribution: a phase reached and how many repositories reached it."""

    phase: str
    repositories: str
    share: str


@dataclass(frozen=True)
class BlockingItem:
    """A checklist item and how many repositories it keeps at their gate."""

    phase: str
    item: str
    rules: str
    repositories: str


@dataclass(frozen=True)
class GatesView:
    """The section's content."""

    distribution: tuple[PhaseCount, ...]
    blocking: tuple[BlockingItem, ...]


def gates_view(phases: Mapping[str, Any]) -> GatesView | None:
    """The section, or None when the summary has no gates (results of an older udef-audit)."""
    rows = [row for row in phases.get("distribution") or [] if isinstance(row, Mapping)]
    total = sum(_int(row.get("repositories")) for row in rows)
    if not total:
        return None
    distribution = tuple(
        PhaseCount(PHASE_NAMES.get(_int(row.get("phase")), str(row.get("phase"))), whole(row.get("repositories")),
                   f"{_int(row.get('repositories')) / total:.0%}")
        for row in rows
    )  # fmt: skip
    blocking = tuple(_blocking(item) for item in _records(phases.get("blocking"))[:BLOCKING_SHOWN])
    return GatesView(distribution, blocking)


def phase_cell(repo: Mapping[str, Any]) -> str:
    """A repository's phase reached, for its table row."""
    phase = repo.get("phase_reached")
    return MISSING if not isinstance(phase, int) else PHASE_NAMES.get(phase, str(phase))


def next_gate_cell(repo: Mapping[str, Any]) -> str:
    """"Phase 1 Validation Checklist: 2 items" — the next gate and how many items block it."""
    gate = repo.get("next_gate")
    if not gate:
        return MISSING
    blocking = _records(repo.get("blocking"))
    return f"{gate}: {len(blocking)} item{'s' if len(blocking) != 1 else ''}"


def _blocking(item: Mapping[str, Any]) -> BlockingItem:
    rules = item.get("rules")
    names = ", ".join(str(r) for r in rules) if isinstance(rules, Sequence) and not isinstance(rules, str) else ""
    phase, text = str(item.get("phase", MISSING)), str(item.get("item", ""))
    return BlockingItem(phase, text, names, whole(item.get("repositories")))


def _records(value: object) -> list[Mapping[str, Any]]:
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0
