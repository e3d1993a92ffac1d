"""Tests for udef_audit.parsers.setup_files."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from udef_audit.parsers.setup_files import (
    Declaration,
    setup_cfg_declarations,
    setup_py_declarations,
)

SETUP_PY = b"""\
from setuptools import setup, find_packages

setup(
    name="demo",
    packages=find_packages(),
    install_requires=[
        "requests>=2",
    ],
    extras_require={"dev": ["pytest"]},
    tests_require=["pytest"],
    setup_requires=["wheel"],
)
"""


def test_setup_keywords_at_their_lines() -> None:
    assert setup_py_declarations(SETUP_PY) == (
        Declaration(6, "install_requires"),
        Declaration(9, "extras_require"),
        Declaration(10, "tests_require"),
    )


def test_setuptools_dot_setup() -> None:
    data = b"import setuptools\n\nsetuptools.setup(name='x', install_requires=['a'])\n"
    assert setup_py_declarations(data) == (Declaration(3, "install_requires"),)


def test_distutils_and_aliased_imports() -> None:
    data = b"""\
import distutils.core
import setuptools as st
from setuptools import setup as make_package

distutils.core.setup(tests_require=[])
st.setup(extras_require={})
make_package(install_requires=[])
"""
    assert setup_py_declarations(data) == (
        Declaration(5, "tests_require"),
        Declaration(6, "extras_require"),
        Declaration(7, "install_requires"),
    )


def test_setup_with_module_level_dict_reports_the_dict_keys() -> None:
    data = b"""\
from setuptools import setup

kwargs = {
    "name": "demo",
    "install_requires": ["requests"],
    "extras_require": {"dev": ["pytest"]},
}

setup(**kwargs)
"""
    assert setup_py_declarations(data) == (
        Declaration(5, "install_requires"),
        Declaration(6, "extras_require"),
    )


def test_module_level_dict_call_subscript_and_annotated_assignment() -> None:
    data = b"""\
from setuptools import setup
options: dict[str, object] = dict(
    install_requires=["a"],
)
options["tests_require"] = ["pytest"]
setup(**options)
"""
    assert setup_py_declarations(data) == (
        Declaration(3, "install_requires"),
        Declaration(5, "tests_require"),
    )


def test_inline_double_star_dict_literal() -> None:
    data = b'setup(**{\n    "install_requires": ["a"],\n})\n'
    assert setup_py_declarations(data) == (Declaration(2, "install_requires"),)


def test_dict_not_passed_to_setup_is_not_a_declaration() -> None:
    data = b'unused = {"install_requires": ["a"]}\nsetup(name="x")\n'
    assert setup_py_declarations(data) == ()


def test_setup_inside_main_guard_is_found() -> None:
    data = b'if __name__ == "__main__":\n    setup(\n        install_requires=["a"])\n'
    assert setup_py_declarations(data) == (Declaration(3, "install_requires"),)


def test_metadata_only_setup_has_no_declarations() -> None:
    data = b'from setuptools import setup\nsetup(name="demo", version="1.0")\n'
    assert setup_py_declarations(data) == ()


def test_other_calls_named_setup_on_objects_are_ignored() -> None:
    data = b'app.setup(install_requires=["a"])\nself.setup(tests_require=[])\n'
    assert setup_py_declarations(data) == ()


def test_empty_file_has_no_declarations() -> None:
    assert setup_py_declarations(b"") == ()


@pytest.mark.parametrize(
    "data",
    [
        b"setup(\n",
        b"def broken(:\n    pass\n",
        b"x = 1\x00\n",
        b"# -*- coding: no-such-codec -*-\nsetup()\n",
        b"\xff\xfe not utf-8",
        b"x = " + b"(" * 5000 + b")" * 5000 + b"\n",
    ],
)
def test_unparseable_setup_py_is_none(data: bytes) -> None:
    assert setup_py_declarations(data) is None


def test_oversized_setup_py_is_none() -> None:
    assert setup_py_declarations(b"#" * (2 * 1024 * 1024 + 1)) is None


def test_setup_py_is_never_executed(tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    data = f"""\
import pathlib
pathlib.Path({str(marker)!r}).write_text("pwned")
raise SystemExit("setup.py ran")
from setuptools import setup
setup(install_requires=["a"])
""".encode()
    modules_before = set(sys.modules)
    assert setup_py_declarations(data) == (Declaration(5, "install_requires"),)
    assert not marker.exists()
    assert "setup" not in set(sys.modules) - modules_before


def test_syntax_error_setup_py_is_not_executed_either(tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    data = f"open({str(marker)!r}, 'w').write('x')\nsetup(\n".encode()
    assert setup_py_declarations(data) is None
    assert not marker.exists()


def test_parse_time_warnings_are_silenced() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert setup_py_declarations(b"x = '\\d'\nsetup(install_requires=[])\n") == (
            Declaration(2, "install_requires"),
        )


SETUP_CFG = b"""\
[metadata]
name = demo

