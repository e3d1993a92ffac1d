"""Tests for udef_audit.parsers.manifests."""

from __future__ import annotations

import pytest
import tomli
from hypothesis import given, settings
from hypothesis import strategies as st

from udef_audit.parsers.manifests import (
    PyprojectDeps,
    conda_environment_line,
    named_index_packages,
    pipfile_declaration_line,
    pyproject_dependencies,
)


def _deps(text: str) -> PyprojectDeps:
    return pyproject_dependencies(text, tomli.loads(text))


def test_project_table_without_dependencies_is_still_the_source() -> None:
    text = '[build-system]\nrequires = ["hatchling"]\n\n[project]\nname = "demo"\n'
    assert _deps(text) == PyprojectDeps(
        has_project_table=True, project_line=4, dependency_lines=(), uses_poetry=False
    )


def test_no_project_table() -> None:
    text = "[tool.ruff]\nline-length = 100\n"
    assert _deps(text) == PyprojectDeps(False, None, (), False)


def test_project_dependencies_optional_dependencies_and_groups() -> None:
    text = """\
[project]
name = "demo"
dependencies = [
    "requests",
]

[project.optional-dependencies]
dev = ["pytest"]

[dependency-groups]
lint = ["ruff"]
"""
    assert _deps(text).dependency_lines == (
        (3, "[project] dependencies"),
        (7, "[project.optional-dependencies]"),
        (10, "[dependency-groups]"),
    )


def test_optional_dependencies_as_a_key_inside_project() -> None:
    text = '[project]\nname = "d"\noptional-dependencies = { dev = ["pytest"] }\n'
    assert _deps(text).dependency_lines == ((3, "[project.optional-dependencies]"),)


def test_dotted_keys_at_top_level() -> None:
    text = 'title = "x"\nproject.name = "demo"\nproject.dependencies = ["a"]\n'
    deps = _deps(text)
    assert deps.project_line == 2
    assert deps.dependency_lines == ((3, "[project] dependencies"),)


def test_inline_project_table_falls_back_to_the_project_line() -> None:
    text = '# comment\nproject = { name = "demo", dependencies = ["a"] }\n'
    deps = _deps(text)
    assert (deps.has_project_table, deps.project_line) == (True, 2)
    assert deps.dependency_lines == ((2, "[project] dependencies"),)


def test_project_line_falls_back_to_a_subtable_header() -> None:
    text = '[project.urls]\nHome = "https://example.com"\n'
    assert _deps(text).project_line == 1
    text = 'x = 1\n[project.urls]\nHome = "h"\n[project]\nname = "d"\n'
    assert _deps(text).project_line == 4


def test_line_not_found_in_text_falls_back_to_1() -> None:
    deps = pyproject_dependencies("", {"project": {"dependencies": []}})
    assert (deps.project_line, deps.dependency_lines) == (1, ((1, "[project] dependencies"),))


def test_poetry_tables() -> None:
    text = """\
[tool.poetry]
name = "demo"

[tool.poetry.dependencies]
python = "^3.10"

[tool.poetry.dev-dependencies]
pytest = "*"

[tool.poetry.group.docs.dependencies]
sphinx = "*"

[tool.poetry.group."my group"]
optional = true

[tool.poetry.group."my group".dependencies]
black = "*"

[build-system]
requires = ["poetry-core"]
build-backend = "poetry.core.masonry.api"
"""
    deps = _deps(text)
    assert deps.has_project_table is False
    assert deps.uses_poetry is True
    assert deps.dependency_lines == (
        (4, "[tool.poetry.dependencies]"),
        (7, "[tool.poetry.dev-dependencies]"),
        (10, "[tool.poetry.group.docs.dependencies]"),
        (16, '[tool.poetry.group."my group".dependencies]'),
    )


def test_poetry_group_dependencies_as_inline_table_key() -> None:
    text = '[tool.poetry.group.test]\ndependencies = { pytest = "*" }\n'
    assert _deps(text).dependency_lines == ((2, "[tool.poetry.group.test.dependencies]"),)


