"""The commands model's image builds, job Pythons and coverage use, read from CI text."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write_tree

from udef_audit.commands.coverage import coverage_use
from udef_audit.commands.model import PlacedWord
from udef_audit.commands.python_versions import image_python_version, version_of
from udef_audit.commands.words import program
from udef_audit.context import RepoContext
from udef_audit.inventory import build_inventory

CI = ".github/workflows/ci.yml"
SETUP = "      - uses: actions/setup-python@v5\n        with:\n"
UV = "      - run: uv python install 3.12\n      - run: uv run --python 3.11 pytest\n"


def context(root: Path, tree: dict[str, str | bytes]) -> RepoContext:
    write_tree(root, tree)
    return RepoContext(build_inventory(root, lambda _: False), use_cache=False)


def workflow(steps: str, head: str = "") -> str:
    return "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n" + head + "    steps:\n" + steps


@pytest.mark.parametrize(
    ("step", "expected"),
    [
        ("      - run: docker build --target test -t app:test .\n", [("Dockerfile", "test", 6)]),
        (
            "      - run: docker buildx build -f docker/App.Dockerfile --target=ci docker\n",
            [("docker/App.Dockerfile", "ci", 6)],
        ),
        ("      - run: podman build services/api\n", [("services/api/Dockerfile", None, 6)]),
        ("      - run: docker build -f $DOCKERFILE .\n", [(None, None, 6)]),
        (
            "      - uses: docker/build-push-action@v6\n        with:\n          context: .\n          target: test\n",
            [("Dockerfile", "test", 9)],
        ),
        ("      - run: docker run --rm app pytest\n", []),
    ],
)  # fmt: skip
def test_docker_builds(tmp_path: Path, step: str, expected: list[tuple[str | None, str | None, int]]) -> None:
    ctx = context(tmp_path, {CI: workflow(step)})
    builds = ctx.commands.image_builds()
    assert [(b.dockerfile, b.target, b.line) for b in builds] == expected


def test_compose_services_built_with_their_override_and_default_targets(tmp_path: Path) -> None:
    ctx = context(
        tmp_path,
        {
            CI: workflow("      - run: docker compose run --rm tests pytest\n      - run: docker compose up -d web\n"),
            "compose.yaml": "services:\n  web:\n    build: .\n  tests:\n    build:\n      context: .\n"
            "      dockerfile: Dockerfile\n",
            "compose.override.yaml": "services:\n  tests:\n    build:\n      target: ${TEST_TARGET:-test}\n",
        },
    )
    assert [(b.dockerfile, b.target) for b in ctx.commands.image_builds()] == [
        ("Dockerfile", "test"),
        ("Dockerfile", None),
    ]


@pytest.mark.parametrize(
    ("head", "steps", "expected"),
    [
        (
            "    strategy:\n      matrix:\n        py: ['3.11', '3.12']\n",
            "      - uses: actions/setup-python@v5\n        with:\n          python-version: ${{ matrix.py }}\n",
            [("3.11", 7), ("3.12", 7)],
        ),
        ("", SETUP + "          python-version: |\n            3.10\n            3.x\n", [("3.10", 8), (None, 8)]),
        ("    container: python:3.13-slim\n", "      - run: pytest\n", [("3.13", 5)]),
        ("", UV, [("3.12", 6), ("3.11", 7)]),
        ("", SETUP + "          python-version-file: .python-version\n", [("3.12", 8)]),
    ],
)  # fmt: skip
def test_job_python_versions(tmp_path: Path, head: str, steps: str, expected: list[tuple[str | None, int]]) -> None:
    ctx = context(tmp_path, {CI: workflow(steps, head), ".python-version": "3.12.4\n"})
    (pipeline,) = ctx.commands.pipelines()
    (job,) = pipeline.jobs
    assert [(v.version, v.line) for v in ctx.commands.python_versions(job)] == expected


@pytest.mark.parametrize(
    ("image", "version"),
    [
        ("python:3.11-slim", "3.11"),
        ("docker.io/library/python:3.12.4-bookworm@sha256:abc", "3.12"),
        ("cimg/python:3.10", "3.10"),
        ("ghcr.io/astral-sh/uv:python3.13-bookworm-slim", "3.13"),
        ("python:latest", None),
        ("python", None),
        ("pypy:3.10", None),
        ("localhost:5000/app", None),
        ("ubuntu:22.04", None),
    ],
)
def test_image_python_version(image: str, version: str | None) -> None:
    assert image_python_version(image) == version


@pytest.mark.parametrize(("text", "version"), [("3.11", "3.11"), ("3.13t", "3.13"), ("3.x", None), ("pypy3.10", None)])
def test_version_of(text: str, version: str | None) -> None:
    assert version_of(text) == version


def _words(line: str) -> list[PlacedWord]:
    return [PlacedWord(text, 1, index) for index, text in enumerate(line.split())]


@pytest.mark.parametrize(
    ("line", "measures", "branch", "threshold", "config"),
    [
        ("pytest --cov=src --cov-branch --cov-fail-under 85", True, True, 85.0, None),
        ("pytest --cov --no-cov --cov-fail-under=90", False, False, None, None),
        ("python -m pytest --cov-config=ci/.coveragerc --cov", True, False, None, "ci/.coveragerc"),
        ("coverage run --branch --rcfile=cov.ini -m pytest", True, True, None, "cov.ini"),
        ("coverage report --fail-under=80 --fail-under=x", False, False, 80.0, None),
        ("coverage erase", False, False, None, None),
        ("hatch test --cover", True, False, None, None),
        ("ruff check .", False, False, None, None),
    ],
)
def test_coverage_use(line: str, measures: bool, branch: bool, threshold: float | None, config: str | None) -> None:
    use = coverage_use(_words(line))
    found = (use.measures, use.branch is not None, use.threshold.value if use.threshold else None, use.config)
    assert found == (measures, branch, threshold, config)


def test_pytest_addopts_count_after_the_program(tmp_path: Path) -> None:
    use = coverage_use(_words("pytest -q"), _words("--cov --cov-branch"))
    assert (use.measures, use.branch is not None) == (True, True)


@pytest.mark.parametrize(
    ("command", "runs_pytest"),
    [("tox -p auto --notest", False), ("tox -n", False), ("tox -e py -- -n auto", True), ("tox -e py", True)],
)
def test_tox_notest_runs_no_commands(tmp_path: Path, command: str, runs_pytest: bool) -> None:
    tox = "[tox]\nenv_list = py\n[testenv]\ncommands = pytest {posargs}\n"
    ctx = context(tmp_path, {CI: workflow(f"      - run: {command}\n"), "tox.ini": tox})
    assert bool(ctx.commands.test_invocations()) is runs_pytest


@pytest.mark.parametrize(
    ("word", "name"), [("${PREFIX}coverage", "coverage"), ("$VENV/bin/pytest", "pytest"), ("${X}", "${X}")]
)
def test_a_variable_in_front_of_a_program(word: str, name: str) -> None:
    assert program([word, "run"])[0] == name


def test_toxenv_and_noxsession_of_a_step_choose_what_runs(tmp_path: Path) -> None:
    steps = (
        "      - run: tox\n        env:\n          TOXENV: cover\n"
        "      - run: nox\n        env:\n          NOXSESSION: ${{ matrix.session }}\n"
    )
    head = "    strategy:\n      matrix:\n        session: [unit, lint]\n"
    tox = "[tox]\nenv_list = py\n[testenv]\ncommands = pytest\n[testenv:cover]\ncommands = pytest --cov\n"
    noxfile = (
        "import nox\n\n@nox.session\ndef unit(session):\n    session.run('pytest', '-q')\n\n"
        "@nox.session\ndef lint(session):\n    session.run('ruff', 'check')\n\n"
        "@nox.session\ndef docs(session):\n    session.run('sphinx-build', 'docs', 'out')\n"
    )
    ctx = context(tmp_path, {CI: workflow(steps, head), "tox.ini": tox, "noxfile.py": noxfile})
    assert [i.argv for i in ctx.commands.invocations()] == [
        ("tox",),
        ("pytest", "--cov"),
        ("nox",),
        ("pytest", "-q"),
        ("ruff", "check"),
    ]
