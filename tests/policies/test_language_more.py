"""More of the policy language: per-file text, a tool's own configuration, missing files,
contains, flags, strings, and value tests written in words in the messages."""

from __future__ import annotations

from pathlib import Path

from test_language import results


def test_per_file_text_fails_at_each_file_without_a_match(tmp_path: Path) -> None:
    policy = "message: '{path} lacks {expected}'\ncheck:\n  text:\n    files: 'src/**/*.py'\n" \
             "    pattern: '^# SPDX-License-Identifier: '\n    per-file: true\n"
    tree = {"src/a.py": "# SPDX-License-Identifier: MIT\n", "src/b.py": "x = 1\n"}
    assert results(tmp_path, policy, tree) == [
        "src/b.py:1 ACME100 src/b.py lacks ^# SPDX-License-Identifier:"]


def test_a_tools_own_configuration_wherever_it_is(tmp_path: Path) -> None:
    policy = "message: '{key} is {value}, expected {expected}'\ncheck:\n  data:\n    tool: mypy\n" \
             "    path: strict\n    exists: true\n    equals: true\n"
    (tmp_path / "ini").mkdir()
    assert results(tmp_path / "ini", policy, {"mypy.ini": "[mypy]\nstrict = False\n"}) == [
        "mypy.ini:1 ACME100 strict is False, expected equal to 'true'"]
    (tmp_path / "toml").mkdir()
    tree = {"pyproject.toml": "[project]\nname = 'a'\n[tool.mypy]\nstrict = true\n"}
    assert results(tmp_path / "toml", policy, tree) == []


def test_missing_files_fail_at_each_one_present(tmp_path: Path) -> None:
    policy = "message: 'remove {path}'\ncheck:\n  files: {missing: [setup.py, 'requirements*.txt']}\n"
    tree = {"pyproject.toml": "[project]\nname = 'a'\n", "setup.py": "", "requirements-dev.txt": ""}
    assert results(tmp_path, policy, tree) == [
        "requirements-dev.txt:1 ACME100 remove requirements-dev.txt", "setup.py:1 ACME100 remove setup.py"]


def test_contains_over_a_toml_list(tmp_path: Path) -> None:
    policy = "message: '{key} lacks {expected}'\ncheck:\n  data:\n    files: pyproject.toml\n" \
             "    path: tool.ruff.lint.select\n    contains: [S, B]\n"
    tree = {"pyproject.toml": "[project]\nname = 'a'\n[tool.ruff.lint]\nselect = ['E', 'S']\n"}
    assert results(tmp_path, policy, tree) == [
        "pyproject.toml:4 ACME100 tool.ruff.lint.select lacks containing 'S' and containing 'B'"]


def test_ignore_case_in_strings_only(tmp_path: Path) -> None:
    policy = "message: 'secret-looking {match}'\ncheck:\n  not:\n    text:\n      files: '*.py'\n" \
             "      pattern: 'password='\n      flags: [ignore-case]\n      in: strings\n"
    tree = {"a.py": "PASSWORD='x'  # password=1\nurl = 'db://u:Password=2'\n"}
    assert results(tmp_path, policy, tree) == ["a.py:2:15 ACME100 secret-looking Password="]


def test_a_min_size_and_a_docker_image_name(tmp_path: Path) -> None:
    policy = "message: '{expected}'\ncheck:\n  any:\n" \
             "    - docker: {image: {one-of: [python, gcr.io/distroless/python3]}}\n" \
             "    - files: {glob: Dockerfile, min-size: 1 MiB}\n"
    tree = {"Dockerfile": "FROM node:20\nCMD [\"x\"]\n"}
    assert results(tmp_path, policy, tree) == [
        "Dockerfile:1 ACME100 image one of 'python', 'gcr.io/distroless/python3'"]
