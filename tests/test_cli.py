"""The command line as a user sees it: exit codes, one-line errors, formats, config."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from conftest import HYGIENE, REPO, write_tree

from udef_audit.policy import load_policy

SCHEMA = json.loads((REPO / "src/udef_audit/report/schema/report-v1.schema.json").read_text())


make_repo = write_tree


CLEAN = {
    "pyproject.toml": '[project]\nname = "demo"\nversion = "1"\n',
    "uv.lock": "version = 1\n",
    "src/demo/__init__.py": '"""Demo."""\n',
    "README.md": "# demo\n\nThe lock is regenerated with `uv lock`.\n",
    "docs/design/demo-requirements.md": "FR-01: The demo SHALL exist.\n",
    "docs/design/demo-design.md": "# Demo design\n",
    "docs/design/demo-tasks.md": "### TASK-001: Write the demo (1 hour)\n- Verification: it runs\n",
    "tests/unit/test_demo.py": '"""The demo exists (FR-01)."""\n',
    "tests/integration/test_cli.py": "",
    "tests/performance/test_speed.py": "",
    "docs/reports/status-report.md": "# Status report\n",
    **HYGIENE,
}


@pytest.mark.requirement("engine:FR-01")
def test_missing_path_is_exit_2_with_one_line(run_cli) -> None:
    result = run_cli("/no/such/path")
    assert result.code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == ["udef-audit: error: path not found: /no/such/path"]


@pytest.mark.parametrize(
    "args", [["--format", "xml"], ["--bogus"], ["--fail-on", "sometimes"], ["--select", "NOPE999"]]
)
def test_usage_mistakes_are_exit_2_with_one_line(args: list[str], run_cli, tmp_path: Path) -> None:
    result = run_cli(tmp_path, *args)
    assert result.code == 2
    assert len(result.stderr.splitlines()) == 1
    assert "Traceback" not in result.stderr


@pytest.mark.requirement("engine:FR-01")
def test_clean_repository_passes(tmp_path: Path, run_cli) -> None:
    result = run_cli(make_repo(tmp_path, CLEAN))
    assert result.code == 0, result.stdout
    assert "PASS" in result.stdout


@pytest.mark.requirement("engine:FR-01")
def test_fail_on_levels(tmp_path: Path, run_cli) -> None:
    files = {k: v for k, v in CLEAN.items() if not k.startswith("docs/")}
    files["docs/index.md"] = "# Docs\n"  # docs folder without design/ and reports/: warnings only
    repo = make_repo(tmp_path, files)
    assert run_cli(repo).code == 0
    assert run_cli(repo, "--fail-on", "warning").code == 1
    assert run_cli(repo, "--fail-on", "never").code == 0


@pytest.mark.requirement("engine:NFR-03")
@pytest.mark.requirement("engine:FR-14")
def test_json_report_follows_its_schema(tmp_path: Path, run_cli) -> None:
    repo = make_repo(tmp_path, {**CLEAN, "src/demo/core.py": "x = 1  # TODO: remove\n"})
    result = run_cli(repo, "--format", "json")
    assert result.code == 1
    report = result.json()
    jsonschema.validate(report, SCHEMA)
    assert [(f["ruleId"], f["path"], f["line"], f["column"]) for f in report["findings"]] == [
        ("UDEF006", "src/demo/core.py", 1, 10)
    ]
    assert report["summary"]["error"] == 1 and report["summary"]["failed"] is True


def test_output_file(tmp_path: Path, run_cli) -> None:
    repo = make_repo(tmp_path / "r", CLEAN)
    out = tmp_path / "report.sarif"
    result = run_cli(repo, "--format", "sarif", "--output", out)
    assert result.code == 0 and result.stdout == ""
    assert json.loads(out.read_text())["version"] == "2.1.0"
    # A folder that does not exist is not created: a typo must not scatter reports.
    missing = run_cli(repo, "--format", "sarif", "--output", tmp_path / "out" / "report.sarif")
    assert (missing.code, missing.stderr) == (
        2, f"udef-audit: error: -o/--output: the folder {tmp_path / 'out'} does not exist\n"
    )
    assert not (tmp_path / "out").exists()


@pytest.mark.requirement("engine:FR-10")
def test_select_ignore_by_prefix_and_slug(tmp_path: Path, run_cli) -> None:
    repo = make_repo(tmp_path, {**CLEAN, "src/demo/core.py": "# TODO: a\n", "app.py": "# FIXME b\n"})
    ids = lambda *args: sorted({f["ruleId"] for f in run_cli(repo, "--format", "json", *args).json()["findings"]})  # noqa: E731
    assert ids() == ["UDEF001", "UDEF006"]
    assert ids("--select", "src-layout") == ["UDEF001"]
    assert ids("--ignore", "UDEF006") == ["UDEF001"]
    assert ids("--select", "UDEF00", "--ignore", "no-placeholders") == ["UDEF001"]
    assert ids("--select", "UDEF006", "--ignore", "UDEF00") == ["UDEF006"]


@pytest.mark.requirement("engine:FR-11")
def test_config_from_pyproject(tmp_path: Path, run_cli) -> None:
    config = (
        '\n[tool.udef-audit]\nignore = ["UDEF001"]\nexclude = ["legacy"]\n'
        '[tool.udef-audit.rules.UDEF006]\nlevel = "warning"\n'
    )
    repo = make_repo(
        tmp_path,
        {
            **CLEAN,
            "pyproject.toml": CLEAN["pyproject.toml"] + config,
            "app.py": "# TODO a\n",
            "legacy/old.py": "# TODO b\n",
        },
    )
    report = run_cli(repo, "--format", "json").json()
    assert [(f["ruleId"], f["path"], f["level"]) for f in report["findings"]] == [("UDEF006", "app.py", "warning")]


@pytest.mark.requirement("engine:FR-11")
@pytest.mark.parametrize(
    ("table", "named"),
    [
        ('[tool.udef-audit]\nselcet = ["UDEF"]\n', "tool.udef-audit.selcet"),
        ('[tool.udef-audit]\nfail-on = "sometimes"\n', "fail-on"),
        ('[tool.udef-audit.rules.UDEF006]\nwordz = ["X"]\n', "rules.UDEF006.wordz"),
        ('[tool.udef-audit.rules.UDEF006]\nwords = "TODO"\n', "rules.UDEF006.words"),
        ('[tool.udef-audit.rules.UDEF999]\nlevel = "note"\n', "rules.UDEF999"),
        ('[tool.udef-audit]\nignore = ["NOPE"]\n', "NOPE"),
    ],
)
def test_bad_config_is_exit_2_naming_the_key(table: str, named: str, tmp_path: Path, run_cli) -> None:
    repo = make_repo(tmp_path, {**CLEAN, "pyproject.toml": CLEAN["pyproject.toml"] + table})
    result = run_cli(repo)
    assert result.code == 2
    assert len(result.stderr.splitlines()) == 1 and named in result.stderr


@pytest.mark.requirement("engine:FR-08")
@pytest.mark.requirement("engine:FR-11")
def test_malformed_pyproject_is_a_note_not_a_crash(tmp_path: Path, run_cli) -> None:
    repo = make_repo(tmp_path, {**CLEAN, "pyproject.toml": "[project\nname = 'x'\n"})
    result = run_cli(repo, "--format", "json", "--select", "UDEF000")
    assert result.code == 0
    findings = result.json()["findings"]
    assert [(f["ruleId"], f["path"], f["level"]) for f in findings] == [("UDEF000", "pyproject.toml", "note")]
    assert "invalid TOML" in findings[0]["message"]


def test_config_file_option(tmp_path: Path, run_cli) -> None:
    repo = make_repo(tmp_path / "r", {**CLEAN, "app.py": "# TODO\n"})
    config = tmp_path / "udef.toml"
    config.write_text('select = ["UDEF006"]\n')
    report = run_cli(repo, "--config", config, "--format", "json").json()
    assert {f["ruleId"] for f in report["findings"]} == {"UDEF006"}
    config.write_text("select = [\n")
    assert run_cli(repo, "--config", config).code == 2


def test_rules_and_explain(run_cli) -> None:
    listing = run_cli("rules")
    assert listing.code == 0
    assert [line.split()[0] for line in listing.stdout.splitlines()] == list(load_policy().rules)
    explained = run_cli("explain", "docker-stages-share-base")
    assert explained.code == 0 and "UDEF004" in explained.stdout and "Never diverge" in explained.stdout
    assert run_cli("explain", "UDEF999").code == 2
    assert json.loads(run_cli("explain", "UDEF006", "--format", "json").stdout)["parameters"]["words"] == [
        "TODO",
        "FIXME",
        "XXX",
    ]


def test_version(run_cli) -> None:
    result = run_cli("--version")
    assert result.code == 0 and result.stdout.startswith("udef-audit ")


def test_markdown_report(tmp_path: Path, run_cli) -> None:
    repo = make_repo(tmp_path, {**CLEAN, "src/demo/core.py": "# TODO: a | b\n"})
    out = run_cli(repo, "--format", "markdown").stdout
    assert out.startswith("## UDEF audit: ❌ failed")
    assert "| error | `src/demo/core.py:1` |" in out
    assert "a \\| b" in out


def test_text_report_is_plain_when_piped(tmp_path: Path, run_cli) -> None:
    repo = make_repo(tmp_path, {**CLEAN, "src/demo/core.py": "# TODO: a\n"})
    out = run_cli(repo).stdout
    assert "\x1b[" not in out
    assert "  src/demo/core.py:1:3 UDEF006 [error]" in out
    assert "FAIL" in out


def test_a_selection_that_leaves_no_rule_is_exit_2(tmp_path: Path, run_inproc) -> None:
    config = '\n[tool.udef-audit]\nignore = ["UDEF007"]\n'
    repo = make_repo(tmp_path, {**CLEAN, "pyproject.toml": CLEAN["pyproject.toml"] + config})
    result = run_inproc(repo, "--select", "UDEF007")
    assert (result.code, result.stdout) == (2, "")
    assert result.stderr == (
        "udef-audit: error: no rule left to run (select UDEF007; ignore UDEF007): see `udef-audit rules`\n"
    )
    files = run_inproc(repo, "--select", "UDEF001", "--files", repo / "src/demo/__init__.py")
    assert (files.code, files.stderr) == (
        2, "udef-audit: error: no per-file rule left to run (select UDEF001; ignore UDEF007): see `udef-audit rules`\n"
    )
    assert run_inproc(repo, "--select", "UDEF000").code == 0  # a meta-rule alone is a rule
