"""Tests for udef_audit.parsers.doc_kinds: design / report / ADR / none, with the reason."""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from udef_audit.parsers import doc_kinds
from udef_audit.parsers.doc_kinds import (
    MAX_TEXT_CHARS,
    DocClass,
    classify_document,
    is_document,
    normalised_words,
)

# Requirement IDs that no document of this repository defines, spelled in two pieces: as
# whole words in this file they would be UDEF019 references (dangling ones) of this
# project's own tests, while here they are only data for the parser.
UNDEFINED_FR = "FR-" + "123"
UNDEFINED_NFR = "NFR-" + "12"


def kind(path: str, text: str | None = "") -> str | None:
    found = classify_document(path, text)
    return None if found is None else found.kind


# -- documents -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("guide.md", True),
        ("design/api.rst", True),
        ("notes.txt", True),
        ("manual.adoc", True),
        ("README.markdown", True),
        ("GUIDE.MD", True),
        ("conf.py", False),
        ("diagram.png", False),
        ("_static/custom.css", False),
        ("_static/notes.txt", False),
        ("_templates/layout.md", False),
        (".obsidian/notes.md", False),
        ("design/_drafts/api.md", False),
        ("_sidebar.md", True),  # a leading underscore on the file itself is still a page
    ],
)
def test_is_document(path: str, expected: bool) -> None:
    assert is_document(path) is expected


# -- names ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("api-design.md", ["api", "design"]),
        ("ApiDesign.md", ["api", "design"]),
        ("HTTPServerSpec.rst", ["http", "server", "spec"]),
        ("api_design_v2.md", ["api", "design"]),
        ("load-test-report-2024-05-01.md", ["load", "test", "report"]),
        ("udef_audit.report.rst", ["udef", "audit", "report"]),
        ("README", ["readme"]),
        ("2024.md", []),
    ],
)
def test_normalised_words(name: str, words: list[str]) -> None:
    assert normalised_words(name) == words


@pytest.mark.parametrize(
    ("path", "expected", "reason"),
    [
        ("api-design.md", "design", "its name ends in -design"),
        ("design.md", "design", "its name is `design`"),
        ("ApiDesign.md", "design", "its name ends in -design"),
        ("health-requirements.md", "design", "its name ends in -requirements"),
        ("MODULE_NAME-requirements.md", "design", "its name ends in -requirements"),
        ("openapi-spec.md", "design", "its name has the word `spec`"),
        ("specification.rst", "design", "its name has the word `specification`"),
        ("specs-overview.md", "design", "its name has the word `specs`"),
        ("load-test-report.md", "report", "its name has the word `report`"),
        ("benchmark-results.md", "report", "its name has the word `results`"),
        ("weekly-reports.md", "report", "its name has the word `reports`"),
        # Both kinds in the name: the head noun (the last word) wins.
        ("design-review-report.md", "report", "its name has the word `report`"),
        ("spec-compliance-results.md", "report", "its name has the word `results`"),
        ("test-report-spec.md", "design", "its name has the word `spec`"),
        ("report-format-spec.md", "design", "its name has the word `spec`"),
        ("json-report-spec.md", "design", "its name has the word `spec`"),
        ("json-results-and-test-report.md", "report", "its name has the word `report`"),
        ("test-report-design.md", "design", "its name ends in -design"),
    ],
)
def test_name_decides(path: str, expected: str, reason: str) -> None:
    found = classify_document(path, "# Title\n\nSome text.\n")
    assert found is not None
    assert (found.kind, found.reason) == (expected, reason)


