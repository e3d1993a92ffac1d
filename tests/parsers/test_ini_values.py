"""INI values with their positions, read the way configparser reads them."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from udef_audit.parsers.ini_values import ini_values, parse_ini

TOX = """\
[tox]
envlist = py311

[testenv]
deps = -r requirements.lock
commands =
    pytest --cov
    # a comment line keeps its place

    py311: coverage report
setenv = PIP_NO_DEPS=1
[testenv:lint]
Commands: ruff check .
commands = mypy --strict
"""


def test_values_keep_their_lines_and_columns() -> None:
    values = ini_values(TOX)
    commands = values[("testenv", "commands")]
    assert commands.line == 6
    assert commands.lines == [" " * 10, "    pytest --cov", "", "", "    py311: coverage report"]
    setenv = values[("testenv", "setenv")]
    assert (setenv.line, setenv.text.index("PIP")) == (11, 9)
    # A key seen again replaces the earlier one (configparser with strict=False); keys are
    # lower-cased, `:` is a delimiter too.
    assert values[("testenv:lint", "commands")].lines == ["           mypy --strict", ""]
    assert values[("testenv:lint", "commands")].line == 14


def test_configparser_decides_what_is_valid() -> None:
    parser = parse_ini(TOX)
    assert parser is not None and parser.get("testenv:lint", "commands") == "mypy --strict"
    assert parse_ini("[testenv\ncommands = x\n") is None
    assert parse_ini("no section = here\n") is None
    # Long blank runs are squeezed first: configparser's option pattern backtracks on them.
    assert parse_ini("[a]\nk = x" + " " * 100_000 + "y\n") is not None


LINE = st.one_of(
    st.sampled_from(["[testenv]", "[testenv:lint]", "[tox]", "", "# comment", "; comment", "  "]),
    st.builds(
        lambda indent, key, sep, value: f"{indent}{key}{sep}{value}",
        st.sampled_from(["", "  ", "    ", "\t"]),
        st.sampled_from(["commands", "deps", "Set_Env", "x", ""]),
        st.sampled_from([" = ", "=", ": ", " :"]),
        st.text(alphabet="ab -#;:=", max_size=12),
    ),
    st.builds(
        lambda indent, text: indent + text, st.sampled_from(["  ", "    "]), st.text(alphabet="ab -", max_size=10)
    ),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(LINE, max_size=14))
def test_every_value_configparser_reads_is_found_at_its_lines(lines: list[str]) -> None:
    text = "\n".join(lines) + "\n"
    parser = parse_ini(text)
    if parser is None:
        return
    values = ini_values(text)
    physical = text.split("\n")
    for section in parser.sections():
        for key in parser.options(section):
            found = values[(section, key)]
            # The value's non-empty lines, stripped, are configparser's value lines; each
            # row of the scanner's value sits on the physical line it names, same columns.
            ours = [row.strip() for row in found.lines if row.strip()]
            assert ours == [row for row in parser.get(section, key).split("\n") if row], (text, section, key)
            for row, content in enumerate(found.lines):
                if content.strip():
                    assert physical[found.line - 1 + row].endswith(content.lstrip()), (text, row)
