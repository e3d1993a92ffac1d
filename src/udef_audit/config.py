"""User configuration: `[tool.udef-audit]` in the audited repository (or `--config FILE`),
overridden by command-line flags. Every key is validated; a mistake is a ConfigError
(exit 2) that names the key, because a silently ignored typo is a policy hole.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from udef_audit.findings import Level
from udef_audit.policy import Policy, RuleMeta, type_matches
from udef_audit.repo_paths import path_problem

FAIL_LEVELS = ("error", "warning", "note", "never")
TOP_LEVEL_KEYS = frozenset(
    {
        "select",
        "ignore",
        "exclude",
        "waivers",
        "fail-on",
        "disable-plugins",
        "project-roots",
        "max-file-size",
        "rules",
        "reset-vs-repair",
        "profile",
        "phase",
        "policies",
    }
)
PROFILE_CHOICES = ("service", "library")
MAX_PHASE = 5


class ConfigError(Exception):
    """A usage or configuration mistake: reported in one line, exit code 2."""


@dataclass(frozen=True)
class RuleSettings:
    """One rule's effective level and parameters."""

    level: Level
    params: Mapping[str, Any]


@dataclass(frozen=True)
class Config:
    """The effective settings of one audit."""

    select: tuple[str, ...] = ()  # empty: every rule, third-party plugins' included
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    fail_on: str = "error"
    disable_plugins: tuple[str, ...] = ()
    project_roots: tuple[str, ...] = ()
    max_file_size: int = 5_000_000
    rule_overrides: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    score: Mapping[str, Any] = field(default_factory=dict)
    waivers: tuple[Any, ...] = ()  # validated by baseline.parse_waivers
    profile: str | None = None  # "service" | "library"; None: inferred from the repository
    phase: int | None = None  # the methodology phase the team declares it is in
    policies: tuple[str, ...] = ()  # custom policy folders or files, relative to the audited root
    source: str = "defaults"

    def merged(self, **changes: Any) -> Config:
        """A copy with command-line values applied (None means "not given")."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def parse_config(table: Mapping[str, Any], source: str) -> Config:
    """Validate a `[tool.udef-audit]` table (rule references are checked later, against
    the policy, by `rule_settings`)."""
    unknown = set(table) - TOP_LEVEL_KEYS
    if unknown:
        raise ConfigError(f"{source}: unknown key 'tool.udef-audit.{sorted(unknown)[0]}'")
    fail_on = table.get("fail-on", "error")
    if fail_on not in FAIL_LEVELS:
        raise ConfigError(f"{source}: 'fail-on' must be one of {', '.join(FAIL_LEVELS)}, not {fail_on!r}")
    max_size = table.get("max-file-size", 5_000_000)
    if not type_matches("int", max_size) or max_size < 1:
        raise ConfigError(f"{source}: 'max-file-size' must be a positive integer (bytes)")
    return Config(
        select=_str_list(table, "select", source),
        ignore=_str_list(table, "ignore", source),
        exclude=_str_list(table, "exclude", source),
        fail_on=fail_on,
        disable_plugins=_str_list(table, "disable-plugins", source),
        project_roots=_str_list(table, "project-roots", source),
        max_file_size=max_size,
        rule_overrides=_table(table, "rules", source),
        score=_table(table, "reset-vs-repair", source),
        waivers=_waiver_tables(table, source),
        profile=_profile(table, source),
        phase=_phase(table, source),
        policies=_policy_paths(table, source),
        source=source,
    )


def _policy_paths(table: Mapping[str, Any], source: str) -> tuple[str, ...]:
    """`policies = ["policies/"]`: folders or files inside the audited repository."""
    paths = _str_list(table, "policies", source)
    cleaned = tuple(path.strip().removeprefix("./").rstrip("/") for path in paths)
    for given, path in zip(paths, cleaned, strict=True):
        problem = path_problem(path)
        if problem is not None:
            raise ConfigError(f"{source}: 'policies': {given!r} is not a path inside the repository ({problem})")
    return cleaned


def _profile(table: Mapping[str, Any], source: str) -> str | None:
    profile = table.get("profile")
    if profile is not None and profile not in PROFILE_CHOICES:
        raise ConfigError(f"{source}: 'profile' must be \"service\" or \"library\", not {profile!r}")
    return profile


def _phase(table: Mapping[str, Any], source: str) -> int | None:
    phase = table.get("phase")
    if phase is not None and (not type_matches("int", phase) or not 0 <= phase <= MAX_PHASE):
        raise ConfigError(f"{source}: 'phase' must be a methodology phase, an integer from 0 to {MAX_PHASE}")
    return phase


def _waiver_tables(table: Mapping[str, Any], source: str) -> tuple[Any, ...]:
    value = table.get("waivers", [])
    if not isinstance(value, list):
        raise ConfigError(f"{source}: 'waivers' must be an array of tables ([[tool.udef-audit.waivers]])")
    return tuple(value)


def _str_list(table: Mapping[str, Any], key: str, source: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if not type_matches("list[str]", value):
        raise ConfigError(f"{source}: '{key}' must be a list of strings")
    return tuple(value)


def _table(table: Mapping[str, Any], key: str, source: str) -> Mapping[str, Any]:
    value = table.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{source}: '{key}' must be a table")
    return value


def check_rule_refs(refs: tuple[str, ...], policy: Policy, what: str) -> None:
    """Every select/ignore entry must name a rule ID, an ID prefix or a slug."""
    for ref in refs:
        if not matching_rules(ref, policy):
            raise ConfigError(
                f"{what}: {ref!r} matches no rule (use an ID like UDEF006, a prefix like UDEF00, or a slug)"
            )


def matching_rules(ref: str, policy: Policy) -> list[str]:
    """Rule IDs a select/ignore entry refers to: an exact ID or slug, else an ID prefix."""
    exact = policy.find(ref)
    if exact is not None:
        return [exact.id]
    return [rid for rid in policy.rules if rid.startswith(ref.strip().upper())]


def selected_rules(config: Config, policy: Policy) -> list[str]:
    """Rule IDs after select and ignore; the more specific reference wins, as in ruff
    (`select = ["UDEF"]`, `ignore = ["UDEF00"]`, `select` on the command line `UDEF006`)."""
    chosen = []
    for rule_id in policy.rules:
        sel = _best_match(rule_id, config.select, policy) if config.select else 0
        ign = _best_match(rule_id, config.ignore, policy)
        if sel is not None and (ign is None or sel > ign):
            chosen.append(rule_id)
    return chosen


def _best_match(rule_id: str, refs: tuple[str, ...], policy: Policy) -> int | None:
    return max((_specificity(r, policy) for r in refs if rule_id in matching_rules(r, policy)), default=None)


def _specificity(ref: str, policy: Policy) -> int:
    # An exact ID or slug beats any prefix; a longer prefix beats a shorter one.
    return 100 if policy.find(ref) is not None else len(ref.strip())


def rule_settings(config: Config, meta: RuleMeta) -> RuleSettings:
    """The rule's level and parameters after `[tool.udef-audit.rules.<ID or slug>]`."""
    overrides: dict[str, Any] = {}
    for key in (meta.id, meta.slug):
        overrides.update(config.rule_overrides.get(key, {}))
    level = meta.level
    params = meta.defaults()
    for name, value in overrides.items():
        where = f"{config.source}: 'rules.{meta.id}.{name}'"
        if name == "level":
            level = _level_value(value, where)
        else:
            params[name] = _param_value(meta, name, value, where)
    return RuleSettings(level=level, params=params)


