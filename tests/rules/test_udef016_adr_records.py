"""UDEF016 adr-records: an ADR folder with records that have the methodology's parts."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import fixture

from udef_audit.findings import Level
from udef_audit.testing import audit_tree, check, rows

RULE = "UDEF016"
BASE = {"README.md": "# app\n", "pyproject.toml": '[project]\nname = "app"\n'}
COMPLETE = "# T\n\n## Status\n\nAccepted\n\n## Date\n\n2024\n\n## Context\n\n## Decision\n\n## Consequences\n"


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("nygard", []),
        ("madr-front-matter", []),
        ("adr-index-readme", [("README.md", "no-adrs")]),
        ("incomplete", [("docs/adr/0001-cache.md", "incomplete-adr")]),
        ("no-adr-folder", [("README.md", "no-adr-folder")]),
    ],
)
def test_fixture_results(case: str, expected: list[tuple[str, str]]) -> None:
    found = check(RULE, fixture(RULE, case))
    assert rows(found) == [(RULE, path, 1, None) for path, _ in expected]
    assert [(f.kind, f.level) for f in found] == [(kind, Level.WARNING) for _, kind in expected]


def test_messages() -> None:
    (incomplete,) = check(RULE, fixture(RULE, "incomplete"))
    assert incomplete.message == (
        "incomplete ADR: docs/adr/0001-cache.md lacks Date and Consequences (as a heading, a `Date:` label or a "
        "front-matter key); the methodology's template has Status, Date, Context, Decision and Consequences."
    )
    (index_only,) = check(RULE, fixture(RULE, "adr-index-readme"))
    assert index_only.message == (
        "no ADRs: docs/adr holds no decision record (only its README, index or template); record each significant "
        "decision there (Status, Date, Context, Decision, Consequences)."
    )


def test_every_folder_counts_and_matches_case_insensitively(tmp_path: Path) -> None:
    tree = {**BASE, "docs/Architecture/Decisions/0001-x.md": COMPLETE, "docs/adr/0002-y.md": "# Y\n"}
    found = check(RULE, tree, tmp_path)
    assert [(f.path, f.message.split(" lacks ")[1].split(" (")[0]) for f in found] == [
        ("docs/adr/0002-y.md", "Status, Date, Context, Decision and Consequences"),
    ]


@pytest.mark.parametrize(
    "name", ["README.md", "readme.markdown", "index.md", "_index.md", "adr-template.md", "0000-template.md", "a.txt"]
)
def test_files_that_are_not_records(tmp_path: Path, name: str) -> None:
    assert [f.kind for f in check(RULE, {**BASE, f"docs/adr/{name}": "# x\n"}, tmp_path)] == ["no-adrs"]


def test_records_in_subfolders_count(tmp_path: Path) -> None:
    assert check(RULE, {**BASE, "docs/adr/payments/0001-x.md": COMPLETE}, tmp_path) == []


def test_the_folders_parameter(tmp_path: Path) -> None:
    tree = {
        **BASE,
        "pyproject.toml": BASE["pyproject.toml"] + '[tool.udef-audit.rules.UDEF016]\nfolders = ["architecture/adr"]\n',
        "architecture/adr/0001-x.md": COMPLETE,
    }
    assert check(RULE, tree, tmp_path) == []


def test_a_repository_without_python_has_no_result(tmp_path: Path) -> None:
    assert check(RULE, {"README.md": "# a JavaScript app\n", "package.json": "{}"}, tmp_path) == []


def test_an_adr_that_is_not_utf8_is_a_udef000_note(tmp_path: Path) -> None:
    result = audit_tree({**BASE, "docs/adr/0001-x.md": b"# \xff\xfe\n"}, tmp_path, select=(RULE, "UDEF000"))
    assert [(f.rule_id, f.path) for f in result.findings] == [("UDEF000", "docs/adr/0001-x.md")]
