"""The terminal report: findings grouped by file (`path:line:col` first, so editors and
terminals can jump to them), each with a link to its rule's page; what was not shown and
why; a verdict box; the score's arithmetic; the phase gates.

How it is drawn is decided by the caller (`TextOptions`, report/terminal.py): colour, the
width to wrap to (with a hanging indent, between words only; piped output is not wrapped,
so it stays greppable), OSC 8 hyperlinks or plain URLs, whether suppressed and baselined
results are listed (by default they are counted, not listed) and `--statistics` (counts
per rule instead of the results).

Every string that can come from the scanned repository (paths, messages, justifications,
notices, evidence) goes through `escape_text`: no ESC sequence, control or bidi character
of a file name or a commit subject reaches the terminal, and none splits a line."""

from __future__ import annotations

import io
from collections import Counter, defaultdict
from collections.abc import Iterable

from rich.console import Console
from rich.panel import Panel
from rich.style import Style
from rich.text import Text

from udef_audit.findings import AHEAD_OF_PHASE, Finding, Level
from udef_audit.gates import GatesResult
from udef_audit.policy import RuleMeta
from udef_audit.report.gates_view import text_lines as gates_text_lines
from udef_audit.report.plain_text import findings_lines, fixable_line, hidden_counts, hidden_phrase, is_plain
from udef_audit.report.rules_listing import help_uri
from udef_audit.report.score_view import text_lines as score_text_lines
from udef_audit.report.score_view import verdict_line
from udef_audit.report.summary import summary
from udef_audit.report.terminal import BOX_WIDTH, TextOptions
from udef_audit.report.wrapping import wrap
from udef_audit.result import AuditResult
from udef_audit.safe_text import escape_text
from udef_audit.wording import count, noun_for, plural

STYLES = {"error": "bold red", "warning": "yellow", "note": "cyan"}
INDENT = 6  # where a result's continuation lines start
UNBOUNDED = 1_000_000  # the console's width when nothing is wrapped


def plain_console(*, color: bool, width: int | None = None) -> tuple[Console, io.StringIO]:
    """A console writing to a buffer, ANSI colour only when `color`."""
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=color,
        no_color=not color,
        color_system="standard" if color else None,
        width=width or UNBOUNDED,
        soft_wrap=True,
        highlight=False,
        emoji=False,
    )
    return console, buffer


def render_text(result: AuditResult, options: TextOptions) -> str:
    """The report as terminal text."""
    console, buffer = plain_console(color=options.color, width=options.width)
    if options.statistics:
        _print_statistics(console, result, options)
    elif is_plain(options):
        buffer.write("".join(line + "\n" for line in findings_lines(result, options)))
    else:
        _print_findings(console, result, options)
    _print_notices(console, result, options)
    _print_hidden(console, result, options)
    console.print(_verdict_panel(result, options), width=min(options.width or BOX_WIDTH, UNBOUNDED))
    if result.score is not None:
        _print_lines(console, score_text_lines(result.score), options)
    if result.gates is not None:
        _print_lines(console, gates_text_lines(result.gates), options)
    return buffer.getvalue()


def render_gates_text(result: AuditResult, options: TextOptions) -> str:
    """`udef-audit gates`: the profile and the gates alone, as terminal text."""
    console, buffer = plain_console(color=options.color, width=options.width)
    _print_lines(console, [(result.profile.describe(), "dim")], options)
    if result.gates is not None:
        _print_lines(console, gates_text_lines(result.gates), options)
    return buffer.getvalue()


def gates_text(gates: GatesResult) -> Text:
    """The gates section as one Text (unwrapped)."""
    text = Text()
    for number, (line, style) in enumerate(gates_text_lines(gates)):
        text.append(("\n" if number else "") + escape_text(line), style=style)
    return text


def _print_lines(console: Console, lines: Iterable[tuple[str, str]], options: TextOptions) -> None:
    """Lines from a view (repository text inside): escaped, then wrapped under their own
    indentation."""
    for line, style in lines:
        safe = escape_text(line)
        indent = len(safe) - len(safe.lstrip(" "))
        for piece in wrap(Text(safe, style=style), options.width, indent + 4):
            console.print(piece)


def _shown(result: AuditResult, options: TextOptions) -> list[Finding]:
    return list(result.findings) if options.show_suppressed else result.active


def _print_findings(console: Console, result: AuditResult, options: TextOptions) -> None:
    by_path: dict[str, list[Finding]] = defaultdict(list)
    for finding in _shown(result, options):
        by_path[finding.path].append(finding)
    for path in sorted(by_path):
        console.print(Text(escape_text(path), style="bold underline"))
        for finding in by_path[path]:
            for line in wrap(_line(finding, result, options), options.width, INDENT):
                console.print(line)
        console.print()


