"""UDEF007's fix: docs/design/ and docs/reports/ created, misplaced documents moved, links to
and from them rewritten."""

from __future__ import annotations

from pathlib import Path

from conftest import write_tree
from fixing import PYPROJECT, assert_idempotent, fixed

from udef_audit.testing import check

SPEC = (
    "# API specification\n\nSee [the guide](guide.md#guide) and ![logo](img/logo.png).\n"
    "\n```\n[not a link](x.md)\n```\n"
)
INDEX = (
    "# Docs\n\n- [Spec](api-spec.md)\n- [Spec, heading](./api-spec.md#api-specification)\n"
    "- [Web](https://x/api-spec.md)\n\n[ref]: api-spec.md\n"
)


def test_design_document_moves_with_its_links(tmp_path: Path, run_inproc) -> None:
    write_tree(
        tmp_path,
        {
            "pyproject.toml": PYPROJECT,
            "app.py": "x = 1\n",
            "README.md": "Read [the spec](docs/api-spec.md).\n",
            "docs/index.md": INDEX,
            "docs/guide.md": "# Guide\n",
            "docs/img/logo.png": b"\x89PNG",
            "docs/api-spec.md": SPEC,
        },
    )
    out = fixed(run_inproc, tmp_path, "--unsafe-fixes", "--select", "UDEF007").stdout
    assert (
        "fixed docs/api-spec.md:1 UDEF007: move docs/api-spec.md to docs/d"
        "esign/api-spec.md; links rewritten in README.md, docs/index.md" in out
    )
    assert (tmp_path / "docs/design/api-spec.md").read_text() == SPEC.replace("(guide.md#", "(../guide.md#").replace(
        "(img/", "(../img/"
    )
    assert (tmp_path / "docs/index.md").read_text() == INDEX.replace("(api-spec.md)", "(design/api-spec.md)").replace(
        "(./api-spec.md#api-specification)", "(design/api-spec.md#api-specification)"
    ).replace("[ref]: api-spec.md", "[ref]: design/api-spec.md")
    assert (tmp_path / "README.md").read_text() == "Read [the spec](docs/design/api-spec.md).\n"
    assert (tmp_path / "docs/reports/README.md").read_text().startswith("# Reports\n")
    assert not (tmp_path / "docs/api-spec.md").exists()
    assert check("UDEF007", tmp_path) == []
    assert check("UDEF026", tmp_path) == []  # every link still lands, as UDEF026 resolves it
    assert_idempotent(run_inproc, tmp_path, "--unsafe-fixes", "--select", "UDEF007")


def test_sphinx_toctree_follows_a_moved_report(tmp_path: Path, run_inproc) -> None:
    write_tree(
        tmp_path,
        {
            "pyproject.toml": PYPROJECT,
            "app.py": "x = 1\n",
            "docs/conf.py": "project = 'x'\n",
            "docs/index.rst": "Docs\n====\n\n.. toctree::\n   :maxdepth: 1\n"
            "\n   usage\n   Benchmark <benchmark-report>\n\nSee :doc:`benchmark-report`.\n",
            "docs/usage.rst": "Usage\n=====\n",
            "docs/benchmark-report.rst": "Benchmark report\n================\n"
            "\nBack to :doc:`usage`, or :doc:`/index`.\n\n.. image:: pic.png\n",
            "docs/design/README.md": "# Design\n",
        },
    )
    fixed(run_inproc, tmp_path, "--unsafe-fixes", "--select", "UDEF007")
    assert (tmp_path / "docs/index.rst").read_text() == (
        "Docs\n====\n\n.. toctree::\n   :maxdepth: 1\n\n   usage\n   Benchmark <reports/benchmark-report>\n\n"
        "See :doc:`reports/benchmark-report`.\n"
    )
    assert (tmp_path / "docs/reports/benchmark-report.rst").read_text() == (
        "Benchmark report\n================\n\nBack to :doc:`../usage`, or :doc:`/index`.\n\n.. image:: ../pic.png\n"
    )
    assert check("UDEF007", tmp_path) == []


def test_no_docs_folder_gets_both(tmp_path: Path, run_inproc) -> None:
    write_tree(tmp_path, {"pyproject.toml": PYPROJECT, "app.py": "x = 1\n", "README.md": "# x\n"})
    fixed(run_inproc, tmp_path, "--unsafe-fixes", "--select", "UDEF007")
    assert sorted(p.relative_to(tmp_path).as_posix() for p in (tmp_path / "docs").rglob("*")) == [
        "docs/design",
        "docs/design/README.md",
        "docs/reports",
        "docs/reports/README.md",
    ]
    assert check("UDEF007", tmp_path) == []
