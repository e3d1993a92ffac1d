"""Plugin modules a conftest names in `pytest_plugins`."""

from __future__ import annotations

import ast

from hypothesis import given, settings
from hypothesis import strategies as st

from udef_audit.parsers.pytest_fixtures import plugin_modules


def test_plugin_modules() -> None:
    module = ast.parse("pytest_plugins = ['a.b', 'c', 3]\nother = ['x']\n")
    assert plugin_modules(module) == ("a.b", "c")
    assert plugin_modules(ast.parse("pytest_plugins = 'single'\n")) == ("single",)
    assert plugin_modules(ast.parse("pytest_plugins = make()\nx.pytest_plugins = ['y']\n")) == ()


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(alphabet="abc._", min_size=1, max_size=8), max_size=5))
def test_names_come_back_in_order(names: list[str]) -> None:
    assert plugin_modules(ast.parse(f"pytest_plugins = {names!r}\n")) == tuple(names)
