"""What CI runs, followed into the repository: pipelines, jobs, matrices, containers, known
actions, and every command with the chain that reached it."""

from __future__ import annotations

from pathlib import Path

from conftest import write_tree

from udef_audit.commands import Commands, Value, runs_tests
from udef_audit.context import RepoContext
from udef_audit.inventory import build_inventory


def model(root: Path, tree: dict[str, str | bytes]) -> tuple[Commands, RepoContext]:
    write_tree(root, tree)
    ctx = RepoContext(build_inventory(root, lambda _: False), use_cache=False)
    return ctx.commands, ctx


def chains(commands: Commands) -> list[str]:
    return [invocation.describe() for invocation in commands.invocations()]


WORKFLOW = """\
name: CI
on: push
jobs:
  test:
    runs-on: ubuntu-latest
    container: python:3.12-slim
    strategy:
      matrix:
        python-version: ["3.11", "3.12"]
        include:
          - python-version: "3.13"
    steps:
      - uses: actions/setup-python@v5
        with:
          python-version: ${{ matrix.python-version }}
      - uses: astral-sh/ruff-action@v3
      - uses: pre-commit/action@v3.0.1
      - name: Tests
        run: make test
      - uses: docker/build-push-action@v6
        with:
          target: test
          file: docker/Dockerfile
  call:
    uses: ./.github/workflows/reusable.yml
  remote:
    uses: octo/repo/.github/workflows/x.yml@v1
"""
GITHUB_TREE: dict[str, str | bytes] = {
    ".github/workflows/ci.yml": WORKFLOW,
    ".github/workflows/reusable.yml": (
        "on: workflow_call\njobs:\n  inner:\n    runs-on: x\n    steps:\n      - run: tox -e lint\n"
    ),
    "Makefile": ".PHONY: test\ntest: lint\n\t./scripts/test.sh -q\nlint:\n\truff check .\n",
    "scripts/test.sh": '#!/bin/sh\nset -e\ncoverage run -m pytest "$@"\n',
    ".pre-commit-config.yaml": (
        "repos:\n  - repo: https://github.com/pre-commit/mirrors-mypy\n    rev: v1\n    hooks:\n"
        "      - id: mypy\n        args: [--strict]\n  - repo: local\n    hooks:\n      - id: xenon\n"
        "        name: xenon\n        entry: xenon --max-absolute B src\n        language: system\n"
        "        stages: [manual]\n"
    ),
    "tox.ini": (
        "[tox]\nenv_list = py, lint\n[testenv]\ncommands = pytest\n"
        "[testenv:lint]\ncommands =\n    ruff check .\n    py: never\n"
    ),
}


def test_github_jobs_matrix_container_and_actions(tmp_path: Path) -> None:
    commands, _ = model(tmp_path, GITHUB_TREE)
    ci, reusable = commands.pipelines()
    assert (ci.path, ci.system, ci.called_only, reusable.called_only) == (
        ".github/workflows/ci.yml",
        "github",
        False,
        True,
    )
    test, call, remote = ci.jobs
    assert (test.name, test.line, test.image) == ("test", 4, Value("python:3.12-slim", 6, 16))
    # The matrix, `include:` values added, each value where the file lists it.
    (axis,) = test.matrix
    assert (axis.name, axis.values) == (
        "python-version",
        (Value("3.11", 9, 27), Value("3.12", 9, 35), Value("3.13", 11, 30)),
    )
    setup = test.steps[0]
    version = setup.input("python-version")
    assert setup.uses is not None and setup.uses.text == "actions/setup-python@v5"
    assert version is not None and test.expand(version) == axis.values
    assert (call.uses, remote.uses) == (
        Value("./.github/workflows/reusable.yml", 25, 11),
        Value("octo/repo/.github/workflows/x.yml@v1", 27, 11),
    )


