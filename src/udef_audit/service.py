"""One audit, start to finish: rules, adoption, score, and the exit code.

The CLI and the batch worker both call `audit()`; nothing else runs an audit. What comes
back is the plain `AuditResult` (result.py): no live context, no config object.

Exit codes: 0 nothing at or above the fail level; 1 findings at or above it (or the verdict
is reset with --fail-on-reset); 2 a usage, configuration or path error (raised here as
ConfigError, reported by the caller); 3 a rule or plugin failed.
"""

from __future__ import annotations

import datetime as dt
import importlib
import time
from dataclasses import replace
from typing import TYPE_CHECKING, Any, NamedTuple

from udef_audit.baseline import (
    apply_baseline,
    apply_waivers,
    parse_waivers,
    prune_baseline,
    read_baseline,
    refuse_inline,
    write_baseline,
)
from udef_audit.engine import EngineRun, effective_config, rerun_rule, resolve_root, rules_for, run_engine
from udef_audit.findings import Finding, Notification
from udef_audit.policy import Policy
from udef_audit.request import AuditRequest
from udef_audit.result import AuditResult, AuditSettings, AuditStats, BaselineReport, FixedEntry

if TYPE_CHECKING:
    from collections.abc import Callable

    from udef_audit.config import Config
    from udef_audit.context import RepoContext
    from udef_audit.engine import BeforeRules
    from udef_audit.gates import GatesResult
    from udef_audit.parsers.gitlog import History
    from udef_audit.replay import Invocation, Replays
    from udef_audit.scoring.history_cache import HistoryRead
    from udef_audit.scoring.score import ScoreResult

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


def audit(request: AuditRequest) -> AuditResult:
    """Audit one repository. Raises ConfigError for usage and configuration mistakes."""
    history = _History() if request.score and request.whole_repository else None
    try:
        run = run_engine(request, _before_rules(request, history)) if request.whole_repository else run_engine(request)
        return _audited(request, run, history)
    finally:
        if history is not None:
            history.cancel()


def _before_rules(request: AuditRequest, history: _History | None) -> BeforeRules:
    """What a whole-repository audit starts before the rules run: the history (for the
    score), and the imports of what runs after the rules. Those run on one core; this runs
    beside the workers' scan of a first audit (ADR 0016), where importing the score, the
    gates and the fixers costs nothing (about 25 ms). --files does neither."""

    def start(ctx: RepoContext, config: Config, policy: Policy) -> None:
        ahead = ["udef_audit.gates"]
        if history is not None:
            history.start(ctx, config, policy)
            ahead.append("udef_audit.scoring.reset_repair")
        if request.fixes:
            ahead.append("udef_audit.fix.planner")
        for module in ahead:
            importlib.import_module(module)

    return start


class _History:
    """The score's history, read while the rules run: `git log` over the window is a
    separate process (a third of a second on sympy) that needs nothing the rules produce."""

    def __init__(self) -> None:
        self.reading: HistoryRead | None = None

    def start(self, ctx: RepoContext, config: Config, policy: Policy) -> None:
        """Start `git log`, and tell the context how to name the complexity sample once the
        history is read, so that a cold facts scan measures it in the same worker processes."""
        from udef_audit.scoring.facts import complexity_sample  # noqa: PLC0415
        from udef_audit.scoring.history_cache import start_cached_history  # noqa: PLC0415
        from udef_audit.scoring.model import effective_model  # noqa: PLC0415

        model = effective_model(policy.score_model, config.score, config.source)
        self.reading = start_cached_history(ctx.root, int(model["window-days"]), enabled=ctx.use_cache)
        ctx.expect_complexity(lambda: complexity_sample(ctx, self.result(), model))

    def result(self) -> History:
        if self.reading is None:  # pragma: no cover - the engine calls start() before any rule
            raise RuntimeError("the history was not started")
        return self.reading.result()

    def cancel(self) -> None:
        if self.reading is not None:
            self.reading.cancel()


