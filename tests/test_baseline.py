"""Baselines, waivers and the org policy, through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import HYGIENE

CLEAN = {
    "pyproject.toml": '[project]\nname = "demo"\nversion = "1"\n',
    "uv.lock": "version = 1\n",
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


def repo(root: Path, files: dict[str, str]) -> Path:
    for name, text in {**CLEAN, **files}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def active(run_cli, root: Path, *args: str) -> list[tuple[str, str, int]]:
    result = run_cli(root, "--format", "json", *args)
    assert result.code in (0, 1), result.stderr
    return sorted((f["ruleId"], f["path"], f["line"]) for f in result.json()["findings"] if not f["suppressed"])


@pytest.mark.requirement("adoption:FR-01")
@pytest.mark.requirement("adoption:FR-02")
@pytest.mark.requirement("adoption:FR-03")
def test_baseline_holds_old_findings_and_reports_new_ones(tmp_path: Path, run_cli) -> None:
    root = repo(tmp_path / "r", {"src/demo/core.py": "def f():\n    # TODO: old debt\n    return 1\n"})
    baseline = tmp_path / "udef-baseline.json"
    written = run_cli(root, "--write-baseline", baseline, "--format", "json")
    assert written.code == 0 and written.json()["summary"]["suppressed"] == 1
    assert json.loads(baseline.read_text())["findings"][0]["ruleId"] == "UDEF006"
    # Move the baselined finding 50 lines down: still known.
    (root / "src/demo/core.py").write_text("\n" * 50 + "def f():\n    # TODO: old debt\n    return 1\n")
    assert active(run_cli, root, "--baseline", baseline) == []
    assert run_cli(root, "--baseline", baseline).code == 0
    # A new finding of the same rule in another file is reported.
    (root / "src/demo/extra.py").write_text("# TODO: old debt\n")
    assert active(run_cli, root, "--baseline", baseline) == [("UDEF006", "src/demo/extra.py", 1)]
    sarif = run_cli(root, "--baseline", baseline, "--format", "sarif").json()
    results = sarif["runs"][0]["results"]
    kinds = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: r.get("suppressions") for r in results}
    assert kinds["src/demo/core.py"] == [{"kind": "external", "justification": "in baseline udef-baseline.json"}]
    assert kinds["src/demo/extra.py"] is None


@pytest.mark.requirement("adoption:FR-04")
def test_baseline_only_shrinks(tmp_path: Path, run_cli) -> None:
    root = repo(tmp_path / "r", {"src/demo/a.py": "# TODO: a\n", "src/demo/b.py": "# FIXME: b\n"})
    baseline = tmp_path / "b.json"
    run_cli(root, "--write-baseline", baseline)
    (root / "src/demo/a.py").write_text("A = 1\n")
    report = run_cli(root, "--baseline", baseline, "--format", "json").json()
    assert [e["path"] for e in report["properties"]["udef/baseline"]["fixed"]] == ["src/demo/a.py"]
    assert "1 entry is fixed" in run_cli(root, "--baseline", baseline).stdout
    run_cli(root, "--baseline", baseline, "--prune-baseline")
    assert [e["path"] for e in json.loads(baseline.read_text())["findings"]] == ["src/demo/b.py"]
    assert run_cli(root, "--prune-baseline").code == 2


def test_bad_baseline_is_exit_2(tmp_path: Path, run_cli) -> None:
    root = repo(tmp_path / "r", {})
    (tmp_path / "bad.json").write_text("{}")
    for path in (tmp_path / "bad.json", tmp_path / "missing.json"):
        result = run_cli(root, "--baseline", path)
        assert result.code == 2 and len(result.stderr.splitlines()) == 1


WAIVER = """
[[tool.udef-audit.waivers]]
rule = "UDEF006"
path = "legacy/**"
reason = "rewrite planned in Q1"
owner = "team-payments"
expires = {expires}
"""


def with_waiver(expires: str) -> str:
    return CLEAN["pyproject.toml"] + WAIVER.format(expires=expires)


@pytest.mark.requirement("adoption:FR-05")
def test_waivers_suppress_until_they_expire(tmp_path: Path, run_cli) -> None:
    files = {"legacy/old.py": "# TODO: x\n", "src/demo/new.py": "# TODO: y\n"}
    live = repo(tmp_path / "live", {**files, "pyproject.toml": with_waiver("2999-01-31")})
    assert active(run_cli, live) == [("UDEF006", "src/demo/new.py", 1)]
    report = run_cli(live, "--format", "json").json()
    legacy = next(f for f in report["findings"] if f["path"] == "legacy/old.py")
    assert legacy["suppressions"][0]["justification"] == (
        "waived until 2999-01-31 by team-payments: rewrite planned in Q1"
    )
    expired = repo(tmp_path / "old", {**files, "pyproject.toml": with_waiver("2020-01-31")})
    assert active(run_cli, expired) == [("UDEF006", "legacy/old.py", 1), ("UDEF006", "src/demo/new.py", 1)]
    notes = run_cli(expired, "--format", "json").json()["notifications"]
    assert notes == [
        {
            "message": "waiver for UDEF006 on legacy/** (owner team-payments) expired on 2020-01-31; "
            "its findings count again",
            "ruleId": "UDEF006",
            "level": "warning",
        }
    ]
    assert "policy: waiver for UDEF006" in run_cli(expired).stdout


@pytest.mark.requirement("adoption:FR-05")
def test_incomplete_waiver_is_exit_2(tmp_path: Path, run_cli) -> None:
    bad = with_waiver("2999-01-31").replace('owner = "team-payments"\n', "")
    result = run_cli(repo(tmp_path, {"pyproject.toml": bad}))
    assert result.code == 2 and "waivers[0]" in result.stderr


@pytest.mark.requirement("adoption:FR-06")
def test_org_policy_cannot_be_weakened_by_the_repository(tmp_path: Path, run_cli) -> None:
    weakening = '\n[tool.udef-audit]\nignore = ["UDEF006"]\n[tool.udef-audit.rules.UDEF006]\nlevel = "note"\n'
    root = repo(
        tmp_path / "r",
        {
            "pyproject.toml": with_waiver("2999-01-31") + weakening,
            "legacy/old.py": "# TODO: x\n",
            "src/demo/a.py": "# TODO: y  # udef: ignore[UDEF006] -- not now\n",
        },
    )
    assert active(run_cli, root) == []  # the repository alone switches UDEF006 off
    policy = tmp_path / "org.toml"
    policy.write_text('enforce = ["UDEF006"]\n')
    result = run_cli(root, "--policy", policy, "--format", "json")
    assert result.code == 1
    report = result.json()
    assert sorted((f["path"], f["level"], f["suppressed"]) for f in report["findings"]) == [
        ("legacy/old.py", "error", False),
        ("src/demo/a.py", "error", False),
    ]
    messages = " | ".join(n["message"] for n in report["notifications"])
    assert "switches off UDEF006" in messages and "lowering UDEF006 to note refused" in messages
    assert "inline suppression of UDEF006 at src/demo/a.py:1 refused" in messages
    assert "waiver for UDEF006 on legacy/** refused" in messages
    policy.write_text('enforce = ["UDEF999"]\n')
    assert run_cli(root, "--policy", policy).code == 2
