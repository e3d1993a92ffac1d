"""The phase gates as a person reads them: the methodology's checklists, decided.

Text (the terminal report and `udef-audit gates`) leads with the next gate's failing items,
each with its results, then what a person must confirm at the Human Gate; Markdown renders
every checklist as GitHub task lists (`- [x]`/`- [ ]`), ready for `$GITHUB_STEP_SUMMARY`.
"""

from __future__ import annotations

import json
from collections import Counter

from udef_audit.gates import FAIL, MANUAL, NA, NOT_CHECKED, PASS, WAIVED, GatesResult, ItemResult, PhaseResult
from udef_audit.report.markdown_escape import code_span, markdown_text
from udef_audit.result import AuditResult
from udef_audit.safe_text import inert_json, json_safe

MAX_RESULTS_SHOWN = 3
CHECKED = (PASS, WAIVED, NA)


def reached_line(gates: GatesResult) -> str:
    """"Phase gates: phase 1 reached (service)" — or "phase 0 not reached"."""
    if gates.reached < 0:
        return f"Phase gates: phase 0 not reached ({gates.profile})"
    return f"Phase gates: phase {gates.reached} reached ({gates.profile})"


def text_lines(gates: GatesResult) -> list[tuple[str, str]]:
    """(line, style) pairs: the reached phase, the next gate's items, the manual ones."""
    lines = [(reached_line(gates), "bold")]
    # Only the gates up to the phase reached read as passed: a later checklist whose own
    # items pass is not reached until the gates before it are.
    lines += [(f"  ✓ {_title(p)}: passed ({_tally(p)})", "green") for p in gates.phases if p.phase <= gates.reached]
    following = gates.next_phase
    if following is None:
        lines.append(("  Every gate the repository can show passes; the manual items remain for people.", "green"))
        return lines
    lines.append((f"  Next: {_title(following)} → {following.gate} ({_tally(following)})", "bold"))
    for item in sorted(following.items, key=_urgency):
        if item.status in (FAIL, NOT_CHECKED):
            lines.extend(_item_lines(item))
    manual = [i.item for i in following.items if i.status == MANUAL]
    if manual:
        lines.append((f"    ? For the Human Gate to confirm: {'; '.join(manual)}", "dim"))
    return lines


def _title(phase: PhaseResult) -> str:
    """The checklist's name; "Phase 3 checklist" where the methodology names it only by its
    Human Gate (the gate follows it on the same line)."""
    return f"Phase {phase.phase} checklist" if phase.checklist == phase.gate else phase.checklist


def _urgency(item: ItemResult) -> int:
    return {FAIL: 0, NOT_CHECKED: 1}.get(item.status, 2)


def _item_lines(item: ItemResult) -> list[tuple[str, str]]:
    if item.status == NOT_CHECKED:
        missing = ", ".join(item.unchecked)
        return [(f"    ! {item.item}: not checked ({missing} not installed or not selected)", "magenta")]
    lines = [(f"    ✗ {item.item} ({', '.join(item.rules)})", "red")]
    for ref in item.results[:MAX_RESULTS_SHOWN]:
        lines.append((f"        {ref.path}:{ref.line} {ref.rule_id}", "dim"))
    if len(item.results) > MAX_RESULTS_SHOWN:
        lines.append((f"        … and {len(item.results) - MAX_RESULTS_SHOWN} more", "dim"))
    return lines


def _tally(phase: PhaseResult) -> str:
    counts = Counter(item.status for item in phase.items)
    order = (PASS, WAIVED, FAIL, NOT_CHECKED, MANUAL, NA)
    return ", ".join(f"{counts[s]} {s}" for s in order if counts[s])


def markdown_lines(gates: GatesResult) -> list[str]:
    """Every checklist as GitHub task lists, each item with its status."""
    lines = [f"### {reached_line(gates)}", ""]
    for phase in gates.phases:
        verdict = "✅ passed" if phase.passed else "❌ not passed"
        lines += [f"#### {phase.checklist}: {verdict}", ""]
        lines += [_markdown_item(item) for item in phase.items]
        lines += ["", f"*{phase.gate}*", ""]
    return lines


def _markdown_item(item: ItemResult) -> str:
    box = "[x]" if item.status in CHECKED else "[ ]"
    detail = {
        PASS: "",
        WAIVED: " — waived",
        NA: " — n/a",
        MANUAL: " — *manual: confirm at the Human Gate*",
        NOT_CHECKED: f" — not checked ({', '.join(item.unchecked)} not installed or not selected)",
        FAIL: " — **fail**: "
        + ", ".join(f"{code_span(f'{r.path}:{r.line}')} {r.rule_id}" for r in item.results[:MAX_RESULTS_SHOWN]),
    }[item.status]
    if item.status == FAIL and len(item.results) > MAX_RESULTS_SHOWN:
        detail += f" and {len(item.results) - MAX_RESULTS_SHOWN} more"
    # Checklist texts are ours; results carry repository paths, inert in their code spans.
    return f"- {box} {markdown_text(item.item)}{detail}"


def render_gates(result: AuditResult, fmt: str) -> str:
    """`udef-audit gates --format json|markdown`: the gates alone."""
    gates = result.gates
    if gates is None:  # pragma: no cover - the gates command always audits a whole repository
        return ""
    if fmt == "json":
        return inert_json(json.dumps(json_safe(gates.to_dict()), ensure_ascii=False))
    return "\n".join(markdown_lines(gates)).rstrip() + "\n"
