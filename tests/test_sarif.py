"""SARIF output meets the OASIS schema and every item GitHub code scanning needs."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import jsonschema
import pytest
from conftest import REPO, write_tree

from udef_audit.policy import load_policy

SCHEMA_PATH = REPO / "tests" / "data" / "sarif" / "sarif-schema-2.1.0.json"  # OASIS, see SOURCE.md there


@pytest.fixture(scope="module")
def sarif_validator() -> jsonschema.Draft4Validator:
    schema = json.loads(SCHEMA_PATH.read_text())
    return jsonschema.Draft4Validator(schema)


write = write_tree


BROKEN = {
    "app.py": "import os\n\n\ndef f():\n    # TODO: handle errors\n    raise NotImplementedError\n",
    "requirements.txt": "requests\n",
    "my pkg/__init__.py": "x = 'é'  # FIXME later\n",
}


def sarif(run_cli, repo: Path, *args: str) -> dict:
    result = run_cli(repo, "--format", "sarif", *args)
    assert result.code in (0, 1), result.stderr
    return result.json()


@pytest.mark.requirement("engine:FR-13")
def test_sarif_validates_and_has_what_github_needs(tmp_path: Path, run_cli, sarif_validator) -> None:
    log = sarif(run_cli, write(tmp_path, BROKEN))
    sarif_validator.validate(log)
    assert log["version"] == "2.1.0" and log["$schema"]
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "udef-audit" and driver["semanticVersion"] and driver["informationUri"]
    assert run["automationDetails"] == {"id": "udef-audit/"}
    ids = [r["id"] for r in driver["rules"]]
    assert ids == list(load_policy().rules)  # every rule of the run, passing ones too
    for rule in driver["rules"]:
        assert rule["shortDescription"]["text"] and 0 < len(rule["fullDescription"]["text"]) <= 1024
        assert rule["help"]["text"] and rule["help"]["markdown"].startswith(f"# {rule['id']}")
        assert rule["helpUri"].endswith(".md")
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
        assert len(rule["properties"]["tags"]) <= 20
        assert rule["properties"]["problem.severity"] in ("error", "warning", "recommendation")
    assert run["results"], "the broken repository has results"
    for result in run["results"]:
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert physical["region"]["startLine"] >= 1
        assert result["partialFingerprints"]["primaryLocationLineHash"]
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]}
    assert "my%20pkg/__init__.py" in uris  # URIs are percent-encoded


def test_clean_run_has_an_empty_results_array(tmp_path: Path, run_cli, sarif_validator) -> None:
    log = sarif(run_cli, write(tmp_path, {"README.md": "# x\n"}), "--select", "UDEF006")
    sarif_validator.validate(log)
    assert log["runs"][0]["results"] == []


def test_fingerprints_survive_moving_code(tmp_path: Path, run_cli) -> None:
    repo = write(tmp_path, {"src/p/__init__.py": "# TODO: one\nx = 1\n# TODO: two\n"})
    before = {
        r["message"]["text"]: r["partialFingerprints"]["primaryLocationLineHash"]
        for r in sarif(run_cli, repo, "--select", "UDEF006")["runs"][0]["results"]
    }
    (repo / "src/p/__init__.py").write_text("\n" * 50 + "# TODO: two\ny = 2\n# TODO: one\n")
    after = {
        r["message"]["text"]: r["partialFingerprints"]["primaryLocationLineHash"]
        for r in sarif(run_cli, repo, "--select", "UDEF006")["runs"][0]["results"]
    }
    assert len(set(before.values())) == 2
    assert sorted(before.values()) == sorted(after.values())


@pytest.mark.requirement("engine:FR-12")
def test_inline_suppression_is_kept_and_counted(tmp_path: Path, run_cli, sarif_validator) -> None:
    repo = write(
        tmp_path,
        {
            "src/p/__init__.py": "# TODO: later  # udef: ignore[UDEF006] -- tracked in issue 12\n# FIXME now\n",
            "Dockerfile": "FROM python:3.11\nRUN pip install --no-deps x  # udef: ignore[no-pip-no-deps]\n",
        },
    )
    log = sarif(run_cli, repo, "--select", "UDEF005,UDEF006")
    sarif_validator.validate(log)
    results = {
        (r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"]): r.get("suppressions")
        for r in log["runs"][0]["results"]
    }
    assert results == {
        ("UDEF006", 1): [{"kind": "inSource", "justification": "tracked in issue 12"}],
        ("UDEF006", 2): None,
        ("UDEF005", 2): [{"kind": "inSource", "justification": "suppressed inline without a reason"}],
    }
    summary = json.loads(
        subprocess.run(
            [
                str(Path(__import__("sys").executable).parent / "udef-audit"),
                str(repo),
                "--format",
                "json",
                "--select",
                "UDEF005,UDEF006",
            ],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
    )["summary"]
    assert (summary["error"], summary["suppressed"], summary["total"]) == (1, 2, 3)
