"""Every path and option mistake is exit 2 with one line naming the file or option."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import CLI, Run, write_tree

CLEAN = {"pyproject.toml": '[project]\nname = "x"\n'}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "repo", CLEAN)


def _one_line(result: Run, expected: str) -> None:
    assert (result.code, result.stderr) == (2, f"udef-audit: error: {expected}\n")


def test_output_to_a_folder_or_into_a_missing_one(repo: Path, tmp_path: Path, run_inproc: Callable[..., Run]) -> None:
    _one_line(run_inproc(repo, "-o", tmp_path), f"-o/--output: {tmp_path} is a folder, not a file")
    missing, blocker = tmp_path / "no", tmp_path / "file"
    _one_line(run_inproc(repo, "-o", missing / "r.txt"), f"-o/--output: the folder {missing} does not exist")
    blocker.write_text("", encoding="utf-8")
    _one_line(run_inproc(repo, "-o", blocker / "r.txt"), f"-o/--output: the folder {blocker} is not a folder")
    assert not (tmp_path / "no").exists()


def test_an_output_that_cannot_be_written(repo: Path, run_cli: Callable[..., Run]) -> None:
    _one_line(run_cli(repo, "-o", "/dev/full"), "cannot write the report to /dev/full: No space left on device")


def test_a_full_or_closed_standard_output(repo: Path, cli_env: dict[str, str]) -> None:
    with Path("/dev/full").open("w") as full:
        done = subprocess.run([str(CLI), str(repo)], stdout=full, stderr=subprocess.PIPE, env=cli_env, text=True,
                              timeout=120, check=False)
    assert (done.returncode, done.stderr) == (
        2, "udef-audit: error: cannot write the report to standard output: No space left on device\n"
    )
    closed = subprocess.run(f'"{CLI}" "{repo}" >&-', shell=True, stderr=subprocess.PIPE, env=cli_env,  # noqa: S602
                            text=True, timeout=120, check=False)
    assert (closed.returncode, closed.stderr) == (2, "udef-audit: error: standard output is closed: give -o FILE\n")


def test_write_baseline_to_a_folder(repo: Path, tmp_path: Path, run_inproc: Callable[..., Run]) -> None:
    _one_line(run_inproc(repo, "--write-baseline", tmp_path), f"--write-baseline: {tmp_path} is a folder, not a file")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("tool = 1\n", "'tool' must be a table"),
        ('tool = "x"\n', "'tool' must be a table"),
        ("[tool]\nudef-audit = 3\n", "'tool.udef-audit' must be a table"),
        ('[tool]\nudef-audit = ["a"]\n', "'tool.udef-audit' must be a table"),
    ],
)
def test_a_config_whose_tool_tables_are_not_tables(
    text: str, message: str, tmp_path: Path, run_inproc: Callable[..., Run]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(text, encoding="utf-8")
    repo = write_tree(tmp_path / "repo", {"pyproject.toml": text + '[project]\nname = "x"\n'})
    _one_line(run_inproc(repo, "--config", config), f"{config}: {message}")
    _one_line(run_inproc(repo), f"pyproject.toml: {message}")


def test_files_that_do_not_exist(repo: Path, run_inproc: Callable[..., Run]) -> None:
    (repo / "here.py").write_text("x = 1\n", encoding="utf-8")
    _one_line(run_inproc("--files", "gone.py", "here.py", cwd=repo), "--files: no such file: gone.py")
    _one_line(run_inproc("--files", "a.py", "b.py", cwd=repo), "--files: no such file: a.py (and 1 more)")
    assert run_inproc("--files", "here.py", cwd=repo).code == 0


@pytest.mark.parametrize("option", ["--cache", "--db", "--sarif-dir"])
def test_batch_folder_options_under_a_file(option: str, tmp_path: Path, run_inproc: Callable[..., Run]) -> None:
    listing = tmp_path / "repos.txt"
    listing.write_text(f"{tmp_path}\n", encoding="utf-8")
    blocker = tmp_path / "blocker"
    blocker.write_text("", encoding="utf-8")
    target = blocker / "x.sqlite" if option == "--db" else blocker
    defaults = {"--db": tmp_path / "b.sqlite", "--cache": tmp_path / "clones"}
    args = [str(a) for k, v in defaults.items() if k != option for a in (k, v)]
    result = run_inproc("batch", listing, *args, option, target)
    expected = f"udef-audit batch: error: {option}: {blocker} is a file, not a folder\n"
    assert (result.code, result.stderr) == (2, expected)
