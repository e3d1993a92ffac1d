"""TOML through tomli: one verdict on every Python, errors as one line."""

from __future__ import annotations

import contextlib

import pytest

from udef_audit.parsers.toml_file import TomlError, load_toml


def test_parses_with_bom() -> None:
    assert load_toml(b'\xef\xbb\xbf[project]\nname = "x"\n') == {"project": {"name": "x"}}


def test_errors_are_one_line() -> None:
    with pytest.raises(TomlError, match="not UTF-8"):
        load_toml(b"name = '\xff'\n")
    with pytest.raises(TomlError) as caught:
        load_toml(b"[project\nname = 1\n")
    assert "\n" not in str(caught.value)


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    with contextlib.suppress(TomlError):
        load_toml(b"x = " + b"[" * 100_000 + b"]" * 100_000)
