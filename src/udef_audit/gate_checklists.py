"""The methodology's phase gates as data: `rules/gates.yaml` read and checked, and the rules
custom policies add as deciders.

The file holds the checklists of phases 0-4 word for word, each item mapped to the rules that
decide it or marked manual. The policy loads it with every audit, a pre-commit run included,
so this module holds only what reading it needs; deciding the items from an audit's results
is `gates.py`'s.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from udef_audit.findings import CATEGORIES, Finding


class GatesError(ValueError):
    """The gates data is malformed (a packaging bug: it ships inside the wheel)."""


@dataclass(frozen=True)
class RuleRef:
    """A rule deciding an item, optionally only through results about some categories."""

    rule_id: str
    categories: tuple[str, ...] = ()

    def matches(self, finding: Finding) -> bool:
        """Whether a finding of any rule counts for this reference."""
        if finding.rule_id != self.rule_id:
            return False
        if not self.categories:
            return True
        named = finding.properties.get(CATEGORIES) or ()
        return any(category in named for category in self.categories)


@dataclass(frozen=True)
class GateItem:
    """One checklist item and what decides it."""

    item: str
    rules: tuple[RuleRef, ...] = ()
    manual: bool = False
    profile: str = "any"
    params: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @property
    def rule_ids(self) -> tuple[str, ...]:
        """The deciding rules' IDs, in the order the checklist names them."""
        return tuple(dict.fromkeys(ref.rule_id for ref in self.rules))


@dataclass(frozen=True)
class PhaseGate:
    """A phase's checklist and the Human Gate that closes it."""

    phase: int
    checklist: str
    gate: str
    items: tuple[GateItem, ...]


# -- loading --------------------------------------------------------------------------------
def parse_gates(data: Mapping[str, Any], where: str = "gates.yaml") -> tuple[PhaseGate, ...]:
    """Validate `rules/gates.yaml` and build the gates, phases in order."""
    phases = data.get("phases")
    if not isinstance(phases, list) or not phases:
        raise GatesError(f"{where}: 'phases' must be a non-empty list")
    gates = tuple(_phase(entry, where) for entry in phases)
    if [g.phase for g in gates] != list(range(len(gates))):
        raise GatesError(f"{where}: phases must be 0, 1, 2, ... in order")
    return gates


def _phase(entry: Any, where: str) -> PhaseGate:
    if not isinstance(entry, dict) or set(entry) != {"phase", "checklist", "gate", "items"}:
        raise GatesError(f"{where}: each phase needs exactly phase, checklist, gate and items")
    items = entry["items"]
    if not isinstance(items, list) or not items:
        raise GatesError(f"{where}: phase {entry['phase']} has no items")
    decided = tuple(_item(i, where) for i in items)
    return PhaseGate(int(entry["phase"]), str(entry["checklist"]), str(entry["gate"]), decided)


def _item(entry: Any, where: str) -> GateItem:
    _check_item_keys(entry, where)
    rules = tuple(_rule_ref(ref, entry["item"], where) for ref in entry.get("rules") or ())
    manual = bool(entry.get("manual", False))
    if not rules and not manual:
        raise GatesError(f"{where}: item {entry['item']!r} names no rule and is not manual")
    return GateItem(entry["item"], rules, manual, entry.get("profile", "any"), _item_params(entry, where))


def _check_item_keys(entry: Any, where: str) -> None:
    if not isinstance(entry, dict) or not isinstance(entry.get("item"), str):
        raise GatesError(f"{where}: an item needs its checklist text under 'item'")
    unknown = set(entry) - {"item", "rules", "manual", "profile", "with"}
    if unknown:
        raise GatesError(f"{where}: item {entry['item']!r} has unknown key(s) {', '.join(sorted(unknown))}")
    if entry.get("profile", "any") not in ("any", "service"):
        raise GatesError(f"{where}: item {entry['item']!r}: profile must be any or service")


def _item_params(entry: dict[str, Any], where: str) -> dict[str, dict[str, Any]]:
    params = entry.get("with") or {}
    if not isinstance(params, dict) or not all(isinstance(v, dict) for v in params.values()):
        raise GatesError(f"{where}: item {entry['item']!r}: 'with' maps rule IDs to parameters")
    return params


def _rule_ref(ref: Any, item: str, where: str) -> RuleRef:
    if isinstance(ref, str):
        return RuleRef(ref)
    if isinstance(ref, dict) and len(ref) == 1:
        ((rule_id, narrowing),) = ref.items()
        categories = narrowing.get("categories") if isinstance(narrowing, dict) else None
        if isinstance(categories, list) and all(isinstance(c, str) for c in categories):
            return RuleRef(str(rule_id), tuple(categories))
    raise GatesError(f"{where}: item {item!r}: a rule is an ID or {{ID: {{categories: [...]}}}}")


def find_item(gates: Iterable[PhaseGate], phase: int, item: str) -> GateItem | None:
    """The checklist item of a phase with exactly this text, if any."""
    for gate in gates:
        if gate.phase == phase:
            return next((candidate for candidate in gate.items if candidate.item == item), None)
    return None


def with_deciders(gates: Sequence[PhaseGate], additions: Iterable[tuple[int, str, str]]) -> tuple[PhaseGate, ...]:
    """The gates with more rules deciding some items: each addition is (phase, item text,
    rule ID), from a custom policy's `gate:`. A manual-only item decided by a rule becomes
    "manual beside rules": it fails when the rule fails, else stays for the Human Gate."""
    wanted: dict[tuple[int, str], list[str]] = {}
    for phase, item, rule_id in additions:
        if find_item(gates, phase, item) is None:
            raise GatesError(f"rule {rule_id}: phase {phase} has no checklist item {item!r}")
        wanted.setdefault((phase, item), []).append(rule_id)
    if not wanted:
        return tuple(gates)
    return tuple(
        replace(gate, items=tuple(_decided_also(gate.phase, item, wanted) for item in gate.items)) for gate in gates
    )


def _decided_also(phase: int, item: GateItem, wanted: Mapping[tuple[int, str], list[str]]) -> GateItem:
    extra = wanted.get((phase, item.item), [])
    if not extra:
        return item
    return replace(item, rules=(*item.rules, *(RuleRef(rule_id) for rule_id in extra)))
