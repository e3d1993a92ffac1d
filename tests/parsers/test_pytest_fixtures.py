"""pytest fixtures and plugin modules read from a module's ast."""

from __future__ import annotations

import ast

from hypothesis import given, settings
from hypothesis import strategies as st

from udef_audit.parsers.pytest_fixtures import defines_fixture, plugin_modules


def test_plugin_modules() -> None:
    module = ast.parse("pytest_plugins = ['a.b', 'c', 3]\nother = ['x']\n")
    assert plugin_modules(module) == ("a.b", "c")
    assert plugin_modules(ast.parse("pytest_plugins = 'single'\n")) == ("single",)


def test_a_name_called_fixture_from_elsewhere_is_no_fixture() -> None:
    assert not defines_fixture(ast.parse("import other\n\n@other.fixture\ndef f():\n    pass\n"))
    assert defines_fixture(ast.parse("import pytest\n\n@pytest.fixture()\ndef f():\n    pass\n"))


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(["@pytest.fixture", "@fixture", "@pytest.mark.x", "@x"]), st.booleans())
def test_decorator_variants_never_raise(decorator: str, imported: bool) -> None:
    source = ("import pytest\nfrom pytest import fixture\n" if imported else "") + f"{decorator}\ndef f():\n    pass\n"
    assert defines_fixture(ast.parse(source)) is (imported and decorator in ("@pytest.fixture", "@fixture"))
