"""The text report without rich, when nobody sees it in a terminal.

Piped or written to a file (no colour, no wrapping, no OSC 8 links) the report is plain
characters, and importing and driving rich costs more than the rest of a pre-commit run
(about 30 ms to import, 0.15 ms a line). This module writes the same characters as
report/text.py draws with rich in that case, for the report it can reproduce exactly: when
the summary box holds anything but ASCII, or a word too long for it, `render_plain` says
None and the caller draws the report with rich. The box holds what rich's holds (the
fixable count, the reset-vs-repair verdict) and the score's arithmetic follows it: a whole
audit piped into a CI log (sympy: 3,000 lines) never imports rich.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from udef_audit.findings import AHEAD_OF_PHASE, Finding
from udef_audit.report.rules_listing import help_uri
from udef_audit.report.score_view import text_lines as score_lines
from udef_audit.report.score_view import verdict_line
from udef_audit.report.summary import summary
from udef_audit.report.terminal import BOX_WIDTH, TextOptions
from udef_audit.result import AuditResult
from udef_audit.safe_text import escape_text
from udef_audit.wording import count, noun_for, plural

TITLE = "udef-audit"
_WORD = re.compile(r"\S+")


def is_plain(options: TextOptions) -> bool:
    """Whether the report is drawn without colour, wrapping or links (and not as statistics)."""
    return not options.color and options.width is None and not options.hyperlinks and not options.statistics


def render_plain(result: AuditResult, options: TextOptions) -> str | None:
    """The text report as plain characters, or None when only rich can draw it the same."""
    box = _box(result)
    if box is None:
        return None
    out = findings_lines(result, options)
    out += [_notice(note.level.value, note.message) for note in result.notifications]
    out += _baseline_lines(result)
    out += _hidden_lines(result, options)
    out += box
    if result.score is not None:
        out += _view_lines(score_lines(result.score))
    if result.gates is not None:
        from udef_audit.report.gates_view import text_lines as gates_lines  # noqa: PLC0415

        out += _view_lines(gates_lines(result.gates))
    return "".join(line + "\n" for line in out)


def findings_lines(result: AuditResult, options: TextOptions) -> list[str]:
    """Each file's path, its results, a blank line."""
    by_path: dict[str, list[Finding]] = defaultdict(list)
    for finding in result.findings if options.show_suppressed else result.active:
        by_path[finding.path].append(finding)
    out: list[str] = []
    for path in sorted(by_path):
        out.append(escape_text(path))
        out.extend(result_line(finding, result) for finding in by_path[path])
        out.append("")
    return out


def result_line(finding: Finding, result: AuditResult) -> str:
    """One result as the terminal report writes it, without styles."""
    level = finding.level.value if finding.level else "note"
    where = f"{escape_text(finding.path)}:{finding.line}" + (f":{finding.column}" if finding.column else "")
    meta = result.policy.rules.get(finding.rule_id)
    parts = ["  ", where, " ", finding.rule_id, f" [{level}] "]
    if finding.ahead_of_phase:
        parts.append(f"(phase {finding.properties[AHEAD_OF_PHASE]} rule, ahead of the declared phase) ")
    parts.append(escape_text(finding.message))
    if finding.suppressed:
        parts.append(f"  suppressed: {escape_text(finding.suppressions[0].justification)}")
    if meta is not None:
        parts += [" (", meta.slug, ")", f" {help_uri(meta)}"]
    return "".join(parts)


def hidden_counts(result: AuditResult) -> tuple[int, int]:
    """(suppressed inline or waived, baselined): the results the report does not count."""
    quiet = [f for f in result.findings if f.suppressed]
    baselined = sum(1 for f in quiet if any(s.baselined for s in f.suppressions))
    return len(quiet) - baselined, baselined


def hidden_phrase(result: AuditResult) -> str:
    """`2 suppressed, 1 baselined`: what the report counts but does not list."""
    suppressed, baselined = hidden_counts(result)
    parts = [f"{count(suppressed)} suppressed"] if suppressed or not baselined else []
    parts += [f"{count(baselined)} baselined"] if baselined else []
    return ", ".join(parts)


