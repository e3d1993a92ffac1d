"""Inline suppressions: `udef: ignore[UDEF006] -- reason` in a comment on the offending line,
and the meta-rule that reports the ones that do nothing (UDEF090 unused-suppression).

A suppression is a comment: after the comment leaders of the formats the rules read (`#` in
Python, shell, Dockerfile, YAML, TOML, Makefile; `;` in INI; `<!-- -->` in Markdown). In a
Python file only a real comment counts (the lexer tells comments from strings: a test that
writes `"x  # udef: ignore[UDEF006]"` in a string suppresses nothing); in any other file an
inline code span (backticks, as Markdown, reStructuredText and comments write code) is prose
about the syntax, never a suppression.
Suppressed results are kept (SARIF `suppressions`, kind inSource) and counted, never
silently dropped.

UDEF090, like UDEF000, is computed by the engine rather than by a rule module: after the
inline suppressions are applied, a comment that suppresses nothing in this run, or that is
malformed (no rule list, an empty one, an ID or slug that names no rule), is a note at its
line and column. A suppression of a rule that did not run is not unused: the run could
not tell.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import NamedTuple

from udef_audit.findings import Finding, Suppression
from udef_audit.parsers.python_lexer import COMMENT, LineIndex, lex_regions, tokenize_regions

UNUSED_SUPPRESSION = "UDEF090"
MARKER = b"udef:"  # a file without these bytes holds no suppression

# `udef: ignore`, then an optional `[rules]`, then an optional `-- reason`; inside a comment.
_DIRECTIVE = re.compile(r"udef:\s*ignore(?![\w-])(?:\s*(?P<list>\[(?P<ids>[^\]]*)\]))?(?P<rest>.*)$")
_REASON = re.compile(r"\s*--\s*(?P<reason>.*?)\s*(?:-->.*)?$")
_LEADER = re.compile(r"(?:#|;|<!--)\s*(?=udef:\s*ignore(?![\w-]))")
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
_PYTHON = (".py", ".pyi")


class InlineIgnore(NamedTuple):
    """One `udef: ignore...` comment: where it is, the rules it names, and its reason.

    `listed` is False for a bare `udef: ignore` (no `[...]`): that suppresses nothing."""

    line: int
    column: int  # 1-based, of the comment leader (`#`, `;`, `<!--`)
    rules: tuple[str, ...]  # IDs and slugs as written, in order
    reason: str
    listed: bool = True

    @property
    def text(self) -> str:
        """The directive as a person would write it: `udef: ignore[UDEF006, UDEF001]`."""
        return f"udef: ignore[{', '.join(self.rules)}]" if self.listed else "udef: ignore"


def parse_inline(line: str, number: int = 1, offset: int = 0) -> InlineIgnore | None:
    """The suppression comment in a line of a non-Python file (or in one Python comment,
    `offset` being where that comment starts in its line), if any."""
    if "udef:" not in line:  # cheap test first: almost no line has one
        return None
    leader = _LEADER.search(line)
    if leader is None:
        return None
    match = _DIRECTIVE.match(line, leader.end())
    if match is None:  # pragma: no cover - the leader's look-ahead already saw the directive
        return None
    ids = tuple(part.strip() for part in re.split(r"[,\s]+", match["ids"] or "") if part.strip())
    said = _REASON.match(match["rest"])
    reason = said["reason"] if said else ""
    return InlineIgnore(number, offset + leader.start() + 1, ids, reason, listed=match["list"] is not None)


def find_suppressions(path: str, text: str) -> dict[int, InlineIgnore]:
    """Line number -> the suppression comment on that line, for one file's text."""
    text = text.replace("\r\n", "\n")
    if path.endswith(_PYTHON):
        return _python_suppressions(text)
    found: dict[int, InlineIgnore] = {}
    for number, line in enumerate(text.split("\n"), start=1):
        if "udef:" in line:
            # A code span keeps its width (columns stay right) but loses its text.
            visible = _CODE_SPAN.sub(lambda m: " " * len(m.group()), line)
            parsed = parse_inline(visible, number)
            if parsed is not None:
                found[number] = parsed
    return found


