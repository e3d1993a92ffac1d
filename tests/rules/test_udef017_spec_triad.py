"""UDEF017 spec-triad: each module has its requirements, design and tasks documents."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import Run, fixture

from udef_audit.testing import check, rows

RULE = "UDEF017"
Audit = Callable[..., list[tuple[Any, ...]]]
MANIFEST = {"pyproject.toml": "[project]\nname = 'a'\nversion = '1'\n", "src/a/__init__.py": ""}


def _messages(run_inproc: Callable[..., Run], path: Path) -> list[tuple[str, int, str]]:
    result = run_inproc(path, "--format", "json", "--select", RULE)
    assert result.code in (0, 1), result.stderr
    return [(f["path"], f["line"], f["message"]) for f in result.json()["findings"]]


@pytest.mark.requirement("specs:FR-01")
@pytest.mark.requirement("specs:FR-03")
@pytest.mark.parametrize(
    ("case", "expected"),
    [
        # file-name and folder forms, any case, .md/.rst/.txt/.adoc, a module's documents in
        # different subfolders, and a design document that is no specification: nothing.
        ("compliant", []),
        ("no-design-folder", [("README.md", 1)]),
        ("no-requirements", [("docs/design/api-design.md", 1)]),
        (
            "incomplete",
            [
                ("docs/design/Billing_Design.RST", 1),
                ("docs/design/a/search-requirements.txt", 1),
                ("docs/design/health-requirements.md", 1),
            ],
        ),
        ("doc-folder", [("doc/design/orders-requirements.md", 1)]),
    ],
)
def test_fixture_findings(audit: Audit, case: str, expected: list[tuple[str, int]]) -> None:
    assert audit(fixture(RULE, case), "--select", RULE) == [(RULE, path, line, None) for path, line in expected]


@pytest.mark.requirement("specs:FR-03")
def test_incomplete_modules_name_what_is_missing(run_inproc: Callable[..., Run]) -> None:
    assert _messages(run_inproc, fixture(RULE, "incomplete")) == [
        (
            "docs/design/Billing_Design.RST", 1,
            "Module `Billing` has no requirements document (only design, tasks): create "
            "`docs/design/Billing_requirements.RST` (the methodology's three-document framework).",
        ),
        (
            "docs/design/a/search-requirements.txt", 1,
            "Module `search` has no design document (only requirements, tasks): create "
            "`docs/design/a/search-design.txt` (the methodology's three-document framework).",
        ),
        (
            "docs/design/health-requirements.md", 1,
            "Module `health` has no design document and no tasks document (only requirements): create "
            "`docs/design/health-design.md` and `docs/design/health-tasks.md` (the methodology's "
            "three-document framework).",
        ),
    ]


@pytest.mark.requirement("specs:FR-02")
def test_no_requirements_messages(run_inproc: Callable[..., Run]) -> None:
    assert _messages(run_inproc, fixture(RULE, "no-requirements")) == [
        (
            "docs/design/api-design.md", 1,
            "No requirements document in docs/design/ (module `api` has a design or tasks document but no "
            "requirements): write docs/design/<module>-requirements.md with requirement IDs (FR-01, NFR-01) "
            "and measurable criteria, beside <module>-design.md and <module>-tasks.md.",
        )
    ]
    assert _messages(run_inproc, fixture(RULE, "no-design-folder"))[0][2].startswith(
        "No requirements document in docs/design/: write docs/design/<module>-requirements.md"
    )


@pytest.mark.requirement("specs:FR-02")
def test_without_readme_the_manifest_is_the_anchor(tmp_path: Path) -> None:
    assert rows(check(RULE, MANIFEST, tmp_path)) == [(RULE, "pyproject.toml", 1, None)]


@pytest.mark.requirement("specs:FR-01")
def test_the_design_folders_own_triad(tmp_path: Path) -> None:
    tree = {**MANIFEST, "docs/design/requirements.md": "FR-01: x SHALL y\n", "docs/design/tasks.md": "x\n"}
    found = check(RULE, tree, tmp_path)
    assert rows(found) == [(RULE, "docs/design/requirements.md", 1, None)]
    assert found[0].message.startswith(
        "The project's own specification has no design document (only requirements, tasks)"
    )
    assert found[0].kind == "incomplete-triad"


@pytest.mark.requirement("specs:FR-15")
def test_not_a_python_repository(tmp_path: Path) -> None:
    assert check(RULE, {"README.md": "# a JavaScript project\n", "package.json": "{}\n"}, tmp_path) == []


@pytest.mark.requirement("specs:FR-15")
def test_a_team_in_phase_0_sees_a_note(tmp_path: Path) -> None:
    tree = {**MANIFEST, "pyproject.toml": MANIFEST["pyproject.toml"] + "\n[tool.udef-audit]\nphase = 0\n"}
    (found,) = check(RULE, tree, tmp_path)
    assert found.level is not None and found.level.value == "note" and found.ahead_of_phase
