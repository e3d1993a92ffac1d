"""UDEF011 gitignore-caches: git ignores every cache, and no cache artifact is tracked."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import fixture

from udef_audit.testing import audit_tree, check, commit_all, rows, write_tree

RULE = "UDEF011"
PYPROJECT = '[project]\nname = "app"\nversion = "0.1.0"\n'
ALL_SAMPLES = (
    "__pycache__/m.cpython-312.pyc, pkg/m.pyc, .pytest_cache/v/x, .mypy_cache/x, .ruff_cache/x, .coverage, "
    "htmlcov/index.html, pkg.egg-info/PKG-INFO, .venv/bin/python, dist/p.whl, build/lib/m.py"
)


def _copy(case: str, tmp_path: Path) -> Path:
    """The fixture outside this repository's work tree (a plain folder, every file in scope)."""
    target = tmp_path / case
    shutil.copytree(fixture(RULE, case), target)
    return target


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("python-template", []),
        # pkg/.gitignore re-includes *.pyc; build/lib/ cannot be re-included from an excluded build/.
        ("nested-negation", [(".gitignore", 1, "pkg/m.pyc")]),
        ("no-gitignore", [("README.md", 1, ALL_SAMPLES)]),
        (
            "partial",
            [
                (
                    ".gitignore",
                    1,
                    ".pytest_cache/v/x, .mypy_cache/x, .ruff_cache/x, .coverage, htmlcov/index.html, "
                    "pkg.egg-info/PKG-INFO, dist/p.whl, build/lib/m.py",
                )
            ],
        ),
    ],
)
def test_fixture_results(tmp_path: Path, case: str, expected: list[tuple[str, int, str]]) -> None:
    found = check(RULE, _copy(case, tmp_path))
    assert rows(found) == [(RULE, path, line, None) for path, line, _ in expected]
    for finding, (_, _, listed) in zip(found, expected, strict=True):
        assert listed in finding.message
        assert finding.kind == "missing-patterns"


def test_missing_pattern_messages(tmp_path: Path) -> None:
    [partial] = check(RULE, _copy("partial", tmp_path))
    assert partial.message == (
        "the repository's .gitignore files do not ignore .pytest_cache/v/x, .mypy_cache/x, .ruff_cache/x, "
        ".coverage, htmlcov/index.html, pkg.egg-info/PKG-INFO, dist/p.whl, build/lib/m.py: add `.pytest_cache/`, "
        "`.mypy_cache/`, `.ruff_cache/`, `.coverage`, `htmlcov/`, `*.egg-info/`, `dist/`, `build/` to .gitignore."
    )
    [none] = check(RULE, _copy("no-gitignore", tmp_path))
    assert none.message.startswith("no .gitignore at the repository root, so git offers caches")


def _git(root: Path, *args: str) -> None:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, env=env)


def _repository(tmp_path: Path, files: dict[str, str | bytes], forced: tuple[str, ...] = ()) -> Path:
    """A git repository with `files` committed, and `forced` added past .gitignore."""
    write_tree(tmp_path, {"pyproject.toml": PYPROJECT, "src/app/__init__.py": "", **files})
    commit_all(tmp_path)
    if forced:
        _git(tmp_path, "add", "-f", *forced)
        _git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@x", "commit", "-q", "-m", "artifacts")
    return tmp_path


TEMPLATE = (fixture(RULE, "python-template") / ".gitignore").read_text()


def test_tracked_artifacts_collapse_per_folder(tmp_path: Path) -> None:
    artifacts = {
        "src/app/__pycache__/b.cpython-312.pyc": b"\x00",
        "src/app/__pycache__/a.cpython-312.pyc": b"\x00",
        "src/app/sub/__pycache__/c.pyc": b"\x00",
        "src/app.egg-info/PKG-INFO": "Name: app\n",
        "legacy/old.pyc": b"\x00",
        "legacy/older.pyc": b"\x00",
        ".coverage": b"SQLite",
        "tests/.pytest_cache/v/cache/nodeids": "[]",
    }
    root = _repository(tmp_path, {".gitignore": TEMPLATE, **artifacts}, forced=tuple(artifacts))
    found = check(RULE, root)
    assert [(f.path, f.line, f.kind) for f in found] == [
        (".coverage", 1, "tracked-artifact"),
        ("legacy/old.pyc", 1, "tracked-artifact"),
        ("src/app.egg-info/PKG-INFO", 1, "tracked-artifact"),
        ("src/app/__pycache__/a.cpython-312.pyc", 1, "tracked-artifact"),
        ("src/app/sub/__pycache__/c.pyc", 1, "tracked-artifact"),
        ("tests/.pytest_cache/v/cache/nodeids", 1, "tracked-artifact"),
    ]
    messages = {f.path: f.message for f in found}
    assert messages["src/app/__pycache__/a.cpython-312.pyc"] == (
        "src/app/__pycache__/ is a cache folder tracked by git (2 files): untrack it with "
        "`git rm -r --cached src/app/__pycache__` and ignore it in .gitignore."
    )
    assert "`git rm -r --cached src/app.egg-info`" in messages["src/app.egg-info/PKG-INFO"]
    assert "`git rm --cached 'legacy/*.pyc'`" in messages["legacy/old.pyc"]
    assert "2 files of compiled Python (*.pyc) in legacy tracked by git" in messages["legacy/old.pyc"]
    assert "`git rm --cached .coverage`" in messages[".coverage"]