def _audited(request: AuditRequest, run: EngineRun, history: _History | None) -> AuditResult:
    adopted = _adoption(run, request)
    # The score sees waived and inline-suppressed results as gone, but not baselined ones:
    # a baseline is adoption, not a fix.
    score = _score(run, adopted.before_baseline, history.result()) if history is not None else None
    gates = _gates(run, request, adopted.findings) if request.whole_repository else None
    run.save_caches()
    findings, notes, baseline = adopted.findings, adopted.notes, adopted.baseline
    ctx = run.ctx
    result = AuditResult(
        root=ctx.root,
        policy=run.policy,
        settings=AuditSettings(fail_on=run.config.fail_on, phase=run.config.phase, source=run.config.source),
        rules_run=tuple(run.rules_run),
        rule_settings=dict(run.settings),
        findings=tuple(findings),
        notifications=tuple(notes),
        profile=ctx.profile,
        stats=AuditStats(
            files=len(ctx.files),
            python_files=len(ctx.python_files),
            git=ctx.is_git,
            seconds=round(time.perf_counter() - run.started, 3),
        ),
        not_applicable=tuple(run.not_applicable),
        score=score,
        gates=gates,
        baseline=baseline,
    )
    result = replace(result, replayable=_all_cacheable(run) and not result.tool_failed)
    if request.fixes and request.whole_repository:
        # Imported here: only a run that reports fixes pays for the fixers.
        from udef_audit.fix.planner import available_fixes  # noqa: PLC0415

        # Fixers see every file; the audit's listing serves when no `exclude` narrowed it.
        scope = None if run.config.exclude else ctx.files
        result = replace(result, fixes=available_fixes(result, scope))
    return result


def stored_reports(request: AuditRequest, invocation: Callable[[], Invocation]) -> Replays | None:
    """Where the report of this audit is kept and found again (replay.py), or None when it
    may not be replayed: a run that writes or prunes a baseline, reads an org policy or
    extra policies, checks named files only, or has the cache off. `invocation` says how
    the command was run; it is asked only when the report may be replayed (building it
    imports replay.py, which a pre-commit run on a few files need not)."""
    if not (request.use_cache and request.whole_repository):
        return None
    if request.write_baseline or request.prune_baseline or request.policy_file or request.policy_paths:
        return None
    from udef_audit.replay import replays_for  # noqa: PLC0415 - only a whole-repository audit

    named = [path for path in (request.config_file, request.baseline) if path is not None]
    return replays_for(resolve_root(request.path), invocation(), named)


def _all_cacheable(run: EngineRun) -> bool:
    """Every rule that ran has a cache version (built-in rules, versioned plugins; never a
    custom policy), so the same tree gives the same results."""
    ran = [run.rules[rule_id] for rule_id in run.rules_run if rule_id in run.rules]
    return all(getattr(rule, "cache_version", None) for rule in ran)


def known_rules(request: AuditRequest) -> Policy:
    """Every rule an audit of `request.path` knows: built-in, plugins', custom policies'."""
    return rules_for(request.path, config_file=request.config_file, policy_file=request.policy_file)


def exit_code(result: AuditResult, *, fail_on_reset: bool = False, fail_below_phase: int | None = None) -> int:
    """3 when the tool failed, else 1 when something is at or above the fail level, the
    verdict is reset (with `fail_on_reset`) or the phase reached is below `fail_below_phase`,
    else 0."""
    if result.tool_failed:
        return EXIT_INTERNAL
    if fail_on_reset and result.score is not None and _is_reset(result.score):
        return EXIT_FINDINGS
    if fail_below_phase is not None and result.gates is not None and result.gates.reached < fail_below_phase:
        return EXIT_FINDINGS
    return EXIT_FINDINGS if result.fails() else EXIT_OK


def _is_reset(score: ScoreResult) -> bool:
    from udef_audit.scoring.score import RESET  # noqa: PLC0415 - a pre-commit run never scores

    return score.verdict == RESET


def score_model(request: AuditRequest) -> tuple[dict[str, Any], str]:
    """The reset-vs-repair model an audit of `request.path` uses (the policy's weights and
    thresholds with the repository's `[tool.udef-audit.reset-vs-repair]`), and where the
    settings came from. Reads the config only: no rule runs."""
    from udef_audit.plugins import load_plugins  # noqa: PLC0415 - only `explain score` needs these
    from udef_audit.policy import load_policy  # noqa: PLC0415
    from udef_audit.scoring.model import effective_model  # noqa: PLC0415

    root = resolve_root(request.path)
    config, _ = effective_config(root, request)
    policy = load_policy(load_plugins(root, config.disable_plugins).policy_dirs)
    return effective_model(policy.score_model, config.score, config.source), config.source


