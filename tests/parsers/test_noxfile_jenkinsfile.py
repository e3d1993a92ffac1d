"""noxfile sessions from the ast; Jenkinsfile `sh` steps and images by text."""

from __future__ import annotations

import ast

from hypothesis import given, settings
from hypothesis import strategies as st

from udef_audit.parsers.jenkinsfile import ShellStep, docker_images, shell_steps
from udef_audit.parsers.noxfile import NoxCall, NoxWord, nox_sessions

NOXFILE = """\
import nox
from nox import session

nox.options.sessions = ["tests", "lint"]
ARGS = ["-q"]

@nox.session(python=["3.11", "3.12"], name="tests")
def test_suite(session):
    session.install("-e", ".")
    session.run("pytest", *session.posargs, "--cov")
    session.notify("cover")

@session
def lint(s):
    s.run("ruff", "check", ARGS)  # ARGS is not a literal: no word
    other.run("never")

def helper(session):
    session.run("not a session")
"""


def test_sessions_calls_and_defaults() -> None:
    noxfile = nox_sessions(ast.parse(NOXFILE), NOXFILE)
    assert noxfile.default == ("tests", "lint")
    tests, lint = noxfile.sessions
    # The session's line is its `def` (the decorator is on the line before).
    assert (tests.name, tests.line, tests.python, tests.notifies) == ("tests", 8, ("3.11", "3.12"), ("cover",))
    assert tests.calls == (
        NoxCall(9, 5, (NoxWord("pip", 9, 5), NoxWord("install", 9, 5), NoxWord("-e", 9, 22), NoxWord(".", 9, 28))),
        NoxCall(10, 5, (NoxWord("pytest", 10, 18), NoxWord("--cov", 10, 46))),
    )
    assert lint.calls == (NoxCall(15, 5, (NoxWord("ruff", 15, 12), NoxWord("check", 15, 20))),)
    assert noxfile.session("tests-3.12") == tests


JENKINSFILE = """\
pipeline {
  agent { docker { image 'python:3.12-slim' } }
  stages {
    stage('test') {
      steps {
        // sh 'not this'
        /* sh "nor this" */
        sh 'pip install -r requirements.lock'
        sh \"\"\"
          make test
        \"\"\"
        sh(script: "pytest --cov", returnStatus: true)
        sh 'it\\'s'
      }
    }
  }
}
"""


def test_sh_steps_and_images() -> None:
    steps = shell_steps(JENKINSFILE)
    assert [step.script for step in steps] == [
        "pip install -r requirements.lock",
        "\n          make test\n        ",
        "pytest --cov",
        "it\\'s",
    ]
    assert JENKINSFILE[steps[0].offset : steps[0].offset + 3] == "pip"
    assert docker_images(JENKINSFILE) == [(JENKINSFILE.index("python:3.12"), "python:3.12-slim")]
    assert shell_steps("sh 'unterminated") == [ShellStep(4, "unterminated")]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from([*"sh ('\"\\)/*\n{}x", "sh ", "'''", '"""', "//", "docker "]), max_size=40).map("".join)
)
def test_any_text_gives_steps_inside_it(text: str) -> None:
    for step in shell_steps(text):
        assert text[step.offset : step.offset + len(step.script)] == step.script
    for offset, image in docker_images(text):
        assert text[offset : offset + len(image)] == image


def test_a_session_called_as_a_function_runs_within_the_caller() -> None:
    text = (
        "import nox\n\n@nox.session\ndef lint(session):\n    session.run('pre-commit', 'run')\n"
        "    mypy(session)\n    helper(session)\n    print(session)\n\n"
        "@nox.session(name='types')\ndef mypy(session):\n    session.run('mypy', 'src')\n\n"
        "def helper(session):\n    session.run('never')\n"
    )
    noxfile = nox_sessions(ast.parse(text), text)
    lint = noxfile.session("lint")
    # mypy() is the session named `types`; helper() and print() are not sessions.
    assert lint is not None and lint.notifies == ("types",)
