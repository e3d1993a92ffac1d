"""UDEF005's fix (unsafe: the install pulls in dependencies it skipped before, which may
change versions or fail to resolve): the `--no-deps` flag (or pip's abbreviation of it)
removed from the executable install line the finding points at, with the space or the
list comma that went with it. A `PIP_NO_DEPS` variable and documentation are left alone."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from udef_audit.findings import Finding
from udef_audit.fix.registry import Fixed
from udef_audit.fix.tree import FixRefused, FixTree

FLAG = "--no-deps"
# The flag as a shell word, or as a quoted item of a list (exec form, subprocess, nox).
_BARE = re.compile(r"(--no-d[a-z]*)(?=\s|$|;|&|\|)")
_QUOTED = re.compile(r"""(?P<q>["'])(--no-d[a-z]*)(?P=q)""")


def drop_no_deps(finding: Finding, tree: FixTree, params: Mapping[str, Any]) -> Fixed:
    """Remove the flag at the finding's line and column."""
    current = tree.read_text(finding.path)
    if current is None:
        raise FixRefused(f"{finding.path} is gone")
    text, form = current
    lines = text.split("\n")
    if finding.column is None or not 0 < finding.line <= len(lines):
        raise FixRefused("the finding has no column to find the flag at")
    line = lines[finding.line - 1]
    at = finding.column - 1
    edited = _without_quoted(line, at - 1) if at > 0 and line[at - 1] in "\"'" else _without_bare(line, at)
    if edited is None:
        raise FixRefused("no --no-deps flag at that place (PIP_NO_DEPS in an environment is removed by hand)")
    lines[finding.line - 1] = edited
    tree.write_text(finding.path, "\n".join(lines), form)
    return Fixed(f"drop {FLAG} from line {finding.line}")


def _is_flag(word: str) -> bool:
    return len(word) >= len("--no-d") and FLAG.startswith(word)


def _without_bare(line: str, at: int) -> str | None:
    match = _BARE.match(line, at)
    if match is None or not _is_flag(match.group(1)):
        return None
    end = match.end()
    while end < len(line) and line[end] in " \t":
        end += 1
    start = at
    if end == len(line):  # last word: take the space before it instead
        end = match.end()
        while start > 0 and line[start - 1] in " \t":
            start -= 1
    return line[:start] + line[end:]


def _without_quoted(line: str, at: int) -> str | None:
    match = _QUOTED.match(line, at)
    if match is None or not _is_flag(match.group(2)):
        return None
    after = re.compile(r"\s*,\s*").match(line, match.end())
    if after is not None:
        return line[:at] + line[after.end() :]
    before = re.search(r",\s*$", line[:at])
    start = before.start() if before is not None else at
    return line[:start] + line[match.end() :]