def test_tracked_artifacts_are_found_whatever_the_skip_list_and_the_outermost_folder_wins(tmp_path: Path) -> None:
    artifacts = {"a/__pycache__/x/__pycache__/m.pyc": b"\x00", "odd name/__pycache__/m.pyc": b"\x00"}
    root = _repository(tmp_path, {".gitignore": TEMPLATE, **artifacts}, forced=tuple(artifacts))
    found = check(RULE, root)
    assert [f.path for f in found] == ["a/__pycache__/x/__pycache__/m.pyc", "odd name/__pycache__/m.pyc"]
    assert "`git rm -r --cached a/__pycache__`" in found[0].message
    assert "`git rm -r --cached 'odd name/__pycache__'`" in found[1].message


def test_the_exclude_setting_still_applies(tmp_path: Path) -> None:
    config = PYPROJECT + '[tool.udef-audit]\nexclude = ["tests/data/**"]\n'
    artifacts = {"tests/data/compiled.pyc": b"\x00"}
    root = _repository(tmp_path, {"pyproject.toml": config, ".gitignore": TEMPLATE, **artifacts}, tuple(artifacts))
    assert check(RULE, root) == []


def test_only_tracked_ignore_files_count_in_a_work_tree(tmp_path: Path) -> None:
    root = _repository(tmp_path, {".gitignore": TEMPLATE.replace("htmlcov/\n", "")})
    write_tree(root, {"htmlcov/.gitignore": "*\n"})  # what coverage writes, never committed
    [found] = check(RULE, root)
    assert "do not ignore htmlcov/index.html" in found.message


def test_global_and_info_excludes_do_not_count(tmp_path: Path) -> None:
    root = _repository(tmp_path, {".gitignore": TEMPLATE.replace(".ruff_cache/\n", "")})
    (root / ".git" / "info").mkdir(exist_ok=True)
    (root / ".git" / "info" / "exclude").write_text(".ruff_cache/\n")
    [found] = check(RULE, root)
    assert "do not ignore .ruff_cache/x" in found.message


def test_sample_paths_parameter(tmp_path: Path) -> None:
    settings = '[tool.udef-audit.rules.UDEF011]\nsample-paths = [".tox/py/x", "/node_modules/x"]\n'
    tree = {"pyproject.toml": PYPROJECT + settings, "src/app/__init__.py": "", ".gitignore": ".tox/\n"}
    [found] = check(RULE, tree, tmp_path)
    assert found.message == (
        "the repository's .gitignore files do not ignore node_modules/x: add `/node_modules/x` to .gitignore."
    )


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"__pycache__/\n\x00\x00binary", "binary file"),
        (b"*.pyc\n" * 6_000, "too many patterns"),
        (b"\xff\xfe__pycache__/\n", "not UTF-8"),
    ],
)
def test_an_unreadable_gitignore_is_a_note_not_a_guess(tmp_path: Path, content: bytes, reason: str) -> None:
    tree = {"pyproject.toml": PYPROJECT, "src/app/__init__.py": "", ".gitignore": content}
    result = audit_tree(tree, tmp_path, select=(RULE, "UDEF000"))
    assert [(f.rule_id, f.path) for f in result.findings] == [("UDEF000", ".gitignore")]
    assert reason in result.findings[0].message
    assert not result.notifications


def test_a_symlinked_gitignore_is_not_followed(tmp_path: Path) -> None:
    secret = tmp_path / "outside"
    secret.write_text("*\n")
    root = tmp_path / "repo"
    write_tree(root, {"pyproject.toml": PYPROJECT, "src/app/__init__.py": "", "README.md": "# x\n"})
    (root / ".gitignore").symlink_to(secret)
    [found] = check(RULE, root)
    assert (found.path, found.kind) == ("README.md", "missing-patterns")


def test_not_applicable_without_python(tmp_path: Path) -> None:
    assert check(RULE, {"README.md": "# site\n", "index.html": "<p/>\n"}, tmp_path) == []


def test_artifacts_kept_as_test_data_are_not_reported(tmp_path: Path) -> None:
    # poetry's tests inspect committed *.egg-info folders; CPython's load committed .pyc files.
    artifacts = {
        "tests/fixtures/inspection/demo.egg-info/PKG-INFO": "Name: demo\n",
        "tests/testdata/compiled.pyc": b"\x00",
        "src/app/__pycache__/m.pyc": b"\x00",
    }
    root = _repository(tmp_path, {".gitignore": TEMPLATE, **artifacts}, forced=tuple(artifacts))
    assert [f.path for f in check(RULE, root)] == ["src/app/__pycache__/m.pyc"]


def test_an_untracked_gitignore_counts_as_git_reads_it(tmp_path: Path) -> None:
    # `udef-audit fix` writes .gitignore; before it is committed, git already honours it.
    # coverage's htmlcov/.gitignore (`*`) ignores itself, so it never reaches the audit.
    root = _repository(tmp_path, {})
    write_tree(root, {".gitignore": TEMPLATE, "htmlcov/.gitignore": "*\n", "htmlcov/index.html": ""})
    assert check(RULE, root) == []
    (root / ".gitignore").write_text("__pycache__/\n")
    [found] = check(RULE, root)
    assert found.path == ".gitignore"
    assert "htmlcov/index.html" in found.message and "__pycache__/m.cpython-312.pyc" not in found.message
