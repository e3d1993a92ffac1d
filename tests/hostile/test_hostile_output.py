"""File names with every control byte, C1 and bidi character, terminal sequences, pipes,
newlines and bytes that are not UTF-8: every format stays valid and inert, the names
survive losslessly in JSON and SARIF, and a batch goes on past such a repository."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import unicodedata
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote_to_bytes

import jsonschema
import pytest
from conftest import REPO, Run
from hostile_corpus import control_names_repo, git, git_repo

from udef_audit.report.markdown import MAX_ROWS_PER_RULE
from udef_audit.safe_text import unquote_path

pytestmark = pytest.mark.slow
REPORT_SCHEMA = json.loads((REPO / "src/udef_audit/report/schema/report-v1.schema.json").read_text())
SARIF_SCHEMA = json.loads((REPO / "tests/data/sarif/sarif-schema-2.1.0.json").read_text())
UNSAFE = {"Cc", "Cf", "Cs", "Zl", "Zp"}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes]]:
    root = tmp_path_factory.mktemp("names") / "repo"
    names = control_names_repo(root)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "names")
    return root, names


def _unsafe_characters(text: str, allowed: str = "\n") -> set[str]:
    return {c for c in text if unicodedata.category(c) in UNSAFE and c not in allowed}


def test_text_report_shows_every_name_escaped_on_its_own_line(
    hostile: tuple[Path, dict[str, bytes]], run_cli: Callable[..., Run]
) -> None:
    root, names = hostile
    result = run_cli(root, "--no-cache")
    assert result.code == 1, result.stderr
    assert _unsafe_characters(result.stdout) == set()
    finding_lines = [line for line in result.stdout.splitlines() if " UDEF006 " in line]
    assert len(finding_lines) == len(names)
    assert "t\\x1b]0;PWNED\\a.py:1:10 UDEF006" in result.stdout
    assert "bad\\377\\376\\303(.py:1:10 UDEF006" in result.stdout
    assert "n\\u202ex.py:1:10 UDEF006" in result.stdout


def test_markdown_rows_are_never_split_and_hold_no_live_html(
    hostile: tuple[Path, dict[str, bytes]], run_cli: Callable[..., Run]
) -> None:
    root, _ = hostile
    result = run_cli(root, "--format", "markdown", "--no-cache")
    assert result.code == 1, result.stderr
    assert _unsafe_characters(result.stdout) == set()
    section = result.stdout.split("UDEF006 · ", 1)[1].split("</details>", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ") and "|---" not in line]
    assert len(rows) == 1 + MAX_ROWS_PER_RULE + 1  # header, rows, "… and N more"
    for row in rows:
        assert len(re.split(r"(?<!\\)\|", row)) == 5, row  # three cells, no pipe let loose
    outside_code = re.sub(r"(`+)(.+?)\1", "", result.stdout)
    assert "<img" not in outside_code  # in a code span, it is text


def test_json_is_valid_and_every_name_comes_back_exactly(
    hostile: tuple[Path, dict[str, bytes]], run_cli: Callable[..., Run]
) -> None:
    root, names = hostile
    result = run_cli(root, "--format", "json", "--no-cache")
    assert result.code == 1, result.stderr
    report = result.json()
    jsonschema.validate(report, REPORT_SCHEMA)
    paths = {unquote_path(f["path"]) for f in report["findings"] if f["ruleId"] == "UDEF006"}
    assert paths == {os.fsdecode(raw) for raw in names.values()}
    assert '"bad\\377\\376\\303(.py"' in {f["path"] for f in report["findings"]}


def test_sarif_is_valid_and_uris_carry_the_raw_bytes(
    hostile: tuple[Path, dict[str, bytes]], run_cli: Callable[..., Run]
) -> None:
    root, names = hostile
    result = run_cli(root, "--format", "sarif", "--no-cache")
    assert result.code == 1, result.stderr
    log = result.json()
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(log)
    uris = {
        unquote_to_bytes(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
        for r in log["runs"][0]["results"]
        if r["ruleId"] == "UDEF006"
    }
    assert uris == set(names.values())


@pytest.mark.parametrize("fmt", ["json", "markdown", "text"])
def test_the_gates_view_of_such_a_repository_is_valid_too(
    hostile: tuple[Path, dict[str, bytes]], run_cli: Callable[..., Run], fmt: str
) -> None:
    root, _ = hostile
    result = run_cli("gates", root, "--format", fmt, "--no-cache")
    assert result.code in (0, 1), result.stderr
    assert _unsafe_characters(result.stdout) == set()
    if fmt == "json":
        json.loads(result.stdout)


def test_a_batch_audits_every_repository_after_one_with_such_names(
    hostile: tuple[Path, dict[str, bytes]], run_cli: Callable[..., Run], tmp_path: Path
) -> None:
    root, _ = hostile
    first = git_repo(tmp_path / "first", {"pyproject.toml": '[project]\nname = "a"\n', "a.py": "x = 1  # TODO\n"})
    last = git_repo(tmp_path / "last", {"pyproject.toml": '[project]\nname = "b"\n', "b.py": "y = 1  # TODO\n"})
    listing = tmp_path / "repos.txt"
    listing.write_text(f"{first}\n{root}\n{last}\n", encoding="utf-8")
    db = tmp_path / "batch.sqlite"
    result = run_cli("batch", listing, "--db", db, "--cache", tmp_path / "clones", "--sarif-dir", tmp_path / "sarif",
                     "--json", tmp_path / "org.json", "--csv", tmp_path / "org.csv", "--jobs", "1")
    assert result.code == 0, result.stderr
    assert _unsafe_characters(result.stdout + result.stderr) == set()
    with sqlite3.connect(db) as connection:
        statuses = dict(connection.execute("SELECT repo_key, status FROM results"))
    assert statuses == {str(first): "ok", str(root): "ok", str(last): "ok"}
    sarif_files = sorted((tmp_path / "sarif").iterdir())
    assert len(sarif_files) == 3
    for sarif in sarif_files:
        jsonschema.Draft4Validator(SARIF_SCHEMA).validate(json.loads(sarif.read_text(encoding="utf-8")))
    summary = json.loads((tmp_path / "org.json").read_text(encoding="utf-8"))
    assert len(summary["repositories"]) == 3
