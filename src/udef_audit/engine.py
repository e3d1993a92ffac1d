"""Run the rules: config, plugins, context, rules, findings with levels and fingerprints.

The engine never names a rule: rules arrive through entry points, their metadata through
the policy. A rule that raises becomes a tool execution notification; the others still
run. The engine's output still holds the live context; the service (service.py) turns it
into the plain result that reporters, the score and the batch read.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from udef_audit.baseline import OrgPolicy, check_enforced, read_org_policy
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
from udef_audit.findings import AHEAD_OF_PHASE, Finding, Level, Notification
from udef_audit.fingerprint import fingerprints
from udef_audit.globs import path_matcher
from udef_audit.hookspecs import Rule
from udef_audit.inventory import Inventory, build_inventory
from udef_audit.parsers.toml_file import TomlError, load_toml
from udef_audit.plugins import LoadedPlugins, load_plugins
from udef_audit.policy import Policy, load_policy
from udef_audit.policy_sources import PolicyText, gather
from udef_audit.request import AuditRequest
from udef_audit.rule_cache import RuleCache
from udef_audit.rule_runs import run_beside_python_scan, run_rules
from udef_audit.safe_read import UnreadableFile, read_regular_file
from udef_audit.suppression import UNUSED_SUPPRESSION, SuppressionRun, apply_inline, unused_suppressions

if TYPE_CHECKING:
    from udef_audit.policies.loader import CompiledPolicy

CONFIG_FILE = "pyproject.toml"


@dataclass
class EngineRun:
    """What running the rules produced, with the live context the service still needs."""

    ctx: RepoContext
    config: Config
    policy: Policy
    org: OrgPolicy
    rules: dict[str, Rule]
    rules_run: list[str]
    not_applicable: list[str]
    settings: dict[str, RuleSettings]
    findings: list[Finding]
    notifications: list[Notification] = field(default_factory=list)
    started: float = 0.0
    rule_cache: RuleCache | None = None

    def save_caches(self) -> None:
        """Write what this audit learnt for the next one (rule results, suppression
        markers): called once the service has also rerun the rules the gates need."""
        if self.rule_cache is not None:
            self.rule_cache.save()
        self.ctx.save_caches()


def resolve_root(path: Path) -> Path:
    """The real, existing directory to audit, or a ConfigError (exit 2)."""
    try:
        root = path.resolve(strict=True)
    except (OSError, RuntimeError):
        raise ConfigError(f"path not found: {path}") from None
    if not root.is_dir():
        raise ConfigError(f"not a directory: {path}")
    return root


BeforeRules = Callable[[RepoContext, Config, Policy], None]


def _nothing_before(ctx: RepoContext, config: Config, policy: Policy) -> None:
    """The default `before_rules`: nothing runs beside the rules."""


def run_engine(request: AuditRequest, before_rules: BeforeRules = _nothing_before) -> EngineRun:
    """Run every selected rule on one repository. Raises ConfigError for usage mistakes.

    `before_rules` is called once the repository is listed and the policy is known, just
    before the first rule runs: the service starts there what can run beside the rules."""
    started = time.perf_counter()
    root = resolve_root(request.path)
    config, preread = effective_config(root, request)
    ctx = _build_context(root, request, config, preread)
    try:
        _start_first_scan(ctx, request, config)
        return _run_rules_on(ctx, request, config, before_rules, started)
    except BaseException:
        # An early scan must not outlive an audit that ends before its rules (a bad policy,
        # Ctrl-C): its workers would wait for work, orphaned, forever.
        ctx.cancel_prefetch()
        raise


def _run_rules_on(
    ctx: RepoContext, request: AuditRequest, config: Config, before_rules: BeforeRules, started: float
) -> EngineRun:
    """The policy and the rules it chooses, run on the listed repository."""
    root = ctx.root
    plugins = load_plugins(root, config.disable_plugins, use_cache=request.use_cache)
    org = read_org_policy(request.policy_file) if request.policy_file else OrgPolicy(frozenset())
    policy, custom_rules = load_rule_set(root, config, org, request.policy_paths, plugins, use_cache=request.use_cache)
    _validate_refs(config, policy)
    notes = [Notification(message=p) for p in plugins.problems] + _inventory_notes(ctx.inventory)
    rules = _index_rules([*plugins.rules, *custom_rules], policy, notes)
    chosen = _choose(config, policy, rules, file_mode=not request.whole_repository, org=org, notes=notes)
    meta_rules = [r for r in (UNPARSEABLE, UNUSED_SUPPRESSION) if r in selected_rules(config, policy)]
    _refuse_empty_selection(chosen, meta_rules, config, file_mode=not request.whole_repository)
    runnable, not_applicable = _applicable(chosen, policy, ctx)
    settings = {
        rid: rule_settings(config, policy.rules[rid])
        # UDEF000 is always listed (SARIF names it for any note); UDEF090 only when selected.
        for rid in dict.fromkeys([*chosen, UNPARSEABLE, *meta_rules])
        if rid in policy.rules
    }
    _hold_enforced_levels(settings, policy, org, notes)
    cache = _rule_cache(ctx, runnable, settings, request)
    before_rules(ctx, config, policy)
    checking = _with_files_to_check(runnable, policy, ctx, request)
    raw = run_beside_python_scan(
        ctx, checking, request.whole_repository, rules=rules, settings=settings, policy=policy, notes=notes, cache=cache
    )
    if UNPARSEABLE in meta_rules:
        raw.extend(ctx.diagnostics)
    findings = _finish(raw, ctx, policy, settings, config)
    if UNUSED_SUPPRESSION in meta_rules:
        findings = _with_unused_suppressions(
            findings, ctx, policy=policy, settings=settings, config=config, ran=[*runnable, *meta_rules]
        )
    return EngineRun(
        ctx, config, policy, org, rules, runnable, not_applicable, settings, findings, notes, started, cache
    )


def _start_first_scan(ctx: RepoContext, request: AuditRequest, config: Config) -> None:
    """A first audit of every rule (those reading Python among them) starts its Python scan
    now, beside the plugins, the policy and the rest (ADR 0016, amendment). With rules
    selected or ignored the scan may serve nothing: it waits until they are chosen."""
    if request.whole_repository and not (config.select or config.ignore):
        ctx.prefetch_if_cold()


def _with_files_to_check(runnable: list[str], policy: Policy, ctx: RepoContext, request: AuditRequest) -> list[str]:
    """The rules with something to check. With `--files`, a per-file rule reads only the
    files its YAML declares (`files:`), so on none of those it finds nothing, and is not
    even imported (UDEF004's Dockerfile parser cost a hook 9 ms on a Python file). It still
    counts as run: it checked the named files."""
    if request.whole_repository:
        return runnable
    return [rule_id for rule_id in runnable if policy.rules[rule_id].reads_any(ctx.files)]


def _rule_cache(
    ctx: RepoContext, runnable: list[str], settings: dict[str, RuleSettings], request: AuditRequest
) -> RuleCache:
    """The rule cache of this audit: its scope names the rules it runs with their parameters."""
    plan = [(rule_id, settings[rule_id].params) for rule_id in runnable]
    mode = "whole" if request.whole_repository else "files"
    return RuleCache(ctx, plan, enabled=request.use_cache, mode=mode)


def load_rule_set(
    root: Path,
    config: Config,
    org: OrgPolicy,
    extra_paths: Sequence[Path],
    plugins: LoadedPlugins,
    *,
    use_cache: bool = True,
) -> tuple[Policy, list[Rule]]:
    """The policy (built-in and plugin metadata, custom policies' too) and the rules custom
    policies compile to; the org policy's enforced IDs are checked against all of them."""
    base = load_policy(plugins.policy_dirs, use_cache=use_cache)
    texts = gather(root, config, org.policy_paths, extra_paths, plugins.policy_dirs)
    custom = _compile_policies(texts, base) if texts else []
    policy = base.extended([c.meta for c in custom]) if custom else base
    check_enforced(org, policy.rules)
    return policy, [c.rule for c in custom]


def _compile_policies(texts: Sequence[PolicyText], base: Policy) -> list[CompiledPolicy]:
    # Imported here: the policy language (YAML, RE2, the commands model) costs a tenth of a
    # second of start-up, and most audits have no custom policy.
    from udef_audit.policies.loader import load_policies  # noqa: PLC0415

    return load_policies(texts, known=base.rules, gates=base.gates)


def rules_for(path: Path, *, config_file: Path | None = None, policy_file: Path | None = None) -> Policy:
    """The rules an audit of `path` would know (built-in, plugin and custom policies), for
    `udef-audit rules` and `explain`; the same ConfigError as an audit for a bad policy."""
    root = resolve_root(path)
    config, _ = _file_config(root, config_file)
    plugins = load_plugins(root, config.disable_plugins)
    org = read_org_policy(policy_file) if policy_file else OrgPolicy(frozenset())
    policy, _ = load_rule_set(root, config, org, (), plugins)
    return policy


def rerun_rule(run: EngineRun, rule_id: str, overrides: Mapping[str, Any]) -> list[Finding]:
    """One rule again with some parameters changed, stamped as in the audit (a gate judges
    coverage at 95 % whatever the configured minimum). A failure yields no result here:
    the audit itself already reported it."""
    settings = {**run.settings}
    current = settings[rule_id]
    settings[rule_id] = RuleSettings(current.level, {**current.params, **overrides})
    raw = run_rules(
        run.ctx, [rule_id], rules=run.rules, settings=settings, policy=run.policy, notes=[], cache=run.rule_cache
    )
    return _finish(raw, run.ctx, run.policy, settings, run.config)


# -- config and context ----------------------------------------------------------------------
def effective_config(root: Path, request: AuditRequest) -> tuple[Config, dict[str, bytes]]:
    """The config file's settings with the command line's applied, and the bytes read for it
    (`root` as `resolve_root` gives it)."""
    config, preread = _file_config(root, request.config_file)
    merged = config.merged(
        select=request.select if request.select else None,
        ignore=(*config.ignore, *request.ignore),
        exclude=(*config.exclude, *request.exclude),
        fail_on=request.fail_on,
        disable_plugins=(*config.disable_plugins, *request.disable_plugins),
    )
    return merged, preread


def _file_config(root: Path, config_file: Path | None) -> tuple[Config, dict[str, bytes]]:
    """`--config FILE`, else `[tool.udef-audit]` of the root's pyproject.toml (read before the
    context exists, because its excludes and size limit decide what the context holds)."""
    if config_file is not None:
        try:
            data = load_toml(config_file.read_bytes())
        except (OSError, TomlError) as exc:
            raise ConfigError(f"cannot read config {config_file}: {exc}") from None
        tool = _tool_table(data, str(config_file))
        table = tool.get("udef-audit", data) if "tool" in data else data
        return parse_config(table, str(config_file)), {}
    try:
        raw = read_regular_file(root, CONFIG_FILE, 5_000_000)
    except UnreadableFile:
        return Config(), {}
    try:
        document = load_toml(raw)
    except TomlError:  # the context reports it as a UDEF000 note; defaults apply
        return Config(), {CONFIG_FILE: raw}
    table = _tool_table(document, CONFIG_FILE).get("udef-audit", {})
    config = parse_config(table, f"{CONFIG_FILE} [tool.udef-audit]")
    return config, {CONFIG_FILE: raw}


def _tool_table(document: dict[str, Any], source: str) -> dict[str, Any]:
    """`[tool]`, checked: it and its `udef-audit` entry must be tables (a ConfigError, exit 2,
    rather than a silently ignored config or a crash)."""
    tool = document.get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError(f"{source}: 'tool' must be a table")
    if not isinstance(tool.get("udef-audit", {}), dict):
        raise ConfigError(f"{source}: 'tool.udef-audit' must be a table")
    return tool


def _build_context(root: Path, request: AuditRequest, config: Config, preread: dict[str, bytes]) -> RepoContext:
    inventory = _listing(root, request, config)
    if not request.whole_repository:
        chosen = tuple(sorted(_in_scope_files(root, request.files or (), inventory)))
        inventory = Inventory(
            root,
            chosen,
            inventory.is_git,
            blob_ids=inventory.blob_ids,
            tracked=inventory.tracked,
            refused=inventory.refused,
            git_refused=inventory.git_refused,
        )
    return RepoContext(
        inventory,
        max_file_size=config.max_file_size,
        project_roots=config.project_roots,
        use_cache=request.use_cache,
        workers=request.workers,
        profile=config.profile,
        phase=config.phase,
        preread=preread,
        config_source=config.source,
    )


def _listing(root: Path, request: AuditRequest, config: Config) -> Inventory:
    """The files in scope: the request's listing when it is of this root and nothing is
    excluded (the same listing, made moments ago), else a new one."""
    listing = request.listing
    if listing is not None and listing.root == root and request.whole_repository and not config.exclude:
        return listing
    named = None if request.whole_repository else _relative_names(root, request.files or ())
    return build_inventory(root, path_matcher(config.exclude), named)


def _inventory_notes(inventory: Inventory) -> list[Notification]:
    """What the inventory refused to use: git paths outside the root, a .git leading out."""
    notes = [
        Notification(message=f"skipped a path git lists ({reason}): {path}", level=Level.WARNING)
        for path, reason in inventory.refused
    ]
    if inventory.git_refused is not None:
        notes.append(
            Notification(
                message=f"git not used: {inventory.git_refused}; the files were listed from the folder "
                "and the score has no history",
                level=Level.WARNING,
            )
        )
    return notes


def _in_scope_files(root: Path, files: Sequence[str], inventory: Inventory) -> set[str]:
    """The named files that are in the inventory (so excludes and symlink rules apply)."""
    listed = set(inventory.files)
    return {rel for rel in _relative_names(root, files) if rel in listed}


def _relative_names(root: Path, files: Sequence[str]) -> list[str]:
    """The named files as posix paths relative to the root (those outside it left out)."""
    names = []
    for name in files:
        candidate = Path(name) if Path(name).is_absolute() else Path.cwd() / name
        try:
            names.append(Path(os.path.normpath(candidate)).relative_to(root).as_posix())
        except ValueError:
            continue  # outside the audited root
    return names


def _validate_refs(config: Config, policy: Policy) -> None:
    check_rule_refs(config.select, policy, "select")
    check_rule_refs(config.ignore, policy, "ignore")
    check_rule_tables(config, policy)


# -- choosing rules --------------------------------------------------------------------------
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


def _refuse_empty_selection(chosen: list[str], meta_rules: list[str], config: Config, *, file_mode: bool) -> None:
    """A run that would check nothing is a mistake said at once (exit 2), not a PASS."""
    if chosen or meta_rules:
        return
    asked = [f"select {', '.join(config.select)}"] if config.select else []
    asked += [f"ignore {', '.join(config.ignore)}"] if config.ignore else []
    scope = " per-file" if file_mode else ""
    said = f" ({'; '.join(asked)})" if asked else ""
    raise ConfigError(f"no{scope} rule left to run{said}: see `udef-audit rules`")


def _applicable(chosen: list[str], policy: Policy, ctx: RepoContext) -> tuple[list[str], list[str]]:
    """Rules to run, and service-only rules that do not apply to a library repository."""
    if ctx.profile.is_service:
        return chosen, []
    library_skips = [r for r in chosen if policy.rules[r].profile == "service"]
    return [r for r in chosen if r not in library_skips], library_skips


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


def _finish(
    raw: list[Finding], ctx: RepoContext, policy: Policy, settings: dict[str, RuleSettings], config: Config
) -> list[Finding]:
    """Levels, phase notes and fingerprints, then inline suppressions."""
    stamped = [_stamp(f, fingerprint, settings, config, policy) for f, fingerprint in fingerprints(raw)]
    return apply_inline(stamped, ctx.suppressions, lambda rid: policy.rules[rid].slug if rid in policy.rules else rid)


def _with_unused_suppressions(
    findings: list[Finding],
    ctx: RepoContext,
    *,
    policy: Policy,
    settings: dict[str, RuleSettings],
    config: Config,
    ran: list[str],
) -> list[Finding]:
    """The findings with UDEF090's results added (suppression.py decides them): every file
    whose bytes hold `udef:`, after the inline suppressions are applied."""
    by_path: dict[str, list[Finding]] = {}
    for finding in findings:
        by_path.setdefault(finding.path, []).append(finding)
    run = SuppressionRun(ran=frozenset(ran), resolve=lambda name: meta.id if (meta := policy.find(name)) else None)
    raw = [
        result
        for path in ctx.files
        if ctx.mentions_suppression(path)
        for result in unused_suppressions(path, ctx.suppressions(path).values(), by_path.get(path, []), run)
    ]
    if not raw:
        return findings
    return sorted([*findings, *_finish(raw, ctx, policy, settings, config)], key=Finding.sort_key)


def _stamp(
    finding: Finding, fingerprint: str, settings: dict[str, RuleSettings], config: Config, policy: Policy
) -> Finding:
    meta = policy.rules.get(finding.rule_id)
    if meta is not None and config.phase is not None and meta.phase > config.phase:
        # A rule of a later phase than the team declares: a note that never fails the run.
        properties = {**finding.properties, AHEAD_OF_PHASE: meta.phase}
        return finding.with_changes(level=Level.NOTE, fingerprint=fingerprint, properties=properties)
    return finding.with_changes(level=_level(finding, settings, config, policy), fingerprint=fingerprint)


def _level(finding: Finding, settings: dict[str, RuleSettings], config: Config, policy: Policy) -> Level:
    """A level the user configured wins; else the rule's own choice; else its default."""
    configured = settings.get(finding.rule_id)
    if configured is None:
        return finding.level or Level.NOTE
    if finding.level is None or explicit_level(config, policy.rules[finding.rule_id]):
        return configured.level
    return finding.level
