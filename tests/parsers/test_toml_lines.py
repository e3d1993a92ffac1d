"""Line numbers of TOML keys and array elements (what UDEF013 points at)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from udef_audit.parsers.toml_lines import array_item_lines, line_of, toml_line_index

PYPROJECT = '''[project]
name = "x"
dependencies = [
    "a>=1",  # a comment with a ] bracket
    # a comment line: no element
    'b',
    """c
    d""", "e",
    {x = [1, 2]}, 3, true,
]
empty = []
one = ["q"]
'''


def test_each_element_has_its_line() -> None:
    assert array_item_lines(PYPROJECT, ("project", "dependencies")) == (4, 6, 7, 8, 9, 9, 9)
    assert array_item_lines(PYPROJECT, ("project", "one")) == (12,)
    assert array_item_lines(PYPROJECT, ("project", "empty")) == ()


def test_no_array_no_lines() -> None:
    assert array_item_lines(PYPROJECT, ("project", "name")) == ()
    assert array_item_lines(PYPROJECT, ("project", "missing")) == ()
    inline = 'project = {name = "x", dependencies = ["a"]}\n'
    assert array_item_lines(inline, ("project", "dependencies")) == ()


def test_dotted_key_and_an_unclosed_array() -> None:
    assert array_item_lines('project.dependencies = [\n  "a",\n  "b"]\n', ("project", "dependencies")) == (2, 3)
    assert array_item_lines('[project]\ndependencies = [\n  "a",\n', ("project", "dependencies")) == ()


def test_line_of_falls_back_to_the_enclosing_table() -> None:
    index = toml_line_index(PYPROJECT)
    assert line_of(index, ("project", "dependencies", "nothing")) == 3
    assert line_of(index, ("tool",)) == 1


PIECES = ["[", "]", '"', "'", '"""', "'''", "#", "\n", "=", ",", "{", "}", "a", "dependencies", " "]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=60))
def test_never_raises_on_toml_like_text(pieces: list[str]) -> None:
    text = "".join(pieces)
    lines = array_item_lines("dependencies = " + text, ("dependencies",))
    assert all(1 <= line <= text.count("\n") + 1 for line in lines)
