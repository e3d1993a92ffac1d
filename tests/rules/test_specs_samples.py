"""Three sample repositories that follow the methodology's Phase 1 in part
(fixtures/samples/), and what UDEF017, UDEF018, UDEF019 and UDEF026 say about each.

- orders-service: the pathfinder module's triad is complete and mostly traced; the next
  module (payments) stopped after its design, one NFR is a wish, one task is a stub.
- billing-lib: a library with a MkDocs site, folder-form reStructuredText specifications,
  two modules numbering from FR-01 (qualified by test path and by `invoicing:` prefix).
- notify-api: one unreviewed requirements file for the whole project, prose requirements,
  a duplicated ID, a test naming a requirement nobody wrote.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from conftest import fixture

RULES = "UDEF017,UDEF018,UDEF019,UDEF026"
Audit = Callable[..., list[tuple[Any, ...]]]


@pytest.mark.requirement("specs:FR-03")
@pytest.mark.requirement("specs:FR-05")
@pytest.mark.requirement("specs:FR-09")
@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        (
            "orders-service",
            [
                ("UDEF017", "docs/design/payments-requirements.md", 1, None),  # no payments-tasks.md
                ("UDEF018", "docs/design/orders-requirements.md", 14, 3),  # NFR-03 "scale horizontally"
                ("UDEF018", "docs/design/orders-tasks.md", 11, 5),  # TASK-003: no estimate, no verification
                ("UDEF018", "docs/design/payments-requirements.md", 4, 3),  # FR-02 not normative
                ("UDEF019", "docs/design/orders-requirements.md", 7, 3),  # FR-03 untested
                ("UDEF019", "docs/design/orders-requirements.md", 14, 3),  # NFR-03 untested
                ("UDEF019", "docs/design/payments-requirements.md", 4, 3),  # payments FR-02 untested
            ],
        ),
        (
            "billing-lib",
            [
                ("UDEF018", "docs/design/tax/tasks.md", 3, 3),  # TASK-001 without estimate or verification
                ("UDEF019", "docs/design/tax/requirements.md", 4, 3),  # tax FR-02 untested
                ("UDEF026", "README.md", 3, 68),  # CHANGELOG.md does not exist (the README is read on GitHub)
            ],
        ),
        (
            "notify-api",
            [
                ("UDEF026", "CONTRIBUTING.md", 3, 22),  # #running-the-tests: the heading is "Tests"
                ("UDEF017", "docs/design/requirements.md", 1, None),  # no design.md, no tasks.md
                ("UDEF018", "docs/design/requirements.md", 3, 1),  # FR-1 not normative
                ("UDEF019", "docs/design/requirements.md", 3, 1),  # FR-1 untested
                ("UDEF018", "docs/design/requirements.md", 6, 1),  # NFR-1 "should be fast"
                ("UDEF019", "docs/design/requirements.md", 6, 1),  # NFR-1 untested
                ("UDEF018", "docs/design/requirements.md", 7, 1),  # FR-2 defined twice
                ("UDEF019", "tests/test_api.py", 5, 10),  # note: FR-4 is defined nowhere
            ],
        ),
    ],
)
def test_what_the_rules_say_about_each_sample(audit: Audit, sample: str, expected: list[tuple[Any, ...]]) -> None:
    assert audit(fixture("samples", sample), "--select", RULES) == sorted(expected)
