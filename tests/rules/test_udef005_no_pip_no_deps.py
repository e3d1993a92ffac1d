"""UDEF005 no-pip-no-deps: `pip install --no-deps` and PIP_NO_DEPS wherever installs run."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import Run, fixture, write_tree

from udef_audit.findings import Finding
from udef_audit.testing import audit_tree, check, rows

RULE = "UDEF005"
RunCli = Callable[..., Run]

FLAG_MESSAGE = (
    "{tool} install {flag} in {place}: it installs packages without their dependencies; "
    "drop the flag and install from the lock."
)
ENV_MESSAGE = (
    "{setting} in {place}: it makes pip install packages without their dependencies; "
    "remove it and install from the lock."
)
DOCS_MESSAGE = (
    "{tool} install {flag} in install instructions: readers who copy it install packages "
    "without their dependencies; drop the flag and document installing from the lock."
)


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        (
            # Continuation line, exec form, `--no-depe` (an abbreviation pip accepts), uv,
            # ENV=1, a RUN <<EOF heredoc, and a stage re-declaring a global `ARG ...=1`.
            # `--no-dep` (the contract's example; pip rejects it as ambiguous, the message
            # says so). Nothing for: the comment, ENV ...=0, a python3 heredoc,
            # pip wheel/download and the global ARG itself.
            "dockerfile",
            [
                ("Dockerfile", 7, 5),
                ("Dockerfile", 8, 25),
                ("Dockerfile", 9, 27),
                ("Dockerfile", 10, 29),
                ("Dockerfile", 11, 5),
                ("Dockerfile", 15, 13),
                ("Dockerfile", 22, 27),
                ("Dockerfile", 23, 5),
            ],
        ),
        # *.sh and an extensionless bin/ script with a bash shebang; not the comment, not
        # a python-shebang bin/ file, not notes.txt.
        ("shell", [("bin/bootstrap", 4, 13), ("scripts/setup.sh", 5, 14)]),
        # `$(PIP) install` and `@pip install` recipes; not the comment nor `pip wheel`.
        ("makefile", [("Makefile", 5, 17), ("Makefile", 8, 15)]),
        (
            # tox.ini: a continued `commands` line, install_command, setenv, a factor-
            # conditional line; setup.cfg [testenv] (not [tool:pytest] addopts).
            "tox",
            [
                ("setup.cfg", 12, 24),
                ("tox.ini", 12, 9),
                ("tox.ini", 13, 41),
                ("tox.ini", 18, 5),
                ("tox.ini", 20, 24),
            ],
        ),
        # session.install on one line and over several (the flag's own line), and
        # subprocess.run([sys.executable, "-m", "pip", ...]); not wheel/download/comments.
        ("python", [("noxfile.py", 8, 22), ("noxfile.py", 12, 10), ("tools/release.py", 7, 58)]),
        (
            # job env "1", the 3rd line of a `run: |` block, a one-line run, a step env
            # `true`, the same command in a second job, a folded `run: >` line; not the
            # step name, workflow env "0", `docker compose run --no-deps`, the comment.
            "github",
            [
                (".github/workflows/ci.yml", 11, 7),
                (".github/workflows/ci.yml", 18, 33),
                (".github/workflows/ci.yml", 21, 26),
                (".github/workflows/ci.yml", 23, 11),
                (".github/workflows/ci.yml", 27, 26),
                (".github/workflows/ci.yml", 30, 11),
            ],
        ),
        (
            # variables, default before_script string, a hidden job's script list, a block
            # item in a list; not PIP_NO_DEPENDENCIES {value: "0"}, not docker compose.
            "gitlab",
            [
                (".gitlab-ci.yml", 3, 3),
                (".gitlab-ci.yml", 5, 30),
                (".gitlab-ci.yml", 9, 19),
                (".gitlab-ci.yml", 19, 22),
            ],
        ),
        (
            # image environment "yes", `- run: cmd`, `run: {command: |}`; not the step name
            # nor a step environment "off".
            "circleci",
            [(".circleci/config.yml", 7, 11), (".circleci/config.yml", 10, 26), (".circleci/config.yml", 15, 26)],
        ),
        (
            # ```bash, a ```console prompt continued on `> `, an unlabelled ~~~ fence, an
            # indented `$ ` line; RST code-block:: bash and a `::` literal block. Not prose,
            # inline code, python blocks, console output or an RST note.
            "docs",
            [
                ("README.md", 8, 13),
                ("README.md", 17, 7),
                ("README.md", 22, 16),
                ("README.md", 25, 19),
                ("docs/install.rst", 10, 26),
                ("docs/install.rst", 18, 17),
            ],
        ),
        # Every negative together: comments, wheel/download, echo, PIP_NO_DEPS=0/false or
        # an expression, docker compose, prose, python/yaml blocks, a list that is no call.
        ("clean", []),
    ],
)
def test_fixture_findings(case: str, expected: list[tuple[str, int, int]]) -> None:
    found = check(RULE, fixture(RULE, case))
    assert rows(found) == sorted((RULE, path, line, column) for path, line, column in expected)


def _messages(path: Path) -> dict[tuple[str, int], tuple[str, str]]:
    return {(f.path, f.line): (_level(f), f.message) for f in check(RULE, path)}


def _level(finding: Finding) -> str:
    return finding.level.value if finding.level is not None else ""


# -- messages and levels -------------------------------------------------------------------
def test_dockerfile_messages() -> None:
    messages = _messages(fixture(RULE, "dockerfile"))
    assert messages[("Dockerfile", 7)] == (
        "error",
        FLAG_MESSAGE.format(tool="pip", flag="--no-deps", place="Dockerfile RUN"),
    )
    assert messages[("Dockerfile", 10)][1] == FLAG_MESSAGE.format(
        tool="uv pip", flag="--no-deps", place="Dockerfile RUN"
    )
    assert messages[("Dockerfile", 9)][1] == FLAG_MESSAGE.format(tool="pip", flag="--no-depe", place="Dockerfile RUN")
    assert messages[("Dockerfile", 11)] == (
        "error",
        ENV_MESSAGE.format(setting="PIP_NO_DEPS=1", place="Dockerfile ENV"),
    )
    assert messages[("Dockerfile", 23)][1] == ENV_MESSAGE.format(setting="PIP_NO_DEPS=1", place="Dockerfile ARG")


def test_ci_and_tox_messages() -> None:
    github = _messages(fixture(RULE, "github"))
    assert github[(".github/workflows/ci.yml", 18)][1] == FLAG_MESSAGE.format(
        tool="pip", flag="--no-deps", place="GitHub Actions run step"
    )
    assert github[(".github/workflows/ci.yml", 23)][1] == ENV_MESSAGE.format(
        setting="PIP_NO_DEPENDENCIES=true", place="GitHub Actions env"
    )
    tox = _messages(fixture(RULE, "tox"))
    assert tox[("tox.ini", 18)][1] == ENV_MESSAGE.format(setting="PIP_NO_DEPS=1", place="tox.ini [testenv:lint] setenv")
    assert tox[("setup.cfg", 12)][1] == FLAG_MESSAGE.format(
        tool="pip", flag="--no-dependencies", place="setup.cfg [testenv] commands"
    )
    nox = _messages(fixture(RULE, "python"))
    assert nox[("noxfile.py", 8)][1] == FLAG_MESSAGE.format(tool="pip", flag="--no-deps", place="nox session")
    assert nox[("tools/release.py", 7)][1] == FLAG_MESSAGE.format(tool="pip", flag="--no-deps", place="subprocess call")


def test_docs_are_warnings_and_do_not_fail_by_default(run_inproc: RunCli) -> None:
    # End to end through the CLI: the exit code follows the level.
    result = run_inproc(fixture(RULE, "docs"), "--format", "json", "--select", RULE)
    assert result.code == 0, result.stderr
    findings: list[dict[str, Any]] = result.json()["findings"]
    assert {(f["level"], f["kind"]) for f in findings} == {("warning", "documentation")}
    readme = [f for f in findings if f["path"] == "README.md" and f["line"] == 8]
    assert readme[0]["message"] == DOCS_MESSAGE.format(tool="pip", flag="--no-deps")
    assert run_inproc(fixture(RULE, "docs"), "--select", RULE, "--fail-on", "warning").code == 1


def test_executable_places_are_errors() -> None:
    for case in ("shell", "makefile", "gitlab", "circleci"):
        assert {(_level(f), f.kind) for f in check(RULE, fixture(RULE, case))} == {("error", "executable")}, case


def test_malformed_workflow_is_a_note_and_the_scan_goes_on(run_inproc: RunCli) -> None:
    path = fixture(RULE, "malformed-yaml")
    result = audit_tree(path, select=("UDEF000", RULE))
    assert rows(result.findings) == [
        ("UDEF000", ".github/workflows/broken.yml", 1, None),
        (RULE, ".github/workflows/fine.yml", 5, 26),
    ]
    cli = run_inproc(path, "--format", "json", "--select", f"UDEF000,{RULE}")
    assert cli.json()["notifications"] == []


# -- built in tmp_path ---------------------------------------------------------------------
_write = write_tree


def test_files_without_the_words_are_never_parsed(tmp_path: Path) -> None:
    # Broken YAML and INI that never mention no-deps are not opened beyond the prefilter.
    root = _write(
        tmp_path,
        {
            ".github/workflows/ci.yml": "on: push\njobs: [\n",
            "tox.ini": "[testenv\ncommands = pytest\n",
            ".gitlab-ci.yml": "test: {script: [pip install --no-deps x]\n",
        },
    )
    assert rows(audit_tree(root, select=("UDEF000", RULE)).findings) == [("UDEF000", ".gitlab-ci.yml", 1, None)]


def test_moving_a_line_keeps_the_fingerprint(tmp_path: Path) -> None:
    before = _write(tmp_path / "before", {"Dockerfile": "FROM python:3.12\nRUN pip install --no-deps x\n"})
    after = _write(
        tmp_path / "after",
        {"Dockerfile": "FROM python:3.12\nRUN echo hi\n\nRUN pip install \\\n    --no-deps x\n"},
    )
    other = _write(tmp_path / "other", {"Dockerfile": "FROM python:3.12\nRUN pip install --no-deps y\n"})
    (first,), (moved,), (different,) = (check(RULE, path) for path in (before, after, other))
    assert (moved.line, moved.column) == (5, 5)
    assert first.fingerprint == moved.fingerprint
    assert first.fingerprint != different.fingerprint


def test_crlf_tabs_and_inline_suppression(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "Dockerfile": b"FROM python:3.12\r\nRUN pip install \\\r\n\t--no-deps x\r\n",
            "run.sh": "pip install --no-deps a  # udef: ignore[UDEF005] -- vendored wheel\npip install --no-deps b\n",
        },
    )
    found = [(f.path, f.line, f.column, f.suppressed) for f in check(RULE, root)]
    assert sorted(found) == [("Dockerfile", 3, 2, False), ("run.sh", 1, 13, True), ("run.sh", 2, 13, False)]


def test_undecodable_script_is_a_note(tmp_path: Path) -> None:
    root = _write(tmp_path, {"install.sh": b"pip install --no-deps \xff\n"})
    assert rows(audit_tree(root, select=("UDEF000", RULE)).findings) == [("UDEF000", "install.sh", 1, None)]


def test_pre_commit_file_mode(run_inproc: RunCli, tmp_path: Path) -> None:
    root = _write(tmp_path, {"a.sh": "pip install --no-deps a\n", "b.sh": "pip install --no-deps b\n"})
    assert rows(check(RULE, root, files=["b.sh"])) == [(RULE, "b.sh", 1, 13)]
    cli = run_inproc(root, "--format", "json", "--select", RULE, "--files", str(root / "b.sh"))
    assert [(f["path"], f["line"], f["column"]) for f in cli.json()["findings"]] == [("b.sh", 1, 13)]
