"""The pre-commit hooks (.pre-commit-hooks.yaml): the manifest, the `--files` mode they run,
and the real pre-commit from PyPI installing this checkout and blocking a commit."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import REPO, write_tree

from udef_audit.policy import load_policy

MANIFEST: list[dict[str, Any]] = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
HOOKS = {hook["id"]: hook for hook in MANIFEST}
DOCS = REPO / "docs/workflows.md"


# --- the manifest --------------------------------------------------------------------------------


@pytest.mark.requirement("adoption:FR-07")
def test_manifest_hooks() -> None:
    assert set(HOOKS) == {"udef-audit", "udef-audit-files"}
    whole, files = HOOKS["udef-audit"], HOOKS["udef-audit-files"]
    assert (whole["entry"], whole["language"]) == ("udef-audit", "python")
    assert whole["pass_filenames"] is False
    assert whole["always_run"] is True
    assert (files["entry"], files["language"]) == ("udef-audit --files", "python")
    assert files.get("pass_filenames", True) is True
    assert files["require_serial"] is True


# Names the file-scope rules read (rules/UDEF00[456]-*.yaml `files:`) and names they do not.
READ = [
    "app.py",
    "src/pkg/mod.pyi",
    "noxfile.py",
    "sub/noxfile.py",
    "Dockerfile",
    "docker/Dockerfile.test",
    "dockerfile",
    "api.Dockerfile",
    "build.dockerfile",
    "Containerfile",
    "ci/Containerfile.dev",
    "x.Containerfile",
    "install.sh",
    "tools/setup.bash",
    "bin/deploy",
    "scripts/release",
    "tools/scripts/sub/run",
    "Makefile",
    "sub/makefile",
    "GNUmakefile",
    "rules.mk",
    "tox.ini",
    "pkg/setup.cfg",
    ".github/workflows/ci.yml",
    ".github/workflows/release.yaml",
    ".gitlab-ci.yml",
    ".circleci/config.yml",
    "svc/.circleci/config.yml",
    "README.md",
    "docs/install.rst",
    "CHANGES.MD",
]
NOT_READ = [
    "pyproject.toml",
    "requirements.txt",
    "data.json",
    "logo.png",
    "mod.pyc",
    ".dockerignore",
    "bin/run.txt",
    "compose.yml",
    "docs/.github/workflows/ci.yml",
    ".github/workflows/sub/ci.yml",
    ".github/dependabot.yml",
    "Dockerfile.d/notes.txt",
    "setup.py.orig",
]


@pytest.mark.requirement("adoption:FR-07")
@pytest.mark.parametrize("path", READ)
def test_files_hook_matches_what_the_file_rules_read(path: str) -> None:
    # pre-commit applies `files` with re.search to the repository-relative path.
    assert re.search(HOOKS["udef-audit-files"]["files"], path)


@pytest.mark.parametrize("path", NOT_READ)
def test_files_hook_leaves_out_other_files(path: str) -> None:
    assert not re.search(HOOKS["udef-audit-files"]["files"], path)


# --- `udef-audit --files`, the mode the file hook runs ---------------------------------------------

CHANGE = {
    "src/shop/__init__.py": '"""Shop."""\n',
    "src/shop/cart.py": "def total(items):\n    return sum(items)\n",
    "src/shop/refund.py": "def refund(order):\n    return order  # TODO: later\n",
    "src/shop/tax.py": "RATE = 0.2\n",
    "src/shop/types.pyi": "def total(items: list[int]) -> int: ...\n",
    "tests/test_cart.py": "def test_total():\n    assert 1\n",
    "Dockerfile": "FROM python:3.12-slim\nRUN pip install --no-deps -r requirements.txt\n",
    "scripts/build.sh": "#!/bin/sh\npip install -r requirements.lock\n",
    "Makefile": "test:\n\tpytest\n",
    "README.md": "# shop\n",
}


def git(*args: str | Path, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", *map(str, args)], cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=True
    )


def isolated_env(home: Path) -> dict[str, str]:
    """No user or system git configuration, no inherited git or pre-commit state."""
    home.mkdir(parents=True, exist_ok=True)
    gitconfig = home / ".gitconfig"
    gitconfig.write_text("[init]\n\tdefaultBranch = main\n[user]\n\tname = Test\n\temail = test@example.com\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "UDEF_AUDIT", "PRE_COMMIT"))}
    env.update(HOME=str(home), GIT_CONFIG_GLOBAL=str(gitconfig), GIT_CONFIG_NOSYSTEM="1", NO_COLOR="1")
    return env


write = write_tree


@pytest.mark.requirement("adoption:NFR-01")
def test_files_mode_on_a_ten_file_change_is_file_scoped(tmp_path: Path, run_cli) -> None:
    # What makes the hook fast: only per-file rules, only these files, no history. Its time is
    # measured by benchmarks/audit.py (`--files`), not here: a timed test fails on a busy CI.
    env = isolated_env(tmp_path / "home")
    repo = tmp_path / "repo"
    git("init", "-q", repo, cwd=tmp_path, env=env)
    write(repo, CHANGE)
    git("add", "-A", cwd=repo, env=env)  # staged, as pre-commit sees them
    result = run_cli("--format", "json", "--files", *CHANGE, cwd=repo)
    assert result.code == 1, result.stderr
    report = result.json()
    assert report["stats"]["files"] == 10
    policy = load_policy()
    file_scope = {rid for rid, meta in policy.rules.items() if meta.scope == "file"}
    ran = {rule["id"] for rule in report["rules"]}
    assert ran
    assert ran <= file_scope, f"whole-repository rules ran: {sorted(ran - file_scope)}"
    assert {"UDEF005", "UDEF006"} <= ran
    assert "udef/resetVsRepair" not in report["properties"]  # no history, no score
    found = sorted((f["ruleId"], f["path"], f["line"]) for f in report["findings"])
    assert found == [("UDEF005", "Dockerfile", 2), ("UDEF006", "src/shop/refund.py", 2)]


def test_files_mode_path_defaults_to_the_current_directory(tmp_path: Path, run_cli) -> None:
    write(tmp_path, {"a.py": "x = 1  # TODO: later\n", "b.py": "y = 2\n"})
    result = run_cli("--files", "a.py", "b.py", cwd=tmp_path)
    assert result.code == 1
    assert "a.py:1:10 UDEF006" in result.stdout


# --- the real pre-commit -------------------------------------------------------------------------


def pre_commit_installed() -> None:
    pytest.importorskip(
        "pre_commit", reason="pre-commit is not installed (pip install pre-commit; it is in the test extra)"
    )


def test_pre_commit_accepts_the_manifest() -> None:
    pre_commit_installed()
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-manifest", str(REPO / ".pre-commit-hooks.yaml")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="session")
def session_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """An isolated HOME and one PRE_COMMIT_HOME for the session: pre-commit builds the hook
    environment (pip-installs this checkout and its dependencies) once."""
    env = isolated_env(tmp_path_factory.mktemp("home"))
    env["PRE_COMMIT_HOME"] = str(tmp_path_factory.mktemp("pre-commit-home"))
    return env


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory: pytest.TempPathFactory, session_env: dict[str, str]) -> tuple[Path, str]:
    """This checkout's working tree (tracked and untracked, not ignored files; uncommitted
    changes included) committed to a throwaway repository: (path, commit) for `repo:`/`rev:`."""
    pre_commit_installed()
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        env=session_env,
        capture_output=True,
        check=True,
    ).stdout.decode()
    snapshot = tmp_path_factory.mktemp("udef-audit-snapshot")
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if source.is_symlink() or source.is_file():  # a deleted file is still in the index
            (snapshot / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, snapshot / name, follow_symlinks=False)
    git("init", "-q", snapshot, cwd=snapshot, env=session_env)
    git("add", "-A", cwd=snapshot, env=session_env)
    git("commit", "-q", "--no-verify", "-m", "snapshot", cwd=snapshot, env=session_env)
    return snapshot, git("rev-parse", "HEAD", cwd=snapshot, env=session_env).stdout.strip()


def documented_config(hook_repo: tuple[Path, str]) -> str:
    """The .pre-commit-config.yaml of docs/workflows.md, pointed at the snapshot."""
    blocks = re.findall(r"^```yaml\n(.*?)^```", DOCS.read_text(), re.MULTILINE | re.DOTALL)
    configs = [block for block in blocks if block.startswith("repos:")]
    assert len(configs) == 1, "docs/workflows.md should hold exactly one .pre-commit-config.yaml"
    path, commit = hook_repo
    config, repos = re.subn(r"repo: https://github\.com/udef-audit/udef-audit\b", f"repo: {path}", configs[0])
    config, revs = re.subn(r"rev: \S+", f"rev: {commit}", config)
    assert (repos, revs) == (1, 1)
    return config


@pytest.fixture
def project(tmp_path: Path, session_env: dict[str, str], hook_repo: tuple[Path, str]) -> Path:
    """A repository using the documented configuration, with the git hooks installed."""
    repo = tmp_path / "project"
    git("init", "-q", repo, cwd=tmp_path, env=session_env)
    write(repo, {".pre-commit-config.yaml": documented_config(hook_repo)})
    pre_commit(repo, session_env, "install", "--hook-type", "pre-commit", "--hook-type", "pre-push", check=True)
    return repo


def pre_commit(repo: Path, env: dict[str, str], *args: str, check: bool = False) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", *args],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,  # the first run builds the hook environment from PyPI
        check=False,
    )
    assert not check or result.returncode == 0, result.stdout + result.stderr
    return result


def commit(repo: Path, env: dict[str, str], message: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "commit", "-m", message],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


@pytest.mark.requirement("adoption:FR-07")
@pytest.mark.slow
def test_commit_with_a_placeholder_is_blocked(project: Path, session_env: dict[str, str]) -> None:
    env = session_env
    write(project, {"app.py": "def total(items):\n    # TODO: later\n    return sum(items)\n"})
    git("add", ".", cwd=project, env=env)
    blocked = commit(project, env, "add app")
    output = blocked.stdout + blocked.stderr
    assert blocked.returncode == 1, output
    assert "udef-audit-files" in output
    assert "app.py:2:7 UDEF006 [error] TODO in a comment" in output
    assert subprocess.run(["git", "rev-parse", "--verify", "-q", "HEAD"], cwd=project, env=env, check=False).returncode

    write(project, {"app.py": "def total(items):\n    return sum(items)\n"})
    git("add", ".", cwd=project, env=env)
    passed = commit(project, env, "add app")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert re.search(r"udef-audit \(changed files\)\.+Passed", passed.stdout + passed.stderr)
    assert git("log", "--format=%s", cwd=project, env=env).stdout.split("\n")[0] == "add app"


@pytest.mark.slow
def test_commit_without_checked_files_skips_the_file_hook(project: Path, session_env: dict[str, str]) -> None:
    write(project, {"data.json": "{}\n"})
    git("add", ".", cwd=project, env=session_env)
    result = commit(project, session_env, "data")
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"udef-audit \(changed files\)\.+\(no files to check\)Skipped", result.stdout + result.stderr)


@pytest.mark.slow
def test_whole_repository_hook_runs_every_rule(project: Path, session_env: dict[str, str]) -> None:
    """The whole-repository hook takes no file names and runs whatever is staged: a
    project-scope rule (UDEF003, no lockfile) fails it, and the file hook has nothing to do."""
    write(project, {"pyproject.toml": '[project]\nname = "demo"\nversion = "1"\ndependencies = ["requests"]\n'})
    git("add", ".", cwd=project, env=session_env)
    result = pre_commit(project, session_env, "run", "--hook-stage", "pre-push", "udef-audit")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "UDEF003" in result.stdout
    files_hook = pre_commit(project, session_env, "run", "udef-audit-files")
    assert files_hook.returncode == 0, files_hook.stdout
    assert "(no files to check)Skipped" in files_hook.stdout
