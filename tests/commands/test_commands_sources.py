"""The commands model, one small tree per source format: exact scripts, argv commands and
environment settings, each with its file, line, column and kind."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write_tree

from udef_audit.commands import Commands, Script
from udef_audit.context import RepoContext
from udef_audit.inventory import build_inventory


def model(root: Path, tree: dict[str, str | bytes]) -> tuple[Commands, RepoContext]:
    write_tree(root, tree)
    ctx = RepoContext(build_inventory(root, lambda _: False), use_cache=False)
    return ctx.commands, ctx


def at(script: Script, needle: str, occurrence: int = 1) -> tuple[int, int | None]:
    """The file position of the n-th `needle` in the script's text."""
    offset = -1
    for _ in range(occurrence):
        offset = script.text.index(needle, offset + 1)
    return script.position(offset)


def scripts(commands: Commands, path: str) -> list[Script]:
    found = commands.file(path)
    assert found is not None
    return list(found.scripts)


def env_rows(commands: Commands, path: str) -> list[tuple[str, str, str, int, int | None, str]]:
    found = commands.file(path)
    assert found is not None
    return [(e.origin.kind, e.name, e.value, e.line, e.column, e.origin.place) for e in found.env]


WORKFLOW = """\
name: CI
on: push
env:
  PIP_NO_DEPS: "0"
jobs:
  test:
    runs-on: ubuntu-latest
    env: {"FORCE_COLOR": 1, DEBUG: true}
    steps:
      - uses: actions/checkout@v4
      - run: pip install -r requirements.lock
      - name: Tests
        run: |
          echo start
          pytest --cov
      - run: >
          python -m pip
          install .
"""


def test_github_actions_run_steps_and_env(tmp_path: Path) -> None:
    commands, _ = model(tmp_path, {".github/workflows/ci.yml": WORKFLOW})
    one_line, block, folded = scripts(commands, ".github/workflows/ci.yml")
    assert {(s.origin.kind, s.origin.place, s.origin.executable) for s in (one_line, block, folded)} == {
        ("github-run", "GitHub Actions run step", True)
    }
    assert one_line.text == "pip install -r requirements.lock"
    assert at(one_line, "-r") == (11, 26)
    assert block.text == "echo start\npytest --cov\n"
    assert at(block, "pytest") == (15, 11)
    assert at(block, "--cov") == (15, 18)
    # A folded scalar is one line to the shell; each word keeps its own physical line.
    assert folded.text == "python -m pip install .\n"
    assert at(folded, "install") == (18, 11)


def test_github_actions_env(tmp_path: Path) -> None:
    commands, _ = model(tmp_path, {".github/workflows/ci.yml": WORKFLOW})
    assert env_rows(commands, ".github/workflows/ci.yml") == [
        ("github-env", "PIP_NO_DEPS", "0", 4, 3, "GitHub Actions env"),
        ("github-env", "FORCE_COLOR", "1", 8, 12, "GitHub Actions env"),  # inside the quotes
        ("github-env", "DEBUG", "true", 8, 29, "GitHub Actions env"),
    ]


GITLAB = """\
variables:
  PIP_NO_DEPS: {value: "1", description: "x"}
.setup: &setup
  before_script: pip install tox
  script:
    - tox -e py
    - [echo nested, echo list]
test:
  <<: *setup
  image: python:3.12
"""


def test_gitlab_scripts_variables_and_merge_keys(tmp_path: Path) -> None:
    commands, ctx = model(tmp_path, {".gitlab-ci.yml": GITLAB})
    found = scripts(commands, ".gitlab-ci.yml")
    # The merged job reads the same nodes as its template: each script is listed once.
    assert [(s.text, s.position(0)) for s in found] == [
        ("pip install tox", (4, 18)),
        ("tox -e py", (6, 7)),
        ("echo nested", (7, 8)),
        ("echo list", (7, 21)),
    ]
    assert {s.origin.kind for s in found} == {"gitlab-script"}
    assert env_rows(commands, ".gitlab-ci.yml") == [
        ("gitlab-variables", "PIP_NO_DEPS", "1", 2, 3, "GitLab CI variables")
    ]
    assert ctx.diagnostics == []


CIRCLECI = """\
version: 2.1
jobs:
  build:
    docker:
      - image: cimg/python:3.12
        environment:
          PIP_NO_DEPS: yes
    steps:
      - run: pip install .
      - run:
          name: Tests
          command: |
            pytest
"""


