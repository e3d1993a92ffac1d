"""`udef-audit fix [PATH]` (and `udef-audit PATH --fix`): audit, stage the fixes, show or
write them, audit again and say what remains.

With `--diff` nothing is written: the unified diff goes to standard output and the exit
code is 1 when there is something to fix, as ruff's is. Otherwise the changes are written
(safe_fs: inside the root, no symlink, never .git, atomically) and the exit code is the
second audit's: 1 when what remains is at or above the fail level.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from typing import TextIO

from udef_audit.config import ConfigError
from udef_audit.findings import Finding
from udef_audit.fix.diff import unified_diff
from udef_audit.fix.planner import FIXED, NEEDS_UNSAFE, REFUSED, FixPlan, plan
from udef_audit.fix.safe_fs import UnsafePath
from udef_audit.fix.writer import ChangedMeanwhile, apply
from udef_audit.request import AuditRequest
from udef_audit.safe_text import escape_text
from udef_audit.service import EXIT_FINDINGS, EXIT_INTERNAL, EXIT_OK, audit, exit_code


def run_fix(request: AuditRequest, *, unsafe: bool, diff_only: bool, out: TextIO | None = None) -> int:
    """Fix what can be fixed; the exit code (see the module docstring)."""
    stream = out or sys.stdout
    request = replace(request, fixes=False)
    before = audit(request)
    fixes = plan(before, unsafe=unsafe)
    if diff_only:
        stream.write(unified_diff(fixes.changes(), fixes.folder_moves()))
        _summary(fixes, sys.stderr, would=True)
        if before.tool_failed:
            return EXIT_INTERNAL
        return EXIT_FINDINGS if fixes.has_changes else EXIT_OK
    try:
        apply(fixes.tree)
    except (ChangedMeanwhile, UnsafePath, OSError) as exc:
        raise ConfigError(f"fix stopped: {exc}") from None
    _summary(fixes, stream, would=False)
    after = audit(request)
    _remaining(after.active, stream)
    return exit_code(after)


def _summary(fixes: FixPlan, stream: TextIO, *, would: bool) -> None:
    fixed = fixes.by_status(FIXED)
    label = "would fix" if would else "fixed"
    for attempt in fixed:
        stream.write(f"{label} {_where(attempt.finding)}: {escape_text(attempt.description)}\n")
        for note in attempt.notes:
            stream.write(f"    then: {escape_text(note)}\n")
    for attempt in fixes.by_status(REFUSED):
        stream.write(f"not fixed {_where(attempt.finding)}: {escape_text(attempt.description)}\n")
    files = len(fixes.changes()) + len(fixes.folder_moves())
    verb = "Would fix" if would else "Fixed"
    stream.write(f"{verb} {_count(len(fixed), 'result')} ({_count(files, 'change')}).")
    hidden = len(fixes.by_status(NEEDS_UNSAFE))
    if hidden:
        stream.write(f" {hidden} more fixable with --unsafe-fixes (they change behaviour: review them with --diff).")
    stream.write("\n")


def _remaining(findings: list[Finding], stream: TextIO) -> None:
    if not findings:
        stream.write("Nothing remains.\n")
        return
    stream.write(f"{len(findings)} result{'s' if len(findings) != 1 else ''} remain:\n")
    for finding in sorted(findings, key=Finding.sort_key):
        stream.write(f"  {_where(finding)} {escape_text(finding.message)}\n")


def _where(finding: Finding) -> str:
    column = f":{finding.column}" if finding.column else ""
    return f"{escape_text(finding.path)}:{finding.line}{column} {finding.rule_id}"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'s' if number != 1 else ''}"