def _python_suppressions(text: str) -> dict[int, InlineIgnore]:
    """Suppressions in the comments of Python source (never in its strings)."""
    lines = LineIndex(text)
    regions = lex_regions(text)
    if regions.anomalous:  # syntax the fast lexer cannot follow: tokenize knows it exactly
        regions = tokenize_regions(text, lines) or regions
    found: dict[int, InlineIgnore] = {}
    for start, end, kind in zip(regions.starts, regions.ends, regions.kinds, strict=True):
        if kind != COMMENT or "udef:" not in text[start:end]:
            continue
        line = lines.line_of(start)
        column = start - lines.starts[line]
        parsed = parse_inline(text[start:end], line + 1, column)
        if parsed is not None:
            found[line + 1] = parsed
    return found


def apply_inline(
    findings: Iterable[Finding],
    suppressions_in: Callable[[str], Mapping[int, InlineIgnore]],
    slug_of: Callable[[str], str],
) -> list[Finding]:
    """Mark findings whose line carries a matching `udef: ignore[...]` comment."""
    out = []
    for finding in findings:
        ignore = suppressions_in(finding.path).get(finding.line)
        names = {name.upper() for name in ignore.rules} if ignore is not None else set()
        if names & {finding.rule_id, slug_of(finding.rule_id).upper()}:
            reason = (ignore.reason if ignore else "") or "suppressed inline without a reason"
            inline = Suppression("inSource", reason, origin="inline")
            out.append(finding.with_changes(suppressions=(*finding.suppressions, inline)))
        else:
            out.append(finding)
    return out


class SuppressionRun(NamedTuple):
    """What UDEF090 needs to know about the run: which rules ran, and how to resolve a name."""

    ran: Collection[str]  # rule IDs whose results this run could have
    resolve: Callable[[str], str | None]  # an ID or slug -> the rule ID, None when unknown


def unused_suppressions(
    path: str, comments: Iterable[InlineIgnore], findings: Sequence[Finding], run: SuppressionRun
) -> list[Finding]:
    """UDEF090 results for one file: malformed comments and names that suppress nothing.

    `findings` are the file's findings after inline suppressions were applied."""
    suppressed = {(f.line, f.rule_id) for f in findings if any(s.kind == "inSource" for s in f.suppressions)}
    out: list[Finding] = []
    for comment in comments:
        malformed = _malformed(comment, run)
        if malformed is not None:
            out.append(_result(path, comment, malformed, "malformed"))
        idle = _idle_names(comment, suppressed, run)
        if idle:
            out.append(_result(path, comment, _unused_message(comment, idle), "unused"))
    return out


def _idle_names(comment: InlineIgnore, suppressed: set[tuple[int, str]], run: SuppressionRun) -> list[str]:
    """The names in the comment of rules that ran and have no suppressed result on its line
    (a name of a rule that did not run may suppress something in another run)."""
    idle = []
    for name in comment.rules:
        rule_id = run.resolve(name)
        if rule_id is None or rule_id == UNUSED_SUPPRESSION or rule_id not in run.ran:
            continue
        if (comment.line, rule_id) not in suppressed:
            idle.append(name)
    return idle


def _malformed(comment: InlineIgnore, run: SuppressionRun) -> str | None:
    if not comment.listed:
        return (
            "Malformed suppression: `udef: ignore` names no rule, so it suppresses nothing. "
            "Name the rules it is for, as in `udef: ignore[UDEF006] -- reason`."
        )
    if not comment.rules:
        return "Malformed suppression: `udef: ignore[]` names no rule, so it suppresses nothing."
    unknown = [name for name in comment.rules if run.resolve(name) is None]
    if unknown:
        listed = ", ".join(unknown)
        return (
            f"Malformed suppression: {listed} in `{comment.text}` names no rule (`udef-audit rules` "
            "lists the IDs and slugs)."
        )
    return None


def _unused_message(comment: InlineIgnore, idle: Sequence[str]) -> str:
    names = ", ".join(idle)
    if len(idle) == len(comment.rules):
        return f"Unused suppression: `{comment.text}` suppresses nothing on this line. Remove it."
    return f"Unused suppression: {names} in `{comment.text}` suppresses nothing on this line. Remove {names}."


def _result(path: str, comment: InlineIgnore, message: str, kind: str) -> Finding:
    return Finding(
        rule_id=UNUSED_SUPPRESSION,
        message=message,
        path=path,
        line=comment.line,
        column=comment.column,
        key=f"{kind} {comment.text}",
        kind=kind,
    )
