"""udef_audit.parsers.ini_file: configparser's values, with the lines they stand on."""

from __future__ import annotations

import configparser
import io
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from udef_audit.parsers.ini_file import MAX_INI_CHARS, IniEntry, IniError, parse_ini

SETUP_CFG = """\
[metadata]
name = demo

# a comment line
[mypy]
strict = True
plugins =
    pydantic.mypy

    sqlmypy
; another comment
files: src,
  tests

[tool:pytest]
markers =
    unit: fast tests
    integration: slow tests
"""


def test_sections_and_keys_have_their_lines() -> None:
    document = parse_ini(SETUP_CFG)
    assert [(s.name, s.line) for s in document.sections.values()] == [
        ("metadata", 1),
        ("mypy", 5),
        ("tool:pytest", 15),
    ]
    mypy = document.sections["mypy"]
    assert mypy.entries["strict"] == IniEntry("strict", "True", 6, 6, 9)
    assert mypy.entries["plugins"] == IniEntry("plugins", "\npydantic.mypy\n\nsqlmypy", 7, 10, 9)
    assert mypy.entries["files"] == IniEntry("files", "src,\ntests", 12, 13, 7)
    assert document.get("tool:pytest", "MARKERS") == "\nunit: fast tests\nintegration: slow tests"


def test_keys_are_lower_cased_and_section_names_are_not() -> None:
    document = parse_ini("[Tool]\nStrict = yes\n")
    assert document.section("Tool") is not None
    assert document.section("tool") is None
    assert "STRICT" in document.sections["Tool"]
    assert document.get("Tool", "strict") == "yes"


def test_a_repeated_section_merges_and_a_repeated_key_wins_later() -> None:
    document = parse_ini("[a]\nx = 1\ny = 2\n[b]\n[a]\nx = 3\n")
    assert document.sections["a"].line == 1
    assert document.as_dict() == {"a": {"x": "3", "y": "2"}, "b": {}}
    assert document.sections["a"].entries["x"].line == 6


def test_default_is_an_ordinary_section() -> None:
    assert parse_ini("[DEFAULT]\nx = 1\n[a]\n").as_dict() == {"DEFAULT": {"x": "1"}, "a": {}}


def test_greedy_header_and_first_delimiter() -> None:
    document = parse_ini("[a]b] trailing\nkey: value = with = signs\n")
    assert document.as_dict() == {"a]b": {"key": "value = with = signs"}}


def test_empty_file_and_comment_only_file() -> None:
    assert parse_ini("").as_dict() == {}
    assert parse_ini(b"# nothing\n; here\n").as_dict() == {}


def test_crlf_and_bom() -> None:
    document = parse_ini(b"\xef\xbb\xbf[a]\r\nx = 1\r\n\r\ny = 2\r")
    assert document.as_dict() == {"a": {"x": "1", "y": "2"}}
    assert document.sections["a"].entries["y"].line == 4


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("x = 1\n", "line 1: no section header"),
        ("[a]\njust words\n", "line 2: neither a section header nor a key = value"),
        ("[a]\n= value\n", "line 2: a value without a key"),
        ("[]\n", "line 1: no section header"),
    ],
)
def test_what_configparser_rejects(text: str, reason: str) -> None:
    with pytest.raises(IniError, match=reason):
        parse_ini(text)


def test_bad_encoding_and_size() -> None:
    with pytest.raises(IniError, match="not UTF-8"):
        parse_ini(b"[a]\nx = \xff\n")
    with pytest.raises(IniError, match="too large"):
        parse_ini("[a]\n" + "x" * MAX_INI_CHARS)


def test_long_blank_runs_stay_linear() -> None:
    # configparser's option pattern backtracks quadratically over a long run of blanks.
    text = "[a]\nkey" + " " * 200_000 + "x\n"
    started = time.perf_counter()
    with pytest.raises(IniError):
        parse_ini(text)
    assert time.perf_counter() - started < 1.0


# --- the same verdict and values as configparser, on any text --------------------------------

_NO_DEFAULT = "\x00no default section"


def _configparser(text: str) -> dict[str, dict[str, str]] | None:
    parser = configparser.ConfigParser(interpolation=None, strict=False, default_section=_NO_DEFAULT)
    try:
        # Text mode with universal newlines, as a tool reading the file sees it.
        parser.read_file(io.StringIO(text, newline=None))
    except configparser.Error:
        return None
    return {name: dict(parser.items(name, raw=True)) for name in parser.sections()}


def _ours(text: str) -> dict[str, dict[str, str]] | None:
    try:
        return parse_ini(text).as_dict()
    except IniError:
        return None


_PIECES = st.sampled_from(
    [
        "[a]", "[b]", "[a b]", "[]", "[x]y]", " [a]", "[DEFAULT]",
        "k = v", "k=v", "K: v", "k =", "= v", "k : v = w", "  k = v", "\tk=v",
        "  continued", "\tmore", "    deeper = x", "# c", "; c", "  # indented comment",
        "", " ", "\t", "words", "k = v # not a comment", "é = ü", "k\u00a0= v", "\u2028k=v",
        "\x0bk = v", "\x1c", "[\u3000a]",
    ]
)  # fmt: skip
_LINE_ENDS = st.sampled_from(["\n", "\r\n", "\r"])


@st.composite
def ini_texts(draw: st.DrawFn) -> str:
    lines = draw(st.lists(st.one_of(_PIECES, st.text(max_size=12)), max_size=14))
    ends = draw(st.lists(_LINE_ENDS, min_size=len(lines), max_size=len(lines)))
    return "".join(line + end for line, end in zip(lines, ends, strict=True))


@given(ini_texts())
@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_same_verdict_and_values_as_configparser(text: str) -> None:
    assert _ours(text) == _configparser(text)


@given(st.text(max_size=300))
@settings(max_examples=400, deadline=None)
def test_any_text_same_as_configparser(text: str) -> None:
    assert _ours(text) == _configparser(text)


@given(st.binary(max_size=400))
@settings(max_examples=300, deadline=None)
def test_hostile_bytes_parse_or_raise_ini_error(data: bytes) -> None:
    try:
        document = parse_ini(data)
    except IniError:
        return
    for section in document.sections.values():
        assert section.line >= 1
        for entry in section.entries.values():
            assert section.line < entry.line <= entry.end_line


@given(ini_texts())
@settings(max_examples=300, deadline=None)
def test_each_key_is_on_its_line(text: str) -> None:
    try:
        document = parse_ini(text)
    except IniError:
        return
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for section in document.sections.values():
        assert lines[section.line - 1].strip().startswith("[")
        for key, entry in section.entries.items():
            written = lines[entry.line - 1]
            assert written.strip().lower().startswith(key)
            assert written[entry.column :].strip() == entry.value.split("\n")[0]
