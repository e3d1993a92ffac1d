"""UDEF019 requirement-traceability: every requirement is named by a test."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import Run, fixture

from udef_audit import context_files as context_module  # where files are read
from udef_audit.testing import check, rows

RULE = "UDEF019"
Audit = Callable[..., list[tuple[Any, ...]]]
MANIFEST = {"pyproject.toml": "[project]\nname = 'a'\nversion = '1'\n", "src/a/__init__.py": ""}


def _findings(run_inproc: Callable[..., Run], path: Path) -> list[tuple[str, int, int, str, str]]:
    result = run_inproc(path, "--format", "json", "--select", RULE)
    assert result.code in (0, 1), result.stderr
    return [(f["path"], f["line"], f["column"], f["level"], f["message"]) for f in result.json()["findings"]]


@pytest.mark.requirement("specs:FR-07")
@pytest.mark.requirement("specs:FR-09")
@pytest.mark.parametrize(
    ("case", "expected"),
    [
        # a marker, an identifier, a comment with a short ID, a dict key in a file under
        # tests/, and a `*_test.py` file outside tests/: every requirement is named.
        ("traced", []),
        ("untested", [("docs/design/health-requirements.md", 5, 3), ("tests/test_health.py", 6, 19)]),
        ("shared-ids", [("docs/design/auth-requirements.md", 4, 3), ("tests/test_tokens.py", 4, 15)]),
    ],
)
def test_fixture_findings(audit: Audit, case: str, expected: list[tuple[str, int, int]]) -> None:
    found = audit(fixture(RULE, case), "--select", RULE)
    assert found == sorted((RULE, path, line, column) for path, line, column in expected)


@pytest.mark.requirement("specs:FR-09")
def test_untested_requirements_and_dangling_references(run_inproc: Callable[..., Run]) -> None:
    assert _findings(run_inproc, fixture(RULE, "untested")) == [
        (
            "docs/design/health-requirements.md", 5, 3, "warning",
            'FR-03 has no test: no test file references it (name it in a marker `@pytest.mark.requirement("FR-03")`, '
            "a test name or a docstring).",
        ),
        (
            "tests/test_health.py", 6, 19, "note",
            "FR-09 is referenced here (1 more time in this file) but no requirements document defines FR-09: "
            "a typo, or a requirement that was renamed or removed.",
        ),
    ]


@pytest.mark.requirement("specs:FR-08")
def test_shared_ids_are_qualified_by_prefix_or_path(run_inproc: Callable[..., Run]) -> None:
    # tests/health/ names health; `auth:FR-01` names auth; auth's FR-02 is named nowhere;
    # `test_auth_fr_07` names a module that defines no FR-07.
    assert _findings(run_inproc, fixture(RULE, "shared-ids")) == [
        (
            "docs/design/auth-requirements.md", 4, 3, "warning",
            'FR-02 has no test: no test file references it (name it in a marker `@pytest.mark.requirement("FR-02")`, '
            "a test name or a docstring). It is also defined in docs/design/health-requirements.md: qualify a "
            "reference as `auth:FR-02` or keep it in a test file whose path names `auth`.",
        ),
        (
            "tests/test_tokens.py", 4, 15, "note",
            "fr_07 is referenced here but module `auth` defines no FR-07: a typo, or a requirement that was "
            "renamed or removed.",
        ),
    ]


@pytest.mark.requirement("specs:FR-08")
def test_without_qualification_a_shared_id_counts_for_every_module(tmp_path: Path) -> None:
    tree = {
        **MANIFEST,
        "docs/design/a-requirements.md": "- FR-01: A SHALL x.\n",
        "docs/design/b-requirements.md": "- FR-01: B SHALL y.\n",
        "tests/test_misc.py": "# FR-1\n",
    }
    assert check(RULE, tree, tmp_path) == []


@pytest.mark.requirement("specs:FR-08")
def test_the_longest_module_name_qualifies(tmp_path: Path) -> None:
    tree = {
        **MANIFEST,
        "docs/design/limit-requirements.md": "- FR-01: Limits SHALL hold.\n",
        "docs/design/rate-limit-requirements.md": "- FR-01: Rates SHALL be limited.\n",
        "tests/test_misc.py": "def test_rate_limit_fr_01(): pass\n",
    }
    assert rows(check(RULE, tree, tmp_path)) == [(RULE, "docs/design/limit-requirements.md", 1, 3)]


def test_no_requirement_ids_no_result(tmp_path: Path) -> None:
    tree = {**MANIFEST, "docs/design/a-requirements.md": "Prose only.\n", "tests/test_a.py": "# FR-1\n"}
    assert check(RULE, tree, tmp_path) == []


@pytest.mark.requirement("specs:NFR-03")
def test_a_repository_without_requirement_ids_reads_no_test_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    read: list[str] = []
    real = context_module.read_regular_file

    def recording(root: Path, rel: str, limit: int) -> bytes:
        read.append(rel)
        return real(root, rel, limit)

    monkeypatch.setattr(context_module, "read_regular_file", recording)
    tree = {**MANIFEST, "README.md": "# a\n", "tests/test_a.py": "# FR-1\n", "tests/unit/test_b.py": "x = 1\n"}
    assert check(RULE, tree, tmp_path / "plain") == []
    assert not [path for path in read if path.startswith("tests/")]
    check(RULE, {**tree, "docs/design/a-requirements.md": "- FR-01: A SHALL x.\n"}, tmp_path / "specs")
    assert "tests/test_a.py" in read


@pytest.mark.requirement("specs:FR-07")
def test_references_are_cached_by_content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UDEF_AUDIT_CACHE_DIR", str(tmp_path / "cache"))
    tree = {**MANIFEST, "docs/design/a-requirements.md": "- FR-01: A SHALL x.\n- FR-02: A SHALL y.\n",
            "tests/test_a.py": "def test_fr_01(): pass\n"}
    first = check(RULE, tree, tmp_path / "repo", git=True, use_cache=True)
    read: list[str] = []
    real = context_module.read_regular_file
    monkeypatch.setattr(
        context_module, "read_regular_file", lambda root, rel, limit: read.append(rel) or real(root, rel, limit)
    )
    again = check(RULE, tmp_path / "repo", use_cache=True)
    assert rows(again) == rows(first) == [(RULE, "docs/design/a-requirements.md", 2, 3)]
    assert "tests/test_a.py" not in read  # its git blob id found the cached references
