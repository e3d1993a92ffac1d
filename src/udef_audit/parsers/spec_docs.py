"""The methodology's Phase 1 documents: names, requirements and tasks (UDEF017-UDEF019).

Pure functions of a path or a text. The methodology's three-document framework gives each
module `docs/design/<module>-requirements.md`, `<module>-design.md` and
`<module>-tasks.md`; `spec_name` recognises those names (and the folder form
`<module>/requirements.md`), `parse_requirement_definitions` the requirement definitions of a
requirements document and `parse_task_entries` the task entries of a tasks document.

**Names.** The file's stem (any case) is `<module>-<kind>` or `<module>_<kind>` with kind
`requirements`, `design` or `tasks`, or exactly `<kind>` (the folder form: the module is
the folder the file is in, "" for the design folder itself); the extension is `.md`,
`.rst`, `.txt` or `.adoc`. A module's key is its name in lower case with `_` read as `-`
(`Rate_Limit` and `rate-limit` are one module).

**Requirement IDs.** `FR-<n>` or `NFR-<n>` in any case, `_` as well as `-`
(`FR-01`, `nfr_3`); the key ignores case, separator and leading zeros (`FR-01` and
`fr_1` are both `FR-1`). A line *defines* an ID when the ID starts it, after any Markdown
list, heading, quote, table or emphasis markup (`- **FR-01**:`, `### FR-01`, `| FR-01 |`,
`1. [FR-01]`), followed by `:`, `.`, `)`, `|`, `-`, a space or the line's end (after any
closing emphasis or bracket). `FR-1.2` is a sub-item, not a definition of FR-1; an ID
elsewhere in a line is a mention. Lines inside code blocks define nothing.

**A requirement's text** is its definition line and the lines after it up to the next
definition, the next heading or a table row, and up to a blank line or a sibling list
item; for a requirement defined by a heading, up to the next heading. It is *normative*
when it holds SHALL, MUST or SHOULD as a word (any case). It is *quantified* when a digit
stands in it outside requirement and task IDs (so NFR-01's own `01` never counts, nor
the `1.` of an ordered list's marker).

**Tasks.** `TASK-<n>` defined like a requirement. A task's block runs to the next task
definition, or to the next heading (for a task defined by a heading: the next heading of
its level or higher). The block *has an estimate* when a number is followed by hours/hrs/h,
days/d or points/pts/sp (`(2 hours)`, `Estimate: 1.5d`, `3 points`), and *has a
Verification line* when a line of it starts, after list or emphasis markup or a heading
mark, with the word `Verification`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from udef_audit.parsers.doc_kinds import prose_lines

SPEC_KINDS = ("requirements", "design", "tasks")
SPEC_SUFFIXES = (".md", ".rst", ".txt", ".adoc")

_LEAD = r"(?P<lead>[\s>#=*+|\[(`_-]*(?:\d+[.)][\s*_`\[]*)?)"
_END = r"(?![.]\d)[*_`\])]*(?=[:.)|\- \t]|$)"
_REQUIREMENT_RE = re.compile(_LEAD + r"(?P<id>(?P<kind>N?FR)[-_](?P<number>\d+))" + _END, re.IGNORECASE)
_TASK_RE = re.compile(_LEAD + r"(?P<id>TASK[-_](?P<number>\d+))" + _END, re.IGNORECASE)
_ANY_ID_RE = re.compile(r"(?<![A-Za-z0-9])(?:N?FR|TASK)[-_]\d+(?:\.\d+)*", re.IGNORECASE)
_NORMATIVE_RE = re.compile(r"\b(?:SHALL|MUST|SHOULD)\b", re.IGNORECASE)
_DIGIT_RE = re.compile(r"\d")
_ESTIMATE_RE = re.compile(r"\b\d+(?:[.,]\d+)?\s*(?:hours?|hrs?|h|days?|d|points?|pts?|sp)\b", re.IGNORECASE)
_VERIFICATION_RE = re.compile(r"[\s>#=*+|_`-]*(?:\d+[.)]\s*)?[*_`]*verification\b", re.IGNORECASE)
_ATX_RE = re.compile(r" {0,3}(#{1,6})(?:\s|$)")
_ADOC_RE = re.compile(r"(={1,6})\s")
_UNDERLINE_RE = re.compile(r"""\s*([=\-~^"'`*+#:.])\1{2,}\s*$""")
_LIST_ITEM_RE = re.compile(r"(\s*)(?:[-*+]|\d+[.)])\s")

Lines = Sequence[tuple[int, str]]  # (1-based line number, line) of the prose lines


@dataclass(frozen=True)
class SpecName:
    """What a file name says: the module (as written and as a key) and the kind."""

    module: str
    key: str
    kind: str


@dataclass(frozen=True)
class Requirement:
    """One requirement definition: the ID as written, its key (`FR-1`), where it is
    defined, and what its text says."""

    written: str
    key: str
    line: int
    column: int
    normative: bool
    quantified: bool

    @property
    def is_nfr(self) -> bool:
        """Non-functional requirements must be quantified."""
        return self.key.startswith("NFR")


@dataclass(frozen=True)
class Task:
    """One task entry of a tasks document."""

    written: str
    line: int
    column: int
    has_estimate: bool
    has_verification: bool


def spec_name(path: str) -> SpecName | None:
    """The module and kind a specification file's path names (posix, relative to the
    design folder), or None for any other file."""
    folders, _, name = path.rpartition("/")
    stem, dot, extension = name.rpartition(".")
    if not dot or f".{extension.lower()}" not in SPEC_SUFFIXES:
        return None
    lowered = stem.lower()
    for kind in SPEC_KINDS:
        if lowered == kind:
            folder = folders.rpartition("/")[2]
            return SpecName(folder, module_key(folder), kind)
        if len(lowered) > len(kind) + 1 and lowered.endswith(kind) and lowered[-len(kind) - 1] in "-_":
            module = stem[: -len(kind) - 1]
            return SpecName(module, module_key(module), kind)
    return None


def module_key(module: str) -> str:
    """A module name as compared: lower case, `_` read as `-`, no separator at the ends."""
    return module.lower().replace("_", "-").strip("-")


def requirement_key(kind: str, number: str) -> str:
    """`FR-01`, `fr_1` -> `FR-1`."""
    return f"{kind.upper()}-{int(number)}"


def parse_requirement_definitions(lines: Sequence[str], name: str) -> tuple[Requirement, ...]:
    """The requirement definitions of a requirements document, in order (duplicates
    included: the caller reports them). `name` is the file name (it says the syntax)."""
    prose = prose_lines(lines, name)
    definitions = [(i, m) for i, (_, line) in enumerate(prose) if (m := _REQUIREMENT_RE.match(line))]
    found = []
    for position, (index, match) in enumerate(definitions):
        following = definitions[position + 1][0] if position + 1 < len(definitions) else len(prose)
        text = _requirement_text(prose, index, following, match)
        unmarked = _ANY_ID_RE.sub(" ", text)
        found.append(
            Requirement(
                written=match["id"],
                key=requirement_key(match["kind"], match["number"]),
                line=prose[index][0],
                column=match.start("id") + 1,
                normative=_NORMATIVE_RE.search(text) is not None,
                quantified=_DIGIT_RE.search(unmarked) is not None,
            )
        )
    return tuple(found)


def parse_task_entries(lines: Sequence[str], name: str) -> tuple[Task, ...]:
    """The task entries (`TASK-<n>`) of a tasks document, in order."""
    prose = prose_lines(lines, name)
    definitions = [(i, m) for i, (_, line) in enumerate(prose) if (m := _TASK_RE.match(line))]
    found = []
    for position, (index, match) in enumerate(definitions):
        following = definitions[position + 1][0] if position + 1 < len(definitions) else len(prose)
        block = _task_block(prose, index, following)
        text = _ANY_ID_RE.sub(" ", "\n".join(line for _, line in block))
        found.append(
            Task(
                written=match["id"],
                line=prose[index][0],
                column=match.start("id") + 1,
                has_estimate=_ESTIMATE_RE.search(text) is not None,
                has_verification=any(_VERIFICATION_RE.match(line) for _, line in block),
            )
        )
    return tuple(found)


# -- blocks -----------------------------------------------------------------------------------
def _requirement_text(prose: Lines, index: int, following: int, match: re.Match[str]) -> str:
    """The requirement's text without its definition's markup and ID."""
    first = prose[index][1][match.end("id"):]
    if _heading_level(prose, index) is not None:
        rest = _until_heading(prose, index + 1, following, level=None)
    elif match["lead"].lstrip().startswith("|"):
        rest = []
    else:
        rest = _paragraph(prose, index, following)
    return "\n".join([first, *(line for _, line in rest)])


def _task_block(prose: Lines, index: int, following: int) -> Lines:
    level = _heading_level(prose, index)
    return [prose[index], *_until_heading(prose, index + 1, following, level=level or 7)]


def _until_heading(prose: Lines, start: int, stop: int, level: int | None) -> Lines:
    """Lines from `start` up to `stop` or the first heading (of `level` or higher when a
    level is given; any heading for None, or for level 7, which every heading outranks)."""
    out = []
    for index in range(start, stop):
        found = _heading_level(prose, index)
        if found is not None and (level is None or found <= level):
            break
        out.append(prose[index])
    return out


def _paragraph(prose: Lines, index: int, stop: int) -> Lines:
    """The lines that continue a list item or paragraph: up to a blank line (unless the
    next line is indented deeper: a continuation paragraph), a heading, a table row, a
    sibling list item or a gap (a code block)."""
    indent = _item_indent(prose[index][1])
    out = []
    for position in range(index + 1, stop):
        number, line = prose[position]
        if number != prose[position - 1][0] + 1 or _ends_paragraph(prose, position, indent):
            break
        out.append((number, line))
    return out


def _ends_paragraph(prose: Lines, position: int, indent: int | None) -> bool:
    line = prose[position][1]
    if not line.strip():
        following = prose[position + 1][1] if position + 1 < len(prose) else ""
        return indent is None or _indent(following) <= indent or not following.strip()
    if line.lstrip().startswith("|") or _heading_level(prose, position) is not None:
        return True
    sibling = _item_indent(line)
    return sibling is not None and indent is not None and sibling <= indent


def _heading_level(prose: Lines, index: int) -> int | None:
    """The heading level of a prose line (ATX `#`, AsciiDoc `=`, or underlined), or None."""
    line = prose[index][1]
    match = _ATX_RE.match(line) or _ADOC_RE.match(line)
    if match:
        return len(match.group(1))
    following = prose[index + 1] if index + 1 < len(prose) else None
    underlined = (
        following is not None
        and following[0] == prose[index][0] + 1
        and line.strip() != ""
        and _UNDERLINE_RE.match(following[1]) is not None
        and _UNDERLINE_RE.match(line) is None
    )
    return 1 if underlined else None


def _item_indent(line: str) -> int | None:
    match = _LIST_ITEM_RE.match(line)
    return len(match.group(1)) if match else None


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())