def test_a_step_followed_through_make_and_a_script_to_pytest(tmp_path: Path) -> None:
    commands, _ = model(tmp_path, GITHUB_TREE)
    assert chains(commands) == [
        ".github/workflows/ci.yml:16 runs `ruff check`",
        ".github/workflows/ci.yml:17 runs `pre-commit run --show-diff-on-failure --color=always --all-files`",
        # The configured hook, with its args; the manual-stage hook does not run.
        ".github/workflows/ci.yml:17 runs `pre-commit run --show-diff-on-failure --color=always --all-files`, "
        ".pre-commit-config.yaml:5 runs `mypy --strict`",
        ".github/workflows/ci.yml:19 runs `make test`",
        ".github/workflows/ci.yml:19 runs `make test`, Makefile:2 runs `lint (prerequisite of test)`, "
        "Makefile:5 runs `ruff check .`",
        ".github/workflows/ci.yml:19 runs `make test`, Makefile:3 runs `./scripts/test.sh -q`",
        ".github/workflows/ci.yml:19 runs `make test`, Makefile:3 runs `./scripts/test.sh -q`, "
        "scripts/test.sh:2 runs `set -e`",
        # The script's "$@" is the arguments make called it with.
        ".github/workflows/ci.yml:19 runs `make test`, Makefile:3 runs `./scripts/test.sh -q`, "
        "scripts/test.sh:3 runs `coverage run -m pytest -q`",
        ".github/workflows/ci.yml:20 runs `docker buildx build --file docker/Dockerfile --target test .`",
        # A local reusable workflow runs with its caller (not on its own); tox env `lint`
        # runs its own commands, without the lines of other factors.
        ".github/workflows/ci.yml:25 runs `uses: ./.github/workflows/reusable.yml`, "
        ".github/workflows/reusable.yml:6 runs `tox -e lint`",
        ".github/workflows/ci.yml:25 runs `uses: ./.github/workflows/reusable.yml`, "
        ".github/workflows/reusable.yml:6 runs `tox -e lint`, tox.ini:7 runs `ruff check .`",
    ]
    (pytest,) = commands.test_invocations()
    assert (pytest.path, pytest.line, pytest.column, pytest.job and pytest.job.name) == (
        "scripts/test.sh",
        3,
        1,
        "test",
    )
    make = next(i for i in commands.invocations() if i.argv == ("make", "test"))
    assert commands.tests_reached_from(make) == (pytest,)
    (remote,) = commands.unfollowed()
    assert (remote.path, remote.line, remote.reason) == (
        ".github/workflows/ci.yml",
        27,
        "a reusable workflow from another repository",
    )


GITLAB = """\
include:
  - local: ci/templates.yml
  - project: group/other
    file: x.yml
  - /ci/cycle.yml
default:
  image: python:3.12
  before_script:
    - pip install -r requirements.lock
test:
  extends: .tests
  parallel:
    matrix:
      - PYTHON: ["3.11", "3.12"]
        DB: postgres
lint:
  image:
    name: python:3.11-slim
  script:
    - !reference [.setup, script]
    - ruff check .
deploy:
  trigger:
    include: deploy.yml
"""


def test_gitlab_includes_extends_default_reference_and_matrix(tmp_path: Path) -> None:
    commands, ctx = model(
        tmp_path,
        {
            ".gitlab-ci.yml": GITLAB,
            "ci/templates.yml": ".tests:\n  script:\n    - pytest --cov\n.setup:\n  script:\n    - echo setup\n",
            "ci/cycle.yml": "include: '/.gitlab-ci.yml'\n.x:\n  script: [echo]\n",
        },
    )
    (pipeline,) = commands.pipelines()
    test, lint, deploy = pipeline.jobs
    assert [(s.path, s.line, s.run and s.run.text) for s in test.steps] == [
        (".gitlab-ci.yml", 9, "pip install -r requirements.lock"),  # default before_script
        ("ci/templates.yml", 3, "pytest --cov"),  # the template it extends
    ]
    assert test.image == Value("python:3.12", 7, 10)
    assert [(a.name, [v.text for v in a.values]) for a in test.matrix] == [
        ("PYTHON", ["3.11", "3.12"]),
        ("DB", ["postgres"]),
    ]
    assert [s.run and s.run.text for s in lint.steps] == [
        "pip install -r requirements.lock",
        "echo setup",
        "ruff check .",
    ]
    assert lint.image == Value("python:3.11-slim", 18, 11)
    assert deploy.uses == Value("trigger: include: deploy.yml", 24)
    assert [(u.line, u.text, u.reason) for u in commands.unfollowed()] == [
        (3, "project: group/other, file: x.yml", "a remote, project or template include"),
        (24, "trigger: include: deploy.yml", "a pipeline or template this model does not follow"),
    ]
    # An include cycle is cut, read once, and said.
    assert [(d.rule_id, d.path) for d in ctx.diagnostics] == [("UDEF000", "ci/cycle.yml")]


