"""Rule documentation from the policy data: `udef-audit rules`, `udef-audit explain`,
SARIF help text and the docs/rules pages all come from here, so they cannot drift apart.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from udef_audit.policy import Policy, RuleMeta

DOCS_URL = "https://github.com/udef-audit/udef-audit/blob/main/docs/rules/{name}.md"


def help_uri(meta: RuleMeta) -> str:
    """Where the rule's page lives: a built-in rule's here, a custom policy's own `docs`
    URL ("" when it names none)."""
    if meta.origin:
        return meta.docs
    return DOCS_URL.format(name=meta.docs_name)


def rule_markdown(meta: RuleMeta) -> str:
    """The rule's page: what it does, why (the methodology's own words), example, fix; for
    a custom policy also where it comes from and its check as written."""
    parts = [
        f"# {meta.id} {meta.slug}: {meta.title}",
        f"Level: **{meta.level.value}** · Scope: {meta.scope} · Phase {meta.phase}{_services_only(meta)}"
        + _where_from(meta),
        f"## What it does\n\n{meta.what}",
        f"## Why is this bad?\n\n{meta.why}" + (f"\n\nThe methodology says:\n\n{_quote(meta.methodology)}"
                                                if meta.methodology else ""),
        *([f"## Example\n\n{meta.example}"] if meta.example else []),
        f"## How to fix\n\n{meta.fix}{_fix_command(meta)}",
    ]
    if meta.check:
        parts.append(f"## The check\n\n```yaml\n{meta.check}\n```")
    if meta.kinds:
        rows = "\n".join(f"| `{k.name}` | {k.summary} |" for k in meta.kinds.values())
        parts.append(
            "## Kinds of result\n\nEach result carries one kind (`kind` in JSON, `udef/kind` in SARIF):\n\n"
            "| kind | meaning |\n|---|---|\n" + rows
        )
    if meta.parameters:
        rows = "\n".join(
            f"| `{p.name}` | {p.type} | `{json.dumps(p.default)}` | {p.description} |" for p in meta.parameters
        )
        parts.append(
            "## Settings\n\nIn `[tool.udef-audit.rules." + meta.id + "]`:\n\n"
            "| name | type | default | meaning |\n|---|---|---|---|\n" + rows
        )
    parts.append(
        "## Suppressing\n\n"
        f"On the offending line: `# udef: ignore[{meta.id}] -- reason`; for the whole repository: "
        f'`ignore = ["{meta.id}"]` in `[tool.udef-audit]`.'
    )
    return "\n\n".join(parts) + "\n"


def _fix_command(meta: RuleMeta) -> str:
    """What `udef-audit fix` does for the rule (its YAML's `fix-safety`)."""
    if meta.fix_safety == "safe":
        return "\n\n`udef-audit fix` applies this rule's fix (safe: it does not change how the project runs)."
    if meta.fix_safety == "unsafe":
        return (
            "\n\n`udef-audit fix --unsafe-fixes` applies this rule's fix (unsafe: it changes what is built, "
            "installed or run; review it with `--diff` first)."
        )
    return ""


def _where_from(meta: RuleMeta) -> str:
    """The methodology section a built-in rule quotes; a custom policy's file and docs."""
    if not meta.origin:
        return f" · Methodology: {meta.chapter} — {meta.section}"
    docs = f" · Docs: {meta.docs}" if meta.docs else ""
    return f" · Custom policy: `{meta.origin}`{docs}"


def _services_only(meta: RuleMeta) -> str:
    return " · Services only (not applicable to a library)" if meta.profile == "service" else ""


def rule_text(meta: RuleMeta) -> str:
    """Plain-text help (SARIF help.text, explain without markup)."""
    methodology = f"Methodology ({meta.chapter} — {meta.section}): {meta.methodology}\n\n" if meta.methodology else ""
    origin = f"Custom policy: {meta.origin}\n\n" if meta.origin else ""
    docs = f"\n\nDocs: {help_uri(meta)}" if help_uri(meta) else ""
    return (
        f"{meta.id} {meta.slug}: {meta.title}\n\nWhat it does: {meta.what}\n\nWhy: {meta.why}\n\n"
        f"{methodology}{origin}Fix: {meta.fix}{_fix_command(meta)}{docs}"
    )


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.strip().splitlines())


def explain(meta: RuleMeta, fmt: str) -> str:
    """`udef-audit explain ID`."""
    if fmt == "json":
        return json.dumps(rule_dict(meta), indent=2)
    return rule_markdown(meta) if fmt == "markdown" else rule_text(meta)


def rule_dict(meta: RuleMeta) -> dict[str, object]:
    """A rule's metadata as plain data."""
    return {
        "id": meta.id,
        "slug": meta.slug,
        "title": meta.title,
        "level": meta.level.value,
        "scope": meta.scope,
        "phase": meta.phase,
        "profile": meta.profile,
        "chapter": meta.chapter,
        "section": meta.section,
        "kinds": {k.name: {"summary": k.summary, "tags": list(k.tags)} for k in meta.kinds.values()},
        "category": meta.category,
        "summary": meta.summary,
        "helpUri": help_uri(meta),
        "parameters": {p.name: p.default for p in meta.parameters},
        **({"origin": meta.origin} if meta.origin else {}),
    }


def listing(policy: Policy, fmt: str, *, docs_prefix: str = "") -> str:
    """`udef-audit rules`: one line per rule (`docs_prefix` is where the pages are, for links)."""
    if fmt == "json":
        return json.dumps([rule_dict(m) for m in policy.rules.values()], indent=2)
    if fmt == "markdown":
        rows = [
            f"| [{m.id}]({docs_prefix}{m.docs_name}.md) | `{m.slug}` | {m.level.value} | {m.phase} | {m.title} |"
            for m in policy.rules.values()
        ]
        return "| ID | slug | level | phase | what |\n|---|---|---|---|---|\n" + "\n".join(rows)
    width = max((len(m.slug) for m in policy.rules.values()), default=10)
    return "\n".join(f"{m.id}  {m.slug:<{width}}  {m.level.value:<7}  {m.title}" for m in policy.rules.values())


README_TABLE = re.compile(r"(<!-- rules-table:start[^>]*-->\n).*?(\n<!-- rules-table:end -->)", re.DOTALL)


def readme_with_table(readme: str, policy: Policy) -> str:
    """The README with its rules table (between the rules-table markers) regenerated."""
    table = listing(policy, "markdown", docs_prefix="docs/rules/")
    return README_TABLE.sub(lambda m: m.group(1) + table + m.group(2), readme, count=1)


def write_docs(directory: Path, policy: Policy, readme: Path | None = None) -> list[Path]:
    """Regenerate docs/rules/*.md, their index and the README's rules table from the policy
    (tests/test_policy.py checks they are current)."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for meta in policy.rules.values():
        path = directory / f"{meta.docs_name}.md"
        path.write_text(rule_markdown(meta), encoding="utf-8")
        written.append(path)
    (directory / "README.md").write_text("# Rules\n\n" + listing(policy, "markdown") + "\n", encoding="utf-8")
    if readme is not None and readme.exists():
        readme.write_text(readme_with_table(readme.read_text(encoding="utf-8"), policy), encoding="utf-8")
        written.append(readme)
    return written


if __name__ == "__main__":  # python -m udef_audit.report.rules_listing docs/rules [README.md]
    from udef_audit.policy import load_policy

    docs = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/rules")
    readme_path = Path(sys.argv[2]) if len(sys.argv) > 2 else Path("README.md")
    for written_path in write_docs(docs, load_policy(), readme_path):
        print(written_path)
