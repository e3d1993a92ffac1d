"""One audit of one repository: config, plugins, context, rules, findings.

The engine never names a rule: rules arrive through entry points, their metadata through
the policy. A rule that raises becomes a tool execution notification; the others still
run. The single-repository audit here is also the unit of work of batch audits.
"""

from __future__ import annotations

import datetime as dt
import os
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from udef_audit.baseline import (
    OrgPolicy,
    apply_baseline,
    apply_waivers,
    load_org_policy,
    parse_waivers,
    prune_baseline,
    read_baseline,
    refuse_inline,
    write_baseline,
)
from udef_audit.config import (
    Config,
    ConfigError,
    RuleSettings,
    check_rule_refs,
    check_rule_tables,
    explicit_level,
    parse_config,
    rule_settings,
    selected_rules,
)
from udef_audit.context import UNPARSEABLE, RepoContext
from udef_audit.findings import Finding, Level, Notification
from udef_audit.fingerprint import fingerprints
from udef_audit.globs import path_matcher
from udef_audit.hookspecs import Rule
from udef_audit.inventory import Inventory, build_inventory
from udef_audit.parsers.toml_file import TomlError, load_toml
from udef_audit.plugins import load_plugins
from udef_audit.policy import Policy, load_policy
from udef_audit.suppression import apply_inline


@dataclass(frozen=True)
class AuditRequest:
    """What to audit and how: the path, command-line overrides, and the file mode."""

    path: Path
    config_file: Path | None = None
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    fail_on: str | None = None
    files: tuple[str, ...] | None = None  # --files: only these files, only per-file rules
    use_cache: bool = True
    workers: int | None = None
    disable_plugins: tuple[str, ...] = ()
    baseline: Path | None = None
    write_baseline: Path | None = None
    prune_baseline: bool = False
    policy_file: Path | None = None
    today: dt.date | None = None  # waiver expiry is real time; tests may pin it


@dataclass
class AuditResult:
    """Everything reporters and the score need; findings are sorted and fingerprinted."""

    root: Path
    config: Config
    policy: Policy
    rules_run: list[str]
    settings: dict[str, RuleSettings]
    findings: list[Finding]
    notifications: list[Notification]
    context: RepoContext
    stats: dict[str, Any] = field(default_factory=dict)
    properties: dict[str, Any] = field(default_factory=dict)

    @property
    def active(self) -> list[Finding]:
        """Findings not suppressed."""
        return [f for f in self.findings if not f.suppressed]

    def fails(self, fail_on: str) -> bool:
        """Whether any unsuppressed finding is at or above the fail level."""
        if fail_on == "never":
            return False
        threshold = Level(fail_on).rank
        return any((f.level or Level.NOTE).rank >= threshold for f in self.active)


def resolve_root(path: Path) -> Path:
    """The real, existing directory to audit, or a ConfigError (exit 2)."""
    try:
        root = path.resolve(strict=True)
    except (OSError, RuntimeError):
        raise ConfigError(f"path not found: {path}") from None
    if not root.is_dir():
        raise ConfigError(f"not a directory: {path}")
    return root


def run_audit(request: AuditRequest) -> AuditResult:
    """Audit one repository. Raises ConfigError for usage and configuration mistakes."""
    started = time.perf_counter()
    root = resolve_root(request.path)
    cli_excluded = path_matcher(request.exclude)
    inventory = _inventory(root, request, cli_excluded)
    ctx = RepoContext(inventory, use_cache=request.use_cache, workers=request.workers)
    config = _effective_config(ctx, request)
    _narrow(ctx, config)
    plugins = load_plugins(root, config.disable_plugins)
    policy = load_policy(plugins.policy_dirs)
    _validate_refs(config, policy)
    org = load_org_policy(request.policy_file, policy.rules) if request.policy_file else OrgPolicy(frozenset())
    notifications = [Notification(message=p) for p in plugins.problems]
    rules = _index_rules(plugins.rules, policy, notifications)
    chosen = _choose(config, policy, rules, file_mode=request.files is not None, org=org, notes=notifications)
    settings = {rid: rule_settings(config, policy.rules[rid]) for rid in [*chosen, UNPARSEABLE] if rid in policy.rules}
    _hold_enforced_levels(settings, policy, org, notifications)
    raw = _run_rules(ctx, chosen, rules, settings, notifications)
    if UNPARSEABLE in selected_rules(config, policy):
        raw.extend(ctx.diagnostics)
    findings = _finish(raw, ctx, policy, settings, config)
    findings, properties = _adoption(findings, request, config, org, notifications)
    stats = {
        "files": len(ctx.files),
        "python_files": len(ctx.python_files),
        "git": ctx.is_git,
        "seconds": round(time.perf_counter() - started, 3),
    }
    return AuditResult(root, config, policy, chosen, settings, findings, notifications, ctx, stats, properties)


