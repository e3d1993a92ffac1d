"""Where each character of a YAML scalar was written: every style, checked against PyYAML."""

from __future__ import annotations

import bisect

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from udef_audit.parsers.yaml_file import load_yaml_document
from udef_audit.parsers.yaml_scalars import scalar_segments


def scalars(text: str) -> list[yaml.ScalarNode]:
    """Every scalar node of the document that is a mapping value or list item."""
    found: list[yaml.ScalarNode] = []
    stack = [load_yaml_document(text).root]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            stack.extend(value for _, value in node.value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.ScalarNode):
            found.append(node)
    return found


def source_of(text: str, node: yaml.ScalarNode) -> list[int] | None:
    """The text offset of each value character."""
    segments = scalar_segments(text, node.start_mark.index, node.end_mark.index, node.style, node.value)
    if segments is None:
        return None
    starts = [value_offset for value_offset, _ in segments]
    offsets = []
    for at in range(len(node.value)):
        index = bisect.bisect_right(starts, at) - 1
        offsets.append(segments[index][1] + at - segments[index][0])
    return offsets


def place(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def where(text: str, needle: str) -> tuple[int, int]:
    """(line, column) where the value character of the first `needle` in the one scalar was read."""
    (node,) = [n for n in scalars(text) if needle in n.value]
    offsets = source_of(text, node)
    assert offsets is not None
    return place(text, offsets[node.value.index(needle)])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("run: pip install --no-deps x\n", (1, 18)),
        # A plain scalar folded over lines, with an empty line (a newline in the value).
        ("run: pip install\n  --no-deps x\n\n  y\n", (2, 3)),
        ("run: >\n  pip install\n  a\n\n    --no-deps\n", (5, 5)),
        ("run: |\n  echo\n  pip install --no-deps\n", (3, 15)),
        ("- run: |-\n\n    a\n     b --no-deps\n", (4, 8)),
        # An explicit indentation indicator: the first line keeps two blanks of its own.
        ("run: |2\n    pip --no-deps\n  x\n", (2, 9)),
        # Escapes before the flag, and an escaped line break (no blank added).
        ('run: "a\\tb \\\n   pip \\"install\\" --no-deps"\n', (2, 20)),
        ("run: 'it''s\n\n  pip --no-deps'\n", (3, 7)),
        ("k: [a b\n  c --no-deps, d]\n", (2, 5)),
        ("run: |\r\n  ab\r\n  --no-deps\r\n", (3, 3)),
        ("k: é😀 --no-deps\n", (1, 7)),
    ],
)
def test_places_in_every_style(text: str, expected: tuple[int, int]) -> None:
    assert where(text, "--no-deps") == expected


def test_an_unfollowed_source_is_none_not_a_guess() -> None:
    # A lone carriage return is a YAML line break, which this reader does not follow.
    text = "run: a\r  b\n"
    (node,) = scalars(text)
    assert node.value == "a b"
    assert scalar_segments(text, node.start_mark.index, node.end_mark.index, node.style, node.value) is None
    assert scalar_segments(text, 0, 99, None, "x") is None  # outside the text
    assert scalar_segments('"ab', 0, 3, '"', "ab") is None  # no closing quote


def test_empty_values_sit_at_the_scalar() -> None:
    text = "a: ''\nb: |\nc: x\n"
    nodes = {n.value: n for n in scalars(text)}
    empty = nodes[""]
    assert scalar_segments(text, empty.start_mark.index, empty.end_mark.index, empty.style, "") is not None


TEXT = st.text(alphabet=st.sampled_from("ab -:#'\"\\\t\né$"), max_size=40)


@settings(max_examples=400, deadline=None)
@given(TEXT, st.sampled_from([None, "'", '"', "|", ">"]), st.sampled_from([8, 20, 80]), st.integers(0, 4))
def test_every_character_is_placed_where_pyyaml_read_it(value: str, style: str | None, width: int, indent: int) -> None:
    # PyYAML writes the value in a style (it picks another when the value needs it); reading
    # it back, every value character that is written as itself is found at its offset.
    document = {"k": [value, {"x": value}]}
    text = yaml.dump(document, default_style=style, width=width, indent=indent + 2, allow_unicode=True)
    for node in scalars(text):
        offsets = source_of(text, node)
        assert offsets is not None, (text, node.style)
        escapes = node.style == '"'
        for at, char in enumerate(node.value):
            written = text[offsets[at]]
            assert written == char or char in " \n" or (escapes and written == "\\") or char == "'" == written, (
                text,
                at,
            )


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_never_raises_on_any_source(source: str) -> None:
    for style in (None, "'", '"', "|", ">"):
        scalar_segments(source, 0, len(source), style, source.strip())


def test_produced_line_breaks_stay_at_the_line_they_were_read_from() -> None:
    # Hypothesis found it: empty lines before the last line of a block scalar at the very end
    # of the text were placed one per character after it, past the end of the text.
    text = '"k":\n- "x": |2-\n\n\n\n    :\n'
    [node] = scalars(text)
    offsets = source_of(text, node)
    assert offsets == [text.rindex(":")] * 4
