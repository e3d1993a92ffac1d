"""The policy as data: one YAML file per rule in `rules/`, loaded and validated here.

The YAML is the single source for SARIF rule metadata, `udef-audit rules`,
`udef-audit explain`, the docs pages and each rule's parameter defaults. It ships inside
the wheel as `udef_audit/policy`; a development checkout reads the top-level `rules/`.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from udef_audit.findings import Level
from udef_audit.gate_checklists import GatesError, PhaseGate, parse_gates, with_deciders
from udef_audit.globs import path_matcher

if TYPE_CHECKING:
    from udef_audit.cache import FactsCache
    from udef_audit.compat import Traversable

RULE_ID = re.compile(r"^[A-Z][A-Z0-9]{1,9}[0-9]{3}$")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SCOPES = ("repository", "project", "file")
PROFILES = ("any", "service")
PARAM_TYPES = ("int", "float", "bool", "str", "list[str]")
# The methodology's project phases ("Project Phases (0-5)"), as its chapters title them.
PHASES = {
    0: "Phase 0: Foundation Setup",
    1: "Phase 1: Specification & Design",
    2: "Phase 2: Pathfinder Module Implementation",
    3: "Phase 3: Incremental Module Development",
    4: "Phase 4: System Hardening",
    5: "Phase 5: Production Deployment",
}
REQUIRED = (
    "id",
    "slug",
    "title",
    "level",
    "chapter",
    "section",
    "category",
    "scope",
    "summary",
    "methodology",
    "what",
    "why",
    "example",
    "fix",
)
OPTIONAL = (
    "phase", "profile", "kinds", "parameters", "tags", "precision", "files", "foundation", "fix-safety",
    "reads-every-python-file",
)  # fmt: skip
# `fix-safety`: whether `udef-audit fix` repairs the rule's results, and how. `safe` fixes
# keep the project's behaviour (a .gitignore pattern, a hook); `unsafe` ones change it and
# need review (files move, dependencies change): only `--unsafe-fixes` applies them.
FIX_SAFETIES = ("safe", "unsafe")


class PolicyError(Exception):
    """The policy data is malformed (a packaging or plugin bug, not a user error)."""


@dataclass(frozen=True)
class Parameter:
    """A rule parameter with its default, settable in `[tool.udef-audit.rules.ID]`."""

    name: str
    type: str
    default: Any
    description: str


@dataclass(frozen=True)
class Kind:
    """One kind of result a rule produces (`Finding.kind`), and what it means downstream.

    `tags` are what the score and the gates read (`placeholder`, `half-finished-migration`),
    so neither ever looks at a rule ID list or a message."""

    name: str
    summary: str
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class RuleMeta:
    """Everything a user or a reporter needs to know about a rule, from its YAML.

    `phase` is the methodology phase (0-5) whose gate first needs the rule: with `phase = N`
    in the config, rules of a later phase report notes. `chapter` and `section` name where
    in the methodology the rule's quotes come from. `profile` is "service" for rules that do
    not apply to a library (containers, health, staging)."""

    id: str
    slug: str
    title: str
    level: Level
    chapter: str
    section: str
    category: str
    scope: str
    summary: str
    methodology: str
    what: str
    why: str
    example: str
    fix: str
    phase: int = 0
    profile: str = "any"
    kinds: Mapping[str, Kind] = field(default_factory=dict)
    parameters: tuple[Parameter, ...] = ()
    tags: tuple[str, ...] = ()
    precision: str = "high"
    files: tuple[str, ...] = ()
    # The rule asks for the facts of every Python file: it runs after the other rules, while
    # the scan it waits for runs in worker processes (ADR 0016). Only when it runs, never what.
    reads_every_python_file: bool = False
    foundation: bool = False
    fix_safety: str | None = None  # "safe" | "unsafe" | None (no fix)
    source: str = ""
    # Custom policies (docs/design/policies.md): where the policy came from ("" for a built-in rule),
    # its own documentation URL, its check as written, and the checklist item it decides.
    origin: str = ""
    docs: str = ""
    check: str = ""
    gate: tuple[int, str] | None = None

    def reads_any(self, paths: Iterable[str]) -> bool:
        """Whether one of `paths` is a file the rule's YAML says it reads (`files:`, globs in
        any letter case, as the rules match Dockerfiles and suffixes); True for a rule that
        declares none: it may read anything."""
        if not self.files:
            return True
        matches = path_matcher(pattern.lower() for pattern in self.files)
        return any(matches(path.lower()) for path in paths)

    def kind_tags(self, kind: str) -> tuple[str, ...]:
        """The tags of one of this rule's kinds (none for an undeclared or empty kind)."""
        declared = self.kinds.get(kind)
        return declared.tags if declared else ()

    @property
    def phase_title(self) -> str:
        """"Phase 0: Foundation Setup"."""
        return PHASES[self.phase]

    def defaults(self) -> dict[str, Any]:
        """Parameter name -> default value."""
        return {p.name: p.default for p in self.parameters}

    @property
    def docs_name(self) -> str:
        """File stem shared by the rule's YAML, docs page and fixtures: `UDEF004-docker-...`."""
        return f"{self.id}-{self.slug}"


