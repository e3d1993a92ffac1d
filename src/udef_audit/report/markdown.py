"""Markdown for PR comments and `$GITHUB_STEP_SUMMARY`: a verdict line, totals, and the
findings grouped by rule in collapsible sections (long reports stay readable)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from udef_audit.findings import Finding
from udef_audit.report.gates_view import markdown_lines as gates_markdown_lines
from udef_audit.report.markdown_escape import code_span, markdown_text
from udef_audit.report.rules_listing import help_uri
from udef_audit.report.summary import summary
from udef_audit.result import AuditResult

MAX_ROWS_PER_RULE = 50


def render_markdown(result: AuditResult) -> str:
    """The report as GitHub-flavoured Markdown."""
    totals = summary(result)
    verdict = "❌ failed" if totals["failed"] else "✅ passed"
    lines = [
        f"## UDEF audit: {verdict}",
        "",
        f"**{totals['error']}** errors · **{totals['warning']}** warnings · **{totals['note']}** notes"
        f" · {totals['suppressed']} suppressed · fail-on `{totals['failOn']}`",
        "",
    ]
    lines += _score_section(result.score.to_dict() if result.score else None)
    lines += gates_markdown_lines(result.gates) if result.gates else []
    lines += _notifications(result)
    lines += _findings_sections(result)
    return "\n".join(lines).rstrip() + "\n"


def _score_section(score: Any) -> list[str]:
    if not isinstance(score, dict):
        return []
    lines = [
        f"### Reset vs repair: **{score['verdict']}** (score {score['score']}/100)",
        "",
        "| criterion | value | threshold | met | evidence |",
        "|---|---|---|---|---|",
    ]
    for c in score.get("criteria", []):
        met = {True: "yes", False: "no", None: "unknown"}[c.get("met")]
        evidence = "; ".join(e["text"] for e in c.get("evidence", [])[:3])
        lines.append(
            f"| {c['title']} | {_cell(c.get('value'))} | {_cell(c.get('threshold'))} | {met} | {_cell(evidence)} |"
        )
    return [*lines, ""]


def _notifications(result: AuditResult) -> list[str]:
    if not result.notifications:
        return []
    lines = ["### Tool and policy notices", ""]
    lines += [
        f"- {'tool error' if n.level.value == 'error' else 'policy'}: {_cell(n.message)}" for n in result.notifications
    ]
    return [*lines, ""]


def _findings_sections(result: AuditResult) -> list[str]:
    by_rule: dict[str, list[Finding]] = defaultdict(list)
    for finding in result.findings:
        by_rule[finding.rule_id].append(finding)
    lines: list[str] = []
    for rule_id in sorted(by_rule):
        meta = result.policy.rules.get(rule_id)
        title = f"[{rule_id}]({help_uri(meta)}) {meta.slug}: {meta.title}" if meta else rule_id
        items = by_rule[rule_id]
        lines += [
            f"<details><summary>{rule_id} · {len(items)} result(s)</summary>",
            "",
            f"#### {title}",
            "",
            "| level | location | message |",
            "|---|---|---|",
        ]
        for f in items[:MAX_ROWS_PER_RULE]:
            status = " (suppressed)" if f.suppressed else ""
            level = f.level.value if f.level else "note"
            lines.append(f"| {level}{status} | {code_span(f'{f.path}:{f.line}')} | {_cell(f.message)} |")
        if len(items) > MAX_ROWS_PER_RULE:
            lines.append(f"| | | … and {len(items) - MAX_ROWS_PER_RULE} more |")
        lines += ["", "</details>", ""]
    return lines


def _cell(value: Any) -> str:
    return markdown_text(str(value)) if value is not None else ""