@pytest.mark.parametrize(
    "name",
    [
        "inspect.md",  # the letters "spec", not the word
        "perspective.md",
        "special-cases.md",
        "respecting-limits.md",
        "reporting.md",  # the feature, not a report
        "reporters.md",
        "requirements.md",  # alone: usually an install page ("*-requirements.*" needs a prefix)
        "design-principles.md",  # "design" is not the head noun
        "designing-plugins.md",
        "resultset.md",
        # A report word that names an output format, not a written report.
        "json-report.md",
        "SarifReport.md",
        "html-reports.md",
        "report-format.md",
        "report-schema.md",
        "results-template.md",
        "index.md",
    ],
)
def test_names_that_say_nothing(name: str) -> None:
    assert classify_document(name, "# Title\n\nPlain prose.\n") is None


def test_tasks_name_needs_task_ids() -> None:
    assert kind("tutorial-tasks.md", "# Common tasks\n\nAdd a product.\n") is None
    assert kind("tasks.md", "# Tasks\n\nSee TASKS-1 in the tracker.\n") is None
    found = classify_document("module-tasks.md", "# Tasks\n\n### TASK-001: endpoint\n")
    assert found == DocClass("design", "its name ends in -tasks and line 3 holds TASK-001")
    assert kind("tasks.md", "- TASK-12 write the endpoint") == "design"


def test_task_ids_in_a_code_block_do_not_count() -> None:
    text = "# Tasks you can run\n\n```\n### TASK-001: example\n```\n"
    assert kind("tutorial-tasks.md", text) is None


def test_task_ids_without_a_tasks_name_say_nothing() -> None:
    assert kind("guide.md", "# Guide\n\nTASK-001 is done.\n") is None


def test_unreadable_text_leaves_the_name() -> None:
    assert kind("api-design.md", None) == "design"
    assert kind("guide.md", None) is None
    assert kind("module-tasks.md", None) is None


# -- content -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "line",
    [
        "FR-01: System SHALL provide a health check endpoint",
        "NFR-01: Service SHALL handle 1000 req/sec",
        "- FR-01: bullet",
        "* **FR-02**: bold",
        "1. FR-03 numbered",
        "| FR-04 | table row |",
        "> FR-05 quoted",
        "### FR-06: as a heading",
        f"  {UNDEFINED_FR} indented",
    ],
)
def test_a_line_starting_with_a_requirement_id_is_design(line: str) -> None:
    found = classify_document("guide.md", f"# Guide\n\n{line}\n")
    assert found is not None
    assert found.kind == "design"
    assert found.reason.startswith("line 3 starts with requirement ID ")


@pytest.mark.parametrize(
    "line",
    [
        "See FR-01 for the health check.",  # a mention, not a requirement
        "FR-1 has one digit",
        "XFR-01 is another prefix",
        "fr-01 in lower case",
    ],
)
def test_requirement_ids_elsewhere_say_nothing(line: str) -> None:
    assert kind("guide.md", f"# Guide\n\n{line}\n") is None


def test_shall_on_two_lines_is_design() -> None:
    text = "Contract\n========\n\nThe service SHALL reject bad input.\n\nIt SHALL log it.\n"
    found = classify_document("contract.rst", text)
    assert found == DocClass("design", "lines 4 and 6 are normative SHALL statements")


def test_one_shall_or_lower_case_shall_is_not_enough() -> None:
    assert kind("guide.md", "The service SHALL reject bad input.\nOther text.\n") is None
    assert kind("guide.md", "You shall pass.\nYou shall not pass.\n") is None
    assert kind("guide.md", "Two SHALL on SHALL one line.\n") is None


@pytest.mark.parametrize(
    "heading_text",
    [
        "# Implementation Report",
        "# Orders Implementation Report",
        "## Test report: sprint 3",
        "# Load Test Report — 2024-05-01",
        "# Status report 2024-05-01",
        "# Progress report for May",
        "# Implementation Reports",
        "# **Test Report**",
        "# Test Report ##",
        "Test Report\n===========",
        "Status report\n-------------",
        "= Verification Report",
    ],
)
def test_report_headings(heading_text: str) -> None:
    name = "notes.adoc" if heading_text.startswith("=") else "notes.md"
    found = classify_document(name, f"{heading_text}\n\nResults.\n")
    assert found is not None
    assert found.kind == "report"
    assert found.reason.startswith("its heading on line 1 is `")


