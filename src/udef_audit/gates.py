"""The methodology's phase gates, decided: each checklist item from the audit's results.

`rules/gates.yaml` holds the checklists of phases 0-4 word for word, each item mapped to the
rules that decide it or marked manual (`gate_checklists.py` reads it). Evaluation is a pure
function of that data, the findings, which rules ran, and the repository's profile:

- `pass`: every deciding rule that applies has no result for the item;
- `waived`: its only results are suppressed (inline, waiver or baseline): passes, and says so;
- `fail`: a deciding rule has an open result (they are listed); an item marked `manual`
  beside rules fails when a rule fails, else stays `manual`;
- `n/a`: no deciding rule applies (a service item for a library, a service rule skipped);
- `manual`: no rule decides it, a person confirms it at the Human Gate;
- `not checked`: a deciding rule is not installed or not selected: never a pass.

A gate passes when none of its items is `fail` or `not checked`; the phase reached is the
highest phase whose gate, and every gate before it, passes (-1 when phase 0 fails).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from udef_audit.findings import Finding
from udef_audit.gate_checklists import GateItem, PhaseGate, RuleRef
from udef_audit.profiles import Profile

PASS, WAIVED, FAIL, NA, MANUAL, NOT_CHECKED = "pass", "waived", "fail", "n/a", "manual", "not checked"


@dataclass(frozen=True)
class ResultRef:
    """A result an item lists: enough to find it in any report."""

    rule_id: str
    path: str
    line: int
    suppressed: bool = False

    def to_dict(self) -> dict[str, Any]:
        """`{"ruleId", "path", "line"}` (and `"suppressed": true` for a waived one)."""
        data: dict[str, Any] = {"ruleId": self.rule_id, "path": self.path, "line": self.line}
        return data | ({"suppressed": True} if self.suppressed else {})


@dataclass(frozen=True)
class ItemResult:
    """One item, decided."""

    item: str
    status: str
    rules: tuple[str, ...]
    results: tuple[ResultRef, ...] = ()
    manual: bool = False
    unchecked: tuple[str, ...] = ()  # deciding rules not installed or not selected

    def to_dict(self) -> dict[str, Any]:
        """The contract's item form (plus `notChecked` naming the rules that did not run)."""
        data: dict[str, Any] = {
            "item": self.item,
            "status": self.status,
            "rules": list(self.rules),
            "results": [r.to_dict() for r in self.results],
        }
        return data | ({"notChecked": list(self.unchecked)} if self.unchecked else {})


@dataclass(frozen=True)
class PhaseResult:
    """A phase's checklist, decided, and whether its gate passes."""

    phase: int
    checklist: str
    gate: str
    passed: bool
    items: tuple[ItemResult, ...]

    def to_dict(self) -> dict[str, Any]:
        """The contract's phase form (plus the checklist and gate names)."""
        return {
            "phase": self.phase,
            "checklist": self.checklist,
            "gate": self.gate,
            "passed": self.passed,
            "items": [i.to_dict() for i in self.items],
        }


@dataclass(frozen=True)
class GatesResult:
    """Every gate, decided, and the phase reached."""

    reached: int
    profile: str
    phases: tuple[PhaseResult, ...]

    @property
    def next_phase(self) -> PhaseResult | None:
        """The first gate that does not pass (what to work on next), if any."""
        return next((p for p in self.phases if not p.passed), None)

    def to_dict(self) -> dict[str, Any]:
        """JSON `gates`, SARIF `runs[0].properties["udef/gates"]`, `udef-audit gates --format json`."""
        return {"reached": self.reached, "profile": self.profile, "phases": [p.to_dict() for p in self.phases]}


@dataclass(frozen=True)
class GateInputs:
    """What the gates read: the results, which rules ran, which did not apply, the profile,
    and the results of rules rerun with an item's own parameters (keyed by phase and item)."""

    findings: Sequence[Finding]
    checked: frozenset[str]
    not_applicable: frozenset[str]
    profile: Profile
    item_findings: Mapping[tuple[int, str], Sequence[Finding]] = field(default_factory=dict)


def evaluate(gates: Iterable[PhaseGate], inputs: GateInputs) -> GatesResult:
    """Decide every item of every gate."""
    phases = tuple(_evaluate_phase(gate, inputs) for gate in gates)
    reached = -1
    for phase in phases:
        if not phase.passed:
            break
        reached = phase.phase
    return GatesResult(reached, inputs.profile.kind, phases)


def _evaluate_phase(gate: PhaseGate, inputs: GateInputs) -> PhaseResult:
    items = tuple(_evaluate_item(gate.phase, item, inputs) for item in gate.items)
    passed = not any(i.status in (FAIL, NOT_CHECKED) for i in items)
    return PhaseResult(gate.phase, gate.checklist, gate.gate, passed, items)


def _evaluate_item(phase: int, item: GateItem, inputs: GateInputs) -> ItemResult:
    status = _precondition(item, inputs)
    if status is not None:
        return ItemResult(item.item, status, item.rule_ids, (), item.manual)
    applying = [r for r in item.rules if r.rule_id not in inputs.not_applicable]
    pool = inputs.item_findings.get((phase, item.item), inputs.findings)
    matched = _matching(pool, applying)
    unchecked = tuple(dict.fromkeys(r.rule_id for r in applying if r.rule_id not in inputs.checked))
    status, shown = _decide(item, matched, unchecked)
    return ItemResult(item.item, status, item.rule_ids, shown, item.manual, unchecked)


def _matching(pool: Sequence[Finding], applying: Sequence[RuleRef]) -> list[Finding]:
    """The findings some reference counts, in order. A set lookup first: most findings
    belong to none of an item's rules (sympy: 2,000 findings against 24 items)."""
    rule_ids = {r.rule_id for r in applying}
    return [f for f in pool if f.rule_id in rule_ids and any(r.matches(f) for r in applying)]


def _decide(item: GateItem, matched: list[Finding], unchecked: tuple[str, ...]) -> tuple[str, tuple[ResultRef, ...]]:
    """A failing rule says more than a missing one: fail first, then not checked."""
    open_results = tuple(_ref(f) for f in matched if not f.suppressed)
    if open_results:
        return FAIL, open_results
    if unchecked:
        return NOT_CHECKED, ()
    if item.manual:
        return MANUAL, ()
    return (WAIVED, tuple(_ref(f) for f in matched)) if matched else (PASS, ())


def _precondition(item: GateItem, inputs: GateInputs) -> str | None:
    """The status an item has before any result is read (n/a, manual), if any."""
    if item.profile == "service" and not inputs.profile.is_service:
        return NA
    if not item.rules:
        return MANUAL
    if all(r.rule_id in inputs.not_applicable for r in item.rules):
        return NA
    return None


def _ref(finding: Finding) -> ResultRef:
    return ResultRef(finding.rule_id, finding.path, finding.line, finding.suppressed)
