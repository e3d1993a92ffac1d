"""The org report's "do this first" list: what to do first, across the organisation.

An action is one rule: **fix** it where it fails, or **check** it where it did not run (an
item of a gate is "not checked" when a rule deciding it is not installed or not selected).
Everything is worked out from what the summary holds for each repository with a result:
its rules' unsuppressed findings (`counts`, every rule that ran, 0 included) and the items
blocking its next phase gate (`blocking`: each item's status and deciding rules).

- A failed item clears once every deciding rule that fails in the repository is fixed; one
  that failed with none of them failing cannot be cleared by a fix.
- A "not checked" item clears once every deciding rule that did not run is checked, if
  those checks then pass: the report cannot know, and says "if it passes".
- A repository moves to its next phase once every item blocking that gate clears.

The list is greedy: each step takes the action that moves the most repositories not yet
moved by the steps above, then the one clearing the most blocking items not yet cleared,
then the one concerning the most repositories, the most findings, fixes before checks, and
the rule id. A repository that needs two actions is credited to the second, "after the
steps above".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from udef_audit.report.org_charts import count, number

ACTIONS_SHOWN = 10
WITH_RESULT = ("ok", "skipped")
FIX, CHECK = "fix", "check"
FAIL, NOT_CHECKED = "fail", "not checked"


@dataclass(frozen=True)
class Step:
    """An action: fix or check one rule."""

    kind: str  # FIX or CHECK
    rule_id: str


@dataclass(frozen=True)
class Item:
    """An item blocking a repository's next gate, and the steps that would clear it."""

    needs: frozenset[Step]  # empty: nothing the list can do clears it

    def clears_with(self, done: frozenset[Step]) -> bool:
        return bool(self.needs) and self.needs <= done


@dataclass(frozen=True)
class Repository:
    """What the ranking needs of one repository with a result."""

    name: str
    failing: dict[str, int]  # rule id -> unsuppressed findings, rules with findings only
    items: tuple[Item, ...]  # the items blocking its next gate
    next_phase: int | None  # None: no next gate the list can move it to

    def moves_with(self, done: frozenset[Step]) -> bool:
        return self.next_phase is not None and all(item.clears_with(done) for item in self.items)


@dataclass(frozen=True)
class Action:
    """One step of the list and what it does."""

    rank: int
    step: Step
    concerned: tuple[str, ...]  # the repositories it fails in (fix) or did not run in (check)
    findings: int
    cleared: int  # blocking items it clears that no step above cleared
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


# --- reading the summary ---------------------------------------------------------------


def repositories_of(summary_rows: Iterable[Mapping[str, Any]]) -> list[Repository]:
    """The repositories with a result, as the ranking reads them."""
    found = []
    for row in summary_rows:
        if str(row.get("status")) not in WITH_RESULT or number(row.get("score")) is None:
            continue
        ran = _ran(row.get("counts"))
        failing = {rule: n for rule, n in ran.items() if n}
        items, phase = _blocking(row, ran)
        found.append(Repository(str(row.get("name") or row.get("key") or ""), failing, items, phase))
    return found


def _ran(counts: object) -> dict[str, int]:
    """Every rule that ran, with its unsuppressed findings (0 for a rule that passed)."""
    return {str(k): count(v) for k, v in counts.items()} if isinstance(counts, Mapping) else {}


def _blocking(row: Mapping[str, Any], ran: Mapping[str, int]) -> tuple[tuple[Item, ...], int | None]:
    """The items blocking the next gate and that gate's phase (None: nothing to move to)."""
    blocking = [item for item in _list(row.get("blocking")) if isinstance(item, Mapping)]
    phases = {_phase(item.get("phase")) for item in blocking}
    if not row.get("next_gate") or not blocking or len(phases) != 1 or None in phases:
        return (), None  # the last gate passed, or a gate blocked by nothing named, or malformed
    return tuple(_item(item, ran) for item in blocking), phases.pop()


def _item(item: Mapping[str, Any], ran: Mapping[str, int]) -> Item:
    rules = [str(rule) for rule in _list(item.get("rules"))]
    status = str(item.get("status"))
    if status == FAIL:
        return Item(frozenset(Step(FIX, rule) for rule in rules if ran.get(rule)))
    if status == NOT_CHECKED:  # the deciding rules that did not run are the ones to check
        return Item(frozenset(Step(CHECK, rule) for rule in rules if rule not in ran))
    return Item(frozenset())


def _list(value: object) -> Sequence[Any]:
    return value if isinstance(value, list) else ()


