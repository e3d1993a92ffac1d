"""udef_audit.parsers.toml_lines: the first line of a tool's tables, whichever comes first."""

from __future__ import annotations

import tomli
from hypothesis import given, settings
from hypothesis import strategies as st

from udef_audit.parsers.toml_lines import first_line_within, line_of, toml_line_index

PYPROJECT = '''\
[project]
name = "demo"
description = """
[tool.mypy]
"""

[tool.ruff.lint]
select = ["E"]

[tool.ruff]
line-length = 100

[[tool.mypy.overrides]]
module = "x"

[tool]
"isort".profile = "black"
'''


def test_explicit_and_implied_lines() -> None:
    lines = toml_line_index(PYPROJECT)
    assert lines.get(("project", "description")) == 3
    assert lines.get(("tool", "ruff")) == 10  # its own header wins over the implied line
    assert lines.get(("tool", "mypy")) == 13  # implied by [[tool.mypy.overrides]]
    assert lines.get(("tool", "black")) is None
    assert line_of(lines, ("tool", "ruff", "lint", "nothing")) == 7


def test_first_line_within_a_tool() -> None:
    lines = toml_line_index(PYPROJECT)
    assert first_line_within(lines, ("tool", "ruff")) == 7  # [tool.ruff.lint] comes first
    assert first_line_within(lines, ("tool", "mypy")) == 13  # not the string on line 4
    assert first_line_within(lines, ("tool", "isort")) == 17  # a dotted key under [tool]
    assert first_line_within(lines, ("tool", "pytest")) is None


@given(st.text(max_size=200))
@settings(max_examples=300, deadline=None)
def test_any_text_never_raises(text: str) -> None:
    assert all(line >= 1 for line in toml_line_index(text).values())


@given(st.dictionaries(st.from_regex(r"[a-z]{1,5}", fullmatch=True), st.integers(), max_size=5))
@settings(max_examples=100, deadline=None)
def test_every_key_of_a_table_is_found(table: dict[str, int]) -> None:
    text = "[t]\n" + "".join(f"{key} = {value}\n" for key, value in table.items())
    assert tomli.loads(text)["t"] == table
    lines = toml_line_index(text)
    assert [lines.get(("t", key)) for key in table] == list(range(2, 2 + len(table)))
