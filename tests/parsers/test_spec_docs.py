"""Names, requirement definitions and task entries of Phase 1 documents
(udef_audit.parsers.spec_docs)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from udef_audit.parsers.spec_docs import (
    SpecName,
    parse_requirement_definitions,
    parse_task_entries,
    spec_name,
)

# Requirement IDs that no document of this repository defines, spelled in two pieces: as
# whole words in this file they would be UDEF019 references (dangling ones) of this
# project's own tests, while here they are only data for the parser.
SIXTH_NFR = "NFR-" + "06"
SEVENTH_NFR = "NFR-" + "07"
UNDEFINED_NFR = "NFR-" + "12"


@pytest.mark.requirement("specs:FR-01")
@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("health-requirements.md", SpecName("health", "health", "requirements")),
        ("Health_Design.RST", SpecName("Health", "health", "design")),
        ("sub/rate_limit-tasks.adoc", SpecName("rate_limit", "rate-limit", "tasks")),
        ("auth/requirements.txt", SpecName("auth", "auth", "requirements")),
        ("a/b/auth/DESIGN.md", SpecName("auth", "auth", "design")),
        ("tasks.md", SpecName("", "", "tasks")),
        ("health-requirements-v2.md", None),
        ("health-requirements.pdf", None),
        ("requirements", None),
        ("-design.md", None),
        ("notes.md", None),
    ],
)
def test_specification_names(path: str, expected: SpecName | None) -> None:
    assert spec_name(path) == expected


def requirements(text: str, name: str = "x-requirements.md") -> list[tuple[str, str, int, int, bool, bool]]:
    return [
        (r.written, r.key, r.line, r.column, r.normative, r.quantified)
        for r in parse_requirement_definitions(text.split("\n"), name)
    ]


@pytest.mark.requirement("specs:FR-04")
def test_definitions_after_markup_and_ids_elsewhere_are_mentions() -> None:
    text = (
        "- **FR-01**: The system SHALL answer.\n"  # 1
        "1. [FR-002] It MUST log.\n"  # 2
        "| fr_3 | It should retry 3 times |\n"  # 3
        "> FR-04) Quoted.\n"  # 4
        "### NFR-5\n"  # 5
        "FR-06\n"  # 6
        "FR-7.1: a sub-item\n"  # 7
        "The FR-08 requirement is a mention.\n"  # 8
        "XFR-09: no\n"  # 9
        "FR-10a: no\n"  # 10
        "```\n"
        "FR-11: in a code block\n"
        "```\n"
    )
    assert [(w, k, line, col) for w, k, line, col, _, _ in requirements(text)] == [
        ("FR-01", "FR-1", 1, 5),
        ("FR-002", "FR-2", 2, 5),
        ("fr_3", "FR-3", 3, 3),
        ("FR-04", "FR-4", 4, 3),
        ("NFR-5", "NFR-5", 5, 5),
        ("FR-06", "FR-6", 6, 1),
    ]


@pytest.mark.requirement("specs:FR-05")
def test_text_normative_and_quantified() -> None:
    text = (
        "- NFR-01: The p95 latency SHALL be < 200 ms.\n"
        "- NFR-02: Service SHALL support horizontal scaling\n"
        f"- NFR-03: Latency should be low, unlike {UNDEFINED_NFR} and FR-1.2.\n"
        "- NFR-04: The service SHALL be fast:\n"
        "  - p99 under 1 s\n"
        "- FR-05: Orders are kept.\n"
        "\n"
        f"## {SIXTH_NFR}: Throughput\n"
        "\n"
        "The service SHALL serve 500 req/s.\n"
        "\n"
        "## Next section\n"
        f"{SEVENTH_NFR}: MUST stay up.\n"
        "\n"
        "99.9 % of the time (after a blank line: another paragraph).\n"
    )
    assert [(w, normative, quantified) for w, _, _, _, normative, quantified in requirements(text)] == [
        ("NFR-01", True, True),
        ("NFR-02", True, False),
        ("NFR-03", True, False),
        ("NFR-04", True, True),
        ("FR-05", False, False),
        (SIXTH_NFR, True, True),
        (SEVENTH_NFR, True, False),
    ]


@pytest.mark.requirement("specs:FR-04")
def test_rst_and_asciidoc_headings_end_a_requirement() -> None:
    rst = "NFR-01: fast\n\nLatency\n-------\n\nUnder 5 ms SHALL hold.\n"
    assert requirements(rst, "x-requirements.rst") == [("NFR-01", "NFR-1", 1, 1, False, False)]
    adoc = "== NFR-01: Latency\n\nThe p95 SHALL stay under 5 ms.\n\n== Other\n"
    assert requirements(adoc, "x-requirements.adoc") == [("NFR-01", "NFR-1", 1, 4, True, True)]


@pytest.mark.requirement("specs:FR-06")
def test_tasks_estimates_and_verification_lines() -> None:
    text = (
        "## TASK-001: Model (2 hours)\n"  # 1
        "- Verification: tests pass\n"
        "## TASK-002: API\n"  # 3
        "Estimate: 1.5d\n"
        "### Details\n"  # a deeper heading stays in the task
        "**Verification**: curl works\n"
        "## TASK-003: Docs (3 points)\n"  # 7
        "## Not a task\n"
        "- Verification: belongs to no task\n"
        "- TASK-4 (4h) Verify the install\n"  # 10
        "  with TASK-005 as a mention (no verification line)\n"
    )
    tasks = parse_task_entries(text.split("\n"), "x-tasks.md")
    assert [(t.written, t.line, t.column, t.has_estimate, t.has_verification) for t in tasks] == [
        ("TASK-001", 1, 4, True, True),
        ("TASK-002", 3, 4, True, True),
        ("TASK-003", 7, 4, True, False),
        ("TASK-4", 10, 3, True, False),
    ]


@pytest.mark.requirement("specs:FR-06")
def test_an_id_or_a_number_is_no_estimate() -> None:
    tasks = parse_task_entries(["### TASK-001: step 2 of the plan", "- Verification: done"], "x-tasks.md")
    assert [(t.has_estimate, t.has_verification) for t in tasks] == [(False, True)]


LINE = st.sampled_from(
    ["FR-01: x SHALL y", "- NFR-2: z", "## TASK-3 (2h)", "Verification: ok", "```", "", "  - sub 5 ms",
     "| FR-4 | a |", "===", "---", "text", "\0", "FR-1.2", "::", "    code"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(LINE | st.text(max_size=40), max_size=60))
def test_any_lines_parse(lines: list[str]) -> None:
    for name in ("x-requirements.md", "x-requirements.rst", "x-requirements.adoc"):
        found = parse_requirement_definitions(lines, name)
        assert all(1 <= r.line <= len(lines) for r in found)
        assert all(1 <= t.line <= len(lines) for t in parse_task_entries(lines, name))
