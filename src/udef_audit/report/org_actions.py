"""The org report's "do this first" list: which rule to fix first, across the organisation.

Each action is one rule to fix. They are ranked by the gates they unblock, then by the
repositories they affect, worked out from what the summary holds for every repository with
a result: its failing rules (`counts`, unsuppressed findings) and the items blocking its
next phase gate (`blocking`: each item's status and the rules that decide it).

A repository moves to its next phase when every item blocking that gate clears. An item
clears when it failed (a "not checked" item needs a tool installed, not a fix) and every
rule deciding it that fails in the repository has been fixed. An item that failed with
none of its rules failing, or a gate blocked by nothing the summary names, cannot be
cleared by fixing rules, and the repository is never counted as moved.

The list is greedy: each step takes the rule that moves the most repositories not already
moved by the steps above it (then the one failing in the most repositories, then the most
findings, then the rule id), so a repository blocked by two rules is credited to the
second of them, "after the steps above".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from udef_audit.report.org_charts import count, number

ACTIONS_SHOWN = 10
WITH_RESULT = ("ok", "skipped")
FAIL = "fail"


@dataclass(frozen=True)
class Gate:
    """One repository's next gate, as far as rules can clear it."""

    phase: int
    items: tuple[frozenset[str], ...]  # per blocking item, its rules that fail here
    clearable: bool  # False: an item no fix of a rule can clear (not checked, no failing rule)

    def passes_with(self, fixed: frozenset[str]) -> bool:
        """Whether fixing `fixed` clears every blocking item."""
        return self.clearable and all(item <= fixed for item in self.items)


@dataclass(frozen=True)
class Repository:
    """What the ranking needs of one repository with a result."""

    name: str
    failing: dict[str, int]  # rule id -> unsuppressed findings, rules with findings only
    gate: Gate | None  # None: no next gate (the last phase passed, or no gates recorded)


@dataclass(frozen=True)
class Action:
    """One step of the list: fix `rule_id`."""

    rank: int
    rule_id: str
    affected: tuple[str, ...]  # names of the repositories it fails in
    findings: int
    moved: tuple[tuple[str, int], ...]  # (name, phase it moves to), moved by this step
    needs_earlier: bool  # some of `moved` move only with the steps above done too

    def moves_text(self) -> str:
        """ "moves 3 of them to phase 0" / "moves 2 of them to phase 0 and 1 to phase 2" / ""."""
        if not self.moved:
            return ""
        phases: dict[int, int] = {}
        for _, phase in self.moved:
            phases[phase] = phases.get(phase, 0) + 1
        parts = [f"{n} to phase {phase}" for phase, n in sorted(phases.items())]
        parts[0] = parts[0].replace(" to", " of them to", 1)
        return "moves " + " and ".join(parts)


def repositories_of(summary_rows: Iterable[Mapping[str, Any]]) -> list[Repository]:
    """The repositories with a result, as the ranking reads them."""
    found = []
    for row in summary_rows:
        if str(row.get("status")) not in WITH_RESULT or number(row.get("score")) is None:
            continue
        counts = row.get("counts")
        failing = {str(k): count(v) for k, v in counts.items() if count(v)} if isinstance(counts, Mapping) else {}
        found.append(Repository(str(row.get("name") or row.get("key") or ""), failing, _gate(row, failing)))
    return found


def _gate(row: Mapping[str, Any], failing: Mapping[str, int]) -> Gate | None:
    if not row.get("next_gate"):
        return None
    blocking = [item for item in _list(row.get("blocking")) if isinstance(item, Mapping)]
    phases = {p for item in blocking if (p := _phase(item.get("phase"))) is not None}
    if len(phases) != 1:  # nothing named, or a malformed mix: not something a rule fix clears
        return Gate(-1, (), clearable=False)
    items = tuple(frozenset(str(r) for r in _list(item.get("rules")) if str(r) in failing) for item in blocking)
    clearable = all(str(item.get("status")) == FAIL for item in blocking) and all(items)
    return Gate(phases.pop(), items, clearable)


def _list(value: object) -> Sequence[Any]:
    return value if isinstance(value, list) else ()


