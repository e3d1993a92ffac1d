"""The reset-vs-repair score through the CLI, on repositories whose history is built here
with fixed commit dates in the past (a wall-clock window would see none of it)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

GIT = [
    "git",
    "-c",
    "user.name=t",
    "-c",
    "user.email=t@example.com",
    "-c",
    "commit.gpgsign=false",
    "-c",
    "init.defaultBranch=main",
]


def git(repo: Path, *args: str, date: str | None = None) -> str:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    if date:
        env |= {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    return subprocess.run([*GIT, "-C", str(repo), *args], check=True, capture_output=True, text=True, env=env).stdout


def commit(repo: Path, files: dict[str, str], subject: str, date: str) -> None:
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", subject, date=date)


def needs_reset(repo: Path) -> Path:
    """Flat layout, two dependency systems, no lock, no tests, hotfix burst, reverts, wip."""
    repo.mkdir()
    git(repo, "init", "-q")
    commit(
        repo,
        {
            "app/__init__.py": "",
            "app/core.py": "def run():\n    # TODO: error handling\n    return 1\n",
            "setup.py": "from setuptools import setup\nsetup(name='app', install_requires=['flask'])\n",
            "pyproject.toml": "[project]\nname = 'app'\nversion = '1'\ndependencies = ['flask']\n",
            "requirements.txt": "flask\nrequests\n",
        },
        "initial import",
        "2023-02-01T09:00:00+00:00",
    )
    for day, subject in [
        (6, "hotfix: login crash"),
        (7, 'Revert "add caching"'),
        (8, "emergency fix for payments"),
        (9, "hotfix: payments again"),
    ]:
        commit(
            repo,
            {"app/core.py": f"def run():\n    # FIXME day {day}\n    return {day}\n"},
            subject,
            f"2023-03-0{day}T12:00:00+00:00",
        )
    for day in (10, 11, 12):
        commit(repo, {f"app/wip{day}.py": "x = 1  # XXX\n"}, "wip", f"2023-03-{day}T12:00:00+00:00")
    return repo


CI_WORKFLOW = "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pytest\n"


def sound(repo: Path) -> Path:
    """src layout, pyproject + lock, tests, CI, steady feature work, one old hotfix."""
    repo.mkdir()
    git(repo, "init", "-q")
    commit(
        repo,
        {
            "pyproject.toml": "[project]\nname = 'svc'\nversion = '1'\ndependencies = ['flask']\n",
            "uv.lock": 'version = 1\n[[package]]\nname = "flask"\nversion = "3.1.0"\n',
            "src/svc/__init__.py": '"""Service."""\n',
            "tests/conftest.py": "import pytest\n\n\n@pytest.fixture\ndef ok():\n    return True\n",
            "tests/test_svc.py": "def test_ok(ok):\n    assert ok\n",
            "docs/adr/0001-flask.md": "# Flask\n\n## Status\n\nAccepted\n\n## Date\n\n2022-06-01\n\n## Context\n\n"
            "A web service.\n\n## Decision\n\nFlask.\n\n## Consequences\n\nWSGI.\n",
            ".github/workflows/ci.yml": CI_WORKFLOW,
            "docs/design/svc-requirements.md": "FR-01: SHALL serve.\n",
            "docs/reports/status-report.md": "# Status report\n",
            "README.md": "# svc\n\nRegenerate the lock with `uv lock`.\n",
        },
        "feat: initial service",
        "2022-06-01T09:00:00+00:00",
    )
    commit(repo, {"src/svc/fix.py": '"""Fix."""\n'}, "hotfix: config typo", "2022-06-02T09:00:00+00:00")
    for week in range(1, 10):
        commit(
            repo,
            {f"src/svc/feature{week}.py": f'"""Feature {week}."""\nVALUE = {week}\n'},
            f"feat: feature {week}",
            f"2022-{6 + week // 4:02d}-{(week * 3) % 27 + 1:02d}T09:00:00+00:00",
        )
    return repo


def score(run_cli, repo: Path, *args: str) -> dict[str, Any]:
    result = run_cli(repo, "--format", "json", *args)
    assert result.code in (0, 1), result.stderr
    value: dict[str, Any] = result.json()["properties"]["udef/resetVsRepair"]
    return value


def by_id(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["id"]: c for c in report["criteria"]}


def test_a_repository_that_needs_a_reset(tmp_path: Path, run_cli) -> None:
    repo = needs_reset(tmp_path / "legacy")
    report = score(run_cli, repo)
    assert report["verdict"] == "reset" and report["score"] >= 80
    criteria = by_id(report)
    assert {k: v["met"] for k, v in criteria.items()} == {
        "foundation-breadth": True,
        "emergency-fixes": True,
        "architecture-churn": True,
        "debt-vs-velocity": True,
        "lost-confidence": True,
    }
    emergency = criteria["emergency-fixes"]
    assert emergency["measure"] == 4
    subjects = [e["subject"] for e in emergency["evidence"]]
    assert subjects == [
        "hotfix: payments again",
        "emergency fix for payments",
        'Revert "add caching"',
        "hotfix: login crash",
    ]
    head = git(repo, "log", "-1", "--format=%H").strip()
    assert report["history"]["head"] == head
    assert all(len(e["commit"]) == 40 and e["date"].startswith("2023-03-0") for e in emergency["evidence"])
    churn_files = sorted(e["path"] for e in criteria["architecture-churn"]["evidence"])
    assert churn_files == ["requirements.txt", "setup.py"]
    confidence = [e["text"] for e in criteria["lost-confidence"]["evidence"]]
    assert any("no tests" in t for t in confidence) and any("no CI" in t for t in confidence)


def test_a_sound_repository_scores_low(tmp_path: Path, run_cli) -> None:
    report = score(run_cli, sound(tmp_path / "svc"))
    assert report["verdict"] == "repair" and report["score"] <= 20
    criteria = by_id(report)
    assert criteria["emergency-fixes"]["measure"] == 1 and criteria["emergency-fixes"]["met"] is False
    assert criteria["foundation-breadth"]["met"] is False
    assert {s["id"] for s in report["repairSignals"] if s["met"]} == {
        "sound-foundation",
        "tests-and-ci",
        "isolated-findings",
        "working-features",
    }


def test_same_commit_same_score(tmp_path: Path, run_cli) -> None:
    repo = needs_reset(tmp_path / "legacy")
    first = score(run_cli, repo)
    second = score(run_cli, repo, "--no-cache")
    assert first == second


def test_shallow_and_non_git_copies_say_unknown(tmp_path: Path, run_cli) -> None:
    repo = needs_reset(tmp_path / "legacy")
    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo}", str(shallow)], check=True)
    plain = tmp_path / "plain"
    subprocess.run(["cp", "-r", str(repo), str(plain)], check=True)
    subprocess.run(["rm", "-rf", str(plain / ".git")], check=True)
    for copy in (shallow, plain):
        report = score(run_cli, copy)
        criteria = by_id(report)
        for history_criterion in ("emergency-fixes", "debt-vs-velocity"):
            assert criteria[history_criterion]["met"] is None
            assert criteria[history_criterion]["reason"]
        assert criteria["foundation-breadth"]["met"] is True  # the rest is still scored
        assert report["verdict"] == "reset"
    assert "shallow" in by_id(score(run_cli, shallow))["emergency-fixes"]["reason"]


def test_score_settings_and_gate(tmp_path: Path, run_cli) -> None:
    repo = sound(tmp_path / "svc")
    assert run_cli(repo, "--fail-on-reset").code == 0
    with (repo / "pyproject.toml").open("a") as handle:
        handle.write("\n[tool.udef-audit.reset-vs-repair]\nverdict-threshold = 0\n")
    assert score(run_cli, repo)["verdict"] == "reset"
    assert run_cli(repo, "--fail-on-reset").code == 1
    with (repo / "pyproject.toml").open("a") as handle:
        handle.write("[tool.udef-audit.reset-vs-repair.criteria.emergency-fixes]\nwieght = 3\n")
    bad = run_cli(repo)
    assert bad.code == 2 and "emergency-fixes.wieght" in bad.stderr


def test_score_in_sarif_and_markdown(tmp_path: Path, run_cli) -> None:
    repo = needs_reset(tmp_path / "legacy")
    sarif = run_cli(repo, "--format", "sarif").json()
    prop = sarif["runs"][0]["properties"]["udef/resetVsRepair"]
    assert set(prop) >= {"score", "verdict", "criteria"} and 0 <= prop["score"] <= 100
    markdown = run_cli(repo, "--format", "markdown").stdout
    assert "### Reset vs repair: **reset**" in markdown
    text = run_cli(repo).stdout
    assert "RESET" in text and "hotfix: payments again" in text


def test_cached_history_follows_head(tmp_path: Path, run_cli) -> None:
    repo = needs_reset(tmp_path / "legacy")
    first = score(run_cli, repo)  # fills the cache
    assert score(run_cli, repo) == first  # served from the cache, same numbers
    commit(repo, {"app/core.py": "def run():\n    return 0\n"}, "hotfix: one more", "2023-03-12T13:00:00+00:00")
    after = score(run_cli, repo)
    assert after["history"]["head"] != first["history"]["head"]
    assert after["history"]["commits"] == first["history"]["commits"] + 1
    assert by_id(after)["emergency-fixes"]["measure"] == 5
