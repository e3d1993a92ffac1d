"""Running the chosen rules: each from the rule cache or by calling it, a rule that raises
turned into a notification, its results checked against what its YAML declares; and the
rules that read every Python file run last, beside the scan they wait for (ADR 0016).

The engine (engine.py) decides which rules run and with which settings; this module only
runs them, in a given order, and hands back their findings in that order.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from udef_audit.config import RuleSettings
from udef_audit.context import RepoContext
from udef_audit.findings import Finding, Notification
from udef_audit.hookspecs import Rule
from udef_audit.policy import Policy, RuleMeta
from udef_audit.rule_cache import RuleCache


def run_rules(
    ctx: RepoContext,
    chosen: list[str],
    *,
    rules: dict[str, Rule],
    settings: dict[str, RuleSettings],
    policy: Policy,
    notes: list[Notification],
    cache: RuleCache | None = None,
    last: frozenset[str] = frozenset(),
) -> list[Finding]:
    """The rules' findings and notes, in the order of `chosen`; the rules in `last` run
    after the others (see `run_beside_python_scan`)."""
    produced: dict[str, list[Finding]] = {}
    said: dict[str, list[Notification]] = {rule_id: [] for rule_id in chosen}
    for rule_id in sorted(chosen, key=lambda rule_id: rule_id in last):
        meta, rule_notes = policy.rules[rule_id], said[rule_id]
        found = _produce(ctx, rules[rule_id], rule_id, params=settings[rule_id].params, notes=rule_notes, cache=cache)
        produced[rule_id] = [f for f in found if _valid(f, meta, rule_notes)]
    notes.extend(note for rule_id in chosen for note in said[rule_id])
    return [finding for rule_id in chosen for finding in produced[rule_id]]


def run_beside_python_scan(
    ctx: RepoContext,
    chosen: list[str],
    whole_repository: bool,
    *,
    rules: dict[str, Rule],
    settings: dict[str, RuleSettings],
    policy: Policy,
    notes: list[Notification],
    cache: RuleCache,
) -> list[Finding]:
    """`run_rules`, the rules that read every Python file last: on the whole repository
    the scan they wait for starts first, in worker processes, and runs while the other
    rules do (ADR 0016). A scan no rule collected is stopped."""
    readers = frozenset(rule_id for rule_id in chosen if _reads_python(rule_id, rules, settings, cache, policy))
    if whole_repository and readers:
        ctx.prefetch_python_facts()
    try:
        return run_rules(
            ctx, chosen, rules=rules, settings=settings, policy=policy, notes=notes, cache=cache, last=readers
        )
    finally:
        ctx.cancel_prefetch()


def _reads_python(rule_id: str, rules: dict[str, Rule], settings: dict[str, RuleSettings], cache: RuleCache,
                  policy: Policy) -> bool:
    """Whether a rule's YAML says it reads every Python file (`reads-every-python-file`),
    and it will run: a rule the cache answers reads nothing."""
    if not policy.rules[rule_id].reads_every_python_file:
        return False
    return not cache.will_replay(rules[rule_id], rule_id, settings[rule_id].params)


def _produce(
    ctx: RepoContext,
    rule: Rule,
    rule_id: str,
    *,
    params: Mapping[str, Any],
    notes: list[Notification],
    cache: RuleCache | None,
) -> list[Finding]:
    """One rule's results: from the rule cache when nothing it read changed, else by
    running it (a rule that raises yields nothing and a notification)."""
    remembered = cache.lookup(rule, rule_id, params) if cache is not None else None
    if remembered is not None:
        produced, unparseable = remembered
        ctx.replay_diagnostics(unparseable)
        return produced
    reported = len(ctx.diagnostics)
    try:
        produced = list(rule.check(ctx, params))
    except Exception as exc:
        import traceback  # noqa: PLC0415 - only a failing rule pays for it

        notes.append(
            Notification(
                message=f"rule {rule_id} failed: {type(exc).__name__}: {exc}",
                rule_id=rule_id,
                exception="".join(traceback.format_exception(exc)[-3:]),
            )
        )
        return []
    if cache is not None:
        cache.record(rule, rule_id, params, produced, ctx.diagnostics[reported:])
    return produced


def _valid(finding: Finding, meta: RuleMeta, notes: list[Notification]) -> bool:
    """A result must name its own rule, a file and a line, and a kind the rule declares."""
    problem = None
    if finding.rule_id != meta.id or finding.line < 1 or not finding.path:
        problem = "an invalid result"
    elif finding.kind and finding.kind not in meta.kinds:
        problem = f"a result of undeclared kind {finding.kind!r} (declare it under `kinds:` in {meta.source})"
    if problem is not None:
        notes.append(Notification(message=f"rule {meta.id} produced {problem}: {finding!r}", rule_id=meta.id))
    return problem is None
