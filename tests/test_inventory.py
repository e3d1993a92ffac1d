"""Which files are audited: git-aware, never outside the root, never a symlink."""

from __future__ import annotations

import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest

from udef_audit.context import RepoContext
from udef_audit.engine import run_engine
from udef_audit.findings import Finding
from udef_audit.request import AuditRequest
from udef_audit.rules import LazyRule

GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"]


def findings(run_cli, repo: Path, *args: str) -> list[tuple[str, str]]:
    result = run_cli(repo, "--format", "json", "--select", "UDEF000,UDEF006", *args)
    assert result.code in (0, 1), result.stderr
    return sorted((f["ruleId"], f["path"]) for f in result.json()["findings"])


@pytest.mark.requirement("engine:FR-06")
def test_symlinks_are_never_followed(tmp_path: Path, run_cli) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.py").write_text("# TODO: outside the root\n")
    repo = tmp_path / "repo"
    (repo / "src").mkdir(parents=True)
    (repo / "src" / "real.py").write_text("# TODO: inside\n")
    (repo / "src" / "link.py").symlink_to(outside / "secret.py")
    (repo / "linkdir").symlink_to(outside)
    (repo / "dangling.py").symlink_to(repo / "missing.py")
    (repo / "loop_b.py").symlink_to(repo / "loop_a.py")
    (repo / "loop_a.py").symlink_to(repo / "loop_b.py")
    (repo / "alias.py").symlink_to(repo / "src" / "real.py")
    assert findings(run_cli, repo) == [("UDEF006", "src/real.py")]
    subprocess.run([*GIT, "init", "-q", str(repo)], check=True)
    subprocess.run([*GIT, "-C", str(repo), "add", "-A"], check=True)
    assert findings(run_cli, repo) == [("UDEF006", "src/real.py")]


@pytest.mark.requirement("engine:FR-06")
def test_git_ignored_and_tool_directories_are_skipped(tmp_path: Path, run_cli) -> None:
    repo = tmp_path
    for name in (
        "kept.py",
        "ignored.py",
        ".venv/lib/x.py",
        "node_modules/a/b.py",
        "build/lib/c.py",
        "env2/pyvenv.cfg",
        "env2/lib/d.py",
        "pkg/__pycache__/e.py",
        "untracked.py",
    ):
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text("# TODO\n")
    (repo / ".gitignore").write_text("ignored.py\n")
    subprocess.run([*GIT, "init", "-q", str(repo)], check=True)
    subprocess.run([*GIT, "-C", str(repo), "add", "kept.py", ".gitignore"], check=True)
    assert findings(run_cli, repo) == [("UDEF006", "kept.py"), ("UDEF006", "untracked.py")]
    (repo / ".git").rename(repo / "dotgit")  # not a git work tree: every file below the root
    assert ("UDEF006", "ignored.py") in findings(run_cli, repo)
    assert ("UDEF006", "env2/lib/d.py") not in findings(run_cli, repo)


@pytest.mark.requirement("engine:FR-07")
def test_hostile_git_config_runs_nothing(tmp_path: Path, run_cli) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run([*GIT, "init", "-q", str(repo)], check=True)
    marker = tmp_path / "pwned"
    hook = repo / "hook.sh"
    hook.write_text(f"#!/bin/sh\ntouch {marker}\n")
    hook.chmod(0o755)
    subprocess.run(["git", "-C", str(repo), "config", "core.fsmonitor", str(hook)], check=True)
    (repo / "a.py").write_text("# TODO\n")
    assert findings(run_cli, repo) == [("UDEF006", "a.py")]
    assert not marker.exists()


@pytest.mark.requirement("engine:FR-08")
def test_unreadable_and_odd_files_are_notes(tmp_path: Path, run_cli) -> None:
    repo = tmp_path
    (repo / "binary.py").write_bytes(b"\x00\x01# TODO\x00")
    (repo / "latin.py").write_bytes(b"x = '\xe9'  # TODO\n")
    (repo / "big.py").write_text("# TODO\n" + "x = 1\n" * 100)
    got = run_cli(repo, "--format", "json", "--select", "UDEF000,UDEF006", "--config", _config(tmp_path, 500))
    rows = sorted((f["ruleId"], f["path"], f["message"]) for f in got.json()["findings"])
    assert [(r, p) for r, p, _ in rows] == [("UDEF000", "big.py"), ("UDEF000", "binary.py"), ("UDEF000", "latin.py")]
    assert "too large" in rows[0][2] and "binary" in rows[1][2] and "UTF-8" in rows[2][2]


def _config(tmp_path: Path, size: int) -> Path:
    path = tmp_path.parent / f"{tmp_path.name}-size.toml"
    path.write_text(f"max-file-size = {size}\n")
    return path


