"""Plugins: a planted plugin never runs; a broken or crashing one is a diagnostic."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from textwrap import dedent

import pytest
from conftest import CLI

from udef_audit.policy import load_policy

PLANTED_MODULE = """
import pathlib
pathlib.Path({marker!r}).write_text("the scanned repository ran code")
from udef_audit.hookspecs import hookimpl
@hookimpl
def udef_audit_rules():
    return []
"""


def plant_plugin(repo: Path, marker: Path) -> None:
    """A repository carrying a *.dist-info that registers a udef_audit.rules plugin."""
    info = repo / "evil_plugin-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: evil-plugin\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[udef_audit.rules]\nevil = evil_plugin\n")
    (repo / "evil_plugin.py").write_text(PLANTED_MODULE.format(marker=str(marker)))


@pytest.mark.requirement("engine:FR-04")
def test_planted_plugin_in_scanned_root_never_runs(tmp_path: Path, run_cli) -> None:
    repo, marker = tmp_path / "repo", tmp_path / "pwned"
    plant_plugin(repo, marker)
    # As the console script from inside the repository, and as `python -m` (which puts
    # the current directory on sys.path), and with the repository given as the path.
    run_cli(".", cwd=repo)
    subprocess.run([sys.executable, "-m", "udef_audit", "."], cwd=repo, capture_output=True, check=False)
    result = run_cli(repo, "--format", "json")
    assert not marker.exists()
    report = result.json()
    assert report["notifications"] == []  # not even a failed attempt to load it
    assert {r["id"] for r in report["rules"]} <= set(load_policy().rules)


def _third_party_plugin(where: Path, body: str) -> Path:
    """An installed-looking plugin (dist-info + module + policy) on a PYTHONPATH entry."""
    site = where / "site"
    info = site / "acme_rules-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-rules\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[udef_audit.rules]\nacme = acme_rules\n")
    policy = site / "acme_policy"
    policy.mkdir()
    (policy / "ACME001-always-fails.yaml").write_text(
        dedent("""\
        id: ACME001
        slug: always-fails
        title: A rule that raises
        level: error
        chapter: "Test"
        section: "Test"
        category: test
        scope: repository
        summary: Raises.
        methodology: '"Never Hide Problems"'
        what: Raises an exception.
        why: To test isolation.
        example: none
        fix: none
    """)
    )
    (site / "acme_rules.py").write_text(dedent(body))
    return site


CRASHING = """
    from pathlib import Path
    from udef_audit.hookspecs import hookimpl

    class AlwaysFails:
        id = "ACME001"
        def check(self, ctx, params):
            raise RuntimeError("boom")

    @hookimpl
    def udef_audit_rules():
        return [AlwaysFails()]

    @hookimpl
    def udef_audit_policy_dirs():
        return [Path(__file__).parent / "acme_policy"]
"""


@pytest.mark.requirement("engine:FR-01")
@pytest.mark.requirement("engine:FR-03")
def test_a_crashing_rule_is_a_notification_and_exit_3(tmp_path: Path, run_cli) -> None:
    site = _third_party_plugin(tmp_path, CRASHING)
    repo = tmp_path / "repo"
    (repo / "src" / "pkg").mkdir(parents=True)
    (repo / "src" / "pkg" / "__init__.py").write_text("# TODO: finish\n")
    result = run_cli(repo, "--format", "sarif", "--select", "UDEF006,ACME001", env={"PYTHONPATH": str(site)})
    assert result.code == 3
    run = result.json()["runs"][0]
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert run["invocations"][0]["executionSuccessful"] is False
    assert notes[0]["associatedRule"] == {"id": "ACME001"}
    assert "RuntimeError: boom" in notes[0]["message"]["text"]
    # The built-in rules still ran, and the plugin's rule is listed with its own metadata.
    assert [r["ruleId"] for r in run["results"]] == ["UDEF006"]
    assert "ACME001" in [rule["id"] for rule in run["tool"]["driver"]["rules"]]


@pytest.mark.requirement("engine:FR-05")
def test_disabled_plugin_is_not_loaded(tmp_path: Path, run_cli) -> None:
    site = _third_party_plugin(tmp_path, CRASHING)
    repo = tmp_path / "repo"
    repo.mkdir()
    result = run_cli(repo, "--disable-plugin", "acme", env={"PYTHONPATH": str(site)})
    assert result.code == 0, result.stdout + result.stderr


@pytest.mark.requirement("engine:FR-03")
def test_plugin_failing_to_import_is_a_diagnostic(tmp_path: Path, run_cli) -> None:
    site = _third_party_plugin(tmp_path, "raise ImportError('missing dependency xyz')\n")
    repo = tmp_path / "repo"
    repo.mkdir()
    result = run_cli(repo, "--format", "json", env={"PYTHONPATH": str(site)})
    assert result.code == 3
    assert "TOOL ERROR" in run_cli(repo, env={"PYTHONPATH": str(site)}).stdout
    assert any("missing dependency xyz" in n["message"] for n in result.json()["notifications"])


@pytest.mark.requirement("engine:FR-02")
def test_builtin_rules_come_through_entry_points() -> None:
    from importlib.metadata import entry_points

    from udef_audit.plugins import load_plugins

    # One entry point for the whole package, as a third-party package would register; its
    # rules are found by module name, one per rule YAML (UDEF000 is the context's own,
    # UDEF090 the engine's: both decided after the rules ran).
    assert sorted(ep.name for ep in entry_points(group="udef_audit.rules")) == ["udef_audit"]
    found = sorted(rule.id for rule in load_plugins(Path.cwd()).rules)
    assert found == [rid for rid in load_policy().rules if rid not in ("UDEF000", "UDEF090")]
    assert CLI.exists()


def test_a_lazily_imported_library_never_comes_from_the_scanned_repository(tmp_path: Path) -> None:
    # `python -m` puts the current directory first on sys.path; the text report imports rich
    # only when it renders. A `rich/` planted in the repository must not be what it gets.
    repo, marker = tmp_path / "repo", tmp_path / "pwned"
    (repo / "rich").mkdir(parents=True)
    (repo / "rich" / "__init__.py").write_text(f"open({str(marker)!r}, 'w').write('ran')\n")
    done = subprocess.run([sys.executable, "-m", "udef_audit", "."], cwd=repo, capture_output=True, check=False)
    assert done.returncode in (0, 1), done.stderr
    assert b"udef-audit" in done.stdout and not marker.exists()