OTHER_CI: dict[str, str | bytes] = {
    ".circleci/config.yml": (
        "version: 2.1\ncommands:\n  tests:\n    steps:\n      - run: nox -s tests\njobs:\n  build:\n"
        "    docker:\n      - image: cimg/python:3.12\n    steps:\n      - checkout\n      - tests\n"
    ),
    "azure-pipelines.yml": (
        "jobs:\n  - job: Test\n    container: python:3.11\n    strategy:\n      matrix:\n"
        '        py311: {python.version: "3.11"}\n        py312: {python.version: "3.12"}\n    steps:\n'
        "      - task: UsePythonVersion@0\n        inputs:\n          versionSpec: $(python.version)\n"
        "      - script: hatch run test:cov\n      - pwsh: Write-Host hi\n"
    ),
    "bitbucket-pipelines.yml": (
        "image: python:3.10\npipelines:\n  default:\n    - parallel:\n        - step:\n            name: Lint\n"
        "            script:\n              - pdm run lint\n        - step:\n            name: Test\n"
        "            image: python:3.12\n            script:\n              - poe check\n"
    ),
    "Jenkinsfile": (
        "pipeline {\n  agent { docker { image 'python:3.9' } }\n  stages { stage('t') { steps {\n"
        "    // sh 'not this'\n    sh 'just'\n    sh '''\n      docker compose run --rm -e X=1 app uv run pytest -x\n"
        "    '''\n  } } }\n}\n"
    ),
    "noxfile.py": (
        "import nox\nnox.options.sessions = ['tests']\n@nox.session(python=['3.11', '3.12'])\ndef tests(session):\n"
        "    session.install('-e', '.')\n    session.run('pytest', *session.posargs)\n    session.notify('cover')\n"
        "@nox.session\ndef cover(s):\n    s.run('coverage', 'report', '--fail-under=90')\n"
    ),
    "pyproject.toml": (
        '[project]\nname = "x"\n[tool.hatch.envs.test.scripts]\ncov = "pytest --cov"\n[tool.pdm.scripts]\n'
        'lint = {cmd = ["ruff", "check", "."]}\n[tool.poe.tasks]\ncheck = ["typecheck", "unit"]\n'
        'typecheck = "mypy --strict src"\nunit = {shell = "pytest -q && echo ok"}\n'
    ),
    "justfile": "default: test\ntest:\n    docker run --rm -v $PWD:/src python:3.12 bash scripts/ci.sh\n",
    "app/scripts/ci.sh": "#!/bin/bash\npython -m pytest\n",
}


def test_circleci_azure_bitbucket_jenkins_jobs(tmp_path: Path) -> None:
    commands, _ = model(tmp_path, OTHER_CI)
    jobs = {(p.system, job.name): job for p in commands.pipelines() for job in p.jobs}
    assert sorted(jobs) == [
        ("azure", "Test"),
        ("bitbucket", "Lint"),
        ("bitbucket", "Test"),
        ("circleci", "build"),
        ("jenkins", "Jenkinsfile"),
    ]
    build = jobs[("circleci", "build")]
    # A reusable command stands for its steps.
    assert [(s.uses and s.uses.text, s.run and s.run.text) for s in build.steps] == [
        ("checkout", None),
        (None, "nox -s tests"),
    ]
    assert build.image == Value("cimg/python:3.12", 9, 16)


def test_azure_bitbucket_and_jenkins_jobs(tmp_path: Path) -> None:
    commands, _ = model(tmp_path, OTHER_CI)
    jobs = {(p.system, job.name): job for p in commands.pipelines() for job in p.jobs}
    azure = jobs[("azure", "Test")]
    assert [(a.name, [v.text for v in a.values]) for a in azure.matrix] == [("python.version", ["3.11", "3.12"])]
    assert azure.steps[0].input("versionSpec") == Value("$(python.version)", 11, 24)
    assert azure.steps[2].shell == "pwsh" and azure.steps[2].run is None
    assert (jobs[("bitbucket", "Lint")].image, jobs[("bitbucket", "Test")].image) == (
        Value("python:3.10", 1, 8),
        Value("python:3.12", 11, 20),
    )
    assert jobs[("jenkins", "Jenkinsfile")].image == Value("python:3.9", 2, 27)