@pytest.mark.parametrize(
    "text",
    [
        "## Test report format\n",  # "report" is not the head noun
        "## Status report template\n",
        "# Reporting\n",
        "# Report\n",  # not an implementation/test/status report
        "Test report in a paragraph, not a heading.\n",
        "```\n# Test Report\n```\n",  # an example in a code block
        "#Test Report\n",  # no space: not an ATX heading
    ],
)
def test_not_report_headings(text: str) -> None:
    assert kind("notes.md", text) is None


def test_rst_report_title_with_overline() -> None:
    text = "=============\nStatus Report\n=============\n\nAll green.\n"
    assert kind("sprint.rst", text) == "report"


def test_report_heading_wins_over_requirement_ids() -> None:
    text = "# Sprint 3 Status Report\n\n| Req | Result |\n|---|---|\n| FR-01 | pass |\n"
    assert classify_document("sprint-3.md", text) == DocClass(
        "report", "its heading on line 1 is `Sprint 3 Status Report`",
    )


def test_name_wins_over_content() -> None:
    shall = "FR-01: System SHALL respond\nFR-02: It SHALL log\n"
    assert kind("load-test-report.md", shall) == "report"
    assert kind("api-design.md", "# Implementation Report\n") == "design"


def test_code_blocks_are_not_evidence() -> None:
    md = (
        "# Methodology\n\n```markdown\nFR-01: System SHALL x\nFR-02: System SHALL y\n```\n\n"
        "~~~~\n# Test Report\n~~~~\n"
    )
    assert kind("methodology.md", md) is None
    rst = "Guide\n=====\n\nExample::\n\n    FR-01: System SHALL x\n    NFR-01 SHALL y\n\nDone.\n"
    assert kind("guide.rst", rst) is None
    directive = "Guide\n=====\n\n.. code-block:: text\n\n   FR-01: x\n\nDone.\n"
    assert kind("guide.rst", directive) is None
    adoc = "= Guide\n\n----\nFR-01: System SHALL x\n----\n"
    assert kind("guide.adoc", adoc) is None


def test_a_longer_closing_fence_closes_and_prose_follows() -> None:
    text = "````\ncode\n`````\nFR-01: System SHALL x\n"
    assert kind("guide.md", text) == "design"


def test_an_rst_note_body_is_prose() -> None:
    text = "Guide\n=====\n\n.. note::\n\n   FR-01: System SHALL x\n"
    assert kind("guide.rst", text) == "design"


def test_a_line_ending_in_double_colon_is_prose_in_markdown() -> None:
    assert kind("guide.md", "Example::\n\n    FR-01: System SHALL x\n") == "design"


def test_only_the_first_64_kib_are_read() -> None:
    filler = "Plain prose line.\n" * (MAX_TEXT_CHARS // 18 + 10)
    assert kind("guide.md", filler + "FR-01: System SHALL x\n") is None
    assert kind("guide.md", "FR-01: System SHALL x\n" + filler) == "design"


# -- ADRs ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "path",
    ["adr/0001-use-postgres.md", "decisions/payments-design.md", "architecture/adrs/x-report.md",
     "ADR/api-spec.md", "decision-records/notes.md"],
)
def test_under_an_adr_folder_is_adr(path: str) -> None:
    assert kind(path, "FR-01: anything\n# Test Report\n") == "adr"


def test_adr_folder_reason() -> None:
    found = classify_document("design/adr/0001-x.md", "")
    assert found == DocClass("adr", "it sits under adr/")


