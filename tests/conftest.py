"""Shared test helpers: run the installed `udef-audit` command as a user would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "fixtures"
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
def audit(run_cli: Callable[..., Run]) -> Callable[..., list[tuple[Any, ...]]]:
    """audit(path, *args) -> sorted (ruleId, path, line, column) of every finding (JSON report)."""

    def findings(path: Path, *args: str) -> list[tuple[Any, ...]]:
        result = run_cli(path, "--format", "json", *args)
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
