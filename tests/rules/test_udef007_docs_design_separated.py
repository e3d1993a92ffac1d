"""UDEF007 docs-design-separated: design specs in docs/design/, reports in docs/reports/."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import Run, fixture, write_tree

RULE = "UDEF007"
Audit = Callable[..., list[tuple[Any, ...]]]
RunCli = Callable[..., Run]

DESIGN_MISSING = (
    "docs/design/ is missing (or empty): create it for the specifications (requirements, "
    "design, tasks); git tracks no empty folder, so it needs at least one file."
)
REPORTS_MISSING = (
    "docs/reports/ is missing (or empty): create it for the implementation, test and status "
    "reports; git tracks no empty folder, so it needs at least one file."
)


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        # design/, reports/, adr/, decisions/, an API page, Sphinx files, a tutorial
        # "tasks" page and docs requirement files: nothing to report.
        ("compliant", []),
        ("missing-subfolders", [("docs/README.md", 1), ("docs/README.md", 1)]),
        (
            "misplaced-by-name",
            [
                ("docs/api-design.md", 1),
                ("docs/load-test-report.md", 1),
                ("docs/module-tasks.md", 1),
            ],
        ),
        (
            "misplaced-by-content",
            [("docs/contract.rst", 1), ("docs/guide.md", 1), ("docs/sprint-3.md", 1)],
        ),
        ("adr-beside-docs", [("docs/002-api-design.md", 1)]),
        ("wrong-folder", [("docs/design/perf-report.md", 1), ("docs/reports/payments-spec.md", 1)]),
        ("no-docs-folder", [("README.md", 1)]),
        ("doc-folder", [("doc/api-design.rst", 1), ("doc/index.rst", 1), ("doc/index.rst", 1)]),
    ],
)
def test_fixture_findings(audit: Audit, case: str, expected: list[tuple[str, int]]) -> None:
    found = audit(fixture(RULE, case), "--select", RULE)
    assert found == [(RULE, path, line, None) for path, line in expected]


def _results(run_inproc: RunCli, path: Path, *args: str) -> list[dict[str, Any]]:
    result = run_inproc(path, "--format", "json", "--select", RULE, *args)
    assert result.code in (0, 1), result.stderr
    findings: list[dict[str, Any]] = result.json()["findings"]
    return findings


def _messages(run_inproc: RunCli, path: Path) -> dict[str, list[str]]:
    messages: dict[str, list[str]] = {}
    for finding in _results(run_inproc, path):
        messages.setdefault(finding["path"], []).append(finding["message"])
    return {path: sorted(found) for path, found in messages.items()}


# -- messages ------------------------------------------------------------------------------
def test_missing_folders_messages(run_inproc: RunCli) -> None:
    assert _messages(run_inproc, fixture(RULE, "missing-subfolders")) == {
        "docs/README.md": [DESIGN_MISSING, REPORTS_MISSING],
    }


def test_misplaced_by_name_messages(run_inproc: RunCli) -> None:
    assert _messages(run_inproc, fixture(RULE, "misplaced-by-name")) == {
        "docs/api-design.md": [
            "design document outside docs/design/: move `docs/api-design.md` to docs/design/ "
            "(its name ends in -design).",
        ],
        "docs/load-test-report.md": [
            "report outside docs/reports/: move `docs/load-test-report.md` to docs/reports/ "
            "(its name has the word `report`).",
        ],
        "docs/module-tasks.md": [
            "design document outside docs/design/: move `docs/module-tasks.md` to docs/design/ "
            "(its name ends in -tasks and line 3 holds TASK-001).",
        ],
    }


def test_misplaced_by_content_messages(run_inproc: RunCli) -> None:
    assert _messages(run_inproc, fixture(RULE, "misplaced-by-content")) == {
        "docs/contract.rst": [
            "design document outside docs/design/: move `docs/contract.rst` to docs/design/ "
            "(lines 4 and 6 are normative SHALL statements).",
        ],
        "docs/guide.md": [
            "design document outside docs/design/: move `docs/guide.md` to docs/design/ "
            "(line 5 starts with requirement ID FR-01).",
        ],
        # A report heading wins over the requirement IDs the report cites.
        "docs/sprint-3.md": [
            "report outside docs/reports/: move `docs/sprint-3.md` to docs/reports/ "
            "(its heading on line 1 is `Sprint 3 Status Report`).",
        ],
    }


def test_wrong_folder_messages(run_inproc: RunCli) -> None:
    assert _messages(run_inproc, fixture(RULE, "wrong-folder")) == {
        "docs/design/perf-report.md": [
            "report in docs/design/: move `docs/design/perf-report.md` to docs/reports/ "
            "(its name has the word `report`).",
        ],
        "docs/reports/payments-spec.md": [
            "design document in docs/reports/: move `docs/reports/payments-spec.md` to "
            "docs/design/ (its name has the word `spec`).",
        ],
    }


def test_no_docs_folder_message(run_inproc: RunCli) -> None:
    assert _messages(run_inproc, fixture(RULE, "no-docs-folder")) == {
        "README.md": [
            "docs/ is missing (or empty): create docs/design/ for the specifications and "
            "docs/reports/ for the implementation reports.",
        ],
    }


def test_doc_folder_messages_name_doc(run_inproc: RunCli) -> None:
    messages = _messages(run_inproc, fixture(RULE, "doc-folder"))
    assert [m.split(":")[0] for m in messages["doc/index.rst"]] == [
        "doc/design/ is missing (or empty)",
        "doc/reports/ is missing (or empty)",
    ]
    assert messages["doc/api-design.rst"] == [
        "design document outside doc/design/: move `doc/api-design.rst` to doc/design/ (its name ends in -design).",
    ]


def test_results_are_warnings_and_fail_only_on_warning(run_inproc: RunCli) -> None:
    path = fixture(RULE, "misplaced-by-name")
    assert {f["level"] for f in _results(run_inproc, path)} == {"warning"}
    assert run_inproc(path, "--select", RULE).code == 0
    assert run_inproc(path, "--select", RULE, "--fail-on", "warning").code == 1
    assert run_inproc(fixture(RULE, "compliant"), "--select", RULE, "--fail-on", "warning").code == 0


def test_fingerprints_follow_the_semantic_key(run_inproc: RunCli, tmp_path: Path) -> None:
    """The two folder results at one anchor differ; a document's result keeps its
    fingerprint when its evidence (and so the message) moves."""
    prints = [f["fingerprint"] for f in _results(run_inproc, fixture(RULE, "missing-subfolders"))]
    assert len(set(prints)) == 2
    repo = _write(
        tmp_path,
        {
            "docs/design/d.md": "# D\n",
            "docs/reports/r.md": "# R\n",
            "docs/guide.md": "# Guide\n\nFR-01: System SHALL x\n",
        },
    )
    before = _results(run_inproc, repo)
    (repo / "docs" / "guide.md").write_text("# Guide\n\nIntro.\n\n- FR-02: System SHALL y\n")
    after = _results(run_inproc, repo)
    assert before[0]["message"] != after[0]["message"]
    assert before[0]["fingerprint"] == after[0]["fingerprint"]


def test_sarif_results_have_a_location(run_inproc: RunCli) -> None:
    result = run_inproc(fixture(RULE, "doc-folder"), "--format", "sarif", "--select", RULE)
    assert result.code == 0, result.stderr
    results = result.json()["runs"][0]["results"]
    assert len(results) == 3
    for sarif in results:
        region = sarif["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] == 1


# -- anchors and edge cases built on the fly -----------------------------------------------
_write = write_tree


def test_no_docs_and_no_readme_anchors_at_the_manifest(audit: Audit, tmp_path: Path) -> None:
    repo = _write(
        tmp_path, {".gitignore": "*.pyc\n", "pyproject.toml": "[project]\nname='x'\n", "src/x/__init__.py": ""}
    )
    assert audit(repo, "--select", RULE) == [(RULE, "pyproject.toml", 1, None)]


def test_no_docs_readme_or_manifest_anchors_at_a_top_level_file(
    audit: Audit,
    tmp_path: Path,
) -> None:
    repo = _write(tmp_path, {"src/x/app.py": "", "LICENSE": "MIT\n"})
    assert audit(repo, "--select", RULE) == [(RULE, "LICENSE", 1, None)]


def test_only_nested_files_anchor_at_the_first_file(audit: Audit, tmp_path: Path) -> None:
    repo = _write(tmp_path, {"src/x/app.py": "", "src/x/util.py": ""})
    assert audit(repo, "--select", RULE) == [(RULE, "src/x/app.py", 1, None)]


def test_an_empty_repository_has_no_result(audit: Audit, tmp_path: Path) -> None:
    assert audit(tmp_path, "--select", RULE) == []


def test_empty_subfolders_are_missing(audit: Audit, tmp_path: Path) -> None:
    repo = _write(tmp_path, {"README.md": "# x\n", "docs/index.md": "# Docs\n"})
    (repo / "docs" / "design").mkdir()
    (repo / "docs" / "reports").mkdir()
    assert audit(repo, "--select", RULE) == [(RULE, "docs/index.md", 1, None)] * 2


def test_a_gitkeep_makes_a_folder_exist(audit: Audit, tmp_path: Path) -> None:
    repo = _write(
        tmp_path,
        {"README.md": "# x\n", "docs/index.md": "# Docs\n", "docs/design/.gitkeep": "", "docs/reports/.gitkeep": ""},
    )
    assert audit(repo, "--select", RULE) == []


def test_without_a_landing_page_the_first_document_anchors(audit: Audit, tmp_path: Path) -> None:
    repo = _write(
        tmp_path,
        {
            "README.md": "# x\n",
            "docs/zeta.md": "# Z\n",
            "docs/alpha.rst": "A\n=\n",
            "docs/conf.py": "project = 'x'\n",
            "docs/design/x.md": "# X\n",
        },
    )
    assert audit(repo, "--select", RULE) == [(RULE, "docs/alpha.rst", 1, None)]


def test_landing_page_order(audit: Audit, tmp_path: Path) -> None:
    repo = _write(
        tmp_path, {"docs/index.rst": "Docs\n====\n", "docs/README.md": "# Docs\n", "docs/reports/r.md": "# R\n"}
    )
    assert audit(repo, "--select", RULE) == [(RULE, "docs/README.md", 1, None)]


def test_docs_without_documents_anchor_at_the_readme(audit: Audit, tmp_path: Path) -> None:
    repo = _write(
        tmp_path, {"README.rst": "x\n=\n", "docs/conf.py": "project = 'x'\n", "docs/_static/logo.svg": "<svg/>\n"}
    )
    assert audit(repo, "--select", RULE) == [(RULE, "README.rst", 1, None)] * 2


def test_docs_without_documents_or_readme_anchor_in_docs(audit: Audit, tmp_path: Path) -> None:
    repo = _write(tmp_path, {"docs/conf.py": "project = 'x'\n", "docs/Makefile": "html:\n"})
    assert audit(repo, "--select", RULE) == [(RULE, "docs/Makefile", 1, None)] * 2


def test_docs_wins_over_doc(audit: Audit, tmp_path: Path) -> None:
    repo = _write(
        tmp_path, {"docs/design/d.md": "# D\n", "docs/reports/r.md": "# R\n", "doc/api-design.md": "# API design\n"}
    )
    assert audit(repo, "--select", RULE) == []


def test_nested_docs_folders_are_not_the_docs_folder(audit: Audit, tmp_path: Path) -> None:
    repo = _write(tmp_path, {"README.md": "# x\n", "packages/a/docs/api-design.md": "# API\n"})
    assert audit(repo, "--select", RULE) == [(RULE, "README.md", 1, None)]


def test_documents_in_subfolders_and_other_suffixes(audit: Audit, tmp_path: Path) -> None:
    repo = _write(
        tmp_path,
        {
            "docs/design/d.md": "# D\n",
            "docs/reports/r.md": "# R\n",
            "docs/guides/ApiSpec.adoc": "= API\n",
            "docs/notes/benchmark-results.txt": "numbers\n",
            "docs/design/sub/api-design.markdown": "# fine: under design/\n",
            "docs/reports/2024/load-test-report.md": "# fine: under reports/\n",
            "docs/api-spec.yaml": "openapi: 3.1.0\n",  # no document suffix
            "docs/img/test-report.png": "not an image, but no document either\n",
        },
    )
    assert audit(repo, "--select", RULE) == [
        (RULE, "docs/guides/ApiSpec.adoc", 1, None),
        (RULE, "docs/notes/benchmark-results.txt", 1, None),
    ]


def test_unreadable_document_is_classified_by_name(audit: Audit, tmp_path: Path) -> None:
    repo = _write(
        tmp_path,
        {
            "docs/design/d.md": "# D\n",
            "docs/reports/r.md": "# R\n",
            "docs/perf-report.md": b"\xff\xfe latin-1 \xe9\n",
            "docs/guide.md": b"\xff FR-01: System SHALL x\n",
        },
    )
    assert audit(repo, "--select", f"{RULE},UDEF000") == [
        ("UDEF000", "docs/guide.md", 1, None),
        ("UDEF000", "docs/perf-report.md", 1, None),
        (RULE, "docs/perf-report.md", 1, None),
    ]


def test_findings_anchor_at_line_one_even_for_content_evidence(run_inproc: RunCli) -> None:
    findings = _results(run_inproc, fixture(RULE, "misplaced-by-content"))
    assert {f["line"] for f in findings} == {1}


def test_sphinx_source_index_is_the_anchor(tmp_path: Path, audit) -> None:
    # jupyterhub keeps its landing page at docs/source/index.md.
    for name in ("docs/source/contributing/community.md", "docs/source/index.md", "README.md"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("# Page\n")
    assert audit(tmp_path, "--select", "UDEF007") == [
        ("UDEF007", "docs/source/index.md", 1, None),
        ("UDEF007", "docs/source/index.md", 1, None),
    ]
