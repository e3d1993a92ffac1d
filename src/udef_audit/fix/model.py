"""The plain data of fixes: what a fixer did to one finding, and its text edits.

These are what the audit result carries (`AuditResult.fixes`) so that reporters can say
"N fixable" and SARIF can hold `fixes[]` without ever computing a fix themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

SAFE, UNSAFE = "safe", "unsafe"


@dataclass(frozen=True)
class TextEdit:
    """Replace the text between two positions of the file as it is now (1-based lines and
    columns in code points; the end is exclusive) with `text`. An insertion has start ==
    end."""

    start_line: int
    start_column: int
    end_line: int
    end_column: int
    text: str


@dataclass(frozen=True)
class FileEdits:
    """The edits of one existing file."""

    path: str
    edits: tuple[TextEdit, ...]


@dataclass(frozen=True)
class FindingFix:
    """The fix of one finding, computed alone against the repository as it is.

    `text_edits` is None when the fix is more than edits of existing files (a file created,
    moved or deleted): SARIF can only carry text edits."""

    fingerprint: str
    rule_id: str
    safety: str
    description: str
    text_edits: tuple[FileEdits, ...] | None = None
