"""Policy files compiled: metadata (the same `RuleMeta` as a built-in rule's YAML), the rule,
and the examples that test it.

A policy file is data, wherever it comes from (a repository's `policies/`, an org's
folders, an installed package): it is parsed with the project's safe YAML loader and
validated key by key; a mistake is a `PolicyFileError` (exit 2) naming the file, the line,
the key and what was expected. Nothing in it is executed, evaluated or fetched.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import yaml

from udef_audit.findings import Level
from udef_audit.gate_checklists import PhaseGate, find_item
from udef_audit.parsers.yaml_file import YamlError
from udef_audit.parsers.yaml_located import load_located
from udef_audit.policies.compile import Compiler, given, globs_at, optional
from udef_audit.policies.errors import PolicyFileError
from udef_audit.policies.rule import Anchor, PolicyRule, When, policy_rule
from udef_audit.policies.schema import Cursor
from udef_audit.policies.templates import Template, TemplateError, parse_template
from udef_audit.policy import PHASES, PROFILES, RULE_ID, SLUG, Kind, RuleMeta
from udef_audit.policy_sources import MAX_POLICY_BYTES, PolicyText
from udef_audit.repo_paths import path_problem

MAX_EXAMPLE_FILES = 50
REQUIRED = ("id", "slug", "title", "level", "why", "fix", "message", "check")
TEXT_KEYS = ("summary", "what", "example", "chapter", "section", "methodology", "category", "precision")
OPTIONAL = (*TEXT_KEYS, "phase", "profile", "scope", "docs", "tags", "kinds", "foundation", "when", "anchor", "gate",
            "examples")
COMMON_CAPTURES = frozenset({"path", "line", "project"})
RESERVED_PREFIX = "UDEF"


@dataclass(frozen=True)
class Example:
    """A small file tree and the result lines the policy must give on it (none: it passes)."""

    name: str
    line: int
    files: Mapping[str, str]
    expect: tuple[str, ...]


@dataclass(frozen=True)
class CompiledPolicy:
    """A policy, ready to run: its metadata, its rule and its examples."""

    meta: RuleMeta
    rule: PolicyRule
    examples: tuple[Example, ...]


def load_policies(texts: Iterable[PolicyText], known: Iterable[str] = (), gates: Sequence[PhaseGate] = ()) -> list[
    CompiledPolicy
]:
    """Compile every policy; an ID used twice (or by a rule already `known`) is an error."""
    taken = {rule_id: "a built-in or plugin rule" for rule_id in known}
    compiled = []
    for text in texts:
        policy = compile_policy(text, gates)
        if policy.meta.id in taken:
            other = taken[policy.meta.id]
            raise PolicyFileError(text.source, 1, "id", f"{policy.meta.id} is already defined by {other}")
        taken[policy.meta.id] = text.source
        compiled.append(policy)
    return compiled


def compile_policy(text: PolicyText, gates: Sequence[PhaseGate] = ()) -> CompiledPolicy:
    """One policy file, validated and compiled."""
    if len(text.data) > MAX_POLICY_BYTES:
        raise PolicyFileError(text.source, 1, "", f"a policy file is at most {MAX_POLICY_BYTES} bytes")
    try:
        root = Cursor(load_located(text.data), text.source)
    except YamlError as exc:
        raise PolicyFileError(text.source, _yaml_line(str(exc)), "", f"not valid YAML: {exc}") from None
    fields = root.fields((*REQUIRED, *OPTIONAL), required=REQUIRED, what="a policy (a mapping with id, slug, check...)")
    compiler = Compiler()
    condition = compiler.condition(fields["check"])
    meta = _meta(fields, text.source, gates)
    message = _template(fields["message"], compiler.captures | COMMON_CAPTURES)
    rule = policy_rule(
        meta.id,
        condition,
        message,
        kind=next(iter(meta.kinds)),
        scope=meta.scope,
        when=_when(fields["when"]) if "when" in fields else None,
        anchor=_anchor(fields["anchor"], meta.scope) if "anchor" in fields else None,
    )
    examples = tuple(_examples(fields["examples"])) if "examples" in fields else ()
    return CompiledPolicy(meta, rule, examples)


def _yaml_line(reason: str) -> int:
    head = reason.split(":", 1)[0]
    return int(head.removeprefix("line ")) if head.startswith("line ") and head[5:].isdigit() else 1


# -- metadata ----------------------------------------------------------------------------------
def _meta(fields: dict[str, Cursor], source: str, gates: Sequence[PhaseGate]) -> RuleMeta:
    rule_id = _identity(fields)
    slug = fields["slug"].text()
    if not SLUG.match(slug):
        fields["slug"].expected("a kebab-case slug such as codeowners-present")
    title = fields["title"].text()
    phase = given(fields, "phase", lambda c: c.integer(0, max(PHASES), "a methodology phase, 0 to 5"), 0)
    texts = {key: fields[key].text() for key in TEXT_KEYS if key in fields}
    summary = texts.get("summary", title)
    return RuleMeta(
        id=rule_id,
        slug=slug,
        title=title,
        level=Level(fields["level"].choice([lvl.value for lvl in Level])),
        chapter=texts.get("chapter", ""),
        section=texts.get("section", ""),
        category=texts.get("category", "policy"),
        scope=given(fields, "scope", lambda c: c.choice(("repository", "project", "file")), "repository"),
        summary=summary,
        methodology=texts.get("methodology", ""),
        what=texts.get("what", summary),
        why=fields["why"].text(),
        example=texts.get("example", ""),
        fix=fields["fix"].text(),
        phase=phase,
        profile=given(fields, "profile", lambda c: c.choice(PROFILES), "any"),
        kinds=_kinds(fields.get("kinds"), slug, title),
        tags=given(fields, "tags", Cursor.texts, ()),
        precision=texts.get("precision", "high"),
        foundation=given(fields, "foundation", Cursor.boolean, False),
        source=source,
        origin=source,
        docs=given(fields, "docs", _docs, ""),
        check=yaml.safe_dump(fields["check"].value, sort_keys=False, allow_unicode=True).strip(),
        gate=optional(fields, "gate", lambda c: _gate(c, gates)),
    )


def _identity(fields: dict[str, Cursor]) -> str:
    rule_id = fields["id"].text()
    if not RULE_ID.match(rule_id):
        fields["id"].expected("an ID of an organisation prefix and three digits, such as ACME001")
    if rule_id.startswith(RESERVED_PREFIX):
        fields["id"].fail(f"the {RESERVED_PREFIX} prefix is udef-audit's own: use your organisation's (ACME001)")
    return rule_id


def _kinds(at: Cursor | None, slug: str, title: str) -> dict[str, Kind]:
    """The one kind every result of the policy carries: declared, or named after the slug."""
    if at is None:
        return {slug: Kind(slug, title)}
    name, spec = at.single_any("a mapping of one kind name to {summary, tags}")
    if not SLUG.match(name):
        at.fail(f"kind {name!r} is not kebab-case")
    fields = spec.fields(("summary", "tags"), required=("summary",))
    tags = fields["tags"].texts() if "tags" in fields else ()
    return {name: Kind(name, fields["summary"].text(), tags)}


def _docs(at: Cursor) -> str:
    url = at.text("a URL (https://...)")
    if not url.startswith(("https://", "http://")) or any(c.isspace() for c in url):
        at.expected("an http(s) URL of the policy's documentation")
    return url


def _gate(at: Cursor, gates: Sequence[PhaseGate]) -> tuple[int, str]:
    fields = at.fields(("phase", "item"), required=("phase", "item"), what="a mapping with phase and item")
    phase = fields["phase"].integer(0, max(PHASES), "a methodology phase, 0 to 5")
    item = fields["item"].text("a checklist item, word for word")
    if gates and find_item(gates, phase, item) is None:
        names = "; ".join(i.item for g in gates if g.phase == phase for i in g.items)
        fields["item"].fail(f"phase {phase} has no checklist item {item!r} (its items: {names})")
    return phase, item


def _template(at: Cursor, available: set[str] | frozenset[str]) -> Template:
    try:
        template = parse_template(at.text("a message (a sentence, with {name} placeholders)"))
    except TemplateError as exc:
        at.fail(str(exc))
    unknown = sorted(template.names - set(available))
    if unknown:
        at.fail(f"{{{unknown[0]}}} is not captured by this check (it captures: {', '.join(sorted(available))})")
    return template


# -- when, anchor, examples --------------------------------------------------------------------
def _when(at: Cursor) -> When:
    fields = at.fields(("profile", "phase", "exists"), what="a mapping with profile, phase and/or exists")
    return When(
        profile=fields["profile"].choice(("service", "library")) if "profile" in fields else None,
        phase=fields["phase"].integer(0, max(PHASES), "a methodology phase, 0 to 5") if "phase" in fields else None,
        exists=globs_at(fields["exists"]) if "exists" in fields else (),
    )


def _anchor(at: Cursor, scope: str) -> Anchor:
    default = "project" if scope == "project" else "repository"
    if at.value in ("repository", "project"):
        if at.value == "project" and scope != "project":
            at.fail("'project' needs scope: project")
        return Anchor(str(at.value))
    return Anchor(default, globs_at(at))


def _examples(at: Cursor) -> Iterable[Example]:
    names: set[str] = set()
    for item in at.elements("a list of examples"):
        fields = item.fields(("name", "files", "expect"), required=("name", "files"))
        name = fields["name"].text()
        if name in names:
            fields["name"].fail(f"another example is named {name!r}")
        names.add(name)
        expect = tuple(line.text("a result line: PATH:LINE ID message") for line in
                       fields["expect"].elements("a list of result lines", empty=True)) if "expect" in fields else ()
        yield Example(name, item.line, _example_files(fields["files"]), expect)


def _example_files(at: Cursor) -> dict[str, str]:
    files: dict[str, str] = {}
    for path, content in at.fields_any("a mapping of file path to its text").items():
        problem = path_problem(path)
        if problem is not None or len(files) >= MAX_EXAMPLE_FILES:
            content.fail(f"an example file is a relative path inside the tree ({problem or 'too many files'})")
        if not isinstance(content.value, str):
            content.expected("the file's text")
        files[path] = content.value
    return files
