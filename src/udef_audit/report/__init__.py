"""Reporters: the findings model and the policy metadata in, bytes out.

Machine formats (json, sarif, gitlab; junit with ElementTree; github's workflow commands)
are written directly, never through rich, whose console wraps long lines and would break
them. Only the text report is drawn by rich, as `TextOptions` says.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

from udef_audit.config import ConfigError
from udef_audit.report.terminal import TextOptions
from udef_audit.result import AuditResult

FORMATS = ("text", "json", "sarif", "markdown", "github", "junit", "gitlab")


def render(
    result: AuditResult, fmt: str, *, text: TextOptions | None = None, gates_only: bool = False
) -> str:
    """The report in one format, as text (`gates_only`: the phase gates alone). `text` says
    how the terminal report is drawn (plain, unwrapped, counted suppressions by default)."""
    options = text or TextOptions()
    if gates_only and fmt != "text":
        from udef_audit.report.gates_view import render_gates  # noqa: PLC0415 - import what is used

        return render_gates(result, fmt)
    if gates_only:
        from udef_audit.report.text import render_gates_text  # noqa: PLC0415

        return render_gates_text(result, options)
    if fmt != "text":
        return _machine(result, fmt)
    from udef_audit.report.plain_text import is_plain, render_plain  # noqa: PLC0415

    plain = render_plain(result, options) if is_plain(options) else None
    if plain is not None:  # piped or to a file: the same characters without importing rich
        return plain
    from udef_audit.report.text import render_text  # noqa: PLC0415

    return render_text(result, options)


def _machine(result: AuditResult, fmt: str) -> str:
    """A machine format, its writer imported only when used (a pre-commit run that prints
    text never loads the SARIF or XML writers)."""
    if fmt == "json":
        from udef_audit.report.json_report import render_json  # noqa: PLC0415

        return render_json(result)
    if fmt == "sarif":
        from udef_audit.report.sarif import render_sarif  # noqa: PLC0415

        return render_sarif(result)
    if fmt == "markdown":
        from udef_audit.report.markdown import render_markdown  # noqa: PLC0415

        return render_markdown(result)
    if fmt == "github":
        from udef_audit.report.github import render_github  # noqa: PLC0415

        return render_github(result)
    if fmt == "junit":
        from udef_audit.report.junit import render_junit  # noqa: PLC0415

        return render_junit(result)
    if fmt == "gitlab":
        from udef_audit.report.gitlab import render_gitlab  # noqa: PLC0415

        return render_gitlab(result)
    raise ValueError(f"unknown report format {fmt!r}")


def check_output(output: Path | None, option: str = "-o/--output") -> None:
    """Refuse, before any work, an output that cannot be written: a folder, a file in a
    folder that does not exist (it is not created: a typo must not scatter reports), or a
    closed standard output. ConfigError (exit 2) with one line."""
    if output is None:
        if sys.stdout is None:
            raise ConfigError("standard output is closed: give -o FILE")
        return
    if output.is_dir():
        raise ConfigError(f"{option}: {output} is a folder, not a file")
    parent = output.parent
    if not parent.is_dir():
        what = "is not a folder" if parent.exists() else "does not exist"
        raise ConfigError(f"{option}: the folder {parent} {what}")


def write_output(text: str, output: Path | None, fmt: str) -> None:
    """Write to the file, or to stdout; a write that fails (a full disk, `/dev/full`, no
    permission) is a ConfigError naming the file (exit 2), never a traceback."""
    data = text if text.endswith("\n") or not text else text + "\n"  # nothing to say: no empty line
    if output is None:
        _write_stdout(data)
        return
    check_output(output)
    try:
        with output.open("w", encoding="utf-8", errors="backslashreplace") as handle:
            handle.write(data)
    except OSError as exc:
        raise ConfigError(f"cannot write the report to {output}: {exc.strerror or exc}") from None


def _write_stdout(data: str) -> None:
    stream = sys.stdout
    if stream is None:
        raise ConfigError("standard output is closed: give -o FILE")
    try:
        stream.write(data)
        stream.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        # What is still buffered would fail again at exit: send it nowhere.
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())
        raise ConfigError(f"cannot write the report to standard output: {exc.strerror or exc}") from None
