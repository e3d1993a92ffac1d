"""A pyproject.toml's main dependencies with their lines (parsers/main_dependencies.py)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.specifiers import SpecifierSet

from udef_audit.parsers.main_dependencies import main_dependencies
from udef_audit.parsers.toml_file import load_toml


def _parse(text: str) -> Any:
    return main_dependencies(text, load_toml(text.encode()))


PEP621 = """[project]
name = "My_App"
dependencies = [
    "requests[socks]>=2.31,<3",  # a comment
    # packaging uses calver
    "packaging (>=24.2)",
    "mylib @ git+https://x/y.git",
    "tomli>=2; python_version < '3.11'",
    "not a requirement !!",
]
"""


def test_pep621_dependencies_and_lines() -> None:
    declared = _parse(PEP621)
    assert (declared.source, declared.key_line, declared.project_name) == ("[project] dependencies", 3, "my-app")
    assert [(d.name, d.line, d.direct, d.marker, sorted(d.extras)) for d in declared.items] == [
        ("requests", 4, False, None, ["socks"]),
        ("packaging", 6, False, None, []),
        ("mylib", 7, True, None, []),
        ("tomli", 8, False, 'python_version < "3.11"', []),
    ]
    assert declared.items[0].specifiers == (SpecifierSet(">=2.31,<3"),)
    assert declared.items[1].declared == "packaging (>=24.2)"


POETRY = """[tool.poetry]
name = "app"

[tool.poetry.dependencies]
python = "^3.10"
requests = "^2.31"
"Flask" = { version = "^3.0", extras = ["async"] }
uvloop = { version = "^0.19", optional = true }
tomli = [
    { version = "^2.0", python = "<3.11" },
    { version = "^1.2", python = ">=3.11" },
]
mylib = { git = "https://x/y.git" }
broken = "^x"
"""


def test_poetry_main_dependencies() -> None:
    declared = _parse(POETRY)
    assert (declared.source, declared.key_line, declared.project_name) == ("[tool.poetry.dependencies]", 4, "app")
    assert [(d.name, d.line, d.direct, d.marker is not None) for d in declared.items] == [
        ("requests", 6, False, False),
        ("flask", 7, False, False),
        ("tomli", 9, False, True),
        ("mylib", 13, True, False),
    ]
    assert declared.items[0].specifiers == (SpecifierSet(">=2.31,<3.0"),)
    assert declared.items[1].declared == 'Flask = "^3.0"'
    assert declared.items[2].specifiers == (SpecifierSet(">=2.0,<3.0"), SpecifierSet(">=1.2,<2.0"))


def test_project_dependencies_win_over_poetry_and_dynamic_means_none() -> None:
    both = '[project]\nname = "a"\ndependencies = ["rich"]\n[tool.poetry.dependencies]\nclick = "*"\n'
    assert [d.name for d in _parse(both).items] == ["rich"]
    dynamic = '[project]\nname = "a"\ndynamic = ["dependencies"]\n[tool.poetry.dependencies]\nclick = "*"\n'
    assert _parse(dynamic) is None
    assert _parse('[project]\nname = "a"\n') is None
    assert _parse('[project]\nname = "a"\ndependencies = "rich"\n') is None


KEYS = st.sampled_from(["dependencies", "poetry", "name", "dynamic", "version"])


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["project", "tool"]),
        st.recursive(
            st.none() | st.integers() | st.text(max_size=10),
            lambda inner: st.lists(inner, max_size=3)
            | st.dictionaries(KEYS, inner, max_size=3),
            max_leaves=15,
        ),
        max_size=2,
    )
)
def test_wrong_types_never_raise(data: dict[str, Any]) -> None:
    declared = main_dependencies("", data)
    assert declared is None or all(d.line >= 1 for d in declared.items)
