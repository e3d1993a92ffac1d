"""The reset-vs-repair score: the methodology's "When to Reset vs Repair", measured.

Five reset criteria and four repair signals, each with its measured value, threshold,
whether it is met, and the evidence (files, commits). The weights and thresholds are policy
data (`rules/reset-vs-repair.yaml`), settable in `[tool.udef-audit.reset-vs-repair]`.
Criteria that need history say "unknown" without it and drop out of the score's
denominator, so the score is computed from the rest and says so. Time is measured from the
HEAD commit's date, never the wall clock. See docs/design/reset-vs-repair.md.

The score reads findings only through the policy: a rule's YAML says whether it is a
foundation rule and which of its kinds of result are placeholders or half-finished
migrations (`kinds: {name: {tags: [...]}}`). It never reads message text or names a rule.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from udef_audit.findings import Finding, Level
from udef_audit.parsers.gitlog import History
from udef_audit.policy import Policy
from udef_audit.scoring.evidence import Evidence, commit_evidence, file_evidence
from udef_audit.scoring.facts import ProjectFacts, ScoreFacts
from udef_audit.scoring.history import HistorySignals, history_signals
from udef_audit.scoring.score import REPAIR, RESET, Arithmetic, Criterion, ScoreResult
from udef_audit.wording import plural

PLACEHOLDER = "placeholder"
MIGRATION = "half-finished-migration"


@dataclass(frozen=True)
class _Inputs:
    """What every criterion reads: unsuppressed findings, the policy, facts, history signals."""

    findings: tuple[Finding, ...]
    policy: Policy
    facts: ScoreFacts
    history: History
    signals: HistorySignals
    model: Mapping[str, Any]

    def spec(self, group: str, name: str) -> Mapping[str, Any]:
        spec: Mapping[str, Any] = self.model[group][name]
        return spec

    def tagged(self, tag: str) -> list[Finding]:
        """Findings whose kind the policy tags with `tag`."""
        rules = self.policy.rules
        return [f for f in self.findings if f.rule_id in rules and tag in rules[f.rule_id].kind_tags(f.kind)]


def compute_score(
    findings: Sequence[Finding], policy: Policy, facts: ScoreFacts, history: History, model: Mapping[str, Any]
) -> ScoreResult:
    """Score one audited repository from its findings, facts and history."""
    counted = tuple(f for f in findings if not f.suppressed and f.level is not Level.NOTE)
    inputs = _Inputs(counted, policy, facts, history, history_signals(history), model)
    criteria = (
        _foundation_breadth(inputs),
        _emergency_fixes(inputs),
        _architecture_churn(inputs),
        _debt_vs_velocity(inputs),
        _lost_confidence(inputs),
    )
    signals = (_sound_foundation(inputs), _tests_and_ci(inputs), _isolated(inputs), _working_features(inputs))
    arithmetic = _combine(criteria, signals)
    score = max(0, min(100, round(arithmetic.unclamped)))
    threshold = float(model["verdict-threshold"])
    return ScoreResult(
        score=score,
        verdict=RESET if score >= threshold else REPAIR,
        threshold=threshold,
        criteria=criteria,
        repair_signals=signals,
        history=_history_summary(history),
        arithmetic=arithmetic,
    )


def _combine(criteria: Sequence[Criterion], signals: Sequence[Criterion]) -> Arithmetic:
    """Points of the known criteria over their weights, minus the repair signals present."""
    known = [c for c in criteria if c.met is not None]
    total = sum(c.weight for c in known)
    points = sum(c.points for c in known)
    return Arithmetic(
        points=points,
        known_weight=total,
        scaled=100 * points / total if total else 0.0,
        repair_points=sum(s.points for s in signals),
        unknown=tuple(c.id for c in criteria if c.met is None),
    )


def _graded(weight: float, measure: float, threshold: float) -> float:
    """Full weight at the threshold, proportionally less below it."""
    return weight * min(1.0, measure / threshold) if threshold > 0 else weight


def _criterion(inputs: _Inputs, name: str, **values: Any) -> Criterion:
    spec = inputs.spec("criteria", name)
    return Criterion(id=name, title=spec["title"], quote=spec["quote"], weight=float(spec["weight"]), **values)


def _signal(
    inputs: _Inputs, name: str, present: bool | None, value: str, evidence: tuple[Evidence, ...] = ()
) -> Criterion:
    spec = inputs.spec("repair-signals", name)
    weight = float(spec["weight"])
    return Criterion(
        id=name,
        title=spec["title"],
        quote=spec["quote"],
        value=value,
        measure=None,
        threshold=spec.get("threshold"),
        met=present,
        weight=weight,
        points=weight if present else 0.0,
        evidence=evidence,
    )


# -- 1. foundation breadth -------------------------------------------------------------
def _foundation_failures(inputs: _Inputs) -> dict[str, set[str]]:
    """Project path -> the foundation rules failing in it."""
    rules = inputs.policy.rules
    projects = inputs.facts.projects
    failing: dict[str, set[str]] = {}
    for finding in inputs.findings:
        if finding.rule_id in rules and rules[finding.rule_id].foundation:
            failing.setdefault(_owner(finding.path, projects), set()).add(finding.rule_id)
    return failing


def _owner(path: str, projects: Sequence[ProjectFacts]) -> str:
    best = ""
    for project in projects:
        if (
            project.path
            and (path == project.path or path.startswith(project.path + "/"))
            and len(project.path) > len(best)
        ):
            best = project.path
    return best


def _foundation_breadth(inputs: _Inputs) -> Criterion:
    spec = inputs.spec("criteria", "foundation-breadth")
    projects = inputs.facts.projects
    failing = _foundation_failures(inputs)
    total = sum(p.code_size for p in projects)
    affected = sum(p.code_size for p in projects if p.path in failing)
    share = affected / total if total else (1.0 if failing else 0.0)
    return _criterion(
        inputs,
        "foundation-breadth",
        value=f"{share:.0%} of Python files ({affected} of {total}) are in projects failing a foundation rule",
        measure=round(share, 3),
        threshold=spec["threshold"],
        met=share > spec["threshold"],
        points=_graded(float(spec["weight"]), share, float(spec["threshold"])),
        evidence=_foundation_evidence(projects, failing),
    )


def _foundation_evidence(projects: Sequence[ProjectFacts], failing: Mapping[str, set[str]]) -> tuple[Evidence, ...]:
    """One item per project failing a foundation rule: the rules and its Python file count."""
    return tuple(
        file_evidence(
            p.anchor or p.path or ".",
            f"{p.label}: {', '.join(sorted(failing[p.path]))} fail; {plural(p.code_size, 'Python file')}",
        )
        for p in projects
        if p.path in failing
    )


# -- 2. emergency fixes ------------------------------------------------------------------
def _emergency_fixes(inputs: _Inputs) -> Criterion:
    spec = inputs.spec("criteria", "emergency-fixes")
    week = inputs.signals.emergency_week
    if week is None:
        return _unknown(inputs, "emergency-fixes", spec)
    count = week.count
    return _criterion(
        inputs,
        "emergency-fixes",
        value=f"{plural(count, 'emergency fix', 'emergency fixes')} in the worst 7-day window"
        + (f" ({week.start:%Y-%m-%d} to {week.end:%Y-%m-%d})" if count else ""),
        measure=count,
        threshold=spec["threshold"],
        met=count >= spec["threshold"],
        points=_graded(float(spec["weight"]), count, float(spec["threshold"])),
        evidence=tuple(commit_evidence(c) for c in week.commits),
    )


def _unknown(inputs: _Inputs, name: str, spec: Mapping[str, Any]) -> Criterion:
    reason = inputs.signals.reason or "no git history"
    return _criterion(
        inputs,
        name,
        value=f"unknown: {reason}",
        measure=None,
        threshold=spec["threshold"],
        met=None,
        points=0.0,
        reason=reason,
    )


# -- 3. architecture churn ---------------------------------------------------------------
def _architecture_churn(inputs: _Inputs) -> Criterion:
    spec = inputs.spec("criteria", "architecture-churn")
    evidence = (*_migrations(inputs), *_setup_beside_pyproject(inputs))
    count = len(evidence)
    return _criterion(
        inputs,
        "architecture-churn",
        value=plural(count, "half-finished migration"),
        measure=count,
        threshold=spec["threshold"],
        met=count >= spec["threshold"],
        points=_graded(float(spec["weight"]), count, float(spec["threshold"])),
        evidence=evidence,
    )


def _migrations(inputs: _Inputs) -> list[Evidence]:
    """One half-finished migration per project and kind of result the policy tags so (a
    mixed layout, a second dependency system), at the first file of its results."""
    groups: dict[tuple[str, str, str], list[str]] = {}
    for finding in inputs.tagged(MIGRATION):
        owner = _owner(finding.path, inputs.facts.projects)
        groups.setdefault((owner, finding.rule_id, finding.kind), []).append(finding.path)
    labels = {p.path: p.label for p in inputs.facts.projects}
    out = []
    for (owner, rule_id, kind), paths in sorted(groups.items()):
        files = sorted(set(paths))
        summary = inputs.policy.rules[rule_id].kinds[kind].summary.rstrip(".")
        out.append(file_evidence(files[0], f"{labels.get(owner, owner)}: {summary} ({', '.join(files)})"))
    return out


def _setup_beside_pyproject(inputs: _Inputs) -> list[Evidence]:
    return [
        file_evidence(path, "setup.py keeps metadata beside pyproject.toml [project]")
        for path in inputs.facts.setup_beside_pyproject
    ]


# -- 4. debt vs velocity -----------------------------------------------------------------
def _debt_vs_velocity(inputs: _Inputs) -> Criterion:
    spec = inputs.spec("criteria", "debt-vs-velocity")
    if not inputs.history.available or inputs.signals.features is None:
        return _unknown(inputs, "debt-vs-velocity", spec)
    facts = inputs.facts
    changed = set(facts.changed_python)
    placeholders = [f for f in inputs.tagged(PLACEHOLDER) if f.path in changed]
    complex_ = facts.complex_functions
    debt, features = len(placeholders) + len(complex_), inputs.signals.features
    allowed = float(spec["threshold"]) * features  # debt items the feature work can carry
    ratio = debt / max(1, features)
    evidence = (
        *(file_evidence(f.path, f.message, f.line) for f in placeholders[:5]),
        *(file_evidence(c.path, f"{c.name} has complexity {c.complexity}", c.line) for c in complex_[:5]),
    )
    sampled = facts.complexity_measured < len(changed)
    return _criterion(
        inputs,
        "debt-vs-velocity",
        value=f"{plural(len(placeholders), 'placeholder')} and {plural(len(complex_), 'function')} over complexity "
        f"{spec['complexity-limit']} in the {plural(len(changed), 'Python file')} changed in the window"
        + (f" (complexity of the {facts.complexity_measured} most recently changed)" if sampled else "")
        + f", against {plural(features, 'feature commit')}",
        measure=round(ratio, 2),
        threshold=spec["threshold"],
        met=debt > allowed,
        points=_graded(float(spec["weight"]), debt, max(allowed, 1.0)),
        evidence=evidence,
    )


# -- 5. lost confidence ------------------------------------------------------------------
def _lost_confidence(inputs: _Inputs) -> Criterion:
    spec = inputs.spec("criteria", "lost-confidence")
    share = inputs.signals.wip_share
    problems = _confidence_problems(inputs, share, spec["threshold"])
    met: bool | None = bool(problems) or (None if share is None else False)
    return _criterion(
        inputs,
        "lost-confidence",
        value=_confidence_summary(inputs, share),
        measure=share,
        threshold=spec["threshold"],
        met=met,
        points=float(spec["weight"]) if problems else 0.0,
        evidence=tuple(problems),
        reason=None if met is not None else inputs.signals.reason,
    )


def _confidence_problems(inputs: _Inputs, share: float | None, threshold: Any) -> list[Evidence]:
    """Missing tests, missing CI, and a wip/retry share at or over the threshold (with the
    first five such commits)."""
    facts = inputs.facts
    problems: list[Evidence] = []
    if not facts.has_tests:
        problems.append(file_evidence(facts.repository_anchor, "no tests: no test files found"))
    if not facts.has_ci:
        problems.append(file_evidence(facts.repository_anchor, "no CI: no workflow or pipeline file found"))
    if share is not None and share >= threshold:
        problems.append(file_evidence(".", f"{share:.0%} of commits are wip/retry commits"))
        problems.extend(commit_evidence(c) for c in inputs.signals.wip_commits[:5])
    return problems


def _confidence_summary(inputs: _Inputs, share: float | None) -> str:
    """The criterion's value: the wip/retry share (or why it is unknown), tests and CI."""
    wip = f"wip/retry share {share:.0%}" if share is not None else "wip/retry share unknown"
    tests = "present" if inputs.facts.has_tests else "missing"
    ci = "present" if inputs.facts.has_ci else "missing"
    history_note = "" if share is not None else f"; history unknown ({inputs.signals.reason})"
    return f"{wip}; tests {tests}; CI {ci}{history_note}"