@dataclass(frozen=True)
class Policy:
    """All rule metadata, the reset-vs-repair scoring model and the phase gates."""

    rules: Mapping[str, RuleMeta]
    score_model: Mapping[str, Any] = field(default_factory=dict)
    gates: tuple[PhaseGate, ...] = ()

    def extended(self, custom: Sequence[RuleMeta]) -> Policy:
        """This policy with custom policies' rules added, and each one that names a checklist
        item (`gate:`) among that item's deciding rules."""
        rules = dict(self.rules)
        for meta in custom:
            if meta.id in rules:
                raise PolicyError(f"{meta.source}: rule {meta.id} is defined twice")
            rules[meta.id] = meta
        deciders = [(meta.gate[0], meta.gate[1], meta.id) for meta in custom if meta.gate is not None]
        try:
            gates = with_deciders(self.gates, deciders)
        except GatesError as exc:
            raise PolicyError(str(exc)) from exc
        return replace(self, rules=dict(sorted(rules.items())), gates=gates)

    def find(self, id_or_slug: str) -> RuleMeta | None:
        """Look a rule up by ID (any case) or slug."""
        wanted = id_or_slug.strip()
        if wanted.upper() in self.rules:
            return self.rules[wanted.upper()]
        return next((r for r in self.rules.values() if r.slug == wanted.lower()), None)


def packaged_policy_dir() -> Traversable:
    """Where the built-in rules' YAML lives: inside the wheel, or the checkout's `rules/`."""
    here = Path(__file__).resolve()
    if here.is_file():  # on disk: no need for importlib.resources (4 ms of a pre-commit run)
        beside = here.parent / "policy"
        # An editable install maps only src/; the policy data stays at the checkout's top level.
        return beside if beside.is_dir() else here.parents[2] / "rules"
    from importlib import resources  # noqa: PLC0415 - a zipped install

    return resources.files("udef_audit") / "policy"


def load_policy(extra_dirs: Iterable[Traversable] = (), *, use_cache: bool = False) -> Policy:
    """Load and validate the built-in policy plus any directories plugins contribute.

    With `use_cache`, each YAML file's data is remembered by its content in the user's
    cache (an audit then needs neither the YAML parser nor its import: ~20 ms of a
    pre-commit run); validation runs on the data either way."""
    rules: dict[str, RuleMeta] = {}
    score_model: dict[str, Any] = {}
    gates: tuple[PhaseGate, ...] = ()
    cache = _yaml_cache() if use_cache else None
    for entry, data in _policy_files(extra_dirs, cache):
        if data.get("kind") == "score":
            score_model = data
        elif data.get("kind") == "gates":
            gates = _gates(data, entry.name)
        else:
            meta = parse_rule_meta(data, source=entry.name)
            if meta.id in rules:
                raise PolicyError(f"{entry.name}: rule {meta.id} is defined twice")
            rules[meta.id] = meta
    if cache is not None:
        cache.save(set(cache.entries))
    return Policy(rules=dict(sorted(rules.items())), score_model=score_model, gates=gates)


