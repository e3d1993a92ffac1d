"""The terminal report: findings grouped by file (`path:line:col` first, so editors and
terminals can jump to them), totals, and a verdict panel. Colour only on a terminal and
never with NO_COLOR; long lines are never wrapped, so the output stays greppable.

Every string that can come from the scanned repository (paths, messages, justifications,
notices, evidence) goes through `escape_text`: no ESC sequence, control or bidi character
of a file name or a commit subject reaches the terminal, and none splits a line."""

from __future__ import annotations

import io
import os
from collections import defaultdict
from typing import Any

from rich.console import Console
from rich.panel import Panel
from rich.text import Text

from udef_audit.findings import Finding
from udef_audit.gates import GatesResult
from udef_audit.report.gates_view import text_lines as gates_text_lines
from udef_audit.report.summary import summary
from udef_audit.result import AuditResult
from udef_audit.safe_text import escape_text

STYLES = {"error": "bold red", "warning": "yellow", "note": "cyan"}


def plain_console(*, color: bool) -> tuple[Console, io.StringIO]:
    """A console writing to a buffer: ANSI colour only when `color` and NO_COLOR is unset."""
    color = color and "NO_COLOR" not in os.environ
    buffer = io.StringIO()
    console = Console(
        file=buffer, force_terminal=color, no_color=not color, width=100, soft_wrap=True, highlight=False, emoji=False
    )
    return console, buffer


def render_text(result: AuditResult, *, color: bool) -> str:
    """The report as terminal text (ANSI colour only when `color`)."""
    console, buffer = plain_console(color=color)
    _print_findings(console, result)
    _print_notices(console, result)
    console.print(_verdict_panel(result))
    if result.score is not None:
        console.print(_score_text(result.score.to_dict()))
    if result.gates is not None:
        console.print(gates_text(result.gates))
    return buffer.getvalue()


def render_gates_text(result: AuditResult, *, color: bool) -> str:
    """`udef-audit gates`: the profile and the gates alone, as terminal text."""
    console, buffer = plain_console(color=color)
    console.print(Text(escape_text(result.profile.describe()), style="dim"))
    if result.gates is not None:
        console.print(gates_text(result.gates))
    return buffer.getvalue()


def gates_text(gates: GatesResult) -> Text:
    """The gates section: the phase reached, the next gate's failing items, the manual ones."""
    text = Text()
    for number, (line, style) in enumerate(gates_text_lines(gates)):
        text.append(("\n" if number else "") + escape_text(line), style=style)
    return text


def _print_findings(console: Console, result: AuditResult) -> None:
    by_path: dict[str, list[Finding]] = defaultdict(list)
    for finding in result.findings:
        by_path[finding.path].append(finding)
    for path in sorted(by_path):
        console.print(Text(escape_text(path), style="bold underline"))
        for finding in by_path[path]:
            console.print(_line(finding, result))
        console.print()


def _print_notices(console: Console, result: AuditResult) -> None:
    for note in result.notifications:
        label = "tool error" if note.level.value == "error" else "policy"
        style = "bold magenta" if label == "tool error" else "yellow"
        console.print(Text(f"{label}: {escape_text(note.message)}", style=style))
    baseline = result.baseline
    if baseline is not None and baseline.matched is not None:
        console.print(_baseline_line(baseline.to_dict()))


def _line(finding: Finding, result: AuditResult) -> Text:
    level = finding.level.value if finding.level else "note"
    where = f"{escape_text(finding.path)}:{finding.line}" + (f":{finding.column}" if finding.column else "")
    slug = result.policy.rules[finding.rule_id].slug if finding.rule_id in result.policy.rules else ""
    text = Text("  ")
    text.append(where, style="dim")
    text.append(f" {finding.rule_id} ", style=STYLES[level])
    text.append(f"[{level}] ", style=STYLES[level])
    text.append(escape_text(finding.message))
    text.append(f" ({slug})", style="dim")
    if finding.suppressed:
        text.append(f"  suppressed: {escape_text(finding.suppressions[0].justification)}", style="dim italic")
    return text


def _baseline_line(baseline: dict[str, Any]) -> Text:
    fixed = len(baseline.get("fixed", []))
    text = Text(f"baseline {escape_text(baseline['file'])}: {baseline['matched']} known findings not counted")
    if baseline.get("pruned"):
        text.append(f"; {baseline['pruned']} fixed entries pruned", style="green")
    elif fixed:
        text.append(f"; {fixed} entries are fixed: --prune-baseline drops them", style="green")
    return text


def _status(result: AuditResult, totals: dict[str, Any]) -> Text:
    """TOOL ERROR (exit 3) over FAIL (exit 1) over PASS."""
    if result.tool_failed:
        return Text("TOOL ERROR", style="bold magenta")
    return Text("FAIL" if totals["failed"] else "PASS", style="bold red" if totals["failed"] else "bold green")


def _verdict_panel(result: AuditResult) -> Panel:
    totals = summary(result)
    status = _status(result, totals)
    body = Text.assemble(
        status,
        f"  {totals['error']} errors, {totals['warning']} warnings, {totals['note']} notes, "
        f"{totals['suppressed']} suppressed (fail-on {totals['failOn']}); "
        f"{result.stats.files} files, {len(result.rules_run)} rules, {result.stats.seconds} s",
    )
    if result.fixes:
        body.append(_fixable_line(result), style="green")
    score = result.score
    if score is not None:
        body.append("\nReset vs repair: ", style="bold")
        body.append(f"{score.verdict.upper()} ", style="bold red" if score.verdict == "reset" else "bold green")
        body.append(f"(score {score.score}/100, reset at {score.threshold:g})")
    return Panel(body, title="udef-audit", expand=False)


def _fixable_line(result: AuditResult) -> str:
    """"N fixable with `udef-audit fix`", and how many more need --unsafe-fixes."""
    safe, unsafe = result.fixable("safe"), result.fixable("unsafe")
    more = f" ({unsafe} more with `--unsafe-fixes`)" if unsafe else ""
    return f"\n{safe} fixable with `udef-audit fix`{more}"


def _score_text(score: dict[str, Any]) -> Text:
    """The criteria under the panel, unclipped: value, met or not, and the top evidence."""
    text = Text('Reset criteria (the methodology\'s "When to Reset vs Repair"):', style="bold")
    for criterion in score.get("criteria", []):
        met = {True: "met", False: "not met", None: "unknown"}[criterion.get("met")]
        text.append(f"\n  • {escape_text(criterion['title'])}: {escape_text(str(criterion.get('value')))} ({met})")
        for item in (criterion.get("evidence") or [])[:3] if criterion.get("met") else []:
            text.append(f"\n      {escape_text(item['text'])}", style="dim")
    present = [s["title"] for s in score.get("repairSignals", []) if s.get("met")]
    if present:
        text.append(f"\nRepair signals: {', '.join(present)}", style="green")
    return text