@pytest.mark.parametrize(
    "text",
    [
        "# 1. Choose the database\n\n## Status\n\nAccepted\n",
        "Choose the database\n===================\n\nStatus\n------\n\nAccepted\n",
        "---\nstatus: accepted\n---\n# Choose the database\n",
        "# Choose the database\n\n* Status: accepted\n",
        "# Choose\n\n**Status:** Accepted\n",
    ],
)
def test_numbered_with_a_status_section_is_adr(text: str) -> None:
    name = "001-choose-db.rst" if "===" in text else "001-choose-db.md"
    assert classify_document(name, text) == DocClass(
        "adr", "a numbered decision record with a Status section",
    )


def test_numbered_adr_beats_a_design_name() -> None:
    assert kind("0003-api-design.md", "# 3. API design\n\n## Status\n\nAccepted\n") == "adr"
    assert kind("adr-003-api-design.md", "# API design\n\n## Status\n\nAccepted\n") == "adr"


def test_numbered_without_status_or_status_without_number_is_no_adr() -> None:
    assert kind("002-api-design.md", "# 2. API design\n") == "design"
    assert kind("choose-db.md", "# Choose\n\n## Status\n\nAccepted\n") is None
    assert kind("01-intro.md", "## Status\n") is None  # two digits: a chapter number


def test_a_dated_report_is_no_adr() -> None:
    text = "# Sprint status\n\nStatus: green\n"
    assert kind("2024-05-01-status-report.md", text) == "report"


# -- API reference pages -------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "shop.reports module\n===================\n\n.. automodule:: shop.reports\n   :members:\n",
        "Results\n=======\n\n.. autoclass:: shop.results.Results\n",
        "# Reports\n\n::: shop.reports\n",
    ],
)
def test_api_reference_pages_are_no_kind(text: str) -> None:
    name = "shop.reports.md" if text.startswith("#") else "shop.reports.rst"
    assert kind(name, text) is None


# -- hostile input -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "# a" + " " * 60_000 + "b",
        "1." + " " * 60_000 + "x",
        "= a" + " " * 60_000 + "b",
        "x\n" + "=" * 60_000 + " x",
        "# Test report" + " " * 60_000 + "x",
        "::: " + "a" * 60_000 + " b",
        "- " * 30_000 + "x",
        "```\n" * 30_000,
    ],
)
def test_pathological_lines_are_linear(text: str) -> None:
    start = time.perf_counter()
    classify_document("notes.adoc", text)
    classify_document("notes.md", text)
    classify_document("notes.rst", text)
    assert time.perf_counter() - start < 1.0


@settings(max_examples=200, deadline=None)
@given(
    path=st.text(alphabet=st.sampled_from("abc-_./0123ADRrepotsdign"), max_size=30),
    text=st.one_of(st.none(), st.text(max_size=400)),
)
def test_never_raises(path: str, text: str | None) -> None:
    found = classify_document(path, text)
    assert found is None or found.kind in ("design", "report", "adr")
    assert found is None or found.reason


# -- the whole-text prefilter ----------------------------------------------------------------
def classify_line_by_line(path: str, text: str | None) -> DocClass | None:
    """`classify_document` with the prefilter off: every text goes through the line analysis."""
    with mock.patch.object(doc_kinds, "_may_hold_evidence", return_value=True):
        return classify_document(path, text)


FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
FIXTURE_DOCS = sorted(
    path.relative_to(FIXTURES).as_posix()
    for path in FIXTURES.rglob("*")
    if path.is_file() and path.name.lower().endswith(doc_kinds.DOCUMENT_SUFFIXES)
)


def test_there_are_fixture_docs() -> None:
    assert len(FIXTURE_DOCS) > 20


@pytest.mark.parametrize("relative", FIXTURE_DOCS)
def test_prefilter_keeps_the_verdict_on_fixture_docs(relative: str) -> None:
    text = (FIXTURES / relative).read_text(encoding="utf-8", errors="replace")
    path = relative.split("/", 2)[2]  # the path inside the fixture repository
    assert classify_document(path, text) == classify_line_by_line(path, text)


