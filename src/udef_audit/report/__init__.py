"""Reporters: the findings model and the policy metadata in, bytes out.

Machine formats (json, sarif) are written with the json module, never through rich, whose
console wraps long lines and would break them.
"""

from __future__ import annotations

import sys
from pathlib import Path

from udef_audit.result import AuditResult

FORMATS = ("text", "json", "sarif", "markdown")


def render(result: AuditResult, fmt: str, *, to_terminal: bool = True, gates_only: bool = False) -> str:
    """The report in one format, as text (`gates_only`: the phase gates alone)."""
    if gates_only and fmt != "text":
        from udef_audit.report.gates_view import render_gates  # noqa: PLC0415 - import what is used

        return render_gates(result, fmt)
    if gates_only:
        from udef_audit.report.text import render_gates_text  # noqa: PLC0415

        return render_gates_text(result, color=to_terminal and sys.stdout.isatty())
    if fmt == "json":
        from udef_audit.report.json_report import render_json  # noqa: PLC0415 - import what is used

        return render_json(result)
    if fmt == "sarif":
        from udef_audit.report.sarif import render_sarif  # noqa: PLC0415

        return render_sarif(result)
    if fmt == "markdown":
        from udef_audit.report.markdown import render_markdown  # noqa: PLC0415

        return render_markdown(result)
    from udef_audit.report.text import render_text  # noqa: PLC0415

    return render_text(result, color=to_terminal and sys.stdout.isatty())


def write_output(text: str, output: Path | None, fmt: str) -> None:
    """Write to the file, or to stdout."""
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        sys.stdout.flush()
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
