"""UDEF016's fix: the first ADR, in the methodology's template, recording the adoption."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from conftest import write_tree

from udef_audit.findings import Finding
from udef_audit.fix.tree import FixTree
from udef_audit.fix.udef016 import first_adr

FOLDERS = {"folders": ["docs/adr", "doc/adr", "docs/decisions", "docs/architecture/decisions"]}


def _finding(kind: str) -> Finding:
    return Finding("UDEF016", "no ADR folder", "README.md", 1, key=kind, kind=kind)


def test_first_adr_in_docs_adr(tmp_path: Path) -> None:
    write_tree(tmp_path, {"README.md": "# r\n", "pyproject.toml": "[project]\nname='a'\n"})
    tree = FixTree(tmp_path)
    done = first_adr(_finding("no-adr-folder"), tree, FOLDERS)
    assert (
        done.description
        == "create docs/adr/0001-adopt-the-udef-methodology.md, the first ADR: the adoption of the methodology"
    )
    (change,) = tree.changes()
    text = (change.after or b"").decode()
    assert text.startswith("# 1. Adopt the UDEF build methodology\n\n## Status: Accepted\n\n")
    assert f"## Date: {dt.date.today().isoformat()}\n" in text
    assert [line for line in text.splitlines() if line.startswith("## ")] == [
        "## Status: Accepted",
        f"## Date: {dt.date.today().isoformat()}",
        "## Context",
        "## Decision",
        "## Consequences",
    ]


def test_existing_folder_and_numbering_are_followed(tmp_path: Path) -> None:
    write_tree(tmp_path, {"README.md": "# r\n", "Docs/Decisions/000-template.md": "# t\n"})
    tree = FixTree(tmp_path)
    first_adr(_finding("no-adrs"), tree, FOLDERS)
    assert [c.path for c in tree.changes()] == ["Docs/Decisions/001-adopt-the-udef-methodology.md"]
