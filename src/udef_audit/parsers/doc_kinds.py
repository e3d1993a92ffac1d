"""Classify a documentation file as a design spec, a report or an ADR (UDEF007).

A pure function of a path and its text: no file I/O. `classify_document` answers
"design" (a specification), "report" (an implementation, test or status report), "adr"
(an architecture decision record) or None (anything else: tutorials, guides, API pages),
with the evidence in words so the rule's message can say why.

The evidence, in the order it is weighed:

1. *ADR*: the file sits under an `adr/`, `adrs/`, `decisions/` or `decision-records/`
   folder, or its name is numbered (`NNN-*`, `adr-NNN-*`) and it has a Status section (a
   `Status` heading or a `Status:` field). ADRs are checked first because a decision
   record about a design (`003-api-design.md`) is still a decision record.
2. *API reference pages* (Sphinx autodoc directives, mkdocstrings `::: module` lines) are
   none of the kinds: their names are module names (`mypkg.report.rst`), not titles.
3. *The name*, normalised (camelCase split, lower case, any punctuation a hyphen, trailing
   version or number tokens such as `-v2` dropped). Design: ends in `-design` (or is
   `design`), ends in `-requirements` (a bare `requirements.md` is more often an install
   page), has a `spec`/`specs`/`specification(s)` word, or ends in `-tasks` (or is
   `tasks`) *and* holds a task ID such as `TASK-001` (a tutorial's "tasks" page is not a
   task list). Report: has a `report`, `reports` or `results` word, unless an output
   format qualifies it (`json-report`, `sarif-report`) or it qualifies a format, schema
   or template (`report-format`): those name the tool's output, not a written report.
   Whole words only, so `inspect`, `perspective`, `special` and `reporting` say nothing.
   When the name has both kinds, the last word wins, as the head noun of an English
   compound comes last (`design-review-report` is a report, `test-report-spec` a spec).
4. *The content*, when the name says nothing (the name wins over the content). Report: a
   heading whose head noun is an implementation, test, testing, status, progress,
   verification or validation report (`# Test Report: sprint 3`, not `## Test report
   format`). Design: a line starting with a requirement ID (`FR-01`, `NFR-01`; one is
   enough, after list, table or emphasis markup), or `SHALL` (upper case) on at least two
   lines. When both match, the report wins: a report titles itself as one and cites the
   requirements it verifies (`| FR-01 | pass |`), while a specification titled as a report
   does not occur in practice.

Only the first `MAX_TEXT_CHARS` characters are read, and lines inside code blocks
(Markdown fences, AsciiDoc listing blocks, reStructuredText literal blocks) are not
evidence: a tutorial that shows an example requirements file is still a tutorial.
Everything here is linear in the input and never raises.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

DocKind = Literal["design", "report", "adr"]
Lines = Sequence[tuple[int, str]]  # (1-based line number, line) of the prose lines

MAX_TEXT_CHARS = 64 * 1024
DOCUMENT_SUFFIXES = (".md", ".markdown", ".rst", ".txt", ".adoc")
ADR_FOLDERS = frozenset({"adr", "adrs", "decisions", "decision-records"})

_SPEC_WORDS = frozenset({"spec", "specs", "specification", "specifications"})
_REPORT_WORDS = frozenset({"report", "reports", "results"})
# A report word next to these names an output format, not a report someone wrote:
# `json-report`, `sarif-report`, `report-format`, `report-schema`, `results-template`.
_FORMAT_WORDS_BEFORE = frozenset({"json", "html", "sarif", "xml", "csv", "pdf", "markdown", "text"})
_FORMAT_WORDS_AFTER = frozenset({"format", "formats", "schema", "schemas", "template", "templates"})
_VERSION_TOKEN_RE = re.compile(r"v?\d+")
_CAMEL_RE = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NON_WORD_RE = re.compile(r"[^a-z0-9]+")
# `0001-use-postgres.md`, `adr-001-...`; not a date (`2024-05-01-status.md` is no ADR).
_ADR_NAME_RE = re.compile(r"(?:adr[-_]?)?\d{3,4}[-_](?!\d)", re.IGNORECASE)

_TASK_ID_RE = re.compile(r"\bTASK-\d+\b")
_SHALL_RE = re.compile(r"\bSHALL\b")
# Leading list, quote, table, heading and emphasis markup, then the requirement ID.
# (Character classes that do not overlap, so a hostile line cannot make it backtrack.)
_REQUIREMENT_LINE_RE = re.compile(r"[\s>#*+|\[(`_-]*(?:\d+[.)][\s*_`\[]*)?((?:FR|NFR)-\d{2,})\b")
_REPORT_HEADING_RE = re.compile(
    r"\b(?:implementation|test|testing|status|progress|verification|validation)\s+reports?"
    # "report" must be the head noun: the heading ends, or a separator, a date, a number or
    # a preposition follows ("Test report: sprint 3", not "Test report format").
    r"(?=\s*$|\s*[:\-\u2013\u2014(\[,|/.]|\s+(?:for|of|on|from|at)\b|\s+#?v?\d)",
    re.IGNORECASE,
)
_STATUS_FIELD_RE = re.compile(r"\s*(?:[-*+]\s+)?[*_]*status[*_]*\s*:", re.IGNORECASE)
_API_PAGE_RE = re.compile(
    r"\s*\.\.\s+auto(?:module|class|function|data|exception|attribute|method|summary)::"
    r"|:::\s+[A-Za-z_][\w.]*\s*$"
)


def _spelled(word: str) -> str:
    """A pattern for `word` as a line may write it: emphasis markup may sit between its
    letters (`_plain` removes it from a heading before the heading patterns look)."""
    return "[*_`]*".join(re.escape(letter) for letter in word)


# The whole-text prefilter. Each hint is implied by a rule's evidence (it also looks across
# line ends and inside code blocks, so it may only send a text to the slow path needlessly):
# a text without any (most pages of a project's docs) skips the per-line analysis. Plain
# substrings and patterns that start with a letter, as sre scans alternations slowly.
_CONTENT_HINTS = ("FR-", "SHALL", "TASK-")  # _REQUIREMENT_LINE_RE (NFR- too), _SHALL_RE, _TASK_ID_RE
# _REPORT_HEADING_RE (case-insensitive), searched in `text.lower()`: lower-casing once is
# faster than an IGNORECASE scan, and every character that matches a letter of `report`
# case-insensitively lower-cases to that letter (not so for `s`: U+017F; see the tests).
_REPORT_HINT_RE = re.compile(_spelled("report"))
# A `Status` heading or `Status:` field (`_has_status`), asked only of numbered ADR names.
_STATUS_HINT_RE = re.compile(_spelled("status"), re.IGNORECASE)
# _API_PAGE_RE, asked only when the name has a verdict that an API page would overrule.
_API_PAGE_HINT_RE = re.compile(r"auto[a-z]+::|:::")

# Heading openers only: the text is cut with str methods (a lazy `.+?\s*$` is quadratic).
_ATX_HEADING_RE = re.compile(r" {0,3}#{1,6}(?=\s|$)")
_ADOC_HEADING_RE = re.compile(r"={1,6}(?=\s)")
_UNDERLINE_RE = re.compile(r"""([=\-~^"'`*+#:.])\1{2,}\s*$""")
_EMPHASIS_RE = re.compile(r"[*_`]+")
_MD_FENCE_RE = re.compile(r" {0,3}(`{3,}|~{3,})")
_ADOC_FENCE_RE = re.compile(r"(-{4,}|\.{4,})\s*$")
_RST_CODE_DIRECTIVE_RE = re.compile(r"\s*\.\.\s+(?:code-block|code|sourcecode)::")


@dataclass(frozen=True)
class DocClass:
    """A document's kind and the evidence, in words ("its name ends in -design")."""

    kind: DocKind
    reason: str


def is_document(path: str) -> bool:
    """Whether a posix path names a prose document: `.md`, `.markdown`, `.rst`, `.txt` or
    `.adoc`, not inside a folder starting with `_` or `.` (Sphinx `_static`, `_templates`,
    `_build`; hidden tool folders)."""
    folders, _, name = path.rpartition("/")
    if not name.lower().endswith(DOCUMENT_SUFFIXES):
        return False
    return not any(part.startswith(("_", ".")) for part in folders.split("/") if part)


def classify_document(path: str, text: str | None) -> DocClass | None:
    """The kind of the document at `path` (posix; its folders matter only for ADRs),
    given its text (None when unreadable: the name alone decides)."""
    folders, _, name = path.rpartition("/")
    if any(part.lower() in ADR_FOLDERS for part in folders.split("/")):
        return DocClass("adr", f"it sits under {_adr_folder(folders)}/")
    text = (text or "")[:MAX_TEXT_CHARS]
    if _may_hold_evidence(name, text):
        return _classify_lines(name, text)
    # No line can be content evidence, so the lines can only turn the name's verdict into
    # None (an API page); a page the name says nothing about is None either way.
    verdict = _by_name(name, ())
    if verdict is not None and _API_PAGE_HINT_RE.search(text):
        return _classify_lines(name, text)
    return verdict


def _may_hold_evidence(name: str, text: str) -> bool:
    """Whether a line of `text` could be ADR or content evidence, or a task ID the name
    needs: a cheap whole-text search that errs only towards yes."""
    if any(hint in text for hint in _CONTENT_HINTS) or _REPORT_HINT_RE.search(text.lower()):
        return True
    return bool(_ADR_NAME_RE.match(name)) and _STATUS_HINT_RE.search(text) is not None


def _classify_lines(name: str, text: str) -> DocClass | None:
    """The verdict from the name and the prose lines of `text` (already cut to size)."""
    lines = _prose_lines(text.splitlines(), _syntax(name))
    headings = list(_headings(lines, _syntax(name)))
    if _ADR_NAME_RE.match(name) and _has_status(lines, headings):
        return DocClass("adr", "a numbered decision record with a Status section")
    if any(_API_PAGE_RE.match(line) for _, line in lines):
        return None
    return _by_name(name, lines) or _by_content(lines, headings)


def normalised_words(name: str) -> list[str]:
    """The words of a file name without its extension: camelCase split, lower case,
    trailing version/number words dropped (`ApiDesign_v2.md` -> ["api", "design"])."""
    stem = name.rpartition(".")[0] or name
    words = [w for w in _NON_WORD_RE.split(_CAMEL_RE.sub("-", stem).lower()) if w]
    while words and _VERSION_TOKEN_RE.fullmatch(words[-1]):
        words.pop()
    return words


# -- the name -----------------------------------------------------------------------------
def _by_name(name: str, lines: Lines) -> DocClass | None:
    """The name's verdict; with both kinds in it, the later word (the head noun) wins."""
    words = normalised_words(name)
    design = _design_word(words, lines)
    report = max((i for i, word in enumerate(words) if _is_report_word(words, i)), default=-1)
    if design is None and report < 0:
        return None
    if design is not None and design[0] > report:
        return DocClass("design", design[1])
    return DocClass("report", f"its name has the word `{words[report]}`")


def _is_report_word(words: list[str], index: int) -> bool:
    if words[index] not in _REPORT_WORDS:
        return False
    before = words[index - 1] if index > 0 else ""
    after = words[index + 1] if index + 1 < len(words) else ""
    return before not in _FORMAT_WORDS_BEFORE and after not in _FORMAT_WORDS_AFTER


def _design_word(words: list[str], lines: Lines) -> tuple[int, str] | None:
    """(position, reason) of the last design word of a name, or None."""
    spec = max((i for i, word in enumerate(words) if word in _SPEC_WORDS), default=-1)
    trailing = _trailing_design_word(words, lines)
    if trailing is not None and trailing[0] > spec:
        return trailing
    return (spec, f"its name has the word `{words[spec]}`") if spec >= 0 else None


def _trailing_design_word(words: list[str], lines: Lines) -> tuple[int, str] | None:
    """`-design`, `-requirements` (not alone) or `-tasks` with a task ID, at the end."""
    last = len(words) - 1
    if last < 0:
        return None
    if words[last] == "design" or (words[last] == "requirements" and last > 0):
        return (last, _name_evidence(words, last))
    task = _first_match(_TASK_ID_RE, lines) if words[last] == "tasks" else None
    if task is not None:
        return (last, f"{_name_evidence(words, last)} and line {task[0]} holds {task[1]}")
    return None


def _name_evidence(words: list[str], last: int) -> str:
    """"its name is `design`" for a one-word name, "its name ends in -design" otherwise."""
    return f"its name is `{words[last]}`" if last == 0 else f"its name ends in -{words[last]}"


# -- the content --------------------------------------------------------------------------
def _by_content(lines: Lines, headings: Lines) -> DocClass | None:
    """The content's verdict when the name said nothing; a report heading beats design
    evidence (reports cite the requirement IDs they verify)."""
    for number, heading in headings:
        if _REPORT_HEADING_RE.search(heading):
            return DocClass("report", f"its heading on line {number} is `{_shorten(heading)}`")
    for number, line in lines:
        match = _REQUIREMENT_LINE_RE.match(line)
        if match:
            return DocClass("design", f"line {number} starts with requirement ID {match.group(1)}")
    shall = [number for number, line in lines if _SHALL_RE.search(line)]
    if len(shall) >= 2:
        return DocClass("design", f"lines {shall[0]} and {shall[1]} are normative SHALL statements")
    return None


def _has_status(lines: Lines, headings: Lines) -> bool:
    """A `Status` heading (Nygard ADRs) or a `Status:` field (MADR, front matter)."""
    if any(heading.lower().rstrip(":") == "status" for _, heading in headings):
        return True
    return any(_STATUS_FIELD_RE.match(line) for _, line in lines)


def _first_match(pattern: re.Pattern[str], lines: Lines) -> tuple[int, str] | None:
    for number, line in lines:
        match = pattern.search(line)
        if match:
            return number, match.group(0)
    return None


def _adr_folder(folders: str) -> str:
    return next(part for part in folders.split("/") if part.lower() in ADR_FOLDERS)


# -- markup -------------------------------------------------------------------------------
def _syntax(name: str) -> str:
    lowered = name.lower()
    if lowered.endswith(".rst"):
        return "rst"
    return "adoc" if lowered.endswith(".adoc") else "md"


def _headings(lines: Lines, syntax: str) -> Iterator[tuple[int, str]]:
    """(line, text) of every heading: ATX `#` (and AsciiDoc `=`) headings, and a text
    line directly followed by an underline (Markdown setext, reStructuredText)."""
    openers = (_ATX_HEADING_RE, _ADOC_HEADING_RE) if syntax == "adoc" else (_ATX_HEADING_RE,)
    for index, (number, _) in enumerate(lines):
        text = _heading_text(lines, index, openers)
        if text:
            yield number, text


def _heading_text(lines: Lines, index: int, openers: Sequence[re.Pattern[str]]) -> str | None:
    line = lines[index][1]
    match = next((m for m in (opener.match(line) for opener in openers) if m), None)
    if match:
        return _atx_text(line[match.end():])
    return _plain(line) if _is_underlined(lines, index) else None


def _atx_text(rest: str) -> str:
    """An ATX heading's text without its optional closing `#` run (`## Title ##`)."""
    text = rest.strip()
    unclosed = text.rstrip("#")
    if unclosed != text and (not unclosed or unclosed[-1].isspace()):
        text = unclosed
    return _plain(text)


def _is_underlined(lines: Lines, index: int) -> bool:
    number, line = lines[index]
    if index + 1 >= len(lines) or not line.strip() or _UNDERLINE_RE.match(line):
        return False
    next_number, next_line = lines[index + 1]
    return next_number == number + 1 and _UNDERLINE_RE.match(next_line) is not None


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def _plain(heading: str) -> str:
    return _EMPHASIS_RE.sub("", heading).strip()


def prose_lines(lines: Sequence[str], name: str) -> list[tuple[int, str]]:
    """(1-based line number, line) of a document's lines outside code blocks (Markdown
    fences, AsciiDoc listing blocks, reStructuredText literal blocks); `name` is the file
    name, whose extension says which syntax the document uses."""
    return _prose_lines(lines, _syntax(name))


def _prose_lines(lines: Sequence[str], syntax: str) -> list[tuple[int, str]]:
    """(line number, line) of the lines outside code blocks."""
    blocks = _CodeBlocks(syntax)
    return [(number, line) for number, line in enumerate(lines, 1) if not blocks.is_code(line)]


class _CodeBlocks:
    """Tracks, line by line, whether a line belongs to a code block."""

    def __init__(self, syntax: str) -> None:
        self.syntax = syntax
        self.fence: str | None = None  # the opening fence while inside a fenced block
        self.literal_indent: int | None = None  # rst: indent of the line that opened `::`

    def is_code(self, line: str) -> bool:
        if self.fence is not None:
            self._close_fence(line)
            return True
        if self.literal_indent is not None:
            if not line.strip() or _indent(line) > self.literal_indent:
                return True
            self.literal_indent = None
        self.fence = self._opening_fence(line)
        if self.fence is not None:
            return True
        if self.syntax == "rst" and _opens_rst_literal(line):
            self.literal_indent = _indent(line)
        return False

    def _close_fence(self, line: str) -> None:
        """A fence closes with a run of its character at least as long as the opening."""
        stripped = line.strip()
        if self.fence and len(stripped) >= len(self.fence) and set(stripped) == {self.fence[0]}:
            self.fence = None

    def _opening_fence(self, line: str) -> str | None:
        match = (_ADOC_FENCE_RE if self.syntax == "adoc" else _MD_FENCE_RE).match(line)
        return match.group(1) if match else None


def _opens_rst_literal(line: str) -> bool:
    """A paragraph ending in `::` or a code directive; other directives (`.. note::`)
    have prose bodies."""
    if line.lstrip().startswith(".."):
        return _RST_CODE_DIRECTIVE_RE.match(line) is not None
    return line.rstrip().endswith("::")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())
