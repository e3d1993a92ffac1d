"""udef_audit.parsers.precommit: hooks with their lines, the tool a command runs, and what a
pygrep pattern catches."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from udef_audit.parsers.precommit import Hook, precommit_config, pygrep_catches, split_words, tool_argv
from udef_audit.parsers.yaml_file import load_yaml_document

CONFIG = """\
# comment
default_stages: [pre-commit]
repos:
  - repo: local
    hooks:
      - id: no-placeholders
        name: Block TODOs
        entry: "TODO|FIXME"
        language: pygrep
      - name: mypy first
        id: mypy
        entry: uv run mypy
        args: [--strict, 3]
        language: system
  - repo: https://github.com/astral-sh/ruff-pre-commit
    rev: v0.6.9
    hooks:
      - &ruff
        id: ruff
      - {id: ruff-format}
      - "not a hook"
  - not a repo
"""


def test_hooks_with_their_id_lines() -> None:
    config = precommit_config(load_yaml_document(CONFIG))
    assert config is not None and config.repos_line == 3
    assert config.hooks == (
        Hook("local", "no-placeholders", 6, "TODO|FIXME", (), "pygrep"),
        Hook("local", "mypy", 11, "uv run mypy", ("--strict", "3"), "system"),
        Hook("https://github.com/astral-sh/ruff-pre-commit", "ruff", 19),
        Hook("https://github.com/astral-sh/ruff-pre-commit", "ruff-format", 20),
    )
    assert config.hooks[1].words() == ["uv", "run", "mypy", "--strict", "3"]


@pytest.mark.parametrize("text", ["", "[]\n", "repos: 3\n", "repos:\n  - hooks: {a: 1}\n"])
def test_odd_documents(text: str) -> None:
    config = precommit_config(load_yaml_document(text))
    assert config is None or config.hooks == ()


@pytest.mark.parametrize(
    ("command", "argv"),
    [
        ("mypy src", ["mypy", "src"]),
        ("uv run --frozen --group dev mypy --strict", ["mypy", "--strict"]),
        ("poetry run ruff check .", ["ruff", "check", "."]),
        (".venv/bin/python -m mypy", ["mypy"]),
        ("python3.12 -m ruff", ["ruff"]),
        ("bash -c 'uv run ruff check src'", ["ruff", "check", "src"]),
        ("env PYTHONPATH=src MYPYPATH=x mypy", ["mypy"]),
        ("FOO=1 pdm run mypy", ["mypy"]),
        ("hatch run types:mypy --strict", ["mypy", "--strict"]),
        ("uv run -- ruff", ["ruff"]),
        ("./scripts/lint.sh", ["lint.sh"]),
        ("", []),
    ],
)
def test_tool_under_its_wrappers(command: str, argv: list[str]) -> None:
    assert tool_argv(split_words(command)) == argv


def test_unbalanced_quotes_split_on_blanks() -> None:
    assert split_words("ruff check 'src") == ["ruff", "check", "'src"]


@pytest.mark.parametrize(
    ("pattern", "args", "caught"),
    [
        ("TODO|FIXME|XXX|NotImplementedError", [], {"TODO", "FIXME"}),
        ("(?i)todo|fixme", [], {"TODO", "FIXME"}),
        ("todo|fixme", ["--ignore-case"], {"TODO", "FIXME"}),
        ("TODO", [], {"TODO"}),
        (r"#\s*(TODO|FIXME)\b", [], {"TODO", "FIXME"}),
        ("^TODO$", [], {"TODO"}),
        ("TODO|FIXME", ["--negate"], set()),
        ("(a+)+$", [], set()),
    ],
)
def test_pygrep_patterns_are_tested_on_the_words(pattern: str, args: list[str], caught: set[str]) -> None:
    verdict = pygrep_catches(pattern, args, ["TODO", "FIXME"])
    assert (verdict.matched, verdict.error) == (caught, None)


@pytest.mark.parametrize("pattern", ["(?<!#)TODO|FIXME", r"(TODO)\1", r"TODO\Z", "(?xa) TODO"])
def test_python_only_syntax_is_untestable(pattern: str, capfd: pytest.CaptureFixture[str]) -> None:
    verdict = pygrep_catches(pattern, [], ["TODO", "FIXME"])
    assert verdict.matched == frozenset()
    assert verdict.error is not None and verdict.error.startswith("RE2 cannot compile it")
    assert capfd.readouterr().err == ""  # RE2 logs nothing


def test_verbose_patterns_are_read_without_their_layout() -> None:
    # RE2 has no (?x): blanks and comments outside character classes are dropped first.
    verbose = "(?x) \\b( TO DO   # the usual word\n | FIX[ ]?ME )\\b"
    assert pygrep_catches(verbose, [], ["TODO", "FIXME"]).matched == {"TODO", "FIXME"}
    assert pygrep_catches("(?xi) todo", [], ["TODO", "FIXME"]).matched == {"TODO"}


@given(st.text(max_size=80), st.lists(st.sampled_from(["-i", "--multiline", "--negate", "x"]), max_size=3))
@settings(max_examples=300, deadline=None)
def test_any_pattern_is_answered(pattern: str, args: list[str]) -> None:
    verdict = pygrep_catches(pattern, args, ["TODO", "FIXME"])
    assert verdict.matched <= {"TODO", "FIXME"}


@given(st.text(max_size=120))
@settings(max_examples=300, deadline=None)
def test_any_command_is_answered(command: str) -> None:
    assert isinstance(tool_argv(split_words(command)), list)
