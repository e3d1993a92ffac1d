"""This project's own Phase 1 documents for the `specs` module: every requirement of
docs/design/specs-requirements.md is named by a test's `@pytest.mark.requirement("specs:..")`
marker, and every such marker names a requirement that exists.

UDEF019 checks references anywhere in a test file, which the fixtures' requirement strings
satisfy too; this test holds the stricter line for the module the rules live in."""

from __future__ import annotations

import re

import pytest
from conftest import REPO

pytestmark = pytest.mark.requirement("specs:FR-09")

DOCUMENT = REPO / "docs" / "design" / "specs-requirements.md"
MARKER = re.compile(r"""requirement\(\s*["']specs:((?:N?FR)-\d+)["']\s*\)""")


def _defined() -> set[str]:
    return set(re.findall(r"^- ((?:N?FR)-\d+):", DOCUMENT.read_text(encoding="utf-8"), flags=re.MULTILINE))


def _marked() -> set[str]:
    return {m for path in (REPO / "tests").rglob("*.py") for m in MARKER.findall(path.read_text(encoding="utf-8"))}


def test_every_specs_requirement_has_a_marked_test() -> None:
    assert len(_defined()) >= 20
    assert sorted(_defined() - _marked()) == []


def test_every_marker_names_a_requirement() -> None:
    assert sorted(_marked() - _defined()) == []