NAMES = [
    "guide.md", "notes.rst", "manual.adoc", "api-design.md", "load-test-report.md",
    "module-tasks.md", "tasks.md", "001-choose-db.md", "adr-002-x.rst", "2024-05-01-status.md",
    "shop.reports.rst", "openapi-spec.md", "json-report.md", "docs/adr/notes.md",
]  # fmt: skip
PIECES = [
    "\n", "\n\n", " ", "  ", "\t", "#", "# ", "## ", "= ", "===", "---", "~~~~", "```", "````", "::",
    "*", "**", "_", "`", "|", "- ", "1. ", "> ", ":", "FR-01", UNDEFINED_NFR, "FR-1", "fr-01", "SHALL",
    "shall", "TASK-001", "TASK-", "Test", "test", "Status", "status", "\u017ftatus", "STATUS", "report",
    "Report", "REPORTS", "re*port", "Re_po`rt", "Implementation", "progress", "Verification", "for",
    "format", "2024-05-01", "v2", ".. automodule:: x", ".. autoclass:: m.C", "::: pkg.mod",
    ".. code-block:: text", ".. note::", "Status:", "**Status:**", "\u0130", "\u212a", "\u0131", "x", "Plain prose.",
]  # fmt: skip
DOC_TEXT = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)


@settings(max_examples=1500, deadline=None)
@given(path=st.sampled_from(NAMES), text=st.one_of(st.none(), DOC_TEXT, st.text(max_size=200)))
def test_prefilter_never_changes_the_verdict(path: str, text: str | None) -> None:
    assert classify_document(path, text) == classify_line_by_line(path, text)


@pytest.mark.parametrize("path", NAMES)
@pytest.mark.parametrize(
    "text",
    [
        "# **Test Re*port**: sprint 3\n",  # emphasis inside the word; `_plain` removes it
        "Status\n------\n\nAccepted\n",
        "# S*tatus\n",
        "\u017ftatus: accepted\n",  # long s matches `s` case-insensitively
        "FR-01: x\n",
        "A SHALL b.\nC SHALL d.\n",
        "- TASK-7 write it\n",
        ".. automodule:: shop.reports\n",
        "::: shop.reports\n",
        "```\n# Test Report\nFR-01 x\n```\n",
    ],
)
def test_prefilter_keeps_the_verdict_on_near_misses(path: str, text: str) -> None:
    assert classify_document(path, text) == classify_line_by_line(path, text)


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("guide.rst", "Guide\n=====\n\n.. autofunction:: sympy.solve\n\nSee the status page.\n"),
        ("load-test-report.md", "# Numbers\n\nAll green.\n"),
        ("index.md", "# Index\n\n::: pkg.mod\n"),
    ],
)
def test_pages_without_evidence_skip_the_line_analysis(path: str, text: str) -> None:
    expected = classify_line_by_line(path, text)
    with mock.patch.object(doc_kinds, "_prose_lines", side_effect=AssertionError("read by line")):
        assert classify_document(path, text) == expected


def test_report_letters_lower_case_like_the_case_insensitive_heading_pattern() -> None:
    """The report hint searches `text.lower()` for what `_REPORT_HEADING_RE` matches with
    IGNORECASE: each character that matches a letter of `report` must lower-case to it."""
    every_character = "".join(map(chr, range(sys.maxunicode + 1)))
    for letter in "report":
        matching = re.findall(letter, every_character, re.IGNORECASE)
        assert {character.lower() for character in matching} == {letter}


def test_a_one_word_name_is_said_as_such() -> None:
    # "design.rst ends in -design" read wrong (issue 17): a one-word name *is* the word.
    assert classify_document("design.rst", "Design\n======\n") == DocClass("design", "its name is `design`")
    tasks = classify_document("tasks.md", "- TASK-12 write the endpoint")
    assert tasks == DocClass("design", "its name is `tasks` and line 1 holds TASK-12")
