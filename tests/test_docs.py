"""The README and the workflow docs tell the truth: the files they name exist, the release
tag their snippets name is the version the package reports, and `--help` names every
command."""

from __future__ import annotations

import re

import tomli
from conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
WORKFLOWS = (REPO / "docs/workflows.md").read_text(encoding="utf-8")
VERSION = tomli.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
# Files the README tells a user to create in their own repository, not files of this one.
USERS_FILES = {".github/workflows/udef-audit.yml", "udef-baseline.json"}
REPO_PATH = re.compile(r"`((?:\.github|docs|src|tests|rules|fixtures|benchmarks)/[\w./-]+)`")
LINK = re.compile(r"\]\(((?!https?://|#)[^)\s]+)\)")


def test_every_file_the_readme_names_exists() -> None:
    named = set(REPO_PATH.findall(README)) | set(LINK.findall(README))
    assert ".github/workflows/ci.yml" in named
    missing = sorted(p for p in named - USERS_FILES if not (REPO / p.split("#")[0]).exists())
    assert missing == []


def test_the_snippets_name_the_release_tag_of_this_version() -> None:
    tags = re.findall(r"(?:rev: |udef-audit/udef-audit@)(v\S+)", README + WORKFLOWS)
    assert len(tags) == 4
    assert set(tags) == {f"v{VERSION}"}
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## Unreleased" in changelog or f"## {VERSION} - " in changelog
    assert 'git tag -a vX.Y.Z -m "udef-audit X.Y.Z"' in README


def test_the_readme_says_how_long_the_suite_takes_and_the_fast_subset() -> None:
    assert 'sh tests/run.sh -m "not slow"' in README
    assert "about six minutes on a two-core machine" in README


def test_help_names_every_command(run_cli) -> None:
    usage = run_cli("--help")
    assert usage.code == 0
    for command in ("gates", "rules", "explain ID", "explain score", "batch"):
        assert f"udef-audit {command}" in usage.stdout, command
    for option in ("--color", "--show-suppressed", "--statistics", "github", "junit", "gitlab"):
        assert option in usage.stdout, option
