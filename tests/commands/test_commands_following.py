"""Where commands lead: working directories, composite actions, tox in INI/TOML/legacy
form, pixi/hatch/pdm/poetry/conda/docker wrappers, hooks by stage, just and make paths,
and what cannot be followed."""

from __future__ import annotations

from pathlib import Path

from conftest import write_tree

from udef_audit.commands import Commands
from udef_audit.context import RepoContext
from udef_audit.inventory import build_inventory

WORKFLOW = """\
on: [push]
jobs:
  a:
    runs-on: x
    defaults:
      run:
        working-directory: sub
    steps:
      - uses: ./.github/actions/setup
      - uses: ./.github/actions/missing
      - run: make -C .. lint && make
      - run: tox -e ALL
      - run: tox -c ../tox.toml run -e docs
      - run: pixi run -e py test
      - run: hatch run pytest -x && pdm run python -m pytest && poetry run nox -f noxfile.py
      - run: pre-commit run mypy --hook-stage manual --all-files
      - run: source ../env.sh && bash -c "just -f ../justfile build" && ./missing.sh
      - run: docker exec -it web python manage.py test && conda run -n env pytest
      - shell: pwsh
        run: pytest
      - uses: aquasecurity/trivy-action@v0
        with:
          scan-type: fs
          scan-ref: .
      - uses: github/codeql-action/analyze@v3
      - uses: actions/dependency-review-action@v4
"""
TREE: dict[str, str | bytes] = {
    ".github/workflows/ci.yml": WORKFLOW,
    ".github/actions/setup/action.yml": "runs:\n  using: composite\n  steps:\n    - run: uv sync\n      shell: bash\n",
    "Makefile": "lint:\n\truff check .\n",
    "sub/tox.ini": "[tox]\nenvlist = py, lint\n[testenv]\ncommands = pytest --cov\n[testenv:lint]\ncommands = flake8\n",
    "tox.toml": (
        'env_list = ["py"]\n[env_run_base]\ncommands = [["pytest", "-q"]]\n'
        '[env.docs]\ncommands = [["sphinx-build", "docs", "out"]]\n'
    ),
    "pixi.toml": '[tasks]\ntest = { cmd = "pytest", depends-on = ["lint"] }\nlint = "ruff check ."\n',
    ".pre-commit-config.yaml": (
        "repos:\n  - repo: local\n    hooks:\n      - id: mypy\n        entry: mypy\n        language: system\n"
        "        stages: [manual]\n"
    ),
    "env.sh": "export X=1\n",
    "justfile": "build:\n    #!/usr/bin/env bash\n    make lint\n",
}


def model(root: Path, tree: dict[str, str | bytes]) -> Commands:
    write_tree(root, tree)
    return RepoContext(build_inventory(root, lambda _: False), use_cache=False).commands


def test_what_each_command_leads_to(tmp_path: Path) -> None:
    commands = model(tmp_path, TREE)
    ci = ".github/workflows/ci.yml"
    assert [i.describe().replace(ci, "ci") for i in commands.invocations()] == [
        "ci:9 runs `uses: ./.github/actions/setup`, .github/actions/setup/action.yml:4 runs `uv sync`",
        "ci:11 runs `make -C .. lint`",
        "ci:11 runs `make -C .. lint`, Makefile:2 runs `ruff check .`",
        "ci:11 runs `make`",
        # tox run in `sub` reads sub/tox.ini; ALL is every environment.
        "ci:12 runs `tox -e ALL`",
        "ci:12 runs `tox -e ALL`, sub/tox.ini:4 runs `pytest --cov`",
        "ci:12 runs `tox -e ALL`, sub/tox.ini:6 runs `flake8`",
        "ci:13 runs `tox -c ../tox.toml run -e docs`",
        "ci:13 runs `tox -c ../tox.toml run -e docs`, tox.toml:5 runs `sphinx-build docs out`",
        "ci:14 runs `pixi run -e py test`",
        "ci:14 runs `pixi run -e py test`, pixi.toml:2 runs `pytest`",
        "ci:14 runs `pixi run -e py test`, pixi.toml:1 runs `lint (in pixi task test)`, "
        "pixi.toml:3 runs `ruff check .`",
        "ci:15 runs `hatch run pytest -x`",
        "ci:15 runs `hatch run pytest -x`, ci:15 runs `pytest -x`",
        "ci:15 runs `pdm run python -m pytest`",
        "ci:15 runs `pdm run python -m pytest`, ci:15 runs `python -m pytest`",
        "ci:15 runs `poetry run nox -f noxfile.py`",
        "ci:15 runs `poetry run nox -f noxfile.py`, ci:15 runs `nox -f noxfile.py`",
        "ci:16 runs `pre-commit run mypy --hook-stage manual --all-files`",
        "ci:16 runs `pre-commit run mypy --hook-stage manual --all-files`, .pre-commit-config.yaml:5 runs `mypy`",
        "ci:17 runs `source ../env.sh`",
        "ci:17 runs `source ../env.sh`, env.sh:1 runs `export X=1`",
        "ci:17 runs `bash -c just -f ../justfile build`",
        # A shebang recipe in bash is shell text, run in the justfile's folder.
        "ci:17 runs `just -f ../justfile build`",
        "ci:17 runs `just -f ../justfile build`, justfile:3 runs `make lint`",
        "ci:17 runs `just -f ../justfile build`, justfile:3 runs `make lint`, Makefile:2 runs `ruff check .`",
        "ci:17 runs `./missing.sh`",
        "ci:18 runs `docker exec -it web python manage.py test`",
        "ci:18 runs `docker exec -it web python manage.py test`, ci:18 runs `python manage.py test`",
        "ci:18 runs `conda run -n env pytest`",
        "ci:18 runs `conda run -n env pytest`, ci:18 runs `pytest`",
        # The pwsh step is not shell text; known actions are their commands.
        "ci:21 runs `trivy fs .`",
        "ci:25 runs `codeql analyze`",
        "ci:26 runs `dependency-review`",
    ]
    assert [(u.line, u.text, u.reason) for u in commands.unfollowed()] == [
        (10, "uses: ./.github/actions/missing", "no action.yml in .github/actions/missing"),
        (11, "make", "no Makefile in sub"),
        (15, "nox -f noxfile.py", "no sub/noxfile.py"),
        (17, "./missing.sh", "sub/missing.sh is not in the repository"),
    ]
    trivy = next(i for i in commands.invocations() if i.argv[0] == "trivy")
    assert [(w.text, w.line, w.column) for w in trivy.words] == [("trivy", 21, 15), ("fs", 23, 22), (".", 24, 21)]


def test_pyproject_tox_and_legacy_ini(tmp_path: Path) -> None:
    commands = model(
        tmp_path,
        {
            ".gitlab-ci.yml": "t:\n  script:\n    - tox\n",
            "pyproject.toml": (
                '[project]\nname = "x"\n[tool.tox]\nlegacy_tox_ini = """\n[tox]\nenvlist = py311\n'
                '[testenv]\ncommands =\n    py311: pytest --cov\n    py312: never\n"""\n'
            ),
        },
    )
    assert [i.describe() for i in commands.invocations()] == [
        ".gitlab-ci.yml:3 runs `tox`",
        ".gitlab-ci.yml:3 runs `tox`, pyproject.toml:9 runs `pytest --cov`",
    ]