def _print_statistics(console: Console, result: AuditResult, options: TextOptions) -> None:
    """Results per rule and level, most first (like `ruff --statistics`)."""
    counts = Counter(((f.level or Level.NOTE), f.rule_id) for f in _shown(result, options))
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0][1], -item[0][0].rank))
    width = max((len(count(n)) for n in counts.values()), default=1)
    for (level, rule_id), number in rows:
        meta = result.policy.rules.get(rule_id)
        text = Text(f"{count(number):>{width}}  ")
        text.append(rule_id, style=STYLES[level.value])
        text.append(f"  {'[' + level.value + ']':<9}  ", style=STYLES[level.value])
        text.append(meta.slug if meta else "", style="dim")
        console.print(text)
    if rows:
        console.print()


def _print_notices(console: Console, result: AuditResult, options: TextOptions) -> None:
    for note in result.notifications:
        label = "tool error" if note.level.value == "error" else "policy"
        style = "bold magenta" if label == "tool error" else "yellow"
        for line in wrap(Text(f"{label}: {escape_text(note.message)}", style=style), options.width, 4):
            console.print(line)
    _print_baseline(console, result, options)


def _print_baseline(console: Console, result: AuditResult, options: TextOptions) -> None:
    baseline = result.baseline
    if baseline is not None and baseline.matched is not None:
        fixed = len(baseline.fixed)
        text = Text(
            f"baseline {escape_text(baseline.file)}: {plural(baseline.matched, 'known finding')} not counted"
        )
        if baseline.pruned:
            text.append(f"; {plural(baseline.pruned, 'fixed entry')} pruned", style="green")
        elif fixed:
            text.append(f"; {plural(fixed, 'entry')} {noun_for(fixed, 'is')} fixed: --prune-baseline drops them",
                        style="green")
        for line in wrap(text, options.width, 4):
            console.print(line)


def _print_hidden(console: Console, result: AuditResult, options: TextOptions) -> None:
    suppressed, baselined = hidden_counts(result)
    if options.show_suppressed or not suppressed + baselined:
        return
    text = Text(f"{hidden_phrase(result)} — --show-suppressed to list them", style="dim")
    for line in wrap(text, options.width, 4):
        console.print(line)


def _line(finding: Finding, result: AuditResult, options: TextOptions) -> Text:
    level = finding.level.value if finding.level else "note"
    where = f"{escape_text(finding.path)}:{finding.line}" + (f":{finding.column}" if finding.column else "")
    meta = result.policy.rules.get(finding.rule_id)
    link = help_uri(meta) if meta and options.hyperlinks else None
    text = Text("  ")
    text.append(where, style="dim")
    text.append(" ")
    text.append(finding.rule_id, style=_linked(STYLES[level], link))
    text.append(f" [{level}] ", style=STYLES[level])
    if finding.ahead_of_phase:
        # Why an error-level rule shows as a note: the team declared an earlier phase.
        text.append(f"(phase {finding.properties[AHEAD_OF_PHASE]} rule, ahead of the declared phase) ", style="dim")
    text.append(escape_text(finding.message))
    if finding.suppressed:
        text.append(f"  suppressed: {escape_text(finding.suppressions[0].justification)}", style="dim italic")
    if meta is not None:
        _append_docs(text, meta, options)
    return text


def _append_docs(text: Text, meta: RuleMeta, options: TextOptions) -> None:
    """` (slug)` linked to the rule's page where the terminal shows links, else ` (slug) URL`."""
    link = help_uri(meta)
    text.append(" (")
    text.append(meta.slug, style=_linked("dim", link if options.hyperlinks else None))
    text.append(")")
    if not options.hyperlinks:
        text.append(f" {link}", style="dim")


def _linked(style: str, url: str | None) -> Style:
    return Style.parse(style) + Style(link=url) if url else Style.parse(style)


def _status(result: AuditResult, failed: bool) -> Text:
    """TOOL ERROR (exit 3) over FAIL (exit 1) over PASS."""
    if result.tool_failed:
        return Text("TOOL ERROR", style="bold magenta")
    return Text("FAIL" if failed else "PASS", style="bold red" if failed else "bold green")


def _verdict_panel(result: AuditResult, options: TextOptions) -> Panel:
    totals = summary(result)
    inner = (options.width or BOX_WIDTH) - 4
    counts = (
        f"{plural(totals['error'], 'error')}, {plural(totals['warning'], 'warning')}, "
        f"{plural(totals['note'], 'note')}; {hidden_phrase(result)} (fail-on {totals['failOn']})"
    )
    stats = result.stats
    lines = [
        Text.assemble(_status(result, totals["failed"]), "  ", counts),
        Text(
            f"{plural(stats.files, 'file')}, {plural(len(result.rules_run), 'rule')}, {stats.seconds:g} s"
        ),
    ]
    if result.fixes:
        lines.append(Text(fixable_line(result), style="green"))
    score = result.score
    if score is not None:
        lines.append(
            Text.assemble(
                ("Reset vs repair: ", "bold"),
                (verdict_line(score), "bold red" if score.verdict == "reset" else "bold green"),
            )
        )
    body = Text("\n").join(piece for line in lines for piece in wrap(line, inner, 2))
    return Panel(body, title="udef-audit", expand=False)