def _policy_files(extra_dirs: Iterable[Traversable], cache: FactsCache | None) -> Iterator[
    tuple[Traversable, dict[str, Any]]
]:
    """Each rule, score or gates YAML of the built-in and plugin folders, with its data; a
    custom policy (a YAML with a `check:`) is left to udef_audit.policies, which compiles
    its rule and metadata."""
    for directory in (packaged_policy_dir(), *extra_dirs):
        for entry in sorted(directory.iterdir(), key=lambda e: e.name):
            if entry.name.endswith(".yaml"):
                data = _read_yaml(entry, cache)
                if "check" not in data:
                    yield entry, data


def _yaml_cache() -> FactsCache:
    from udef_audit.cache import FactsCache  # noqa: PLC0415

    return FactsCache(Path("/"), "policy-yaml-v1", "")


def _gates(data: Mapping[str, Any], where: str) -> tuple[PhaseGate, ...]:
    try:
        return parse_gates(data, where)
    except GatesError as exc:
        raise PolicyError(str(exc)) from exc


def _read_yaml(entry: Traversable, cache: FactsCache | None = None) -> dict[str, Any]:
    raw = entry.read_bytes()
    key = hashlib.blake2b(raw, digest_size=16).hexdigest()
    data = cache.get(key) if cache is not None else None
    if data is None:
        data = _parse_yaml(entry.name, raw)
        # Only data JSON gives back unchanged is remembered (YAML dates would not be).
        if cache is not None and json.loads(json.dumps(data, default=repr)) == data:
            cache.put(key, data)
    if not isinstance(data, dict):
        raise PolicyError(f"{entry.name}: expected a mapping at the top level")
    return data


def _parse_yaml(name: str, raw: bytes) -> Any:
    from udef_audit.parsers.yaml_file import YamlError, load_yaml  # noqa: PLC0415 - see load_policy

    try:
        return load_yaml(raw)
    except YamlError as exc:
        raise PolicyError(f"{name}: {exc}") from exc


def parse_rule_meta(data: Mapping[str, Any], source: str = "") -> RuleMeta:
    """Validate one rule's YAML mapping and build its metadata."""
    where = source or str(data.get("id", "?"))
    _check_keys(data, where)
    _check_identity(data, where)
    return RuleMeta(
        **{k: data[k].strip() for k in REQUIRED if k != "level"},
        level=Level(data["level"]),
        **_optional(data, where),
        source=source,
    )


def _optional(data: Mapping[str, Any], where: str) -> dict[str, Any]:
    """The optional keys, validated, with their defaults."""
    return {
        "phase": _phase(data.get("phase", 0), where),
        "profile": _choice(data.get("profile", "any"), PROFILES, "profile", where),
        "kinds": _kinds(data.get("kinds") or {}, where),
        "parameters": _parameters(data.get("parameters") or {}, where),
        "tags": tuple(str(t) for t in data.get("tags") or ()),
        "precision": str(data.get("precision", "high")),
        "files": tuple(str(f) for f in data.get("files") or ()),
        "foundation": bool(data.get("foundation", False)),
        "reads_every_python_file": _flag(data, "reads-every-python-file", where),
        "fix_safety": _fix_safety(data.get("fix-safety"), where),
    }


def _check_keys(data: Mapping[str, Any], where: str) -> None:
    unknown = set(data) - set(REQUIRED) - set(OPTIONAL)
    if unknown:
        raise PolicyError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    missing = [k for k in REQUIRED if not isinstance(data.get(k), str) or not data[k].strip()]
    if missing:
        raise PolicyError(f"{where}: missing or empty key(s) {', '.join(missing)}")


