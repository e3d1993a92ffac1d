"""The reset-vs-repair score: the methodology's "When to Reset vs Repair", measured.

Five reset criteria and four repair signals, each with its measured value, threshold,
whether it is met, and the evidence (files, commits). The weights and thresholds are policy
data (`rules/reset-vs-repair.yaml`), settable in `[tool.udef-audit.reset-vs-repair]`.
Criteria that need history say "unknown" without it and drop out of the score's
denominator, so the score is computed from the rest and says so. Time is measured from the
HEAD commit's date, never the wall clock. See docs/design/reset-vs-repair.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from udef_audit.context import RepoContext
from udef_audit.engine import AuditResult
from udef_audit.findings import Finding, Level
from udef_audit.parsers.gitlog import Commit, History
from udef_audit.projects import Project
from udef_audit.scoring.evidence import Evidence, commit_evidence, file_evidence
from udef_audit.scoring.history import HistorySignals, history_signals
from udef_audit.scoring.repository_facts import (
    complex_functions,
    has_ci,
    has_tests,
    setup_py_has_metadata,
)

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
            "criteria": [_criterion_dict(c) for c in self.criteria],
            "repairSignals": [_criterion_dict(c) for c in self.repair_signals],
        }


def _criterion_dict(criterion: Criterion) -> dict[str, Any]:
    data = asdict(criterion)
    data["evidence"] = [e.to_dict() for e in criterion.evidence]
    return data


@dataclass(frozen=True)
class _Inputs:
    """What every criterion reads: unsuppressed findings, projects, history signals."""

    result: AuditResult
    findings: tuple[Finding, ...]
    history: History
    signals: HistorySignals
    model: Mapping[str, Any]

    def spec(self, group: str, name: str) -> Mapping[str, Any]:
        spec: Mapping[str, Any] = self.model[group][name]
        return spec


def compute_score(result: AuditResult, history: History, model: Mapping[str, Any]) -> ScoreResult:
    """Score one audited repository."""
    findings = tuple(f for f in result.findings if not f.suppressed and f.level is not Level.NOTE)
    inputs = _Inputs(result, findings, history, history_signals(history), model)
    criteria = (
        _foundation_breadth(inputs),
        _emergency_fixes(inputs),
        _architecture_churn(inputs),
        _debt_vs_velocity(inputs),
        _lost_confidence(inputs),
    )
    signals = (_sound_foundation(inputs), _tests_and_ci(inputs), _isolated(inputs), _working_features(inputs))
    score = _combine(criteria, signals)
    threshold = float(model["verdict-threshold"])
    return ScoreResult(
        score=score,
        verdict=RESET if score >= threshold else REPAIR,
        threshold=threshold,
        criteria=criteria,
        repair_signals=signals,
        history=_history_summary(history),
    )


def _combine(criteria: Sequence[Criterion], signals: Sequence[Criterion]) -> int:
    """Points of the known criteria over their weights, minus the repair signals present."""
    known = [c for c in criteria if c.met is not None]
    total = sum(c.weight for c in known)
    raw = 100 * sum(c.points for c in known) / total if total else 0.0
    relief = sum(s.points for s in signals)
    return max(0, min(100, round(raw - relief)))


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
    rules = inputs.result.policy.rules
    projects = inputs.result.context.projects
    failing: dict[str, set[str]] = {}
    for finding in inputs.findings:
        if finding.rule_id in rules and rules[finding.rule_id].foundation:
            failing.setdefault(_owner(finding.path, projects), set()).add(finding.rule_id)
    return failing


def _owner(path: str, projects: Sequence[Project]) -> str:
    best = ""
    for project in projects:
        if (
            project.path
            and (path == project.path or path.startswith(project.path + "/"))
            and len(project.path) > len(best)
        ):
            best = project.path
    return best


def _code_size(project: Project) -> int:
    return len(project.own_python) or sum(1 for f in project.files if f.endswith(".py"))


def _foundation_breadth(inputs: _Inputs) -> Criterion:
    spec = inputs.spec("criteria", "foundation-breadth")
    projects = inputs.result.context.projects
    failing = _foundation_failures(inputs)
    total = sum(_code_size(p) for p in projects)
    affected = sum(_code_size(p) for p in projects if p.path in failing)
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


def _foundation_evidence(projects: Sequence[Project], failing: Mapping[str, set[str]]) -> tuple[Evidence, ...]:
    """One item per project failing a foundation rule: the rules and its Python file count."""
    return tuple(
        file_evidence(
            p.anchor or p.path or ".",
            f"{p.label}: {', '.join(sorted(failing[p.path]))} fail; {_code_size(p)} Python files",
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
        value=f"{count} emergency fixes in the worst 7-day window"
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
    evidence = (*_mixed_layouts(inputs), *_two_dependency_systems(inputs), *_setup_beside_pyproject(inputs))
    count = len(evidence)
    return _criterion(
        inputs,
        "architecture-churn",
        value=f"{count} half-finished migration(s)",
        measure=count,
        threshold=spec["threshold"],
        met=count >= spec["threshold"],
        points=_graded(float(spec["weight"]), count, float(spec["threshold"])),
        evidence=evidence,
    )


def _mixed_layouts(inputs: _Inputs) -> list[Evidence]:
    # UDEF001's contract fixes the wording: "mixed layout" when src/ code and flat code coexist.
    return [
        file_evidence(f.path, "mixed layout: src/ and flat code side by side")
        for f in inputs.findings
        if f.rule_id == "UDEF001" and f.message.startswith("mixed layout")
    ]


def _two_dependency_systems(inputs: _Inputs) -> list[Evidence]:
    ctx = inputs.result.context
    out = []
    for project in ctx.projects:
        declares = _pyproject_declares_dependencies(ctx, project)
        others = _other_dependency_files(inputs, project)
        if declares and others:
            out.append(
                file_evidence(
                    others[0], f"two dependency systems in {project.label}: pyproject.toml and {', '.join(others)}"
                )
            )
    return out


def _pyproject_declares_dependencies(ctx: RepoContext, project: Project) -> bool:
    """Whether the project's pyproject.toml has a `[project]` or a `[tool.poetry]` table."""
    pyproject = project.join("pyproject.toml")
    data = ctx.toml(pyproject) if ctx.exists(pyproject) else None
    return bool(data and ("project" in data or "poetry" in (data.get("tool") or {})))