def test_files_mode_runs_only_per_file_rules_on_the_named_files(tmp_path: Path, run_cli) -> None:
    repo = tmp_path
    (repo / "a.py").write_text("# TODO a\n")
    (repo / "b.py").write_text("# TODO b\n")
    (repo / "pkg").mkdir()
    (repo / "pkg" / "__init__.py").write_text("")
    result = run_cli(repo, "--format", "json", "--files", "a.py", "pkg/__init__.py", cwd=repo)
    assert sorted((f["ruleId"], f["path"]) for f in result.json()["findings"]) == [("UDEF006", "a.py")]
    assert result.code == 1


def test_project_templates_are_not_audited(tmp_path: Path, run_cli) -> None:
    # cookiecutter/copier templates do not parse until rendered: not code, not a UDEF000 note.
    template = tmp_path / "{{cookiecutter.project_slug}}"
    (template / "{{cookiecutter.project_slug}}").mkdir(parents=True)
    (template / "pyproject.toml").write_text('[project]\nname = "{{ cookiecutter.name }}"\n{%- if x %}\n')
    (template / "{{cookiecutter.project_slug}}" / "app.py").write_text("{% if x %}\n# TODO\n")
    (tmp_path / "hooks.py").write_text("# TODO: real\n")
    assert findings(run_cli, tmp_path) == [("UDEF006", "hooks.py")]


def test_cached_facts_follow_edits_to_tracked_files(tmp_path: Path, run_cli) -> None:
    # Clean tracked files are looked up by git's blob id; an edit (staged or not) must
    # never be served the facts of the committed content.
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run([*GIT, "init", "-q", str(repo)], check=True)
    (repo / "a.py").write_text("# TODO: one\n")
    subprocess.run([*GIT, "-C", str(repo), "add", "a.py"], check=True)
    subprocess.run([*GIT, "-C", str(repo), "commit", "-qm", "init"], check=True)
    assert findings(run_cli, repo) == [("UDEF006", "a.py")]
    assert findings(run_cli, repo) == [("UDEF006", "a.py")]  # warm
    (repo / "a.py").write_text("ONE = 1\n")  # edited, not staged
    assert findings(run_cli, repo) == []
    subprocess.run([*GIT, "-C", str(repo), "add", "a.py"], check=True)  # staged
    assert findings(run_cli, repo) == []
    (repo / "a.py").write_text("# FIXME: two\n")
    subprocess.run([*GIT, "-C", str(repo), "commit", "-qam", "again"], check=True)
    assert findings(run_cli, repo) == [("UDEF006", "a.py")]


def test_files_mode_asks_git_about_the_named_files_with_the_same_scope(tmp_path: Path, run_cli) -> None:
    repo = tmp_path
    for name in ("kept.py", "ignored.py", "env2/pyvenv.cfg", "env2/lib/d.py", "untracked.py", "other.py"):
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text("# TODO\n")
    (repo / ".gitignore").write_text("ignored.py\n")
    subprocess.run([*GIT, "init", "-q", str(repo)], check=True)
    subprocess.run([*GIT, "-C", str(repo), "add", "kept.py", "other.py", "env2", ".gitignore"], check=True)
    named = ["kept.py", "ignored.py", "env2/lib/d.py", "untracked.py"]
    got = run_cli("--files", *named, "--format", "json", cwd=repo)
    assert sorted((f["ruleId"], f["path"]) for f in got.json()["findings"]) == [
        ("UDEF006", "kept.py"),
        ("UDEF006", "untracked.py"),
    ]


def test_files_mode_does_not_run_a_rule_on_files_it_does_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # UDEF004 reads Dockerfiles only: on a Python file it has nothing to check, and is not
    # even imported; it still counts as run (it checked the named files).
    (tmp_path / "a.py").write_text("# TODO a\n")
    (tmp_path / "Dockerfile").write_text("FROM python:3.12 AS runtime\nFROM python:3.11 AS test\n")
    checked: list[str] = []
    check = LazyRule.check

    def recording(self: LazyRule, ctx: RepoContext, params: Mapping[str, Any]) -> Iterable[Finding]:
        checked.append(self.id)
        return check(self, ctx, params)

    monkeypatch.setattr(LazyRule, "check", recording)

    named = (str(tmp_path / "a.py"),)  # named as a hook names them: from the current directory
    python_only = run_engine(AuditRequest(path=tmp_path, files=named, use_cache=False, score=False))
    assert sorted(checked) == ["UDEF005", "UDEF006"]
    assert python_only.rules_run == ["UDEF004", "UDEF005", "UDEF006"]
    assert [(f.rule_id, f.path) for f in python_only.findings] == [("UDEF006", "a.py")]

    checked.clear()
    named = (*named, str(tmp_path / "Dockerfile"))
    with_image = run_engine(AuditRequest(path=tmp_path, files=named, use_cache=False, score=False))
    assert sorted(checked) == ["UDEF004", "UDEF005", "UDEF006"]
    assert sorted((f.rule_id, f.path) for f in with_image.findings) == [("UDEF004", "Dockerfile"), ("UDEF006", "a.py")]
