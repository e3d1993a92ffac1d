"""Poetry constraints as PEP 440, locked versions against specifiers, markers by meaning."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.specifiers import SpecifierSet

from udef_audit.parsers.pep508 import poetry_specifiers, same_marker, satisfies, specifier_key


@pytest.mark.parametrize(
    ("constraint", "expected"),
    [
        ("^1.2.3", [">=1.2.3,<2.0.0"]),
        ("^1.2", [">=1.2,<2.0"]),
        ("^1", [">=1,<2"]),
        ("^0.2.3", [">=0.2.3,<0.3.0"]),
        ("^0.0.3", [">=0.0.3,<0.0.4"]),
        ("^0.0", [">=0.0,<0.1"]),
        ("^0", [">=0,<1"]),
        ("~1.2.3", [">=1.2.3,<1.3.0"]),
        ("~1.2", [">=1.2,<1.3"]),
        ("~1", [">=1,<2"]),
        ("~=1.2", ["~=1.2"]),
        ("*", [""]),
        ("1.2.*", ["==1.2.*"]),
        ("1.2.3", ["==1.2.3"]),
        ("=1.2.3", ["==1.2.3"]),
        (">= 1.2, < 1.5", [">=1.2,<1.5"]),
        (">=1.2 <1.5", [">=1.2,<1.5"]),
        ("^1.2 || ^2.0", [">=1.2,<2.0", ">=2.0,<3.0"]),
        ("^2.0b1", [">=2.0b1,<3.0"]),
    ],
)
def test_poetry_constraints(constraint: str, expected: list[str]) -> None:
    assert poetry_specifiers(constraint) == tuple(SpecifierSet(e) for e in expected)


@pytest.mark.parametrize("constraint", ["^x", "~", ">=a.b", "^1.2 || >=>=3"])
def test_unreadable_poetry_constraints(constraint: str) -> None:
    assert poetry_specifiers(constraint) is None


def test_satisfies() -> None:
    assert satisfies("2.32.3", (SpecifierSet(">=2.31,<3"),)) is True
    assert satisfies("2.30", (SpecifierSet(">=2.31"),)) is False
    assert satisfies("2.0b1", (SpecifierSet(">=1.0"),)) is True  # a pinned pre-release was allowed
    assert satisfies("2.0b1", (SpecifierSet("<2"),)) is False
    assert satisfies("1.0", (SpecifierSet(">=2"), SpecifierSet("<1.5"))) is True
    assert satisfies("custom-build", (SpecifierSet(">=1"),)) is None
    assert satisfies("anything", ()) is True


def test_specifier_keys_compare_meaning() -> None:
    assert specifier_key(">=1.0, <2") == specifier_key("<2.0.0,>=1")
    assert specifier_key(">=1.0") != specifier_key(">1.0")
    assert specifier_key("==1.*") == specifier_key("== 1.*")
    assert specifier_key("not a specifier") is None


@pytest.mark.parametrize(
    ("first", "second", "python", "same"),
    [
        ('python_version < "3.11"', "python_full_version < '3.11'", None, True),
        ('python_version <= "3.11"', "python_full_version < '3.12'", None, True),
        ('python_version >= "3.8"', None, ">=3.9", True),
        ('python_version >= "3.8"', None, None, False),
        ("sys_platform == 'win32'", 'sys_platform == "win32"', None, True),
        ("sys_platform == 'win32'", "sys_platform == 'darwin'", None, False),
        ("os_name == 'nt'", "sys_platform == 'win32'", None, True),
        ("not a marker", "not  a marker", None, True),
        (None, None, None, True),
    ],
)
def test_markers_by_meaning(first: str | None, second: str | None, python: str | None, same: bool) -> None:
    allowed = SpecifierSet(python) if python else None
    assert same_marker(first, second, allowed) is same


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="^~=<>!*|., 0123456789abv", max_size=20))
def test_poetry_constraints_never_raise(constraint: str) -> None:
    result = poetry_specifiers(constraint)
    assert result is None or all(isinstance(spec, SpecifierSet) for spec in result)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="<>=!~.0123456789ab* ,", max_size=16), st.text(alphabet="0123456789.abrc", max_size=8))
def test_satisfies_never_raises(specifier: str, version: str) -> None:
    try:
        specs = (SpecifierSet(specifier),)
    except ValueError:
        return
    assert satisfies(version, specs) in (True, False, None)