def test_circleci_run_steps_commands_and_environment(tmp_path: Path) -> None:
    commands, _ = model(tmp_path, {".circleci/config.yml": CIRCLECI})
    short, long = scripts(commands, ".circleci/config.yml")
    assert (short.origin.kind, short.text, short.position(0)) == ("circleci-run", "pip install .", (9, 14))
    assert (long.text, long.position(0)) == ("pytest\n", (13, 13))
    # YAML 1.2: `yes` is a string, not a boolean.
    assert env_rows(commands, ".circleci/config.yml") == [
        ("circleci-environment", "PIP_NO_DEPS", "yes", 7, 11, "CircleCI environment")
    ]


DOCKERFILE = """\
ARG PIP_NO_DEPS=1
FROM python:3.12 AS build
ENV PIP_NO_CACHE_DIR=1 LANG=C.UTF-8
ARG PIP_NO_DEPS
ARG MODE=release
RUN pip install \\
\t--upgrade pip && \\
    echo done
RUN ["python", "-m", "pip", "install", \\
     "--no-compile", "."]
RUN <<EOF
  pytest -q
EOF
RUN python3 <<EOF
print("not shell")
EOF
"""


def test_dockerfile_runs_and_heredocs(tmp_path: Path) -> None:
    commands, _ = model(tmp_path, {"Dockerfile": DOCKERFILE})
    found = commands.file("Dockerfile")
    assert found is not None
    joined, empty, heredoc = found.scripts[0], found.scripts[1], found.scripts[2]
    assert joined.origin.kind == "dockerfile-run" and joined.origin.place == "Dockerfile RUN"
    assert joined.text == "pip install --upgrade pip && echo done"
    assert at(joined, "--upgrade") == (7, 2)  # after the tab
    assert at(joined, "done") == (8, 10)
    assert empty.text == "<<EOF"  # the heredoc body is a script of its own
    assert (heredoc.text, at(heredoc, "-q")) == ("  pytest -q\n", (12, 10))
    assert len(found.scripts) == 4  # the python3 heredoc is no shell script


def test_dockerfile_exec_form_and_environment(tmp_path: Path) -> None:
    commands, _ = model(tmp_path, {"Dockerfile": DOCKERFILE})
    found = commands.file("Dockerfile")
    assert found is not None
    (exec_form,) = found.argv
    assert exec_form.argv == ("python", "-m", "pip", "install", "--no-compile", ".")
    assert (exec_form.line, exec_form.column) == (9, None)
    assert exec_form.position_of("--no-compile") == (10, 7)
    assert exec_form.position_of("absent") == (9, None)
    # ENV, in-stage ARG defaults, and the global ARG a stage declares again; not the global.
    assert env_rows(commands, "Dockerfile") == [
        ("dockerfile-env", "PIP_NO_CACHE_DIR", "1", 3, 5, "Dockerfile ENV"),
        ("dockerfile-env", "LANG", "C.UTF-8", 3, 24, "Dockerfile ENV"),
        ("dockerfile-env", "MODE", "release", 5, 5, "Dockerfile ARG"),
        ("dockerfile-env", "PIP_NO_DEPS", "1", 4, 5, "Dockerfile ARG"),
    ]


def test_shell_scripts_shebangs_and_makefiles(tmp_path: Path) -> None:
    commands, _ = model(
        tmp_path,
        {
            "scripts/setup.sh": "set -e\npip install .\n",
            "bin/bootstrap": "#!/usr/bin/env bash\nmake test\n",
            "bin/report": "#!/usr/bin/env python3\nprint(1)\n",
            "Makefile": "test:\n\t@pytest --cov\n",
            "notes.txt": "pip install x\n",
        },
    )
    assert commands.paths == ["Makefile", "bin/bootstrap", "bin/report", "scripts/setup.sh"]
    (shell,) = scripts(commands, "scripts/setup.sh")
    assert (shell.origin.kind, shell.origin.place, at(shell, "install")) == ("shell", "shell script", (2, 5))
    assert scripts(commands, "bin/bootstrap")[0].origin.kind == "shell"
    assert commands.file("bin/report") is None  # a Python script
    (make,) = scripts(commands, "Makefile")
    assert (make.origin.kind, make.make_syntax, at(make, "pytest")) == ("make", True, (2, 3))


TOX = """\
[tox]
env_list = py311, lint

[testenv]
commands =
    py311: pytest --cov {posargs}
    - coverage report
setenv =
    PIP_NO_DEPS = 1
install_command = python -m pip install {opts} {packages}
[testenv:lint]
commands = ruff check .
[pytest]
addopts = --no-deps-is-not-tox
"""


