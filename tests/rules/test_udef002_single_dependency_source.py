"""UDEF002 single-dependency-source: every dependency source other than pyproject.toml."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import Run, fixture, write_tree

from udef_audit.testing import check

Audit = Callable[..., list[tuple[Any, ...]]]
RunCli = Callable[..., Run]

SELECT = ("--select", "UDEF002")


def _case(name: str) -> Path:
    return fixture("UDEF002", name)


def _messages(run_inproc: RunCli, path: Path, *args: str) -> dict[tuple[str, int], str]:
    result = run_inproc(path, "--format", "json", *(args or SELECT))
    assert result.code in (0, 1), result.stderr
    return {(f["path"], f["line"]): f["message"] for f in result.json()["findings"]}


_write = write_tree


PYPROJECT = '[project]\nname = "demo"\nversion = "0.1.0"\ndependencies = ["requests"]\n'


# --- clean cases ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "case",
    [
        "pyproject-only",
        "generated-locks",  # pip-compile and uv headers: locks, not sources
        "hashed-lock",  # every requirement pinned with == and --hash
        "manifest-in",
        "setup-py-metadata-only",
        "poetry-project",
        "dockerfile-installs-project",  # -r lock, ., -e .[dev], pip/setuptools/wheel, poetry
        "requirements-install-project",  # docs/requirements.txt holding only `-e .[docs]`
    ],
)
def test_clean_cases_pass(audit: Audit, run_inproc: RunCli, case: str) -> None:
    assert audit(_case(case), *SELECT) == []
    assert run_inproc(_case(case), *SELECT).code == 0


# --- requirement files ---------------------------------------------------------------------


def test_hand_written_requirements_file_beside_pyproject(audit: Audit, run_inproc: RunCli) -> None:
    path = _case("hand-written-requirements")
    # Line 2: the first requirement (line 1 is a comment).
    assert audit(path, *SELECT) == [("UDEF002", "requirements.txt", 2, None)]
    assert _messages(run_inproc, path) == {
        ("requirements.txt", 2): (
            "requirements.txt is a second dependency source beside pyproject.toml; "
            "move its requirements into [project] dependencies."
        )
    }
    result = run_inproc(path, "--format", "json", *SELECT)
    assert result.code == 1
    finding = result.json()["findings"][0]
    assert finding["level"] == "error"


def test_hand_pinned_without_hashes_is_a_source(audit: Audit) -> None:
    assert audit(_case("hand-pinned"), *SELECT) == [("UDEF002", "requirements.txt", 1, None)]


def test_requirements_folder_gives_one_result_per_file(audit: Audit) -> None:
    assert audit(_case("requirements-folder"), *SELECT) == [
        ("UDEF002", "requirements/base.txt", 1, None),
        ("UDEF002", "requirements/dev.txt", 1, None),  # `-r base.txt` is its own result
    ]


def test_docs_requirements_file_counts(audit: Audit) -> None:
    assert audit(_case("docs-requirements"), *SELECT) == [("UDEF002", "docs/requirements.txt", 1, None)]


def test_pip_tools_input_is_the_source_and_its_output_the_lock(audit: Audit) -> None:
    assert audit(_case("pip-tools-source"), *SELECT) == [("UDEF002", "requirements.in", 1, None)]


def test_data_and_example_folders_are_not_the_project(audit: Audit) -> None:
    # examples/web/requirements.txt and tests/fixtures/... describe other things;
    # tests/requirements.txt holds the project's own test dependencies.
    assert audit(_case("data-folders"), *SELECT) == [("UDEF002", "tests/requirements.txt", 1, None)]


def test_requirements_without_pyproject_says_so(run_inproc: RunCli) -> None:
    assert _messages(run_inproc, _case("requirements-no-pyproject")) == {
        ("requirements.txt", 1): (
            "requirements.txt declares dependencies and the project has no pyproject.toml "
            "dependency source; declare dependencies in pyproject.toml [project]."
        )
    }


def test_poetry_project_fix_names_the_poetry_table(run_inproc: RunCli) -> None:
    messages = _messages(run_inproc, _case("poetry-with-requirements"))
    assert messages == {
        ("requirements.txt", 1): (
            "requirements.txt is a second dependency source beside pyproject.toml; "
            "move its requirements into [tool.poetry.dependencies]."
        )
    }


# --- setup.py / setup.cfg ------------------------------------------------------------------


def test_setup_py_without_pyproject(audit: Audit, run_inproc: RunCli) -> None:
    path = _case("setup-py-no-pyproject")
    assert audit(path, *SELECT) == [("UDEF002", "setup.py", 8, None)]  # install_requires=
    assert _messages(run_inproc, path)[("setup.py", 8)] == (
        "setup.py declares install_requires and extras_require, and the project has no "
        "pyproject.toml dependency source; declare dependencies in pyproject.toml [project]."
    )


def test_setup_py_beside_pyproject_project_table(audit: Audit, run_inproc: RunCli) -> None:
    path = _case("setup-py-beside-pyproject")
    assert audit(path, *SELECT) == [("UDEF002", "setup.py", 5, None)]
    assert _messages(run_inproc, path)[("setup.py", 5)] == (
        "setup.py declares install_requires, a second dependency source beside "
        "pyproject.toml; move it into [project] dependencies."
    )


def test_setup_cfg_with_a_pyproject_that_declares_nothing(audit: Audit, run_inproc: RunCli) -> None:
    path = _case("setup-cfg")
    assert audit(path, *SELECT) == [("UDEF002", "setup.cfg", 7, None)]
    assert _messages(run_inproc, path)[("setup.cfg", 7)] == (
        "setup.cfg declares install_requires and the project has no pyproject.toml "
        "dependency source; declare dependencies in pyproject.toml [project]."
    )


def test_setup_py_message_exactly_as_the_contract_example(tmp_path: Path, run_inproc: RunCli) -> None:
    root = _write(tmp_path, {"setup.py": 'from setuptools import setup\nsetup(install_requires=["a"])\n'})
    assert _messages(run_inproc, root) == {
        ("setup.py", 2): (
            "setup.py declares install_requires and the project has no pyproject.toml "
            "dependency source; declare dependencies in pyproject.toml [project]."
        )
    }


# --- Pipfile, environment.yml --------------------------------------------------------------


def test_pipfile_at_its_packages_table(audit: Audit, run_inproc: RunCli) -> None:
    path = _case("pipfile")
    assert audit(path, *SELECT) == [("UDEF002", "Pipfile", 6, None)]
    assert "Pipfile is a second dependency source" in _messages(run_inproc, path)[("Pipfile", 6)]


def test_conda_environment_at_its_dependencies_key(audit: Audit) -> None:
    assert audit(_case("conda-environment"), *SELECT) == [("UDEF002", "environment.yml", 4, None)]


# --- Dockerfiles ---------------------------------------------------------------------------


def test_dockerfile_named_packages(audit: Audit, run_inproc: RunCli) -> None:
    path = _case("dockerfile-named-packages")
    assert audit(path, *SELECT) == [("UDEF002", "Dockerfile", 3, None)]
    assert _messages(run_inproc, path)[("Dockerfile", 3)] == (
        "Dockerfile pip-installs `requests` and `flask` by name, a second dependency source "
        "beside pyproject.toml; declare them in [project] dependencies and install the "
        "project or its lock instead."
    )


def test_dockerfile_multiline_run_points_at_the_package_line(audit: Audit) -> None:
    assert audit(_case("dockerfile-multiline-run"), *SELECT) == [("UDEF002", "Dockerfile", 4, None)]


def test_dockerfile_forms(audit: Audit) -> None:
    # `-r requirements.txt` is judged at requirements.txt itself; exec form and a heredoc
    # fed to the shell count; a heredoc fed to python3 does not.
    assert audit(_case("dockerfile-forms"), *SELECT) == [
        ("UDEF002", "docker/app.Dockerfile", 5, None),
        ("UDEF002", "docker/app.Dockerfile", 8, None),
        ("UDEF002", "requirements.txt", 1, None),
    ]


def test_dockerfile_requirement_file_under_another_name(tmp_path: Path, audit: Audit) -> None:
    root = _write(
        tmp_path,
        {
            "pyproject.toml": PYPROJECT,
            "deps.txt": "requests\n",
            "generated.txt": "a==1 --hash=sha256:aa\n",
            "Dockerfile": (
                "FROM python:3.12\n"
                "COPY deps.txt generated.txt ./\n"
                "RUN pip install -r generated.txt\n"
                "RUN pip install -r built-in-the-image.txt\n"
                "RUN pip install -r deps.txt\n"
            ),
        },
    )
    assert audit(root, *SELECT) == [("UDEF002", "Dockerfile", 5, None)]


def test_dockerfile_pip_variants(tmp_path: Path, audit: Audit) -> None:
    root = _write(
        tmp_path,
        {
            "pyproject.toml": PYPROJECT,
            "Containerfile": (
                "FROM python:3.12\n"
                "RUN pip download requests\n"  # not an install
                "RUN pip install $EXTRA_PACKAGES\n"  # unknowable
                "RUN pip install uv && uv pip install --system .\n"
                "RUN python3 -m pip install 'git+https://example.com/x.git'\n"
                "# RUN pip install commented\n"
                "RUN pip3 install --index-url https://example.com/simple rich\n"
            ),
        },
    )
    assert audit(root, *SELECT) == [
        ("UDEF002", "Containerfile", 5, None),
        ("UDEF002", "Containerfile", 7, None),
    ]


def test_dockerfile_message_shortens_a_long_package_list(tmp_path: Path, run_inproc: RunCli) -> None:
    root = _write(
        tmp_path,
        {
            "Dockerfile": "FROM python:3.12\nRUN pip install a b c d e\n",
            "pyproject.toml": PYPROJECT,
        },
    )
    assert _messages(run_inproc, root) == {
        ("Dockerfile", 2): (
            "Dockerfile pip-installs `a`, `b`, `c` and 2 more by name, a second dependency "
            "source beside pyproject.toml; declare them in [project] dependencies and install "
            "the project or its lock instead."
        )
    }


# --- projects ------------------------------------------------------------------------------


def test_monorepo_result_sits_in_the_member_project(audit: Audit, run_inproc: RunCli) -> None:
    path = _case("monorepo")
    assert audit(path, *SELECT) == [("UDEF002", "packages/a/requirements.txt", 1, None)]
    assert _messages(run_inproc, path)[("packages/a/requirements.txt", 1)] == (
        "packages/a/requirements.txt is a second dependency source beside "
        "packages/a/pyproject.toml; move its requirements into [project] dependencies."
    )


def test_member_without_pyproject_names_the_member(tmp_path: Path, run_inproc: RunCli) -> None:
    root = _write(
        tmp_path,
        {
            "pyproject.toml": PYPROJECT,
            "services/api/setup.cfg": "[options]\ninstall_requires =\n    flask\n",
        },
    )
    assert _messages(run_inproc, root) == {
        ("services/api/setup.cfg", 2): (
            "services/api/setup.cfg declares install_requires and project services/api has "
            "no pyproject.toml dependency source; declare dependencies in "
            "services/api/pyproject.toml [project]."
        )
    }


def test_malformed_pyproject_is_a_note_and_no_crash(audit: Audit, run_inproc: RunCli) -> None:
    path = _case("malformed-pyproject")
    assert audit(path, "--select", "UDEF000,UDEF002") == [
        ("UDEF000", "pyproject.toml", 1, None),
        ("UDEF002", "requirements.txt", 1, None),
    ]
    result = run_inproc(path, "--format", "json", "--select", "UDEF000,UDEF002")
    assert result.code == 1
    assert not result.json().get("notifications")


# --- hostile and unusual input -------------------------------------------------------------


def test_unreadable_sources_are_notes(tmp_path: Path, audit: Audit) -> None:
    root = _write(
        tmp_path,
        {
            "pyproject.toml": PYPROJECT,
            "setup.cfg": "[options\ninstall_requires = x\n",
            "Pipfile": b"\xff\xfe\x00binary",
            "environment.yml": b"dependencies:\n  - \xff\n",
            "requirements.txt": b"\xef\xbb\xbfrequests\r\nflask\r\n",  # BOM and CRLF
        },
    )
    assert audit(root, "--select", "UDEF000,UDEF002") == [
        ("UDEF000", "Pipfile", 1, None),
        ("UDEF000", "environment.yml", 1, None),
        ("UDEF000", "setup.cfg", 1, None),
        ("UDEF002", "requirements.txt", 1, None),
    ]


def test_setup_py_that_does_not_parse(tmp_path: Path, audit: Audit) -> None:
    root = _write(tmp_path, {"setup.py": "setup(install_requires=[\n"})
    assert audit(root, "--select", "UDEF000,UDEF002") == [("UDEF000", "setup.py", 1, None)]


def test_inline_suppression_on_the_requirement_line(tmp_path: Path, run_inproc: RunCli) -> None:
    root = _write(
        tmp_path,
        {
            "pyproject.toml": PYPROJECT,
            "requirements.txt": "requests  # udef: ignore[UDEF002] -- vendored tool pin\n",
        },
    )
    result = run_inproc(root, "--format", "json", *SELECT)
    assert result.code == 0
    (finding,) = result.json()["findings"]
    assert finding["suppressed"] is True
    assert finding["suppressions"] == [{"kind": "inSource", "justification": "vendored tool pin"}]


def test_fingerprint_survives_moving_the_declaration(tmp_path: Path, run_inproc: RunCli) -> None:
    root = _write(tmp_path, {"pyproject.toml": PYPROJECT, "requirements.txt": "requests\n"})
    before = run_inproc(root, "--format", "json", *SELECT).json()["findings"][0]["fingerprint"]
    (root / "requirements.txt").write_text("# moved\n\nrequests\n", encoding="utf-8")
    after = run_inproc(root, "--format", "json", *SELECT).json()["findings"]
    assert [(f["line"], f["fingerprint"]) for f in after] == [(3, before)]


def test_setup_py_in_newer_syntax_is_no_unparseable_note(tmp_path: Path, audit: Audit) -> None:
    root = _write(
        tmp_path,
        {
            "setup.py": (
                "from setuptools import setup\n"
                "type Requirements = list[str]\n"  # Python 3.12 syntax
                'setup(install_requires=["a"])\n'
            ),
        },
    )
    found = audit(root, "--select", "UDEF000,UDEF002")
    # Where the interpreter reads 3.12 syntax the declaration is found; older ones skip it.
    assert found in ([], [("UDEF002", "setup.py", 3, None)])


def test_requirements_of_hidden_ci_helpers_are_not_the_projects(tmp_path: Path, audit) -> None:
    # pydantic keeps `.github/actions/people/requirements.in` for a CI helper script.
    (tmp_path / ".github" / "actions" / "people").mkdir(parents=True)
    (tmp_path / ".github" / "actions" / "people" / "requirements.in").write_text("pygithub\n")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\nversion = "1"\n')
    (tmp_path / "requirements.txt").write_text("requests\n")
    assert audit(tmp_path, "--select", "UDEF002") == [("UDEF002", "requirements.txt", 1, None)]


# -- contract rev 3 amendments ---------------------------------------------------------------
def test_python_code_without_any_pyproject_fails_once_at_the_repository_anchor(tmp_path: Path) -> None:
    tree = {"README.md": "# app\n", "app/__init__.py": "", "requirements.txt": "flask\n"}
    found = check("UDEF002", tree, tmp_path)
    assert [(f.path, f.line, f.kind) for f in found] == [
        ("README.md", 1, "no-pyproject"),
        ("requirements.txt", 1, "no-pyproject-source"),
    ]
    assert found[0].message == "no pyproject.toml: declare the project and its dependencies there."


def test_a_member_without_pyproject_fails_at_its_first_python_file(tmp_path: Path) -> None:
    tree = {
        "pyproject.toml": "[project]\nname = 'root'\nversion = '1'\n",
        "src/root/__init__.py": "",
        "services/api/setup.cfg": "[metadata]\nname = api\n",
        "services/api/api/__init__.py": "",
        "services/api/api/views.py": "",
    }
    found = check("UDEF002", tree, tmp_path)
    assert [(f.path, f.kind, f.message) for f in found] == [
        (
            "services/api/api/__init__.py",
            "no-pyproject",
            "no pyproject.toml (services/api): declare the project and its dependencies there.",
        )
    ]


def test_tooling_scripts_alone_are_no_code_of_its_own(tmp_path: Path) -> None:
    tree = {"README.md": "# x\n", "setup.py": "from setuptools import setup\nsetup(name='x')\n", "noxfile.py": ""}
    assert check("UDEF002", tree, tmp_path) == []


@pytest.mark.parametrize(
    ("name", "hint"),
    [
        ("docs/requirements.txt", "move its requirements into [dependency-groups] (a `docs` group, or an "
         "optional-dependency extra)."),
        ("requirements-dev.txt", "move its requirements into [dependency-groups] (a `dev` group, or an "
         "optional-dependency extra)."),
        ("requirements/test.in", "move its requirements into [dependency-groups] (a `test` group, or an "
         "optional-dependency extra)."),
        ("requirements.txt", "move its requirements into [project] dependencies."),
    ],
)  # fmt: skip
def test_development_requirement_files_are_told_to_become_dependency_groups(
    tmp_path: Path, name: str, hint: str
) -> None:
    tree = {"pyproject.toml": "[project]\nname = 'a'\nversion = '1'\n", "src/a/__init__.py": "", name: "sphinx\n"}
    (found,) = check("UDEF002", tree, tmp_path)
    assert found.message == f"{name} is a second dependency source beside pyproject.toml; {hint}"


def test_poetry_development_requirements_go_to_a_poetry_group(tmp_path: Path) -> None:
    tree = {
        "pyproject.toml": "[tool.poetry]\nname = 'a'\n[tool.poetry.dependencies]\npython = '^3.11'\n",
        "src/a/__init__.py": "",
        "docs/requirements.txt": "sphinx\n",
    }
    (found,) = check("UDEF002", tree, tmp_path)
    assert found.message.endswith("move its requirements into [tool.poetry.group.docs.dependencies].")


def test_without_pyproject_a_docs_requirement_file_is_told_to_become_a_group(tmp_path: Path) -> None:
    tree = {"readme.md": "# x\n", "app.py": "", "doc/requirements.txt": "sphinx\n"}
    found = check("UDEF002", tree, tmp_path)
    assert [(f.path, f.kind) for f in found] == [
        ("doc/requirements.txt", "no-pyproject-source"),
        ("readme.md", "no-pyproject"),
    ]
    assert found[0].message == (
        "doc/requirements.txt declares dependencies and the project has no pyproject.toml dependency source; "
        "declare them in pyproject.toml [dependency-groups] (a `docs` group)."
    )