def _phase(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def rank_actions(repositories: Sequence[Repository], limit: int = ACTIONS_SHOWN) -> list[Action]:
    """The greedy list of rules to fix (see the module docstring), at most `limit` long."""
    remaining = sorted({rule for repo in repositories for rule in repo.failing})
    fixed: frozenset[str] = frozenset()
    moved_already: set[int] = set()
    actions: list[Action] = []
    while remaining and len(actions) < limit:
        rule = min(remaining, key=lambda r: _merit(r, repositories, fixed, moved_already))
        remaining.remove(rule)
        moved = _moved_by(rule, repositories, fixed, moved_already)
        alone = _moved_by(rule, repositories, frozenset(), set())
        fixed |= {rule}
        moved_already |= set(moved)
        actions.append(_action(len(actions) + 1, rule, repositories, moved, needs_earlier=not set(moved) <= set(alone)))
    return actions


def _merit(
    rule: str, repositories: Sequence[Repository], fixed: frozenset[str], moved_already: set[int]
) -> tuple[int, int, int, str]:
    """The ranking key, lowest first: most moved, most affected, most findings, then the id."""
    affected = [repo for repo in repositories if rule in repo.failing]
    findings = sum(repo.failing[rule] for repo in affected)
    return (-len(_moved_by(rule, repositories, fixed, moved_already)), -len(affected), -findings, rule)


def _moved_by(
    rule: str, repositories: Sequence[Repository], fixed: frozenset[str], moved_already: set[int]
) -> list[int]:
    """Indexes of the repositories that fixing `rule` (with `fixed`) moves and nothing did before."""
    with_rule = fixed | {rule}
    return [
        index
        for index, repo in enumerate(repositories)
        if index not in moved_already and repo.gate is not None and repo.gate.passes_with(with_rule)
    ]


def _action(
    rank: int, rule: str, repositories: Sequence[Repository], moved: list[int], *, needs_earlier: bool
) -> Action:
    affected = [repo for repo in repositories if rule in repo.failing]
    gates = [(repositories[i].name, repositories[i].gate) for i in moved]
    return Action(
        rank=rank,
        rule_id=rule,
        affected=tuple(repo.name for repo in affected),
        findings=sum(repo.failing[rule] for repo in affected),
        moved=tuple((name, gate.phase) for name, gate in gates if gate is not None),
        needs_earlier=needs_earlier,
    )


# --- the view the template draws ---------------------------------------------------------


@dataclass(frozen=True)
class ActionRow:
    """One line of the "do this first" table."""

    rank: int
    rule_id: str
    title: str
    docs: str | None  # the rule's page (a fixed https URL from the policy), None if unknown
    sentence: str  # "UDEF001 fails in 4 of 6 repositories; fixing it moves 3 of them to phase 0."
    affected: int
    moved: int
    moved_names: str  # "flask, requests" or "" (the repositories the step moves)
    findings: int


def action_rows(
    rows: Sequence[Mapping[str, Any]], titles: Mapping[str, str], docs: Mapping[str, str]
) -> tuple[ActionRow, ...]:
    """The ranked list, drawn: every repository row of the summary in, table lines out."""
    repositories = repositories_of(rows)
    total = len(repositories)
    return tuple(_row(action, total, titles, docs) for action in rank_actions(repositories))


def _row(action: Action, total: int, titles: Mapping[str, str], docs: Mapping[str, str]) -> ActionRow:
    noun = "repository" if total == 1 else "repositories"
    sentence = f"{action.rule_id} fails in {len(action.affected)} of {total} {noun}"
    if action.moved:
        after = ", after the steps above," if action.needs_earlier else ""
        sentence += f"; fixing it{after} {action.moves_text()}"
    return ActionRow(
        rank=action.rank,
        rule_id=action.rule_id,
        title=titles.get(action.rule_id, ""),
        docs=docs.get(action.rule_id),
        sentence=sentence + ".",
        affected=len(action.affected),
        moved=len(action.moved),
        moved_names=", ".join(name for name, _ in action.moved),
        findings=action.findings,
    )
