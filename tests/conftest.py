"""Shared test helpers: the `udef-audit` command, run as a user would (`run_cli`, a real
process) or in this process (`run_inproc`, the same `main()` with its output captured).

Rule tests use the in-process runner (`run_inproc`, `audit`) or `udef_audit.testing.check`;
a few end-to-end tests per format run the installed console script."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from udef_audit import cli

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "fixtures"
# What the methodology asks of a repository besides its code and manifest: pre-commit hooks
# (UDEF010), a .gitignore with every cache pattern (UDEF011), tests of each category with a
# conftest fixture (UDEF012, UDEF024), an ADR (UDEF016) and a CI pipeline (UDEF020-022,
# UDEF025). Tests whose "clean" repository must pass every rule add these files (and say in
# their README how the lock is made, UDEF014).
HYGIENE = {
    ".github/workflows/ci.yml": (
        "name: CI\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/checkout@v4\n"
        "      - run: ruff check --extend-select C90 .\n"
        "      - run: mypy --strict src\n"
        "      - run: pytest --cov=src --cov-branch --cov-fail-under=80\n"
        "      - run: pip-audit\n"
    ),
    ".gitignore": (
        "__pycache__/\n*.py[cod]\nbuild/\ndist/\n*.egg-info/\nhtmlcov/\n.coverage\n.pytest_cache/\n"
        ".mypy_cache/\n.ruff_cache/\n.venv/\n"
    ),
    ".pre-commit-config.yaml": (
        "repos:\n"
        "  - repo: local\n"
        "    hooks:\n"
        "      - {id: no-placeholders, name: placeholders, entry: 'TODO|FIXME', language: pygrep}\n"
        "  - repo: https://github.com/astral-sh/ruff-pre-commit\n"
        "    rev: v0.6.9\n"
        "    hooks: [{id: ruff}]\n"
        "  - repo: https://github.com/pre-commit/mirrors-mypy\n"
        "    rev: v1.11.2\n"
        "    hooks: [{id: mypy, args: [--strict]}]\n"
    ),
    "tests/conftest.py": "import pytest\n\n\n@pytest.fixture\ndef demo():\n    return 1\n",
    "tests/unit/test_demo.py": "def test_demo(demo):  # FR-01\n    assert demo == 1\n",
    "tests/integration/test_flow.py": "def test_flow(demo):\n    assert demo\n",
    "tests/performance/test_speed.py": "def test_speed(demo):\n    assert demo\n",
    "docs/adr/0001-record-decisions.md": (
        "# 1. Record decisions\n\nDate: 2026-01-01\n\n## Status\n\nAccepted\n\n"
        "## Context\n\nWhy.\n\n## Decision\n\nADRs.\n\n## Consequences\n\nRecords.\n"
    ),
}
CLI = Path(sys.executable).parent / "udef-audit"


@dataclass
class Run:
    """A finished CLI run."""

    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


@pytest.fixture
def cli_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """An environment with a private cache directory and no colour."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("UDEF_AUDIT", "GIT_"))}
    env["UDEF_AUDIT_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))
    env["NO_COLOR"] = "1"
    return env


@pytest.fixture
def run_cli(cli_env: dict[str, str]) -> Callable[..., Run]:
    """Run the installed console script: run_cli(*args, cwd=None, env=None)."""

    def run(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None) -> Run:
        proc = subprocess.run(
            [str(CLI), *map(str, args)],
            capture_output=True,
            text=True,
            cwd=cwd,
            env={**cli_env, **(env or {})},
            timeout=300,
            check=False,
        )
        return Run(proc.returncode, proc.stdout, proc.stderr)

    return run


@pytest.fixture
def run_inproc(cli_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Callable[..., Run]:
    """`udef-audit` in this process: run_inproc(*args, cwd=None, env=None) -> Run."""

    def run(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None) -> Run:
        with monkeypatch.context() as patch:
            for key in [k for k in os.environ if k.startswith(("UDEF_AUDIT", "GIT_"))]:
                patch.delenv(key)
            for key, value in {**cli_env, **(env or {})}.items():
                patch.setenv(key, value)
            if cwd is not None:
                patch.chdir(cwd)
            with _captured() as (out, err):
                code = cli.main([str(a) for a in args])
        return Run(code, out.getvalue(), err.getvalue())

    return run


@contextlib.contextmanager
def _captured() -> Iterator[tuple[io.StringIO, io.StringIO]]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        yield out, err


@pytest.fixture
def audit(run_inproc: Callable[..., Run]) -> Callable[..., list[tuple[Any, ...]]]:
    """audit(path, *args) -> sorted (ruleId, path, line, column) of every finding (JSON report),
    in this process."""

    def findings(path: Path, *args: str) -> list[tuple[Any, ...]]:
        result = run_inproc(path, "--format", "json", *args)
        assert result.code in (0, 1), result.stderr
        report = result.json()
        return sorted((f["ruleId"], f["path"], f["line"], f["column"]) for f in report["findings"])

    return findings


def fixture(*parts: str) -> Path:
    """A fixture repository under fixtures/."""
    path = FIXTURES.joinpath(*parts)
    assert path.is_dir(), f"missing fixture {path}"
    return path


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write a small repository: {relative path: text or bytes}."""
    for name, content in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    return root


# The methodology's test categories (UDEF024), as markers: `pytest -m unit` runs the fast
# in-process tests, `pytest -m integration` the end-to-end ones. A test is an integration
# test when it runs the installed `udef-audit` command (the `run_cli` fixture) or is `slow`
# (it builds git histories or runs external tools); every other test is a unit test. The
# performance suite is the top-level benchmarks/ folder.
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each collected test `integration` or `unit`."""
    for item in items:
        end_to_end = "run_cli" in getattr(item, "fixturenames", ()) or item.get_closest_marker("slow")
        if item.get_closest_marker("integration") is None and item.get_closest_marker("unit") is None:
            item.add_marker(pytest.mark.integration if end_to_end else pytest.mark.unit)


@dataclass(frozen=True)
class HangingGit:
    """A `git` that records its pid and sleeps five seconds; `PATH` holds only it."""

    pids_file: Path

    def pids(self) -> list[int]:
        return [int(pid) for pid in self.pids_file.read_text().split()]

    def none_left_running(self) -> bool:
        """Whether every git it started is gone (killed and reaped)."""
        for pid in self.pids():
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                continue
            return False
        return True


@pytest.fixture
def hanging_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> HangingGit:
    fake_bin = tmp_path / "hanging-bin"
    fake_bin.mkdir()
    pids = tmp_path / "hanging-pids"
    fake_git = fake_bin / "git"
    fake_git.write_text(f"#!/bin/sh\necho $$ >> {pids}\nexec {shutil.which('sleep')} 5\n")
    fake_git.chmod(0o755)
    monkeypatch.setenv("PATH", str(fake_bin))
    return HangingGit(pids)
