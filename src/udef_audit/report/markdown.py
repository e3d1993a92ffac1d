"""Markdown for PR comments and `$GITHUB_STEP_SUMMARY`: a verdict line, totals, and the
findings grouped by rule in collapsible sections (long reports stay readable)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from udef_audit.findings import Finding
from udef_audit.report.gates_view import markdown_lines as gates_markdown_lines
from udef_audit.report.markdown_escape import code_span, markdown_text
from udef_audit.report.rules_listing import help_uri
from udef_audit.report.score_view import markdown_lines as score_markdown_lines
from udef_audit.report.summary import summary
from udef_audit.result import AuditResult
from udef_audit.wording import count, noun_for, plural

MAX_ROWS_PER_RULE = 50


def render_markdown(result: AuditResult) -> str:
    """The report as GitHub-flavoured Markdown."""
    totals = summary(result)
    verdict = "❌ failed" if totals["failed"] else "✅ passed"
    lines = [
        f"## UDEF audit: {verdict}",
        "",
        f"**{count(totals['error'])}** {noun_for(totals['error'], 'error')}"
        f" · **{count(totals['warning'])}** {noun_for(totals['warning'], 'warning')}"
        f" · **{count(totals['note'])}** {noun_for(totals['note'], 'note')}"
        f" · {count(totals['suppressed'])} suppressed · fail-on `{totals['failOn']}`",
        "",
    ]
    lines += score_markdown_lines(result.score) if result.score else []
    lines += gates_markdown_lines(result.gates) if result.gates else []
    lines += _notifications(result)
    lines += _findings_sections(result)
    return "\n".join(lines).rstrip() + "\n"


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
            f"<details><summary>{rule_id} · {plural(len(items), 'result')}</summary>",
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
