"""UDEF006 no-placeholders: in-process through `udef_audit.testing`, on fixtures/UDEF006 and on
small trees; two end-to-end runs of the installed CLI.

The sources under test are string literals, never comments or docstrings of this file, so
that the project's own audit does not read them as placeholders.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from conftest import fixture

from udef_audit.findings import Finding
from udef_audit.testing import audit_tree, check

P = "src/pkg/__init__.py"
STUB_HINT = "finish it, or mark the method @abstractmethod or declare a typing.Protocol."
UNSUPPORTED_HINT = ("raise a specific exception (ValueError, TypeError, a domain error) "
                    "or finish the case.")


def results(found: list[Finding]) -> list[tuple[int, int | None, str, str | None]]:
    """(line, column, kind, level) of each finding: what the user reads, and how bad it is."""
    return [(f.line, f.column, f.kind, f.level.value if f.level else None) for f in found]


def module(tmp_path: Path, source: str) -> list[Finding]:
    """UDEF006's findings on one module of a small package."""
    return check("UDEF006", {P: textwrap.dedent(source)}, tmp_path)


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        (
            # Comments and docstrings count (each word, at its column); string literals,
            # f-strings, identifiers and lower-case words do not. Two methods that only
            # raise are stubs; a raise among other module statements is an unsupported case.
            "markers",
            [(1, 29, "marker", "error"), (11, 5, "marker", "error"), (13, 7, "marker", "error"),
             (14, 31, "marker", "error"), (14, 39, "marker", "error"), (24, 9, "stub", "error"),
             (27, 9, "stub", "error"), (30, 1, "unsupported-case", "warning")],
        ),
        # abstractmethod (both spellings), Protocol (both spellings), overload: exempt;
        # `except NotImplementedError` is no raise.
        ("exemptions", []),
        # 3.12 `type`/generics and 3.14 `except A, B:` parse (on any interpreter); the raise
        # in an except branch of a function that does other work is an unsupported case.
        ("new-syntax", [(7, 7, "marker", "error"), (15, 9, "unsupported-case", "warning")]),
        ("clean", []),
    ],
)
def test_fixture_findings(case: str, expected: list[tuple[int, int, str, str]]) -> None:
    found = check("UDEF006", fixture("UDEF006", case))
    assert {f.path for f in found} <= {P}
    assert results(found) == expected


# --- stub or unsupported case (contract rev 3) ------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # the whole body after a docstring
        ('def f():\n    """Later."""\n    raise NotImplementedError\n', [(3, 5, "stub", "error")]),
        # after `pass` and `...`: they do nothing
        ("def f():\n    pass\n    ...\n    raise NotImplementedError\n", [(4, 5, "stub", "error")]),
        # in an `if` branch of a function with other statements
        ("def f(x):\n    y = x * 2\n    if y > 3:\n        raise NotImplementedError\n    return y\n",
         [(4, 9, "unsupported-case", "warning")]),
        # after the cases the function handles (the fall-through)
        ("def f(x):\n    if x:\n        return 1\n    raise NotImplementedError(x)\n",
         [(4, 5, "unsupported-case", "warning")]),
        # the only statement of the function, but inside a branch: the function does a test
        ("def f(x):\n    if x:\n        raise NotImplementedError\n",
         [(3, 9, "unsupported-case", "warning")]),
        # a nested function that only raises is a stub, whatever its outer function does
        ("def outer():\n    x = 1\n    def inner():\n        raise NotImplementedError\n    return inner\n",
         [(4, 9, "stub", "error")]),
        # module level: the whole module, or one statement among others
        ('"""Not ported."""\nraise NotImplementedError\n', [(2, 1, "stub", "error")]),
        ("import sys\nif sys.platform == 'win32':\n    raise NotImplementedError\n",
         [(3, 5, "unsupported-case", "warning")]),
        # a lambda holds no statement: NotImplementedError named there is no raise
        ("handler = lambda: NotImplementedError\nx = [NotImplementedError]\n", []),
    ],
    ids=["docstring", "pass", "if-branch", "fall-through", "only-a-branch", "nested",
         "module-stub", "module-branch", "lambda"],
)
def test_stub_or_unsupported_case(tmp_path: Path, source: str,
                                  expected: list[tuple[int, int, str, str]]) -> None:
    assert results(module(tmp_path, source)) == expected


def test_with_or_without_a_message_the_same(tmp_path: Path) -> None:
    source = """\
    def bare():
        raise NotImplementedError()

    def told():
        raise NotImplementedError("told")

    def told_branch(x):
        if x:
            raise NotImplementedError("negative x")
        return x

    def bare_branch(x):
        if x:
            raise NotImplementedError()
        return x
    """
    found = module(tmp_path, source)
    assert results(found) == [(2, 5, "stub", "error"), (5, 5, "stub", "error"),
                              (9, 9, "unsupported-case", "warning"),
                              (14, 9, "unsupported-case", "warning")]
    assert [f.message for f in found] == [
        f"raise NotImplementedError in bare: {STUB_HINT}",
        f"raise NotImplementedError in told: {STUB_HINT}",
        f"raise NotImplementedError for an unsupported case in told_branch: {UNSUPPORTED_HINT}",
        f"raise NotImplementedError for an unsupported case in bare_branch: {UNSUPPORTED_HINT}",
    ]