def _other_dependency_files(inputs: _Inputs, project: Project) -> list[str]:
    """The project's files that UDEF002 reports as a second source of dependencies, sorted."""
    projects = inputs.result.context.projects
    return sorted(
        {f.path for f in inputs.findings if f.rule_id == "UDEF002" and _owner(f.path, projects) == project.path}
    )


def _setup_beside_pyproject(inputs: _Inputs) -> list[Evidence]:
    ctx = inputs.result.context
    out = []
    for project in ctx.projects:
        setup_py, pyproject = project.join("setup.py"), project.join("pyproject.toml")
        data = ctx.toml(pyproject) if ctx.exists(pyproject) else None
        if data and "project" in data and ctx.exists(setup_py) and setup_py_has_metadata(ctx, setup_py):
            out.append(file_evidence(setup_py, "setup.py keeps metadata beside pyproject.toml [project]"))
    return out


# -- 4. debt vs velocity -----------------------------------------------------------------
def _debt_vs_velocity(inputs: _Inputs) -> Criterion:
    spec = inputs.spec("criteria", "debt-vs-velocity")
    if not inputs.history.available or inputs.signals.features is None:
        return _unknown(inputs, "debt-vs-velocity", spec)
    ctx = inputs.result.context
    changed = _changed_python(inputs.history.commits, ctx.file_set)
    placeholders = [f for f in inputs.findings if f.rule_id == "UDEF006" and f.path in changed]
    measured = _within_budget(ctx, changed, int(spec["complexity-budget-bytes"]))
    complex_ = complex_functions(ctx, measured, int(spec["complexity-limit"]))
    debt, features = len(placeholders) + len(complex_), inputs.signals.features
    allowed = float(spec["threshold"]) * features  # debt items the feature work can carry
    ratio = debt / max(1, features)
    evidence = (
        *(file_evidence(f.path, f.message, f.line) for f in placeholders[:5]),
        *(file_evidence(p, f"{name} has complexity {cc}", line) for p, name, line, cc in complex_[:5]),
    )
    return _criterion(
        inputs,
        "debt-vs-velocity",
        value=f"{len(placeholders)} placeholders and {len(complex_)} functions over complexity "
        f"{spec['complexity-limit']} in the {len(changed)} Python files changed in the window"
        + (f" (complexity of the {len(measured)} most recently changed)" if len(measured) < len(changed) else "")
        + f", against {features} feature commits",
        measure=round(ratio, 2),
        threshold=spec["threshold"],
        met=debt > allowed,
        points=_graded(float(spec["weight"]), debt, max(allowed, 1.0)),
        evidence=evidence,
    )


