"""The parts of an ADR: headings, labels and front-matter keys, not text in code blocks."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from udef_audit.parsers.adr import PARTS, adr_parts, missing_parts, part_name

MADR = ("Context", "Decision", "Consequences")


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("## Status\n\n## DATE\n", {"Status", "Date"}),
        ("Status\n======\n\nContext\n-------\n", {"Status", "Context"}),
        ("## Status: Accepted\n## Date: 2025-01-15\n", {"Status", "Date"}),
        ("### 1. Context\n#### 2) Decision\n", {"Context", "Decision"}),
        ("**Status**: Accepted\n**Date:** 2024\n__Context__: x\n", {"Status", "Date", "Context"}),
        ("* Status: accepted\n- Date: 2020\n", {"Status", "Date"}),
        ("---\nstatus: accepted\nDate: 2024\ntitle: x\n---\n# T\n", {"Status", "Date"}),
        ("## Context and Problem Statement\n## Decision Outcome\n### Negative Consequences\n", {*MADR}),
        ("```\n## Status\nDate: x\n```\n\n    ## Context\n\n<div>\nDecision: y\n</div>\n", set()),
        ("The status: is unclear.\nStatusquo: no\n", set()),
        ("---\ndate: an unclosed front matter is no front matter\n", {"Date"}),  # but a label
    ],
)
def test_parts(text: str, parts: set[str]) -> None:
    assert adr_parts(text) == frozenset(parts)


def test_part_names() -> None:
    assert part_name("**Status**") == "Status"
    assert part_name("Decision Drivers") is None
    assert list(missing_parts({"Status", "Context"})) == ["Date", "Decision", "Consequences"]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="#*_-:` \n=>abcdefStatusDateContext0123456789.", max_size=300))
def test_never_raises(text: str) -> None:
    assert adr_parts(text) <= set(PARTS)
