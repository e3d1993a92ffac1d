"""The policy language on small trees: each kind of condition, `all`/`any`/`not`, `when`,
captured values in messages and the anchor, as result lines a user reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from udef_audit.policy_examples import result_line
from udef_audit.testing import Tree, check

HEAD = """\
id: ACME100
slug: house-rule
title: A house rule
level: warning
why: Because.
fix: Do it.
"""


def results(tmp_path: Path, policy: str, tree: Tree) -> list[str]:
    """The result lines of ACME100 (`policy` is the part after the metadata) on `tree`."""
    file = tmp_path / "acme100.yaml"
    file.write_text(HEAD + policy, encoding="utf-8")
    return [result_line(f) for f in check("ACME100", tree, tmp_path / "repo", policy_paths=(file,))]


def test_json_wildcard_path_and_number_compare(tmp_path: Path) -> None:
    policy = "message: '{key} is {value}, expected {expected}'\ncheck:\n  data:\n" \
             "    files: config/*.json\n    path: 'servers[*].port'\n    at-least: 1024\n"
    tree = {"config/app.json": '{\n  "servers": [\n    {"port": 8080},\n    {"port": 80}\n  ]\n}\n'}
    assert results(tmp_path, policy, tree) == [
        "config/app.json:4 ACME100 servers[1].port is 80, expected at least 1024"]


def test_yaml_star_over_mapping_and_one_of(tmp_path: Path) -> None:
    policy = "message: '{key}: {value} is not {expected}'\ncheck:\n  data:\n" \
             "    files: compose.yaml\n    path: services.*.restart\n    one-of: [always, unless-stopped]\n"
    tree = {"compose.yaml": "services:\n  web:\n    restart: always\n  worker:\n    restart: 'no'\n"}
    assert results(tmp_path, policy, tree) == [
        "compose.yaml:5 ACME100 services.worker.restart: no is not one of 'always', 'unless-stopped'"]


def test_ini_section_key_equals(tmp_path: Path) -> None:
    policy = "message: '{key} = {value}'\ncheck:\n  data:\n    files: setup.cfg\n" \
             "    path: mypy.strict\n    exists: true\n    equals: true\n"
    assert results(tmp_path, policy, {"setup.cfg": "[metadata]\nname = a\n\n[mypy]\nstrict = false\n"}) == [
        "setup.cfg:5 ACME100 mypy.strict = false"]
    assert results(tmp_path, policy, {"setup.cfg": "[mypy]\nstrict = True\n"}) == []


def test_text_in_code_skips_comments_and_strings(tmp_path: Path) -> None:
    policy = "message: 'debugger call {match}'\ncheck:\n  not:\n    text:\n      files: '**/*.py'\n" \
             "      pattern: 'breakpoint\\(\\)|pdb\\.set_trace\\(\\)'\n      in: code\n"
    tree = {"src/a.py": "# breakpoint()\ns = 'pdb.set_trace()'\nif x:\n    import pdb; pdb.set_trace()\n"
            "breakpoint()\n"}
    assert results(tmp_path, policy, tree) == [
        "src/a.py:4:17 ACME100 debugger call pdb.set_trace()",
        "src/a.py:5:1 ACME100 debugger call breakpoint()",
    ]


def test_text_in_comments_with_a_named_group(tmp_path: Path) -> None:
    policy = "message: '{tag} without a ticket'\ncheck:\n  not:\n    text:\n      files: '**/*.py'\n" \
             "      pattern: '(?P<tag>TODO|FIXME)[^(]'\n      in: comments\n"
    tree = {"a.py": "x = 'TODO here'  # FIXME later\n# TODO(ACME-12) ok\n"}
    assert results(tmp_path, policy, tree) == ["a.py:1:20 ACME100 FIXME without a ticket"]


def test_docker_runtime_user_and_digest(tmp_path: Path) -> None:
    policy = "message: 'stage {stage}: {expected} ({user}{image})'\ncheck:\n  all:\n" \
             "    - docker: {stages: runtime, user: non-root}\n    - docker: {stages: runtime, digest: true}\n"
    tree = {"Dockerfile": "FROM python:3.12-slim AS build\nRUN pip wheel . -w /w\n"
            "FROM python:3.12-slim AS runtime\nCOPY --from=build /w /w\nUSER root\n"}
    assert results(tmp_path, policy, tree) == [
        "Dockerfile:3 ACME100 stage runtime: pinned by digest (python:3.12-slim)",
        "Dockerfile:5 ACME100 stage runtime: user non-root (root)",
    ]


def test_docker_instruction_absent(tmp_path: Path) -> None:
    policy = "message: '{instruction} in {stage}'\ncheck:\n  docker:\n    instructions: {absent: ADD}\n"
    tree = {"Dockerfile": "FROM python:3.12-slim\nADD https://example.com/x.tgz /x\nCOPY . /app\n"}
    assert results(tmp_path, policy, tree) == ["Dockerfile:2 ACME100 ADD in #0"]


def test_a_command_that_must_not_run(tmp_path: Path) -> None:
    policy = "message: 'CI runs {command} ({chain})'\ncheck:\n  not:\n    commands: {runs: pip, with: install}\n"
    tree = {".github/workflows/ci.yml": "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n"
            "      - run: ./ci.sh\n", "ci.sh": "#!/bin/sh\nset -e\npip install -e .\n"}
    (line,) = results(tmp_path, policy, tree)
    assert line.startswith("ci.sh:3:1 ACME100 CI runs pip install -e . (")


@pytest.mark.parametrize(
    ("when", "expected"),
    [("profile: service", []), ("profile: library", ["pyproject.toml:1 ACME100 no README"]),
     ("exists: docs/**", []), ("phase: 2", []), ("phase: 1", ["pyproject.toml:1 ACME100 no README"])],
)
def test_when(tmp_path: Path, when: str, expected: list[str]) -> None:
    policy = f"message: 'no README'\nwhen: {{{when}}}\ncheck:\n  files: {{exists: README.md}}\n"
    tree = {"pyproject.toml": "[project]\nname = 'a'\n[tool.udef-audit]\nprofile = 'library'\nphase = 1\n"}
    assert results(tmp_path, policy, tree) == expected


def test_any_reports_the_first_alternative_and_the_anchor(tmp_path: Path) -> None:
    policy = "message: 'expected {expected}'\nanchor: README.md\ncheck:\n  any:\n" \
             "    - files: {exists: CHANGELOG.md}\n    - files: {exists: docs/changes/*.md}\n"
    tree = {"pyproject.toml": "[project]\nname = 'a'\n", "README.md": "# a\n"}
    assert results(tmp_path, policy, tree) == ["README.md:1 ACME100 expected CHANGELOG.md"]
    assert results(tmp_path, policy, {**tree, "docs/changes/1.0.md": "x\n"}) == []


def test_files_size_and_exclusion_globs(tmp_path: Path) -> None:
    policy = "message: '{path} is {size} bytes'\ncheck:\n  files:\n" \
             "    glob: ['data/**', '!data/keep/**']\n    max-size: 1 kB\n"
    tree = {"data/big.csv": "x" * 1001, "data/small.csv": "x", "data/keep/huge.bin": "x" * 5000}
    assert results(tmp_path, policy, tree) == ["data/big.csv:1 ACME100 data/big.csv is 1001 bytes"]


def test_project_scope_runs_once_per_project(tmp_path: Path) -> None:
    policy = "scope: project\nmessage: '{project} has no tests folder'\ncheck:\n  files: {exists: tests/**}\n"
    tree = {"pyproject.toml": "[project]\nname = 'root'\n", "tests/test_a.py": "",
            "libs/b/pyproject.toml": "[project]\nname = 'b'\n", "libs/b/src/b/__init__.py": ""}
    assert results(tmp_path, policy, tree) == ["libs/b/pyproject.toml:1 ACME100 libs/b has no tests folder"]


def test_a_program_behind_a_path_variable(tmp_path: Path) -> None:
    policy = "message: 'no {expected}'\ncheck:\n  commands: {runs: mypy}\n"
    tree = {".github/workflows/ci.yml": "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n"
            "      - run: scripts/check\n", "scripts/check": "#!/bin/sh -e\nexport PREFIX=''\n${PREFIX}mypy src\n"}
    assert results(tmp_path, policy, tree) == []
    tree["scripts/check"] = "#!/bin/sh -e\n${PREFIX}ruff check src\n"
    assert results(tmp_path, policy, tree) == [".github/workflows/ci.yml:1 ACME100 no mypy"]


def test_columns_count_characters_not_bytes(tmp_path: Path) -> None:
    policy = "message: 'found {match}'\ncheck:\n  not:\n    text: {files: '*.py', pattern: 'print\\(', in: code}\n"
    tree = {"a.py": "café = print(1); print(2)\n# ünïcödé print(3)\nΩ = 'print(4)'; print(5)\n"}
    assert results(tmp_path, policy, tree) == [
        "a.py:1:8 ACME100 found print(", "a.py:1:18 ACME100 found print(", "a.py:3:17 ACME100 found print("]