def _inventory(root: Path, request: AuditRequest, excluded: Any) -> Inventory:
    full = build_inventory(root, excluded)
    if request.files is None:
        return full
    chosen = tuple(sorted(_in_scope_files(root, request.files, full)))
    return Inventory(root, chosen, full.is_git, blob_ids=full.blob_ids)


def _in_scope_files(root: Path, files: Sequence[str], inventory: Inventory) -> set[str]:
    """The named files that are in the inventory (so excludes and symlink rules apply)."""
    listed = set(inventory.files)
    chosen = set()
    for name in files:
        candidate = Path(name) if Path(name).is_absolute() else Path.cwd() / name
        try:
            rel = Path(os.path.normpath(candidate)).relative_to(root).as_posix()
        except ValueError:
            continue  # outside the audited root
        if rel in listed:
            chosen.add(rel)
    return chosen


def _effective_config(ctx: RepoContext, request: AuditRequest) -> Config:
    config = _file_config(ctx, request.config_file)
    select = request.select if request.select else None
    return config.merged(
        select=select,
        ignore=(*config.ignore, *request.ignore),
        exclude=(*config.exclude, *request.exclude),
        fail_on=request.fail_on,
        disable_plugins=(*config.disable_plugins, *request.disable_plugins),
    )


def _file_config(ctx: RepoContext, config_file: Path | None) -> Config:
    if config_file is not None:
        try:
            data = load_toml(config_file.read_bytes())
        except (OSError, TomlError) as exc:
            raise ConfigError(f"cannot read config {config_file}: {exc}") from None
        table = data.get("tool", {}).get("udef-audit", data) if "tool" in data else data
        return parse_config(table, str(config_file))
    if not ctx.exists("pyproject.toml"):
        return Config()
    document = ctx.toml("pyproject.toml")  # malformed: a UDEF000 note, defaults apply
    tool = (document or {}).get("tool", {})
    table = tool.get("udef-audit", {}) if isinstance(tool, dict) else {}
    return parse_config(table if isinstance(table, dict) else {}, "pyproject.toml [tool.udef-audit]")


def _narrow(ctx: RepoContext, config: Config) -> None:
    """Apply the config's excludes and file-size limit before any rule looks at files."""
    ctx.max_file_size = config.max_file_size
    excluded = path_matcher(config.exclude)
    files = tuple(f for f in ctx.files if not excluded(f))
    ctx.inventory = Inventory(
        ctx.root, files, ctx.inventory.is_git, ctx.inventory.skipped_symlinks, ctx.inventory.blob_ids
    )
    ctx.files = files
    ctx.file_set = frozenset(files)


def _validate_refs(config: Config, policy: Policy) -> None:
    check_rule_refs(config.select, policy, "select")
    check_rule_refs(config.ignore, policy, "ignore")
    check_rule_tables(config, policy)


def _index_rules(found: list[Rule], policy: Policy, notes: list[Notification]) -> dict[str, Rule]:
    rules: dict[str, Rule] = {}
    for rule in found:
        rule_id = getattr(rule, "id", None)
        if not isinstance(rule_id, str) or rule_id not in policy.rules:
            notes.append(
                Notification(message=f"rule {rule_id!r} from {type(rule).__module__} has no policy entry; skipped")
            )
        elif rule_id in rules:
            notes.append(
                Notification(message=f"rule {rule_id} is provided twice; the second was skipped", rule_id=rule_id)
            )
        else:
            rules[rule_id] = rule
    return rules


def _choose(
    config: Config,
    policy: Policy,
    rules: dict[str, Rule],
    *,
    file_mode: bool,
    org: OrgPolicy,
    notes: list[Notification],
) -> list[str]:
    """Selected rules, plus every rule the org policy enforces (the attempt to drop one is reported)."""
    selected = selected_rules(config, policy)
    for rule_id in sorted(org.enforce - set(selected)):
        notes.append(
            Notification(
                message=f"{config.source} switches off {rule_id}, which the org policy ({org.source}) enforces: "
                "it runs",
                rule_id=rule_id,
                level=Level.WARNING,
            )
        )
    wanted = set(selected) | org.enforce
    chosen = [r for r in policy.rules if r in wanted and r in rules]
    if file_mode:
        chosen = [r for r in chosen if policy.rules[r].scope == "file"]
    return chosen