def test_abstract_methods_and_protocols_stay_exempt_in_both_kinds(tmp_path: Path) -> None:
    source = """\
    import abc
    from typing import Protocol

    class Shape(abc.ABC):
        @abc.abstractmethod
        def area(self):
            raise NotImplementedError

        @abc.abstractmethod
        def scaled(self, factor):
            if factor < 0:
                raise NotImplementedError
            return self

    class Reader(Protocol):
        def read(self):
            raise NotImplementedError

        def peek(self, n):
            if n:
                raise NotImplementedError
            return b""
    """
    assert module(tmp_path, source) == []


def test_stub_and_unsupported_case_have_different_fingerprints(tmp_path: Path) -> None:
    stub = module(tmp_path / "a", "def f(x):\n    raise NotImplementedError\n")
    branch = module(tmp_path / "b", "def f(x):\n    if x:\n        raise NotImplementedError\n    return x\n")
    assert [f.key for f in stub] == ["NotImplementedError|f"]
    assert [f.key for f in branch] == ["unsupported-case|NotImplementedError|f"]
    assert stub[0].fingerprint.split(":")[0] != branch[0].fingerprint.split(":")[0]


def test_a_configured_level_wins_over_the_kind(tmp_path: Path) -> None:
    tree = {
        "pyproject.toml": '[tool.udef-audit.rules.no-placeholders]\nlevel = "error"\n',
        "app.py": "def f(x):\n    if x:\n        raise NotImplementedError\n    return x\n",
    }
    assert results(check("UDEF006", tree, tmp_path)) == [(3, 9, "unsupported-case", "error")]


# --- markers ----------------------------------------------------------------------------------


def test_comments_are_found_in_a_file_the_parser_rejects() -> None:
    # The raise needs a parse (is it exempt?); the parse fails: a UDEF000 note, and the
    # comment is still found by the token-level scan. (A file whose only hits are comments
    # is never parsed, so its syntax is not judged: that is ruff's and the compiler's job.)
    result = audit_tree(fixture("UDEF006", "syntax-error"), select=("UDEF000", "UDEF006"))
    rows = [(f.rule_id, f.line, f.column, f.level.value if f.level else None) for f in result.findings]
    assert rows == [("UDEF000", 1, None, "note"), ("UDEF006", 2, 7, "error")]
    assert "syntax error" in result.findings[0].message


def test_marker_messages() -> None:
    found = check("UDEF006", fixture("UDEF006", "markers"))
    messages = {(f.line, f.column): f.message for f in found}
    assert messages[(13, 7)] == "TODO in a comment: # TODO: localise."
    assert messages[(11, 5)] == "FIXME in a docstring: FIXME: handle empty names."
    assert messages[(24, 9)] == f"raise NotImplementedError in Store.load: {STUB_HINT}"
    assert messages[(30, 1)] == f"raise NotImplementedError for an unsupported case in <module>: {UNSUPPORTED_HINT}"


def test_extra_words_and_level_from_config(tmp_path: Path) -> None:
    tree = {
        "pyproject.toml": '[tool.udef-audit.rules.no-placeholders]\nextra-words = ["HACK"]\nlevel = "warning"\n',
        "app.py": "x = 1  # HACK around the parser\ny = 2  # TODO later\n",
    }
    found = check("UDEF006", tree, tmp_path)
    assert [(f.line, f.level.value if f.level else None, f.message.split(" ")[0]) for f in found] == [
        (1, "warning", "HACK"), (2, "warning", "TODO")]


# --- end to end (the installed command) -------------------------------------------------------


def test_cli_json_report(run_cli) -> None:
    result = run_cli(fixture("UDEF006", "markers"), "--format", "json", "--select", "UDEF006")
    assert result.code == 1
    rows = [(f["line"], f["column"], f["level"]) for f in json.loads(result.stdout)["findings"]]
    assert rows == [(1, 29, "error"), (11, 5, "error"), (13, 7, "error"), (14, 31, "error"),
                    (14, 39, "error"), (24, 9, "error"), (27, 9, "error"), (30, 1, "warning")]


def test_cli_exit_code_and_files_mode(run_cli) -> None:
    assert run_cli(fixture("UDEF006", "clean"), "--select", "UDEF006").code == 0
    root = fixture("UDEF006", "markers")
    result = run_cli(root, "--files", str(root / P), "--format", "json")
    assert result.code == 1
    assert {f["ruleId"] for f in json.loads(result.stdout)["findings"]} == {"UDEF006"}