def _level_value(value: Any, where: str) -> Level:
    if value not in {lvl.value for lvl in Level}:
        raise ConfigError(f"{where} must be error, warning or note")
    return Level(value)


def _param_value(meta: RuleMeta, name: str, value: Any, where: str) -> Any:
    spec = next((p for p in meta.parameters if p.name == name), None)
    if spec is None:
        known = ", ".join(["level", *(p.name for p in meta.parameters)])
        raise ConfigError(f"{where} is not a setting of {meta.id} (known: {known})")
    if not type_matches(spec.type, value):
        raise ConfigError(f"{where} must be a {spec.type}")
    return value


def explicit_level(config: Config, meta: RuleMeta) -> bool:
    """Whether the user set this rule's level (then it applies to all its results)."""
    return any("level" in config.rule_overrides.get(key, {}) for key in (meta.id, meta.slug))


def check_rule_tables(config: Config, policy: Policy) -> None:
    """Every `[tool.udef-audit.rules.X]` table must name a known rule and be a table."""
    for key, value in config.rule_overrides.items():
        if policy.find(key) is None:
            raise ConfigError(f"{config.source}: 'rules.{key}' names no rule")
        if not isinstance(value, dict):
            raise ConfigError(f"{config.source}: 'rules.{key}' must be a table")
