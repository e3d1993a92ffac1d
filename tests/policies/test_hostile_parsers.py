"""The policy language's parsers on hostile input: any text is a value or the parser's own
error, never another exception, and what they accept behaves (Hypothesis)."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from udef_audit.parsers.json_file import JsonError, load_json
from udef_audit.parsers.yaml_file import YamlError
from udef_audit.parsers.yaml_located import Located, load_located
from udef_audit.policies.datapath import DataPathError, find, parse_path
from udef_audit.policies.globs import GlobError, PathListing, compile_glob
from udef_audit.policies.templates import TemplateError, parse_template

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=20,
)
SEGMENT = st.text(alphabet="ab.-_", min_size=1, max_size=4).filter(lambda s: s not in (".", ".."))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_text_is_json_or_a_json_error(text: str) -> None:
    try:
        document = load_json(text)
    except JsonError:
        return
    assert document.data == json.loads(text)


@settings(max_examples=200, deadline=None)
@given(JSON_VALUES)
def test_every_value_of_indented_json_has_its_line(value: Any) -> None:
    text = json.dumps(value, indent=1)
    document = load_json(text)
    lines = text.splitlines()
    for path, line in document.lines.items():
        assert 1 <= line <= len(lines)
        if path and isinstance(path[-1], str) and path[-1]:
            assert json.dumps(path[-1]) in lines[line - 1]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120))
def test_any_text_is_located_yaml_or_a_yaml_error(text: str) -> None:
    try:
        root = load_located(text)
    except YamlError:
        return
    assert isinstance(root, Located)
    for _key, child in root.entries():
        assert child.line >= root.line


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=60))
def test_any_text_is_a_data_path_or_its_error(text: str) -> None:
    try:
        path = parse_path(text)
    except DataPathError:
        return
    assert path.steps
    find({"a": [1, {"b": 2}]}, path)  # walks any document without failing


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=60), st.lists(st.lists(SEGMENT, min_size=1, max_size=4).map("/".join), max_size=20))
def test_any_text_is_a_glob_or_its_error(text: str, paths: list[str]) -> None:
    try:
        glob = compile_glob(text)
    except GlobError:
        return
    found = PathListing(sorted(set(paths))).matching(glob)
    assert set(found) <= set(paths)


@settings(max_examples=300, deadline=None)
@given(st.lists(SEGMENT, min_size=1, max_size=5).map("/".join), st.lists(SEGMENT, max_size=3).map("/".join))
def test_a_literal_glob_and_a_double_star_find_the_path(path: str, prefix: str) -> None:
    listing = PathListing([path, f"{prefix}/{path}" if prefix else path])
    assert path in listing.matching(compile_glob(path))
    assert set(listing.matching(compile_glob(f"**/{path.rsplit('/', 1)[-1]}"))) == set(listing.paths)


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=80))
def test_any_text_is_a_template_or_its_error(text: str) -> None:
    try:
        template = parse_template(text)
    except TemplateError:
        return
    if not template.names:
        assert template.render({}) == text.replace("{{", "{").replace("}}", "}")


def test_nan_and_infinity_are_not_json() -> None:
    for text in ("NaN", '{"a": Infinity}', "[-Infinity]"):
        try:
            load_json(text)
        except JsonError as exc:
            assert "is not JSON" in str(exc)
        else:
            raise AssertionError(f"{text} was read as JSON")