def _phase(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


# --- ranking -------------------------------------------------------------------------------


class _Plan:
    """The steps taken so far and what they did, for the greedy choice of the next one."""

    def __init__(self, repositories: Sequence[Repository]) -> None:
        self.repositories = repositories
        self.done: frozenset[Step] = frozenset()
        self.moved: set[int] = set()
        self.cleared: set[tuple[int, int]] = set()

    def moved_by(self, step: Step, done: frozenset[Step] | None = None, before: set[int] | None = None) -> list[int]:
        with_step = (self.done if done is None else done) | {step}
        already = self.moved if before is None else before
        return [i for i, repo in enumerate(self.repositories) if i not in already and repo.moves_with(with_step)]

    def cleared_by(self, step: Step) -> list[tuple[int, int]]:
        with_step = self.done | {step}
        return [
            (i, j)
            for i, repo in enumerate(self.repositories)
            for j, item in enumerate(repo.items)
            if (i, j) not in self.cleared and step in item.needs and item.clears_with(with_step)
        ]

    def concerned(self, step: Step) -> list[Repository]:
        if step.kind == FIX:
            return [repo for repo in self.repositories if step.rule_id in repo.failing]
        return [repo for repo in self.repositories if any(step in item.needs for item in repo.items)]

    def merit(self, step: Step) -> tuple[int, int, int, int, bool, str]:
        """The ranking key, lowest first (see the module docstring)."""
        concerned = self.concerned(step)
        findings = sum(repo.failing.get(step.rule_id, 0) for repo in concerned) if step.kind == FIX else 0
        return (-len(self.moved_by(step)), -len(self.cleared_by(step)), -len(concerned), -findings,
                step.kind == CHECK, step.rule_id)  # fmt: skip

    def take(self, step: Step, rank: int) -> Action:
        moved, cleared = self.moved_by(step), self.cleared_by(step)
        alone = self.moved_by(step, frozenset(), set())
        concerned = self.concerned(step)
        action = Action(
            rank=rank,
            step=step,
            concerned=tuple(repo.name for repo in concerned),
            findings=sum(repo.failing.get(step.rule_id, 0) for repo in concerned) if step.kind == FIX else 0,
            cleared=len(cleared),
            moved=tuple((self.repositories[i].name, self.repositories[i].next_phase or 0) for i in moved),
            needs_earlier=not set(moved) <= set(alone),
        )
        self.done |= {step}
        self.moved |= set(moved)
        self.cleared |= set(cleared)
        return action


def candidate_steps(repositories: Sequence[Repository]) -> list[Step]:
    """Every rule that fails somewhere, and every rule whose absence leaves an item unchecked."""
    fixes = {Step(FIX, rule) for repo in repositories for rule in repo.failing}
    checks = {step for repo in repositories for item in repo.items for step in item.needs if step.kind == CHECK}
    return sorted(fixes | checks, key=lambda step: (step.rule_id, step.kind))


def rank_actions(repositories: Sequence[Repository], limit: int = ACTIONS_SHOWN) -> list[Action]:
    """The greedy list of actions (see the module docstring), at most `limit` long."""
    plan = _Plan(repositories)
    remaining = candidate_steps(repositories)
    actions: list[Action] = []
    while remaining and len(actions) < limit:
        step = min(remaining, key=plan.merit)
        remaining.remove(step)
        actions.append(plan.take(step, len(actions) + 1))
    return actions


# --- the view the template draws ---------------------------------------------------------


@dataclass(frozen=True)
class ActionRow:
    """One line of the "do this first" table."""

    rank: int
    verb: str  # "Fix" or "Check"
    rule_id: str
    title: str
    docs: str | None  # the rule's page (a fixed https URL from the policy), None if unknown
    sentence: str  # "UDEF001 fails in 4 of 6 repositories; fixing it moves 3 of them to phase 0."
    concerned: int
    cleared: int
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
    rule = action.step.rule_id
    return ActionRow(
        rank=action.rank,
        verb="Fix" if action.step.kind == FIX else "Check",
        rule_id=rule,
        title=titles.get(rule, ""),
        docs=docs.get(rule),
        sentence=sentence(action, total),
        concerned=len(action.concerned),
        cleared=action.cleared,
        moved=len(action.moved),
        moved_names=", ".join(name for name, _ in action.moved),
        findings=action.findings,
    )


def sentence(action: Action, total: int) -> str:
    """What the step is about and what doing it achieves, in one sentence."""
    rule, n = action.step.rule_id, len(action.concerned)
    of = f"{n} of {total} {'repository' if total == 1 else 'repositories'}"
    if action.step.kind == FIX:
        text, doing = f"{rule} fails in {of}", "fixing it"
    else:
        text, doing = (
            f"{rule} is not checked in {of} (not installed or not selected)",
            "checking it (if it then passes)",
        )
    if action.needs_earlier:
        doing += ", after the steps above,"
    effects = [action.moves_text()] if action.moved else []
    if action.cleared:
        effects.append(f"clears {action.cleared} item{'s' if action.cleared != 1 else ''} blocking a gate")
    return text + (f"; {doing} {' and '.join(effects)}" if effects else "") + "."