def _notice(level: str, message: str) -> str:
    label = "tool error" if level == "error" else "policy"
    return f"{label}: {escape_text(message)}"


def _baseline_lines(result: AuditResult) -> list[str]:
    baseline = result.baseline
    if baseline is None or baseline.matched is None:
        return []
    line = f"baseline {escape_text(baseline.file)}: {plural(baseline.matched, 'known finding')} not counted"
    fixed = len(baseline.fixed)
    if baseline.pruned:
        line += f"; {plural(baseline.pruned, 'fixed entry')} pruned"
    elif fixed:
        line += f"; {plural(fixed, 'entry')} {noun_for(fixed, 'is')} fixed: --prune-baseline drops them"
    return [line]


def _hidden_lines(result: AuditResult, options: TextOptions) -> list[str]:
    suppressed, baselined = hidden_counts(result)
    if options.show_suppressed or not suppressed + baselined:
        return []
    return [f"{hidden_phrase(result)} — --show-suppressed to list them"]


def _view_lines(lines: Iterable[tuple[str, str]]) -> list[str]:
    return [escape_text(line) for line, _style in lines]


def _box(result: AuditResult) -> list[str] | None:
    """The summary box as rich's Panel draws it (rounded corners, the title centred), or
    None when a line is not ASCII (cell widths) or holds a word wider than the box."""
    inner = BOX_WIDTH - 4
    body = [piece for line in _box_lines(result) for piece in _wrap(line, inner, 2)]
    if not all(line.isascii() and len(line) <= inner for line in body):
        return None
    width = max([len(line) for line in body] + [len(TITLE) + 2]) + 2
    title = f" {TITLE} "
    left = (width - len(title)) // 2
    top = "╭" + "─" * left + title + "─" * (width - len(title) - left) + "╮"
    middle = ["│ " + line.ljust(width - 2) + " │" for line in body]
    return [top, *middle, "╰" + "─" * width + "╯"]


def _box_lines(result: AuditResult) -> list[str]:
    """The status with the counts, and the size of the audit."""
    totals = summary(result)
    status = "TOOL ERROR" if result.tool_failed else ("FAIL" if totals["failed"] else "PASS")
    counts = (
        f"{plural(totals['error'], 'error')}, {plural(totals['warning'], 'warning')}, "
        f"{plural(totals['note'], 'note')}; {hidden_phrase(result)} (fail-on {totals['failOn']})"
    )
    stats = result.stats
    lines = [
        f"{status}  {counts}",
        f"{plural(stats.files, 'file')}, {plural(len(result.rules_run), 'rule')}, {stats.seconds:g} s",
    ]
    if result.fixes:
        lines.append(fixable_line(result))
    if result.score is not None:
        lines.append(f"Reset vs repair: {verdict_line(result.score)}")
    return lines


def fixable_line(result: AuditResult) -> str:
    """"N fixable with `udef-audit fix`", and how many more need --unsafe-fixes."""
    safe, unsafe = result.fixable("safe"), result.fixable("unsafe")
    more = f" ({unsafe} more with `--unsafe-fixes`)" if unsafe else ""
    return f"{safe} fixable with `udef-audit fix`{more}"


def _wrap(line: str, width: int, indent: int) -> list[str]:
    """report/wrapping.py's wrap for an ASCII line: between words, a hanging indent."""
    if len(line) <= width:  # no break: the line as it is (rich strips nothing then)
        return [line]
    pieces: list[str] = []
    start = 0
    used = 0
    end = 0
    first = True
    for match in _WORD.finditer(line):
        gap, word = match.start() - end, match.end() - match.start()
        if not first and used + gap + word > width:
            pieces.append(line[start : match.start()].rstrip())
            start, used, gap = match.start(), indent, 0
        used += gap + word
        end, first = match.end(), False
    if not pieces:
        return [line]
    pieces.append(line[start:].rstrip())
    return [pieces[0], *(" " * indent + piece for piece in pieces[1:])]