def test_poetry_backend_alone_means_poetry() -> None:
    text = '[build-system]\nbuild-backend = "poetry.core.masonry.api"\n'
    assert _deps(text).uses_poetry is True


def test_pdm_dev_dependencies() -> None:
    text = '[project]\nname = "d"\n\n[tool.pdm.dev-dependencies]\ntest = ["pytest"]\n'
    assert _deps(text).dependency_lines == ((4, "[tool.pdm.dev-dependencies]"),)


def test_headers_inside_multiline_strings_and_arrays_are_ignored() -> None:
    text = """\
[tool.other]
text = '''
[project]
'''
doc = \"\"\"
[project]
\\\"\"\" still inside
\"\"\"
items = [
    [1, 2],
    "[project]",
]
[project]
name = "demo"
dependencies = []
"""
    deps = _deps(text)
    assert deps.project_line == 13
    assert deps.dependency_lines == ((15, "[project] dependencies"),)


def test_quoted_and_spaced_headers_and_crlf() -> None:
    text = '[ "project" ]\r\nname = "d"\r\n[ project . "optional-dependencies" ]\r\nx = []\r\n'
    deps = _deps(text)
    assert deps.project_line == 1
    assert deps.dependency_lines == ((3, "[project.optional-dependencies]"),)


def test_hostile_parsed_data_shapes_do_not_raise() -> None:
    data: dict[str, object] = {
        "project": "not a table",
        "tool": {"poetry": {"group": {"g": "x", "h": {"dependencies": {}}}}, "pdm": 3},
        "build-system": {"build-backend": 7},
    }
    deps = pyproject_dependencies("garbage [[[ = \n", data)
    assert deps == PyprojectDeps(
        has_project_table=False,
        project_line=None,
        dependency_lines=((1, "[tool.poetry.group.h.dependencies]"),),
        uses_poetry=True,
    )


def test_pipfile_line() -> None:
    text = (
        '[[source]]\nurl = "https://pypi.org/simple"\n\n'
        '[dev-packages]\npytest = "*"\n\n[packages]\n'
    )
    assert pipfile_declaration_line(text) == 4
    assert pipfile_declaration_line('[requires]\npython_version = "3.11"\n') == 1
    assert pipfile_declaration_line("") == 1


def test_conda_environment_line() -> None:
    text = "name: demo\nchannels:\n  - conda-forge\ndependencies:\n  - python=3.11\n  - pip:\n"
    assert conda_environment_line(text) == 4
    assert conda_environment_line("\ufeffdependencies: [numpy]\n") == 1
    assert conda_environment_line('name: x\r\n"dependencies" :\r\n  - a\r\n') == 2