# -- repair signals ----------------------------------------------------------------------
def _sound_foundation(inputs: _Inputs) -> Criterion:
    failing = _foundation_failures(inputs)
    return _signal(
        inputs,
        "sound-foundation",
        not failing,
        "no foundation rule fails" if not failing else f"foundation rules fail in {plural(len(failing), 'project')}",
    )


def _tests_and_ci(inputs: _Inputs) -> Criterion:
    present = inputs.facts.has_tests and inputs.facts.has_ci
    return _signal(inputs, "tests-and-ci", present, "tests and CI present" if present else "tests or CI missing")


def _isolated(inputs: _Inputs) -> Criterion:
    spec = inputs.spec("repair-signals", "isolated-findings")
    files = {f.path for f in inputs.findings}
    total = max(1, len(inputs.facts.python_files))
    share = len({p for p in files if p.endswith(".py")}) / total
    present = share <= float(spec["threshold"])
    value = f"findings touch {share:.0%} of Python files ({plural(len(files), 'file')} in all)"
    return _signal(inputs, "isolated-findings", present, value)


def _working_features(inputs: _Inputs) -> Criterion:
    features = inputs.signals.features
    if features is None:
        return _signal(inputs, "working-features", None, f"unknown: {inputs.signals.reason}")
    return _signal(inputs, "working-features", features > 0, f"{plural(features, 'feature commit')} in the window")


def _history_summary(history: History) -> dict[str, Any]:
    return {
        "available": history.available,
        "reason": history.reason,
        "head": history.head_sha,
        "headDate": history.head_date.isoformat() if history.head_date else None,
        "windowDays": history.window_days,
        "commits": len(history.commits),
        "shallow": history.shallow,
    }
