"""The safe YAML loader: YAML 1.2 booleans, duplicate keys, alias bombs, application tags."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from udef_audit.parsers.yaml_file import YamlError, load_yaml, load_yaml_document, node_value


def test_yaml_12_booleans_keep_github_on_key() -> None:
    assert load_yaml("on: push\nx: yes\ny: true\nz: off\n") == {"on": "push", "x": "yes", "y": True, "z": "off"}


def test_duplicate_keys_are_errors() -> None:
    with pytest.raises(YamlError, match="duplicate key 'a' at line 2"):
        load_yaml("a: 1\na: 2\n")


def test_merge_keys_merge_and_the_mapping_own_keys_win() -> None:
    # GitLab CI reuses job templates this way; a merge key is no duplicate of a key it merges.
    text = ".base: &base {image: python:3.12, script: [pytest]}\ntest:\n  <<: *base\n  script: [tox]\n"
    assert load_yaml(text)["test"] == {"image": "python:3.12", "script": ["tox"]}
    assert load_yaml("a: &a {x: 1}\nb: {<<: [*a], y: 2}\n")["b"] == {"x": 1, "y": 2}
    with pytest.raises(YamlError, match="duplicate key 'x'"):
        load_yaml("a: &a {x: 1}\nb: {<<: *a, x: 2, x: 3}\n")
    with pytest.raises(YamlError, match="line 2"):
        load_yaml("a: 1\nb: {<<: 3}\n")


def test_the_document_keeps_its_nodes_with_their_marks() -> None:
    document = load_yaml_document("on: push\njobs:\n  test: {runs-on: 3.10}\n")
    assert document.data == {"on": "push", "jobs": {"test": {"runs-on": 3.1}}}
    jobs = document.root.value[1][1]
    test = jobs.value[0][1]
    assert (test.start_mark.line, test.start_mark.column) == (2, 8)
    assert node_value(test.value[0][1]) == 3.1
    assert load_yaml_document("# nothing\n").root is None


def test_unhashable_keys_are_reported_not_crashed() -> None:
    with pytest.raises(YamlError):
        load_yaml("? [a, b]\n: 1\n? [a, b]\n: 2\n")


def test_alias_bomb_is_refused() -> None:
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for prev, name in zip("abcdef", "bcdefg", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    with pytest.raises(YamlError, match="too large"):
        load_yaml("\n".join(lines))


def test_application_tags_load_as_plain_values_and_python_tags_do_not() -> None:
    assert load_yaml("s: !reference [.setup, script]\nr: !Ref name\nm: !Tag {k: v}\n") == {
        "s": [".setup", "script"],
        "r": "name",
        "m": {"k": "v"},
    }
    with pytest.raises(YamlError):
        load_yaml("x: !!python/object/apply:os.system [ls]\n")


def test_syntax_errors_name_the_line_and_empty_documents_are_none() -> None:
    with pytest.raises(YamlError, match="line 2"):
        load_yaml("a: [1\nb: 2\n")
    assert load_yaml("") is None
    assert load_yaml("# only a comment\n") is None


@pytest.mark.requirement("engine:NFR-04")
@given(st.text(max_size=300))
def test_never_raises_anything_but_yaml_error(text: str) -> None:
    with contextlib.suppress(YamlError):
        load_yaml(text)