def test_tox_commands_and_setenv(tmp_path: Path) -> None:
    commands, _ = model(tmp_path, {"tox.ini": TOX, "setup.cfg": "[testenv]\ncommands = pytest\n"})
    testenv, install, lint = scripts(commands, "tox.ini")
    assert testenv.origin.place == "tox.ini [testenv] commands" and testenv.origin.kind == "tox"
    # Factor conditions and `- ` are blanked: the command is the line's first word.
    assert testenv.text == " " * 10 + "\n" + " " * 11 + "pytest --cov {posargs}\n      coverage report"
    assert at(testenv, "pytest") == (6, 12)
    assert at(testenv, "coverage") == (7, 7)
    assert install.origin.place == "tox.ini [testenv] install_command"
    assert (lint.origin.place, at(lint, "ruff")) == ("tox.ini [testenv:lint] commands", (12, 12))
    assert env_rows(commands, "tox.ini") == [("tox", "PIP_NO_DEPS", "1", 9, 5, "tox.ini [testenv] setenv")]
    (cfg,) = scripts(commands, "setup.cfg")
    assert (cfg.origin.place, at(cfg, "pytest")) == ("setup.cfg [testenv] commands", (2, 12))


def test_docs_snippets_are_documentation(tmp_path: Path) -> None:
    commands, _ = model(
        tmp_path,
        {"README.md": "# x\n\n```console\n$ pip install .\nok\n```\n", "docs/index.rst": "Run::\n\n    make\n"},
    )
    (readme,) = scripts(commands, "README.md")
    assert (readme.origin.kind, readme.origin.executable, readme.origin.place) == (
        "docs",
        False,
        "install instructions",
    )
    assert at(readme, "install") == (4, 7)
    (rst,) = scripts(commands, "docs/index.rst")
    assert at(rst, "make") == (3, 5)


NOXFILE = """\
import subprocess
import sys

import nox


@nox.session
def tests(session):
    session.install(
        "--no-deps",
        ".",
    )
    subprocess.run([sys.executable, "-m", "pip", "list"], check=True)
"""


def test_python_calls_are_argv_commands(tmp_path: Path) -> None:
    # The Python scanner collects calls only in files that mention `no-d`/`NO_DEP` (the
    # facts are shared and cached; UDEF005 is their reader today).
    commands, _ = model(tmp_path, {"noxfile.py": NOXFILE, "other.py": "import subprocess\nsubprocess.run(['ls'])\n"})
    found = list(commands.argv_commands())
    assert [(c.path, c.origin.kind, c.argv, c.line, c.column) for c in found] == [
        ("noxfile.py", "nox", ("pip", "install", "--no-deps", "."), 9, 5),
        ("noxfile.py", "subprocess", ("<python>", "-m", "pip", "list"), 13, 5),
    ]
    assert found[0].position_of("--no-deps") == (10, 10)
    assert found[0].word_places[0] is None  # `pip` is not written: session.install adds it
    assert found[1].word_places[0] is None  # sys.executable


def test_a_byte_test_keeps_files_from_being_parsed(tmp_path: Path) -> None:
    commands, ctx = model(
        tmp_path,
        {".github/workflows/a.yml": "jobs: [\n", ".github/workflows/b.yml": "jobs: {x: {steps: [{run: make}]}}\n"},
    )
    assert [f.path for f in commands.files(mentioning=lambda data: b"make" in data)] == [".github/workflows/b.yml"]
    assert ctx.diagnostics == []  # the broken file was never parsed
    assert [f.path for f in commands.files()] == [".github/workflows/b.yml"]
    assert [(d.rule_id, d.path) for d in ctx.diagnostics] == [("UDEF000", ".github/workflows/a.yml")]


def test_unparseable_files_are_notes(tmp_path: Path) -> None:
    commands, ctx = model(
        tmp_path,
        {
            "tox.ini": "[testenv\ncommands = x\n",
            "deploy.sh": b"pip \xff\n",
            ".gitlab-ci.yml": "a: !!python/name:os.system x\n",
        },
    )
    assert list(commands.files()) == []
    assert sorted(d.path for d in ctx.diagnostics) == [".gitlab-ci.yml", "deploy.sh", "tox.ini"]


def test_the_package_names_its_exports_and_no_other() -> None:
    import udef_audit.commands as package

    assert all(getattr(package, name) is not None for name in package.__all__)
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        package.Nope  # noqa: B018 - the attribute access is the test
