"""UDEF006 no-placeholders through the installed CLI, on fixtures/UDEF006."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import fixture

P = "src/pkg/__init__.py"


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        (
            # Comments and docstrings count (each word, at its column); string literals,
            # f-strings, identifiers and lower-case words do not; every plain raise counts.
            "markers",
            [(P, 1, 29), (P, 11, 5), (P, 13, 7), (P, 14, 31), (P, 14, 39), (P, 24, 9), (P, 27, 9), (P, 30, 1)],
        ),
        # abstractmethod (both spellings), Protocol (both spellings), overload: exempt;
        # `except NotImplementedError` is no raise.
        ("exemptions", []),
        # 3.12 `type`/generics and 3.14 `except A, B:` parse (on any interpreter).
        ("new-syntax", [(P, 7, 7), (P, 15, 9)]),
        ("clean", []),
    ],
)
def test_fixture_findings(case: str, expected: list[tuple[str, int, int]], audit) -> None:
    found = audit(fixture("UDEF006", case), "--select", "UDEF000,UDEF006")
    assert found == sorted(("UDEF006", path, line, column) for path, line, column in expected)


def test_comments_are_found_in_a_file_the_parser_rejects(run_inproc) -> None:
    # The raise needs a parse (is it exempt?); the parse fails: a UDEF000 note, and the
    # comment is still found by the token-level scan. (A file whose only hits are comments
    # is never parsed, so its syntax is not judged: that is ruff's and the compiler's job.)
    report = run_inproc(fixture("UDEF006", "syntax-error"), "--format", "json", "--select", "UDEF000,UDEF006").json()
    rows = [(f["ruleId"], f["line"], f["column"], f["level"]) for f in report["findings"]]
    assert rows == [("UDEF000", 1, None, "note"), ("UDEF006", 2, 7, "error")]
    assert "syntax error" in report["findings"][0]["message"]


def test_messages(run_inproc) -> None:
    report = run_inproc(fixture("UDEF006", "markers"), "--format", "json", "--select", "UDEF006").json()
    messages = {(f["line"], f["column"]): f["message"] for f in report["findings"]}
    assert messages[(13, 7)] == "TODO in a comment: # TODO: localise."
    assert messages[(11, 5)] == "FIXME in a docstring: FIXME: handle empty names."
    assert messages[(24, 9)].startswith("raise NotImplementedError in Store.load:")
    assert messages[(30, 1)].startswith("raise NotImplementedError in <module>:")


def test_extra_words_and_level_from_config(tmp_path: Path, run_inproc) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.udef-audit.rules.no-placeholders]\nextra-words = ["HACK"]\nlevel = "warning"\n'
    )
    (tmp_path / "app.py").write_text("x = 1  # HACK around the parser\ny = 2  # TODO later\n")
    result = run_inproc(tmp_path, "--format", "json", "--select", "UDEF006")
    rows = [(f["line"], f["level"], f["message"].split(" ")[0]) for f in result.json()["findings"]]
    assert rows == [(1, "warning", "HACK"), (2, "warning", "TODO")]
    assert result.code == 0  # warnings do not fail at the default fail-on error


def test_exit_code_and_files_mode(run_inproc) -> None:
    assert run_inproc(fixture("UDEF006", "markers"), "--select", "UDEF006").code == 1
    assert run_inproc(fixture("UDEF006", "clean"), "--select", "UDEF006").code == 0
    root = fixture("UDEF006", "markers")
    result = run_inproc(root, "--files", str(root / P), "--format", "json")
    assert {f["ruleId"] for f in result.json()["findings"]} == {"UDEF006"}
