"""UDEF090 unused-suppression: computed by the engine after the inline suppressions, on small
trees in-process; the parser of suppression comments on hostile text with Hypothesis.

The suppressions under test are string literals of this file, never its comments, so the
project's own audit does not read them as suppressions (which is itself tested below).
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from udef_audit.findings import Finding
from udef_audit.suppression import find_suppressions, parse_inline
from udef_audit.testing import audit_tree

PYPROJECT = {"pyproject.toml": "[project]\nname = 'a'\nversion = '1'\n"}
MODULE = "src/a/__init__.py"


def results(found: list[Finding]) -> list[tuple[str, int, int | None, str]]:
    return [(f.path, f.line, f.column, f.kind) for f in found if f.rule_id == "UDEF090"]


def audit(tmp_path: Path, files: dict[str, str], *select: str) -> list[Finding]:
    result = audit_tree({**PYPROJECT, **files}, tmp_path, select=select or ("UDEF006", "UDEF090"))
    return list(result.findings)


def test_used_unused_and_partly_used_suppressions(tmp_path: Path) -> None:
    source = (
        "x = 1  # TODO: a  # udef: ignore[UDEF006] -- later\n"
        "y = 2  # udef: ignore[UDEF006] -- nothing here\n"
        "z = 3  # TODO: b  # udef: ignore[UDEF006, no-placeholders, UDEF001]\n"
    )
    found = audit(tmp_path, {MODULE: source})
    assert results(found) == [(MODULE, 2, 8, "unused")]
    unused = next(f for f in found if f.rule_id == "UDEF090")
    assert unused.message == "Unused suppression: `udef: ignore[UDEF006]` suppresses nothing on this line. Remove it."
    assert unused.level is not None and unused.level.value == "note"
    # Line 3: UDEF006 and its slug both name the suppressed rule; UDEF001 did not run, so
    # the run cannot say it is unused.
    assert [f.suppressed for f in found if f.rule_id == "UDEF006"] == [True, True]


def test_one_idle_name_among_used_ones_is_named(tmp_path: Path) -> None:
    source = "x = 1  # TODO: a  # udef: ignore[UDEF006, UDEF090, UDEF000]\n"
    found = audit(tmp_path, {MODULE: source}, "UDEF000", "UDEF006", "UDEF090")
    assert results(found) == [(MODULE, 1, 19, "unused")]
    assert next(f for f in found if f.rule_id == "UDEF090").message == (
        "Unused suppression: UDEF000 in `udef: ignore[UDEF006, UDEF090, UDEF000]` suppresses nothing "
        "on this line. Remove UDEF000."
    )


def test_malformed_suppressions(tmp_path: Path) -> None:
    source = (
        "a = 1  # udef: ignore -- bare\n"
        "b = 2  # udef: ignore[]\n"
        "c = 3  # TODO: c  # udef: ignore[NOPE, UDEF00, no-placeholders]\n"
    )
    found = audit(tmp_path, {MODULE: source})
    assert results(found) == [(MODULE, 1, 8, "malformed"), (MODULE, 2, 8, "malformed"), (MODULE, 3, 19, "malformed")]
    assert [f.message for f in found if f.rule_id == "UDEF090"] == [
        "Malformed suppression: `udef: ignore` names no rule, so it suppresses nothing. "
        "Name the rules it is for, as in `udef: ignore[UDEF006] -- reason`.",
        "Malformed suppression: `udef: ignore[]` names no rule, so it suppresses nothing.",
        "Malformed suppression: NOPE, UDEF00 in `udef: ignore[NOPE, UDEF00, no-placeholders]` names no rule "
        "(`udef-audit rules` lists the IDs and slugs).",
    ]
    # The valid name in a partly malformed comment still suppresses.
    assert [f.suppressed for f in found if f.rule_id == "UDEF006"] == [True]


def test_a_bare_ignore_suppresses_nothing(tmp_path: Path) -> None:
    found = audit(tmp_path, {MODULE: "x = 1  # TODO: a  # udef: ignore -- reason\n"})
    assert [(f.rule_id, f.suppressed) for f in found] == [("UDEF006", False), ("UDEF090", False)]


def test_strings_and_code_spans_are_no_suppressions(tmp_path: Path) -> None:
    files = {
        MODULE: 's = "x  # udef: ignore[UDEF006]"\nt = """\n# udef: ignore\n"""\n',
        "README.md": "Write `# udef: ignore[UDEF006] -- reason` on the line.\n",
        "docs/guide.rst": "Use ``# udef: ignore[UDEF005]``.\n",
    }
    assert results(audit(tmp_path, files)) == []