def test_conda_nested_dependencies_key_is_not_top_level() -> None:
    text = "name: demo\nvariables:\n  dependencies: x\n"
    assert conda_environment_line(text) == 1


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["-e", "."], []),
        (["--editable", "./libs/core"], []),
        (["--editable=."], []),
        (["."], []),
        ([".[dev]"], []),
        (["-e", ".[dev,test]"], []),
        (["./x"], []),
        (["/abs/path"], []),
        ([".."], []),
        (["./dist/x.whl"], []),
        (["x.whl"], []),
        (["pkg-1.0.tar.gz"], []),
        (["pkg.zip"], []),
        (["file:///srv/pkg"], []),
        (["-r", "requirements.lock"], []),
        (["-r", "requirements.txt"], ["-r requirements.txt"]),
        (["--requirement", "requirements/dev.txt"], ["-r requirements/dev.txt"]),
        (["--requirement=uv.lock"], []),
        (["-rrequirements.txt"], ["-r requirements.txt"]),
        (["-Ur", "reqs.txt"], ["-r reqs.txt"]),
        (["-c", "constraints.txt", "flask"], ["flask"]),
        (["--index-url", "X", "flask"], ["flask"]),
        (["--index-url=https://x/simple", "flask==2.0"], ["flask==2.0"]),
        (["-i", "https://x/simple", "--extra-index-url", "https://y", "a"], ["a"]),
        (["--target", "dir", "--prefix", "/p", "--no-cache-dir", "b"], ["b"]),
        (["pip", "setuptools", "wheel"], []),
        (["--upgrade", "pip>=24", "'pip<25'", "uv", "pip-tools", "Setuptools"], []),
        (["uvicorn[standard]>=0.2"], ["uvicorn[standard]>=0.2"]),
        (["requests", "flask==2.0"], ["requests", "flask==2.0"]),
        (["git+https://github.com/org/repo.git@v1"], ["git+https://github.com/org/repo.git@v1"]),
        (["git+ssh://git@github.com/org/repo"], ["git+ssh://git@github.com/org/repo"]),
        (["https://example.com/pkg.whl"], ["https://example.com/pkg.whl"]),
        (["-e", "git+https://github.com/o/r#egg=r"], ["git+https://github.com/o/r#egg=r"]),
        (["pkg @ https://example.com/pkg.whl"], ["pkg @ https://example.com/pkg.whl"]),
        (["\"requests>=2; python_version < '3.12'\""], ["requests>=2; python_version < '3.12'"]),
        (["--only-binary", ":all:", "--no-binary", "lxml", "numpy"], ["numpy"]),
        (["-C", "x=y", "--config-settings", "a=b", "c"], ["c"]),
        (["--platform", "manylinux2014_x86_64", "--python-version", "3.11", "d"], ["d"]),
        (["--user", "-q", "--pre", "--no-deps", "e"], ["e"]),
        (["--", "-weird"], []),
        (["--", "f"], ["f"]),
        (["flask", "&&", "rm", "-rf", "/tmp/x"], ["flask"]),
        (["flask;", "echo", "done"], ["flask"]),
        (["flask", "#", "comment"], ["flask"]),
        (["flask", "\\"], ["flask"]),
        (["$PACKAGES", "${EXTRA}"], []),
        (["-r"], []),
        (["--index-url"], []),
        ([], []),
        (["", "-", "'", '""'], []),
    ],
)
def test_named_index_packages(args: list[str], expected: list[str]) -> None:
    assert named_index_packages(args) == expected


def test_named_index_packages_with_a_custom_lock_predicate() -> None:
    def generated(path: str) -> bool:
        return path == "requirements.txt"

    args = ["-r", "requirements.txt", "-r", "requirements-dev.txt"]
    assert named_index_packages(args, lock_names=generated) == ["-r requirements-dev.txt"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(max_size=30), max_size=20))
def test_named_index_packages_never_raises(args: list[str]) -> None:
    assert isinstance(named_index_packages(args), list)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "[",
                "]",
                "[[",
                "]]",
                "project",
                ".",
                '"',
                "'",
                '"""',
                "'''",
                "=",
                "\n",
                "#",
                "dependencies",
                "{",
                "}",
                "\\",
                " ",
                "dependencies:",
                "packages",
            ]
        ),
        max_size=40,
    )
)
def test_line_finders_never_raise_on_toml_like_text(pieces: list[str]) -> None:
    text = "".join(pieces)
    deps = pyproject_dependencies(text, {"project": {"dependencies": []}})
    assert deps.project_line is not None and deps.project_line >= 1
    assert pipfile_declaration_line(text) >= 1
    assert conda_environment_line(text) >= 1


def test_comments_literal_strings_and_deep_keys_do_not_confuse_the_line_index() -> None:
    text = (
        "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r = 1\n"
        "[tool.x]\n"
        "s = 'it''s' # [ not an array\n"
        "t = 'open\n"
        "[project]\n"
        "name = 'demo' # ]\n"
        "dependencies = ['a', # trailing comment [\n"
        "]\n"
    )
    deps = pyproject_dependencies(text, {"project": {"dependencies": ["a"]}})
    assert deps.project_line == 5
    assert deps.dependency_lines == ((7, "[project] dependencies"),)
