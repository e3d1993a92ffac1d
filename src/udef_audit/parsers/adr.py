"""The parts an Architecture Decision Record has: Status, Date, Context, Decision, Consequences.

A part is found as a heading of any level (`## Status`, the methodology's `## Status:
Accepted`, a setext heading), as a label at a line start (`Status: Accepted`,
`**Status**: Accepted`, `**Status:** Accepted`, also as a list item as MADR 2 writes `*
Status: accepted`), or as a front-matter key (`status: accepted`), case-insensitively.
MADR's "Context and Problem Statement" and "Decision Outcome" are Context and Decision, and
its "Positive/Negative Consequences" headings are Consequences. Headings and labels inside
code blocks are not parts: markdown-it-py (CommonMark) finds the headings and the code
blocks. Pure; bounded to the first MAX_ADR_CHARS characters.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

PARTS = ("Status", "Date", "Context", "Decision", "Consequences")
MAX_ADR_CHARS = 512 * 1024
_ALIASES = {"context and problem statement": "Context", "decision outcome": "Decision"}
_NUMBERING_RE = re.compile(r"^\d+(?:\.\d+)*[.)]?\s+")
_NAME = r"(?P<name>[A-Za-z][A-Za-z ]{0,60}?)"
_LABEL_RE = re.compile(
    r"^ {0,3}(?:[-*+] +)?(?:"
    rf"(?P<strong>\*\*|__){_NAME} *(?:(?P=strong) *:|:(?P=strong))"
    rf"|(?P<plain>[A-Za-z][A-Za-z ]{{0,60}}?) *:)"
)
_FRONT_KEY_RE = re.compile(r"^(?P<key>[A-Za-z][\w -]*?)\s*:")
_CODE_TOKENS = frozenset({"fence", "code_block", "html_block"})


@cache
def _markdown() -> MarkdownIt:
    """One parser for every ADR (building it costs more than parsing a short record),
    imported on first use: a repository without ADRs does not pay for markdown-it."""
    from markdown_it import MarkdownIt  # noqa: PLC0415

    return MarkdownIt("commonmark")


def adr_parts(text: str) -> frozenset[str]:
    """The parts (from PARTS) the ADR's Markdown text has."""
    text = text[:MAX_ADR_CHARS]
    lines = text.replace("\r\n", "\n").split("\n")
    keys, body_start = _front_matter(lines)
    body = lines[body_start:]
    headings, code_lines = _headings_and_code(body)
    labels = (_label(line) for number, line in enumerate(body) if number not in code_lines)
    found = (part_name(name) for name in (*keys, *headings, *labels) if name)
    return frozenset(part for part in found if part is not None)


def part_name(text: str) -> str | None:
    """The part a heading, label or key names ("Status: Accepted" -> "Status"), or None."""
    name = _NUMBERING_RE.sub("", text.strip().strip("*_").strip())
    name = " ".join(name.split(":", 1)[0].replace("*", "").replace("_", " ").split()).lower()
    if name in _ALIASES:
        return _ALIASES[name]
    if name.endswith("consequences"):
        return "Consequences"
    return next((part for part in PARTS if part.lower() == name), None)


def _front_matter(lines: list[str]) -> tuple[list[str], int]:
    """Top-level keys of a YAML front matter block, and the line where the body starts."""
    if not lines or lines[0].strip() != "---":
        return [], 0
    for number, line in enumerate(lines[1:], 1):
        if line.strip() in ("---", "..."):
            keys = [m.group("key") for m in map(_FRONT_KEY_RE.match, lines[1:number]) if m]
            return keys, number + 1
    return [], 0


def _headings_and_code(lines: list[str]) -> tuple[list[str], set[int]]:
    """Heading texts, and the (0-based) lines inside code blocks."""
    tokens = _markdown().parse("\n".join(lines))
    headings = [tokens[i + 1].content for i, t in enumerate(tokens[:-1]) if t.type == "heading_open"]
    code_lines: set[int] = set()
    for token in tokens:
        if token.type in _CODE_TOKENS and token.map:
            code_lines.update(range(*token.map))
    return headings, code_lines


def _label(line: str) -> str | None:
    match = _LABEL_RE.match(line)
    if match is None:
        return None
    return match.group("name") or match.group("plain")


def missing_parts(found: Iterable[str]) -> Iterator[str]:
    """The parts of PARTS not in `found`, in the template's order."""
    have = set(found)
    return (part for part in PARTS if part not in have)
