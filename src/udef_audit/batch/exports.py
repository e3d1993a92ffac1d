"""The org summary, out: the terminal table, CSV, JSON and HTML.

Every export reads only the org summary (`Store.org_summary`), whose repository keys are
credential-free by construction. Machine formats go through `csv` and `json`, never rich.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

from rich.console import Console
from rich.table import Table

from udef_audit.batch.executor import use_plain_output
from udef_audit.batch.model import Tally
from udef_audit.safe_text import escape_text, inert_json, json_safe

CSV_FIXED_COLUMNS = ("key", "name", "status", "reason", "head", "score", "verdict", "phase_reached", "next_gate")
CSV_TAIL_COLUMNS = ("criteria_met", "sarif_file")
FAILING_RULES_SHOWN = 4
TABLE_HEADERS = ("score", "verdict", "phase", "status", "repository", "failing rules", "reason")
TABLE_JUSTIFY: tuple[Any, ...] = ("right", "left", "right", "left", "left", "left", "left")


def print_summary_table(summary: Mapping[str, Any], stream: TextIO) -> None:
    """The repositories, highest reset score first (failures last), then the totals."""
    rows = [_table_row(repo) for repo in summary["repositories"]]
    if use_plain_output(stream):
        stream.write(plain_table(rows))
    else:
        console = Console(file=stream)
        table = Table(title=f"udef-audit batch: run {summary['run']['id']}")
        for header, justify in zip(TABLE_HEADERS, TABLE_JUSTIFY, strict=True):
            table.add_column(header, justify=justify, overflow="fold")
        for row in rows:
            table.add_row(*row)
        console.print(table, markup=False, highlight=False)
    stream.write(totals_line(summary) + "\n")
    stream.flush()


def _table_row(repo: Mapping[str, Any]) -> tuple[str, ...]:
    score = "" if repo["score"] is None else str(repo["score"])
    failing = failing_rules(repo["counts"])
    phase = "" if repo.get("phase_reached") is None else str(repo["phase_reached"])
    # The run's unambiguous name (names.py), as the HTML report shows it; the key is in CSV and JSON.
    name = repo.get("name") or repo["key"]
    cells = (score, repo["verdict"] or "", phase, repo["status"], name, failing, repo["reason"] or "")
    return tuple(escape_text(cell) for cell in cells)  # a folder name may hold ESC sequences


def failing_rules(counts: Mapping[str, int]) -> str:
    """`UDEF003 x1, UDEF006 x4` for the rules with findings, most findings first."""
    failing = sorted(((n, rule) for rule, n in counts.items() if n > 0), key=lambda item: (-item[0], item[1]))
    shown = [f"{rule} x{n}" for n, rule in failing[:FAILING_RULES_SHOWN]]
    if len(failing) > FAILING_RULES_SHOWN:
        shown.append(f"+{len(failing) - FAILING_RULES_SHOWN} more")
    return ", ".join(shown)


def plain_table(rows: Sequence[Sequence[str]]) -> str:
    """Left-aligned columns separated by two spaces; the last column is not padded."""
    table = [TABLE_HEADERS, *rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(TABLE_HEADERS) - 1)]
    lines = []
    for row in table:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    return "\n".join(lines) + "\n"


def totals_line(summary: Mapping[str, Any]) -> str:
    """`60 repositories: 51 audited, 6 skipped (unchanged), 2 failed, 1 timed out; verdicts:
    20 reset, 37 repair` (the words of model.STATUS_WORDS, the counts of the summary's totals)."""
    scores = summary["scores"]
    return f"{Tally.of_summary(summary).line()}; verdicts: {scores['reset']} reset, {scores['repair']} repair"


def csv_text(summary: Mapping[str, Any]) -> str:
    """One row per repository; a column per rule with its unsuppressed finding count."""
    rules = sorted({rule for repo in summary["repositories"] for rule in repo["counts"]})
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*CSV_FIXED_COLUMNS, *rules, *CSV_TAIL_COLUMNS])
    for repo in summary["repositories"]:
        fixed = ["" if repo.get(column) is None else repo[column] for column in CSV_FIXED_COLUMNS]
        counts = [repo["counts"].get(rule, "") for rule in rules]
        writer.writerow([*fixed, *counts, ";".join(repo["criteria_met"]), repo["sarif_file"] or ""])
    return out.getvalue()


def json_text(summary: Mapping[str, Any]) -> str:
    """The org summary as JSON."""
    # Its findings' paths were quoted when the result was made (json_report): not again.
    return inert_json(json.dumps(json_safe(summary, quote_paths=False), indent=2, ensure_ascii=False)) + "\n"


def html_text(summary: Mapping[str, Any], page_dir: Path | None = None) -> str:
    """The org report (`udef_audit.report.org_html`), a self-contained HTML page; SARIF files
    are linked relative to `page_dir`, the folder the page is written to."""
    # Imported here, not at the top: it loads Jinja2, which only --html needs (ADR 0009).
    from udef_audit.report.org_html import render_html  # noqa: PLC0415

    return render_html(summary, sarif_base=page_dir)


def write_file(path: Path, text: str) -> None:
    """Write `text` to `path` through a temporary file, so a reader never sees half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)