def test_every_comment_syntax_counts(tmp_path: Path) -> None:
    files = {
        "README.md": "# Title\n\n<!-- udef: ignore[UDEF005] -->\n```sh\npip install x  # udef: ignore[UDEF005]\n```\n",
        "setup.cfg": "[metadata]\n; udef: ignore[UDEF005]\n",
        "Dockerfile": "FROM python:3.12\nRUN true  # udef: ignore[UDEF005]\n",
    }
    assert results(audit(tmp_path, files, "UDEF005", "UDEF090")) == [
        ("Dockerfile", 2, 11, "unused"),
        ("README.md", 3, 1, "unused"),
        ("README.md", 5, 16, "unused"),
        ("setup.cfg", 2, 1, "unused"),
    ]


def test_a_rule_that_did_not_run_is_not_unused(tmp_path: Path) -> None:
    files = {MODULE: "x = 1  # udef: ignore[UDEF001]\n"}
    assert results(audit(tmp_path, files)) == []  # UDEF001 not selected
    assert results(audit(tmp_path / "all", files, "UDEF001", "UDEF090")) == [(MODULE, 1, 8, "unused")]
    # A service rule does not run on a library.
    assert results(audit(tmp_path / "lib", {MODULE: "x = 1  # udef: ignore[UDEF008]\n"}, "UDEF008", "UDEF090")) == []


def test_not_selected_means_not_reported(tmp_path: Path) -> None:
    assert results(audit(tmp_path, {MODULE: "x = 1  # udef: ignore\n"}, "UDEF006")) == []


def test_a_udef090_result_can_be_suppressed(tmp_path: Path) -> None:
    found = audit(tmp_path, {MODULE: "x = 1  # udef: ignore[UDEF006, UDEF090] -- kept on purpose\n"})
    assert [(f.rule_id, f.suppressed) for f in found] == [("UDEF090", True)]


def test_the_fingerprint_is_the_comment_not_the_line(tmp_path: Path) -> None:
    first = audit(tmp_path / "a", {MODULE: "x = 1  # udef: ignore[UDEF006]\n"})
    moved = audit(tmp_path / "b", {MODULE: "\n\nx = 1  # udef: ignore[UDEF006]\n"})
    assert [f.fingerprint for f in first] == [f.fingerprint for f in moved]


def test_unreadable_and_huge_files_are_no_notes(tmp_path: Path) -> None:
    big = "# udef: ignore[UDEF006]\n" + "x = 1\n" * 30  # over the 100-byte limit
    config = tmp_path / "udef.toml"
    config.write_text("max-file-size = 100\n")
    result = audit_tree(
        {**PYPROJECT, "data/big.txt": big, "data/latin.txt": b"# udef: ignore[UDEF006] \xe9\n"},
        tmp_path / "repo",
        select=("UDEF000", "UDEF006", "UDEF090"),
        config_file=config,
    )
    assert [(f.rule_id, f.path) for f in result.findings] == []


@given(st.text(max_size=200))
def test_the_parser_never_fails_and_columns_stay_in_their_line(text: str) -> None:
    for path in ("a.py", "a.md", "a.yaml"):
        found = find_suppressions(path, text)
        lines = text.replace("\r\n", "\n").split("\n")
        for number, comment in found.items():
            assert comment.line == number
            assert 1 <= comment.column <= len(lines[number - 1])


@given(st.text(alphabet="#;<!-udef: ignore[],UDEF0069-x\n\"'", max_size=80))
def test_the_parser_on_near_misses(text: str) -> None:
    for line in text.split("\n"):
        parsed = parse_inline(line)
        assert parsed is None or "udef:" in line
