"""Unified diffs of staged changes, as `git diff` shows them (a/ and b/ prefixes, /dev/null
for a created or removed file, `rename from`/`rename to` for a move)."""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from udef_audit.fix.tree import FileChange
from udef_audit.safe_text import escape_text


def _lines(data: bytes | None) -> list[str]:
    if data is None:
        return []
    text = data.decode("utf-8", "replace").replace("\r\n", "\n")  # shown with `\n`, written as it was
    return text.splitlines(keepends=True)


def file_diff(change: FileChange) -> str:
    """The diff of one file (its name and any line from the repository made inert)."""
    old_name = change.source or change.path
    header = ""
    if change.source is not None:
        header = f"rename from {escape_text(change.source)}\nrename to {escape_text(change.path)}\n"
    before = f"a/{escape_text(old_name)}" if change.before is not None else "/dev/null"
    after = f"b/{escape_text(change.path)}" if change.after is not None else "/dev/null"
    body = []
    for line in difflib.unified_diff(_lines(change.before), _lines(change.after), before, after):
        text = line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
        body.append(_inert(text))
    return f"diff --git a/{escape_text(old_name)} b/{escape_text(change.path)}\n{header}{''.join(body)}"


def _inert(line: str) -> str:
    """A diff line with its terminal control characters made visible (line breaks and tabs
    kept: a Makefile's recipe lines are tabs)."""
    return "\n".join("\t".join(escape_text(cell) for cell in part.split("\t")) for part in line.split("\n"))


def folder_diff(source: str, target: str, count: int) -> str:
    """A folder moved whole: the rename, and how many files go with it."""
    files = f"{count} file{'s' if count != 1 else ''}"
    return (
        f"diff --git a/{escape_text(source)}/ b/{escape_text(target)}/\n"
        f"rename from {escape_text(source)}/\nrename to {escape_text(target)}/ ({files})\n"
    )


def unified_diff(changes: Sequence[FileChange], folder_moves: Sequence[tuple[str, str, int]]) -> str:
    """Every change: folder moves first (in the order they are applied), then files by path."""
    parts = [folder_diff(source, target, count) for source, target, count in folder_moves]
    parts += [file_diff(change) for change in changes]
    return "".join(parts)