class _Adopted(NamedTuple):  # not a dataclass: defining one costs every run 0.6 ms
    findings: list[Finding]
    before_baseline: list[Finding]
    notes: list[Notification]
    baseline: BaselineReport | None


def _exceptions(
    run: EngineRun, request: AuditRequest, findings: list[Finding]
) -> tuple[list[Finding], list[Notification]]:
    """The org policy over inline suppressions, then the waivers."""
    findings, refused = refuse_inline(findings, run.org.enforce)
    waivers = parse_waivers(list(run.config.waivers), run.config.source)
    findings, waiver_notes = apply_waivers(findings, waivers, request.today or dt.date.today(), run.org.enforce)
    return findings, [*refused, *waiver_notes]


def _adoption(run: EngineRun, request: AuditRequest) -> _Adopted:
    """Org policy over inline suppressions, then waivers, then the baseline."""
    notes = list(run.notifications)
    findings, exception_notes = _exceptions(run, request, run.findings)
    notes.extend(exception_notes)
    before_baseline = findings
    report: BaselineReport | None = None
    baseline_file = request.baseline
    if request.write_baseline is not None:
        count = write_baseline(request.write_baseline, findings)
        report = BaselineReport(file=str(request.write_baseline), written=count)
        baseline_file = request.write_baseline  # what was just accepted is not reported
    if baseline_file is not None:
        entries = read_baseline(baseline_file)
        outcome = apply_baseline(findings, entries, baseline_file.name)
        findings = outcome.findings
        prune = request.prune_baseline and baseline_file == request.baseline
        pruned = prune_baseline(baseline_file, entries, outcome.fixed) if prune else 0
        fixed = tuple(FixedEntry(e.fingerprint, e.rule_id, e.path) for e in outcome.fixed)
        report = replace(
            report or BaselineReport(file=str(baseline_file)), matched=outcome.matched, pruned=pruned, fixed=fixed
        )
    return _Adopted(findings, before_baseline, notes, report)


def _gates(run: EngineRun, request: AuditRequest, findings: list[Finding]) -> GatesResult:
    """The phase gates from the adopted findings; items that judge a rule with their own
    parameters (coverage at 80 %, at 95 %) see that rule rerun with them."""
    from udef_audit.gates import GateInputs, evaluate  # noqa: PLC0415 - see _score

    item_findings: dict[tuple[int, str], list[Finding]] = {}
    for gate in run.policy.gates:
        for item in gate.items:
            for rule_id, params in item.params.items():
                if rule_id in run.rules_run:
                    rerun, _ = _exceptions(run, request, rerun_rule(run, rule_id, params))
                    others = [f for f in findings if f.rule_id != rule_id]
                    item_findings[(gate.phase, item.item)] = others + _baselined(rerun, request)
    inputs = GateInputs(
        findings=findings,
        checked=frozenset(run.rules_run),
        not_applicable=frozenset(run.not_applicable),
        profile=run.ctx.profile,
        item_findings=item_findings,
    )
    return evaluate(run.policy.gates, inputs)


def _baselined(findings: list[Finding], request: AuditRequest) -> list[Finding]:
    """Findings with the baseline applied, without writing or pruning it."""
    baseline_file = request.write_baseline or request.baseline
    if baseline_file is None:
        return findings
    return apply_baseline(findings, read_baseline(baseline_file), baseline_file.name).findings


def _score(run: EngineRun, findings: list[Finding], history: History) -> ScoreResult:
    """The reset-vs-repair score from the findings, the repository's facts and its history."""
    # Imported here: the --files mode (pre-commit) never scores and need not pay for these.
    from udef_audit.scoring.facts import gather_facts  # noqa: PLC0415
    from udef_audit.scoring.model import effective_model  # noqa: PLC0415
    from udef_audit.scoring.reset_repair import compute_score  # noqa: PLC0415

    model = effective_model(run.policy.score_model, run.config.score, run.config.source)
    facts = gather_facts(run.ctx, history, model)
    return compute_score(findings, run.policy, facts, history, model)