[options]
packages = find:
install_requires =
    requests>=2
    flask
tests_require = pytest

[options.extras_require]
dev =
    black
"""


def test_setup_cfg_install_requires_tests_require_and_extras() -> None:
    assert setup_cfg_declarations(SETUP_CFG) == (
        Declaration(6, "[options] install_requires"),
        Declaration(9, "[options] tests_require"),
        Declaration(11, "[options.extras_require]"),
    )


def test_setup_cfg_empty_extras_section_is_not_a_declaration() -> None:
    data = b"[options]\nzip_safe = False\n[options.extras_require]\n# nothing yet\n"
    assert setup_cfg_declarations(data) == ()


def test_setup_cfg_dashed_and_upper_case_keys_crlf_and_bom() -> None:
    data = b"\xef\xbb\xbf[options]\r\nInstall-Requires = a\r\n"
    assert setup_cfg_declarations(data) == (Declaration(2, "[options] install_requires"),)


def test_setup_cfg_without_dependency_keys() -> None:
    data = b"[metadata]\nname = demo\n[flake8]\nmax-line-length = 100\n"
    assert setup_cfg_declarations(data) == ()


def test_setup_cfg_duplicates_and_percent_signs_are_tolerated() -> None:
    # The key written twice is declared where the value setuptools reads (the later) stands.
    data = b"[options]\nx = 100%\n[options]\ninstall_requires = a\ninstall_requires = b\n"
    assert setup_cfg_declarations(data) == (Declaration(5, "[options] install_requires"),)


def test_setup_cfg_key_in_default_section_does_not_leak() -> None:
    data = b"[DEFAULT]\ninstall_requires = a\n[options]\nzip_safe = False\n"
    assert setup_cfg_declarations(data) == ()


def test_setup_cfg_continuation_line_is_not_a_key() -> None:
    data = b"[options]\npackages =\n    tests_require = x\ninstall_requires = a\n"
    assert setup_cfg_declarations(data) == (Declaration(4, "[options] install_requires"),)


@pytest.mark.parametrize("data", [b"install_requires = a\n", b"[options]\nnot a key line\n"])
def test_unparseable_setup_cfg_is_none(data: bytes) -> None:
    assert setup_cfg_declarations(data) is None


def test_setup_cfg_long_blank_runs_stay_fast() -> None:
    data = b"[options]\ninstall_requires = a" + b" " * 200_000 + b"b\n"
    assert setup_cfg_declarations(data) == (Declaration(2, "[options] install_requires"),)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=500))
def test_setup_py_declarations_never_raises_on_random_text(text: str) -> None:
    result = setup_py_declarations(text.encode("utf-8", "surrogatepass"))
    assert result is None or all(item.line >= 1 for item in result)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "setup(",
                ")",
                "install_requires=",
                "**kw",
                "kw = {",
                "}",
                "'install_requires':",
                "[",
                "]",
                ",",
                "\n",
                "    ",
                "import setuptools as s\n",
                "s.setup(",
                "#",
            ]
        ),
        max_size=30,
    )
)
def test_setup_py_declarations_never_raises_on_setup_like_text(pieces: list[str]) -> None:
    result = setup_py_declarations("".join(pieces).encode())
    assert result is None or isinstance(result, tuple)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=500))
def test_setup_cfg_declarations_never_raises_on_random_bytes(data: bytes) -> None:
    result = setup_cfg_declarations(data)
    assert result is None or isinstance(result, tuple)


def test_setup_attribute_of_a_call_result_is_ignored() -> None:
    assert setup_py_declarations(b"load().setup(install_requires=[])\n") == ()


def test_oversized_setup_cfg_is_none() -> None:
    assert setup_cfg_declarations(b"[options]\n" + b"#" * (2 * 1024 * 1024)) is None