def _check_identity(data: Mapping[str, Any], where: str) -> None:
    if not RULE_ID.match(data["id"]):
        raise PolicyError(f"{where}: id {data['id']!r} is not like UDEF001")
    if not SLUG.match(data["slug"]):
        raise PolicyError(f"{where}: slug {data['slug']!r} is not kebab-case")
    if data["level"] not in {lvl.value for lvl in Level}:
        raise PolicyError(f"{where}: level must be error, warning or note")
    if data["scope"] not in SCOPES:
        raise PolicyError(f"{where}: scope must be one of {', '.join(SCOPES)}")
    if source_name := where if where.endswith(".yaml") else "":
        expected = f"{data['id']}-{data['slug']}.yaml"
        if source_name != expected:
            raise PolicyError(f"{where}: file name must be {expected}")


def _phase(value: Any, where: str) -> int:
    if not type_matches("int", value) or value not in PHASES:
        raise PolicyError(f"{where}: phase must be a methodology phase, 0 to 5")
    return int(value)


def _flag(data: Mapping[str, Any], key: str, where: str) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        raise PolicyError(f"{where}: {key} must be true or false")
    return value


def _fix_safety(value: Any, where: str) -> str | None:
    if value is None:
        return None
    return _choice(value, FIX_SAFETIES, "fix-safety", where)


def _choice(value: Any, allowed: tuple[str, ...], key: str, where: str) -> str:
    if value not in allowed:
        raise PolicyError(f"{where}: {key} must be one of {', '.join(allowed)}")
    return str(value)


def _kinds(raw: Any, where: str) -> dict[str, Kind]:
    """`kinds: {name: {summary: ..., tags: [...]}}`: every kind a rule's results may carry."""
    if not isinstance(raw, dict):
        raise PolicyError(f"{where}: kinds must be a mapping of kind name to {{summary, tags}}")
    return {str(name): _kind(name, spec, where) for name, spec in raw.items()}


def _kind(name: Any, spec: Any, where: str) -> Kind:
    if not isinstance(name, str) or not SLUG.match(name):
        raise PolicyError(f"{where}: kind {name!r} is not kebab-case")
    if not isinstance(spec, dict) or not isinstance(spec.get("summary"), str) or set(spec) - {"summary", "tags"}:
        raise PolicyError(f"{where}: kind {name} needs a summary (and optional tags), nothing else")
    tags = spec.get("tags") or []
    if not type_matches("list[str]", tags):
        raise PolicyError(f"{where}: kind {name}'s tags must be a list of strings")
    return Kind(name, spec["summary"].strip(), tuple(tags))


def _parameters(raw: Any, where: str) -> tuple[Parameter, ...]:
    if not isinstance(raw, dict):
        raise PolicyError(f"{where}: parameters must be a mapping")
    params = []
    for name, spec in raw.items():
        if not isinstance(spec, dict) or spec.get("type") not in PARAM_TYPES or "default" not in spec:
            raise PolicyError(f"{where}: parameter {name} needs a type ({PARAM_TYPES}) and a default")
        if not type_matches(spec["type"], spec["default"]):
            raise PolicyError(f"{where}: parameter {name}'s default is not a {spec['type']}")
        params.append(Parameter(str(name), spec["type"], spec["default"], str(spec.get("description", ""))))
    return tuple(params)


def type_matches(type_name: str, value: Any) -> bool:
    """Whether a value fits a declared parameter type (bools are not ints here)."""
    checks = {
        "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "float": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
        "bool": lambda v: isinstance(v, bool),
        "str": lambda v: isinstance(v, str),
        "list[str]": lambda v: isinstance(v, list) and all(isinstance(i, str) for i in v),
    }
    return bool(checks[type_name](value))