def _changed_python(commits: Sequence[Commit], in_scope: frozenset[str]) -> list[str]:
    """Python files changed in the window, most recently changed first (commits are newest first)."""
    ordered = dict.fromkeys(f for c in commits for f in c.files if f.endswith(".py") and f in in_scope)
    return list(ordered)


def _within_budget(ctx: RepoContext, paths: Sequence[str], budget: int) -> list[str]:
    """The leading paths whose sizes fit the byte budget (0: all). Parsing every changed file
    of a large repository costs seconds on a cold cache; recent changes matter most."""
    if budget <= 0:
        return list(paths)
    chosen: list[str] = []
    used = 0
    for path in paths:
        size = _size(ctx, path)
        if used + size > budget and chosen:
            break
        chosen.append(path)
        used += size
    return chosen


def _size(ctx: RepoContext, path: str) -> int:
    try:
        return (ctx.root / path).stat().st_size
    except OSError:
        return 0


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
    ctx = inputs.result.context
    problems: list[Evidence] = []
    if not has_tests(ctx):
        problems.append(file_evidence(_repo_anchor(inputs), "no tests: no test files found"))
    if not has_ci(ctx):
        problems.append(file_evidence(_repo_anchor(inputs), "no CI: no workflow or pipeline file found"))
    if share is not None and share >= threshold:
        problems.append(file_evidence(".", f"{share:.0%} of commits are wip/retry commits"))
        problems.extend(commit_evidence(c) for c in inputs.signals.wip_commits[:5])
    return problems


def _confidence_summary(inputs: _Inputs, share: float | None) -> str:
    """The criterion's value: the wip/retry share (or why it is unknown), tests and CI."""
    ctx = inputs.result.context
    wip = f"wip/retry share {share:.0%}" if share is not None else "wip/retry share unknown"
    tests = "present" if has_tests(ctx) else "missing"
    ci = "present" if has_ci(ctx) else "missing"
    history_note = "" if share is not None else f"; history unknown ({inputs.signals.reason})"
    return f"{wip}; tests {tests}; CI {ci}{history_note}"


def _repo_anchor(inputs: _Inputs) -> str:
    ctx = inputs.result.context
    readme = next((f for f in ctx.files if "/" not in f and f.upper().startswith("README")), None)
    return readme or (ctx.projects[0].anchor if ctx.projects and ctx.projects[0].anchor else ".")


# -- repair signals ----------------------------------------------------------------------
def _sound_foundation(inputs: _Inputs) -> Criterion:
    failing = _foundation_failures(inputs)
    return _signal(
        inputs,
        "sound-foundation",
        not failing,
        "no foundation rule fails" if not failing else f"foundation rules fail in {len(failing)} project(s)",
    )


def _tests_and_ci(inputs: _Inputs) -> Criterion:
    ctx = inputs.result.context
    present = has_tests(ctx) and has_ci(ctx)
    return _signal(inputs, "tests-and-ci", present, "tests and CI present" if present else "tests or CI missing")


def _isolated(inputs: _Inputs) -> Criterion:
    spec = inputs.spec("repair-signals", "isolated-findings")
    ctx = inputs.result.context
    files = {f.path for f in inputs.findings}
    total = max(1, len(ctx.python_files))
    share = len({p for p in files if p.endswith(".py")}) / total
    present = share <= float(spec["threshold"])
    return _signal(
        inputs, "isolated-findings", present, f"findings touch {share:.0%} of Python files ({len(files)} files in all)"
    )


def _working_features(inputs: _Inputs) -> Criterion:
    features = inputs.signals.features
    if features is None:
        return _signal(inputs, "working-features", None, f"unknown: {inputs.signals.reason}")
    return _signal(inputs, "working-features", features > 0, f"{features} feature commits in the window")


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