def test_nox_tasks_wrappers_and_containers_are_followed(tmp_path: Path) -> None:
    commands, _ = model(tmp_path, OTHER_CI)
    tests = [i.describe() for i in commands.test_invocations()]
    assert tests == [
        ".circleci/config.yml:5 runs `nox -s tests`, noxfile.py:6 runs `pytest`",
        # `just` runs its default recipe's dependency; `docker run IMAGE CMD` runs CMD in
        # the image, where `scripts/ci.sh` is the repository's only file of that name.
        "Jenkinsfile:5 runs `just`, justfile:1 runs `test (dependency of default)`, "
        "justfile:3 runs `docker run --rm -v $PWD:/src python:3.12 bash scripts/ci.sh`, "
        "justfile:3 runs `bash scripts/ci.sh`, app/scripts/ci.sh:2 runs `python -m pytest`",
        "Jenkinsfile:7 runs `docker compose run --rm -e X=1 app uv run pytest -x`, "
        "Jenkinsfile:7 runs `uv run pytest -x`, Jenkinsfile:7 runs `pytest -x`",
        "azure-pipelines.yml:12 runs `hatch run test:cov`, pyproject.toml:4 runs `pytest --cov`",
        "bitbucket-pipelines.yml:13 runs `poe check`, pyproject.toml:7 runs `unit (in poe task check)`, "
        "pyproject.toml:10 runs `pytest -q`",
    ]
    reached = [i.describe() for i in commands.invocations() if i.argv[:1] in (("coverage",), ("ruff",), ("mypy",))]
    assert reached == [
        ".circleci/config.yml:5 runs `nox -s tests`, noxfile.py:4 runs `session cover (notified by tests)`, "
        "noxfile.py:10 runs `coverage report --fail-under=90`",
        "bitbucket-pipelines.yml:8 runs `pdm run lint`, pyproject.toml:6 runs `ruff check .`",
        "bitbucket-pipelines.yml:13 runs `poe check`, pyproject.toml:7 runs `typecheck (in poe task check)`, "
        "pyproject.toml:9 runs `mypy --strict src`",
    ]


def test_depth_and_cycles_are_cut_and_said(tmp_path: Path) -> None:
    chain = {f"s{n}.sh": f"#!/bin/sh\nsh s{n + 1}.sh\n" for n in range(1, 7)}
    commands, ctx = model(
        tmp_path,
        {
            ".github/workflows/ci.yml": (
                "on: push\njobs:\n  a:\n    steps:\n      - run: sh s1.sh\n      - run: make loop\n"
            ),
            **chain,
            "Makefile": "include Makefile\nloop: loop\n\t$(MAKE) loop\n",
        },
    )
    deepest = max(commands.invocations(), key=lambda invocation: len(invocation.chain))
    # Four levels into the repository: s1 to s4 are entered; s4's command is listed, not followed.
    assert [hop.path for hop in deepest.chain] == [".github/workflows/ci.yml", "s1.sh", "s2.sh", "s3.sh"]
    assert (deepest.path, deepest.argv) == ("s4.sh", ("sh", "s5.sh"))
    assert [(u.path, u.line, u.reason, len(u.chain)) for u in commands.unfollowed()] == [
        ("s4.sh", 2, "more than 4 levels deep", 4),
        ("Makefile", 3, "a cycle: Makefile:loop is already being run", 1),
    ]
    # A Makefile that includes itself is read once, and said (one UDEF000 note per file).
    assert [(d.rule_id, d.path, d.line) for d in ctx.diagnostics] == [("UDEF000", "Makefile", 1)]


def test_what_runs_tests() -> None:
    running = [
        "pytest -q",
        "py.test",
        "python -m pytest",
        "python3.12 -I -m pytest",
        "coverage run -m pytest",
        "coverage run --branch -m pytest tests",
        "python -m coverage run -m unittest",
        "python -m unittest discover",
        "python manage.py test",
        "./manage.py test app",
        "hatch test",
        "VAR=1 sudo -E env X=2 timeout 60 pytest",
        "{env:_COVERAGE_RUN:} pytest {posargs}",
        "{envpython} -m pytest",
    ]
    not_running = [
        "pytest-watch",
        "python -m pip install pytest",
        "coverage report",
        "hatch run lint",
        "manage.py migrate",
    ]
    assert [text for text in running if not runs_tests(text.split())] == []
    assert [text for text in not_running if runs_tests(text.split())] == []
