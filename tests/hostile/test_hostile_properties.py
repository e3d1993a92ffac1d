"""Properties of path validation and of escaping, over arbitrary (hostile) input."""

from __future__ import annotations

import dataclasses
import json
import os
import posixpath
import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from udef_audit.findings import Finding, Level
from udef_audit.repo_paths import parent_dirs, path_problem
from udef_audit.report.markdown_escape import code_span, markdown_text
from udef_audit.safe_text import (
    PATH_KEYS,
    escape_text,
    inert_json,
    json_safe,
    quote_path,
    undecodable_as_octal,
    unquote_path,
)

UNSAFE = {"Cc", "Cf", "Cs", "Zl", "Zp"}
# File names as os and git hand them over: any bytes but NUL and "/", decoded with surrogateescape.
name_bytes = st.binary(min_size=1, max_size=12).filter(lambda b: b"\0" not in b and b"/" not in b)
file_names = name_bytes.map(os.fsdecode)
components = st.one_of(file_names, st.sampled_from(["..", ".", "", "a", "b"]))
paths = st.one_of(
    st.lists(components, min_size=1, max_size=5).map("/".join),
    st.text(max_size=30),
    st.lists(components, min_size=1, max_size=4).map(lambda parts: "/" + "/".join(parts)),
)
hostile_text = st.text(
    alphabet=st.one_of(st.characters(), st.sampled_from(["\x1b", "\x9b", "\u202e", "\u2028", "\n", "|", "`", "<"])),
    max_size=40,
)


@given(paths)
def test_an_accepted_path_is_normalised_relative_and_stays_inside(path: str) -> None:
    problem = path_problem(path)
    if problem is None:
        assert posixpath.normpath(path) == path
        assert not posixpath.isabs(path) and "\0" not in path
        joined = posixpath.normpath(posixpath.join("/root", path))
        assert joined.startswith("/root/")
    else:
        assert (
            posixpath.normpath(path) != path or posixpath.isabs(path) or "\0" in path or ".." in path.split("/")
            or path in ("", ".")
        )


@given(st.lists(file_names.filter(lambda n: n not in (".", "..")), min_size=1, max_size=5))
def test_every_path_made_of_names_is_accepted_with_its_folders_in_order(parts: list[str]) -> None:
    path = "/".join(parts)
    assert path_problem(path) is None
    assert parent_dirs(path) == ["/".join(parts[:i]) for i in range(1, len(parts))]


@given(hostile_text)
def test_escaped_text_holds_no_control_format_or_separator_character(text: str) -> None:
    escaped = escape_text(text)
    assert not any(unicodedata.category(c) in UNSAFE for c in escaped)
    # What was printable and not a control is kept as it was.
    if text.isprintable():
        assert escaped == text


@given(hostile_text)
def test_a_markdown_cell_is_one_line_with_no_loose_pipe_and_no_live_tag(text: str) -> None:
    cell = markdown_text(text)
    assert "\n" not in cell and "\r" not in cell
    assert not re.search(r"(?<!\\)\|", cell)
    outside_code = re.sub(r"(`+)(.+?)(?<!`)\1(?!`)", "", cell)
    assert "<" not in outside_code


@given(hostile_text)
def test_a_code_span_is_closed_by_its_own_fence_only(text: str) -> None:
    span = code_span(text)
    fence = re.match(r"`+", span).group()  # type: ignore[union-attr]
    inner = span[len(fence) : -len(fence)]
    assert span.endswith(fence) and fence not in re.findall(r"`+", inner)
    assert "\n" not in span and not re.search(r"(?<!\\)\|", span)


@given(name_bytes.map(os.fsdecode) | st.text(max_size=20))
def test_quoted_paths_round_trip_and_always_encode(path: str) -> None:
    quoted = quote_path(path)
    assert unquote_path(quoted) == path
    quoted.encode("utf-8")  # never a lone surrogate
    assert quoted == path or (quoted.startswith('"') and quoted.endswith('"'))


@given(st.binary(max_size=16))
def test_quoting_matches_the_raw_bytes_of_a_name(raw: bytes) -> None:
    assert os.fsencode(unquote_path(quote_path(os.fsdecode(raw)))) == raw


json_values = st.recursive(
    st.one_of(
        st.none(), st.integers(), st.booleans(), st.floats(allow_nan=False), name_bytes.map(os.fsdecode), hostile_text
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(["path", "message", "x"]), inner, max_size=3)
    ),
    max_leaves=10,
)


@given(json_values)
def test_json_safe_data_always_encodes_and_inert_json_decodes_to_the_same(value: object) -> None:
    text = json.dumps(json_safe(value), ensure_ascii=False)
    text.encode("utf-8")
    inert = inert_json(text)
    assert json.loads(inert) == json.loads(text)
    assert not any(unicodedata.category(c) in UNSAFE for c in inert)


def _plain_json_safe(value: object, quote_paths: bool) -> object:
    """json_safe's meaning in its plainest form (the code itself is tuned for 40,000 values)."""
    if isinstance(value, str):
        return undecodable_as_octal(value)
    if isinstance(value, dict):
        return {
            undecodable_as_octal(str(key)): quote_path(item)
            if quote_paths and key in PATH_KEYS and isinstance(item, str)
            else _plain_json_safe(item, quote_paths)
            for key, item in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [_plain_json_safe(item, quote_paths) for item in value]
    return value


@given(json_values, st.booleans())
def test_json_safe_means_its_plain_definition(value: object, quote_paths: bool) -> None:
    assert json_safe(value, quote_paths=quote_paths) == _plain_json_safe(value, quote_paths)


def test_json_safe_knows_containers_and_strings_by_their_abstract_type() -> None:
    from collections import OrderedDict, namedtuple
    from types import MappingProxyType

    class Name(str):
        pass

    pair = namedtuple("pair", "path other")
    lone = "a\udcff"
    data = MappingProxyType({"path": Name(lone), "m": OrderedDict(x=pair(lone, 1)), "n": {1.5, 2}})
    assert json_safe(data) == {"path": quote_path(lone), "m": {"x": [undecodable_as_octal(lone), 1]}, "n": {1.5, 2}}


_levels = st.one_of(st.none(), st.sampled_from(list(Level)))
_findings = st.builds(
    Finding, rule_id=st.text(max_size=8), message=hostile_text, path=paths, line=st.integers(), column=st.none(),
    key=hostile_text, level=_levels,
)


@given(_findings, st.dictionaries(st.sampled_from(["level", "fingerprint", "line", "message"]), st.none()))
def test_with_changes_makes_the_finding_dataclasses_replace_makes(finding: Finding, keys: dict[str, None]) -> None:
    values = {"level": Level.WARNING, "fingerprint": "f1", "line": 7, "message": "changed"}
    changes = {name: values[name] for name in keys}
    changed = finding.with_changes(**changes)
    assert changed == dataclasses.replace(finding, **changes)
    assert (changed.properties, changed.suppressions) == (finding.properties, finding.suppressions)
    with pytest.raises(TypeError, match="no field colour"):
        finding.with_changes(colour="red")
