"""Inline suppressions: `udef: ignore[UDEF006] -- reason` in a comment on the offending line.

Recognised after the comment leaders of the formats the rules read (`#` in Python, shell,
Dockerfile, YAML, TOML, Makefile; `;` in INI; `<!-- -->` in Markdown). Suppressed results
are kept (SARIF `suppressions`, kind inSource) and counted, never silently dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from udef_audit.findings import Finding, Suppression

INLINE = re.compile(
    r"(?:#|;|<!--)\s*udef:\s*ignore\[(?P<ids>[^\]]*)\]"
    r"(?:\s*--\s*(?P<reason>.*?))?\s*(?:-->.*)?$"
)


@dataclass(frozen=True)
class InlineIgnore:
    """One parsed `udef: ignore[...]` comment."""

    rules: frozenset[str]  # IDs and slugs, upper-cased
    reason: str


def parse_inline(line: str) -> InlineIgnore | None:
    """The suppression comment on a source line, if any."""
    if "udef:" not in line:  # cheap test first: almost no line has one
        return None
    match = INLINE.search(line)
    if match is None:
        return None
    ids = frozenset(part.strip().upper() for part in re.split(r"[,\s]+", match["ids"]) if part.strip())
    return InlineIgnore(rules=ids, reason=(match["reason"] or "").strip())


def apply_inline(
    findings: Iterable[Finding],
    line_of: Callable[[str, int], str],
    slug_of: Callable[[str], str],
) -> list[Finding]:
    """Mark findings whose line carries a matching `udef: ignore[...]` comment."""
    parsed: dict[tuple[str, int], InlineIgnore | None] = {}  # many findings can share one line
    out = []
    for finding in findings:
        where = (finding.path, finding.line)
        if where not in parsed:
            parsed[where] = parse_inline(line_of(*where))
        ignore = parsed[where]
        if ignore is not None and ({finding.rule_id, slug_of(finding.rule_id).upper()} & ignore.rules):
            reason = ignore.reason or "suppressed inline without a reason"
            out.append(finding.with_changes(suppressions=(*finding.suppressions, Suppression("inSource", reason))))
        else:
            out.append(finding)
    return out