def _hold_enforced_levels(
    settings: dict[str, RuleSettings], policy: Policy, org: OrgPolicy, notes: list[Notification]
) -> None:
    """An enforced rule keeps at least its default level: lowering it would switch it off."""
    for rule_id in org.enforce & set(settings):
        default = policy.rules[rule_id].level
        if settings[rule_id].level.rank < default.rank:
            notes.append(
                Notification(
                    message=f"lowering {rule_id} to {settings[rule_id].level.value} refused: "
                    "the org policy enforces it",
                    rule_id=rule_id,
                    level=Level.WARNING,
                )
            )
            settings[rule_id] = RuleSettings(default, settings[rule_id].params)


def _adoption(
    findings: list[Finding], request: AuditRequest, config: Config, org: OrgPolicy, notes: list[Notification]
) -> tuple[list[Finding], dict[str, Any]]:
    """Org policy over inline suppressions, then waivers, then the baseline."""
    findings, refused = refuse_inline(findings, org.enforce)
    waivers = parse_waivers(list(config.waivers), config.source)
    findings, waiver_notes = apply_waivers(findings, waivers, request.today or dt.date.today(), org.enforce)
    notes.extend([*refused, *waiver_notes])
    properties: dict[str, Any] = {}
    if request.write_baseline is not None:
        count = write_baseline(request.write_baseline, findings)
        properties["udef/baseline"] = {"file": str(request.write_baseline), "written": count}
        request = AuditRequest(path=request.path, baseline=request.write_baseline)
    if request.baseline is not None:
        baseline = read_baseline(request.baseline)
        outcome = apply_baseline(findings, baseline, request.baseline.name)
        findings = outcome.findings
        pruned = prune_baseline(request.baseline, baseline, outcome.fixed) if request.prune_baseline else 0
        properties["udef/baseline"] = {
            **properties.get("udef/baseline", {}),
            "file": str(request.baseline),
            "matched": outcome.matched,
            "pruned": pruned,
            "fixed": [{"fingerprint": e.fingerprint, "ruleId": e.rule_id, "path": e.path} for e in outcome.fixed],
        }
    return findings, properties


def _run_rules(
    ctx: RepoContext,
    chosen: list[str],
    rules: dict[str, Rule],
    settings: dict[str, RuleSettings],
    notes: list[Notification],
) -> list[Finding]:
    findings: list[Finding] = []
    for rule_id in chosen:
        try:
            produced = list(rules[rule_id].check(ctx, settings[rule_id].params))
        except Exception as exc:
            notes.append(
                Notification(
                    message=f"rule {rule_id} failed: {type(exc).__name__}: {exc}",
                    rule_id=rule_id,
                    exception="".join(traceback.format_exception(exc)[-3:]),
                )
            )
            continue
        findings.extend(f for f in produced if _valid(f, rule_id, ctx, notes))
    return findings


def _valid(finding: Finding, rule_id: str, ctx: RepoContext, notes: list[Notification]) -> bool:
    if finding.rule_id != rule_id or finding.line < 1 or not finding.path:
        notes.append(Notification(message=f"rule {rule_id} produced an invalid result: {finding!r}", rule_id=rule_id))
        return False
    return True


def _finish(
    raw: list[Finding], ctx: RepoContext, policy: Policy, settings: dict[str, RuleSettings], config: Config
) -> list[Finding]:
    stamped = [
        f.with_changes(level=_level(f, settings, config, policy), fingerprint=fingerprint)
        for f, fingerprint in fingerprints(raw)
    ]
    slug_of = lambda rid: policy.rules[rid].slug if rid in policy.rules else rid  # noqa: E731
    return apply_inline(stamped, _line_of(ctx), slug_of)


def _level(finding: Finding, settings: dict[str, RuleSettings], config: Config, policy: Policy) -> Level:
    """A level the user configured wins; else the rule's own choice; else its default."""
    configured = settings.get(finding.rule_id)
    if configured is None:
        return finding.level or Level.NOTE
    if finding.level is None or explicit_level(config, policy.rules[finding.rule_id]):
        return configured.level
    return finding.level


def _line_of(ctx: RepoContext) -> Any:
    def line_of(path: str, line: int) -> str:
        # Most files with findings carry no suppression at all: ask first (often answered
        # from the facts cache), and only then decode and split the file.
        if not ctx.exists(path) or not ctx.mentions_suppression(path):
            return ""
        lines = ctx.lines(path)
        return lines[line - 1] if 0 < line <= len(lines) else ""

    return line_of
