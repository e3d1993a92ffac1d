"""UDEF018 spec-measurable: requirements with IDs, normative verbs and numbers; tasks with
estimates and a Verification line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import Run, fixture

from udef_audit.testing import check, rows

RULE = "UDEF018"
Audit = Callable[..., list[tuple[Any, ...]]]
REQUIREMENTS = "docs/design/payments-requirements.md"
TASKS = "docs/design/payments-tasks.md"
# Requirement IDs that no document of this repository defines, spelled in two pieces: as
# whole words in this file they would be UDEF019 references (dangling ones) of this
# project's own tests, while here they are only the fixture's data.
SIXTH_NFR = "NFR-" + "06"
SEVENTH_NFR = "NFR-" + "07"


@pytest.mark.requirement("specs:FR-04")
@pytest.mark.requirement("specs:FR-05")
@pytest.mark.requirement("specs:FR-06")
@pytest.mark.parametrize(
    ("case", "expected"),
    [
        # list, emphasis, ordered-list, table, heading and plain definitions; a sub-item,
        # mentions and a code block that define nothing; three tasks written three ways.
        ("compliant", []),
        (
            "vague",
            [
                (REQUIREMENTS, 3, 3),  # FR-01 not normative
                (REQUIREMENTS, 5, 3),  # fr_01 defined twice
                (REQUIREMENTS, 6, 3),  # the sixth NFR not quantified
                (REQUIREMENTS, 7, 3),  # the seventh NFR quantified only by the IDs it mentions
                (TASKS, 7, 5),  # TASK-002 no estimate
                (TASKS, 11, 5),  # TASK-003 no Verification line
                (TASKS, 15, 5),  # TASK-004 neither
            ],
        ),
        ("no-ids", [("docs/design/search-requirements.md", 1, None), ("docs/design/search-tasks.md", 1, None)]),
    ],
)
def test_fixture_findings(audit: Audit, case: str, expected: list[tuple[str, int, int | None]]) -> None:
    found = audit(fixture(RULE, case), "--select", RULE)
    assert found == [(RULE, path, line, column) for path, line, column in expected]


def test_messages_and_kinds(run_inproc: Callable[..., Run]) -> None:
    result = run_inproc(fixture(RULE, "vague"), "--format", "json", "--select", RULE)
    assert [(f["line"], f["kind"], f["message"]) for f in result.json()["findings"]] == [
        (3, "not-normative", "FR-01 states no SHALL, MUST or SHOULD: write it as a normative statement "
                             "(\"the service SHALL ...\") so that it says what must hold."),
        (5, "duplicate-id", "fr_01 is defined twice in this document (first at line 3): give each requirement "
                            "its own ID, or every test reference to it is ambiguous."),
        (6, "not-quantified", f"{SIXTH_NFR} is not quantified (no number besides its ID): give the measure and its "
                              "limit (\"p95 < 200 ms\", \"1000 req/s\", \"80 % coverage\")."),
        (7, "not-quantified", f"{SEVENTH_NFR} is not quantified (no number besides its ID): give the measure and its "
                              "limit (\"p95 < 200 ms\", \"1000 req/s\", \"80 % coverage\")."),
        (7, "incomplete-task", "TASK-002 has no estimate: add an estimate (\"(2 hours)\" in its title)."),
        (11, "incomplete-task", "TASK-003 has no Verification line: add a line \"- Verification: <how to check it "
                                "is done>\"."),
        (15, "incomplete-task", "TASK-004 has no estimate and no Verification line: add an estimate (\"(2 hours)\" "
                                "in its title) and a line \"- Verification: <how to check it is done>\"."),
    ]


@pytest.mark.requirement("specs:FR-05")
def test_a_requirement_can_miss_both(tmp_path: Path) -> None:
    tree = {
        "pyproject.toml": "[project]\nname = 'a'\nversion = '1'\n",
        "docs/design/api-requirements.md": "* NFR-01 - Latency is low\n",
    }
    found = check(RULE, tree, tmp_path)
    assert rows(found) == [(RULE, "docs/design/api-requirements.md", 1, 3)] * 2
    assert [f.kind for f in found] == ["not-normative", "not-quantified"]


def test_an_unreadable_document_is_a_udef000_note_not_a_finding(tmp_path: Path) -> None:
    tree = {
        "pyproject.toml": "[project]\nname = 'a'\nversion = '1'\n",
        "docs/design/api-requirements.md": b"\xff\xfe FR-01",
    }
    assert check(RULE, tree, tmp_path) == []
