"""UDEF011's fix (safe): the cache patterns the repository's .gitignore files miss, appended
to the root .gitignore under one comment. Tracked artifacts are not fixed: untracking them
is `git rm --cached`, which the finding's message gives and a fix never runs."""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from udef_audit.findings import Finding
from udef_audit.fix.registry import Fixed
from udef_audit.fix.tree import FixRefused, FixTree
from udef_audit.parsers.gitignore import (
    SUGGESTED_PATTERNS,
    GitignoreError,
    folders_of,
    is_ignored,
    parse_gitignore,
    suggested_pattern,
)

if TYPE_CHECKING:
    from pathspec import GitIgnoreSpec

IGNORE_FILE = ".gitignore"
COMMENT = "# Caches and build output (udef-audit fix, UDEF011)"


def add_patterns(finding: Finding, tree: FixTree, params: Mapping[str, Any]) -> Fixed:
    """Append a pattern for each sample path no .gitignore ignores."""
    samples = _samples(params)
    specs = _specs(tree, samples)
    missing = [s for s in samples if not is_ignored(s, specs)]
    if not missing:
        raise FixRefused("every sample path is already ignored")
    patterns = list(dict.fromkeys(suggested_pattern(s) for s in missing))
    current = tree.read_text(IGNORE_FILE)
    text, form = current if current is not None else ("", None)
    tree.write_text(IGNORE_FILE, _appended(text, [COMMENT, *patterns]), form)
    _refuse_reincluded(tree, samples, missing)
    if current is not None:
        return Fixed(f"add {', '.join(patterns)}")
    # In a git work tree only a tracked .gitignore is part of the repository (and counts).
    return Fixed(f"create .gitignore with {', '.join(patterns)}", ("git add .gitignore",))


def _refuse_reincluded(tree: FixTree, samples: list[str], missing: list[str]) -> None:
    """A nested .gitignore that re-includes a sample: that is its owner's call."""
    specs = _specs(tree, samples)
    still = [s for s in missing if not is_ignored(s, specs)]
    if still:
        raise FixRefused(f"a nested .gitignore re-includes {', '.join(still)}; the root patterns would not help")


def _appended(text: str, lines: list[str]) -> str:
    """`lines` after the text, set apart by one blank line."""
    if not text:
        return "\n".join(lines) + "\n"
    lead = "\n" if text.endswith("\n") else "\n\n"
    return text + lead + "\n".join(lines) + "\n"


def _samples(params: Mapping[str, Any]) -> list[str]:
    paths = (str(s).strip("/") for s in params.get("sample-paths", list(SUGGESTED_PATTERNS)))
    return [path for path in paths if path]


def _specs(tree: FixTree, samples: list[str]) -> dict[str, GitIgnoreSpec]:
    specs: dict[str, GitIgnoreSpec] = {}
    for folder in sorted(folders_of(samples)):
        path = posixpath.join(folder, IGNORE_FILE) if folder else IGNORE_FILE
        current = tree.read_text(path)
        if current is None:
            continue
        try:
            specs[folder] = parse_gitignore(current[0])
        except GitignoreError as exc:
            raise FixRefused(f"{path}: {exc}") from None
    return specs
