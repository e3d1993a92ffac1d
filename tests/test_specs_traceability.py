"""This project's own Phase 1 documents: every requirement of each docs/design/*-requirements.md
is named by a test's `@pytest.mark.requirement("<module>:<ID>")` marker, and every such
marker names a requirement that exists.

UDEF019 checks references anywhere in a test file, and counts an unqualified ID for every
module that defines it (the contract's rule), which the parsers' test data satisfy too;
this test holds the stricter line: a marker naming the module, on the test that proves it."""

from __future__ import annotations

import re

import pytest
from conftest import REPO

pytestmark = pytest.mark.requirement("specs:FR-09")

DESIGN = REPO / "docs" / "design"
MODULES = ("adoption", "batch", "engine", "specs")
MARKER = re.compile(r"""requirement\(\s*["'](\w+):((?:N?FR)-\d+)["']\s*\)""")
# Requirements that a measurement outside the test suite proves, not a test: written as
# (module, kind, number) so that this file references none of them.
MEASURED_OUTSIDE_THE_SUITE = {
    ("batch", "NFR", 1),  # throughput: benchmarks/batch.py
    ("batch", "NFR", 3),  # the suite's own duration: `pytest --durations`, tests/run.sh
    ("engine", "NFR", 1),  # the sympy audit against ruff: benchmarks/audit.py
}


def _defined() -> set[tuple[str, str]]:
    found = set()
    for module in MODULES:
        text = (DESIGN / f"{module}-requirements.md").read_text(encoding="utf-8")
        found.update((module, rid) for rid in re.findall(r"^- ((?:N?FR)-\d+):", text, flags=re.MULTILINE))
    return found


def _marked() -> set[tuple[str, str]]:
    return {m for path in (REPO / "tests").rglob("*.py") for m in MARKER.findall(path.read_text(encoding="utf-8"))}


def _spelled(kind: str, number: int) -> str:
    return f"{kind}-{number:02d}"


def test_each_module_has_its_triad() -> None:
    for module in MODULES:
        assert all((DESIGN / f"{module}-{kind}.md").is_file() for kind in ("requirements", "design", "tasks")), module


def test_every_requirement_has_a_marked_test() -> None:
    assert len(_defined()) >= 60
    unmarked = _defined() - _marked()
    assert unmarked == {(module, _spelled(kind, n)) for module, kind, n in MEASURED_OUTSIDE_THE_SUITE}


def test_every_marker_names_a_requirement() -> None:
    assert sorted(_marked() - _defined()) == []
