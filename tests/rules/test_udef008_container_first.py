"""UDEF008 container-first: a service builds a multi-stage image with a runtime and a test stage."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import Run, fixture

from udef_audit.testing import audit_tree, check, rows

RULE = "UDEF008"
Audit = Callable[..., list[tuple[Any, ...]]]
RunCli = Callable[..., Run]

SERVICE = '[project]\nname = "api"\nversion = "1"\ndependencies = ["uvicorn>=0.30"]\n'
LIBRARY = '[project]\nname = "lib"\nversion = "1"\ndependencies = []\n'
APP = {"pyproject.toml": SERVICE, "src/api/__init__.py": ""}
RUNTIME_AND_TEST = "FROM python:3.11-slim AS base\nFROM base AS test\nFROM base AS runtime\nUSER 1000\n"


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("methodology", []),
        ("no-dockerfile", [("pyproject.toml", 1)]),
        ("compose-only", [("pyproject.toml", 1)]),
        ("django-requirements", [("requirements.txt", 1)]),
        ("runtime-only", [("Dockerfile", 1)]),
        ("no-test-stage", [("Dockerfile", 4)]),
        ("only-test-stages", [("Dockerfile", 1)]),
        ("separate-test-dockerfile", []),
        ("lone-test-dockerfile", [("ci/Dockerfile.test", 2)]),
        ("library", []),
        ("dev-container-only", [("pyproject.toml", 1)]),
        ("monorepo", [("services/api/pyproject.toml", 1)]),
    ],
)
def test_fixture_findings(audit: Audit, case: str, expected: list[tuple[str, int]]) -> None:
    found = audit(fixture(RULE, case), "--select", RULE)
    assert found == [(RULE, path, line, None) for path, line in expected]


def _one(tree: dict[str, str | bytes], tmp_path: Path, **request: Any) -> tuple[str, int, str, str]:
    (finding,) = check(RULE, tree, tmp_path, **request)
    return finding.path, finding.line, finding.kind, finding.message


# --------------------------------------------------------------------------- the three results


def test_no_dockerfile_names_the_project_and_why_it_is_a_service(tmp_path: Path) -> None:
    assert _one(APP, tmp_path) == (
        "pyproject.toml",
        1,
        "no-dockerfile",
        "no Dockerfile in the repository root, which is a service (depends on the application server uvicorn "
        "(pyproject.toml)): create a multi-stage Dockerfile with a runtime stage and a test stage built FROM one "
        "base, as the methodology's Day 1 does.",
    )


def test_runtime_without_test_stage_is_reported_at_the_runtime_from(tmp_path: Path) -> None:
    dockerfile = "FROM node:20 AS frontend\nFROM python:3.11-slim AS builder\nFROM python:3.11-slim AS release\n"
    assert _one({**APP, "Dockerfile": dockerfile}, tmp_path) == (
        "Dockerfile",
        3,
        "no-test-stage",
        "no test stage: Dockerfile builds runtime stage `release` but no test stage; add a `test` stage FROM "
        "the runtime's base that installs the dev tools and runs the tests (or a Dockerfile.test beside it), so "
        "CI tests the image production runs.",
    )


def test_only_test_stages_is_reported_at_the_first_from(tmp_path: Path) -> None:
    dockerfile = "# syntax=docker/dockerfile:1\nARG PY=3.11\nFROM python:${PY} AS deps\nFROM deps AS lint\n"
    path, line, kind, message = _one({**APP, "Dockerfile": dockerfile}, tmp_path)
    assert (path, line, kind) == ("Dockerfile", 3, "no-runtime-stage")
    assert message.startswith("no runtime stage: Dockerfile has only test stages; add the runtime stage")


def test_a_dockerfile_without_from_has_no_runtime_stage(tmp_path: Path) -> None:
    path, line, kind, message = _one({**APP, "Dockerfile": "# nothing yet\n"}, tmp_path)
    assert (path, line, kind) == ("Dockerfile", 1, "no-runtime-stage")
    assert message.startswith("no runtime stage: Dockerfile has no FROM;")


@pytest.mark.parametrize("test_file", ["Dockerfile.test", "Dockerfile.ci", "test.Dockerfile", "Dockerfile.dev"])
def test_a_separate_test_dockerfile_beside_the_runtime_counts_as_its_test_stage(tmp_path: Path, test_file: str) -> None:
    tree = {**APP, "Dockerfile": "FROM python:3.11-slim\n", test_file: "FROM python:3.11-slim\n"}
    assert check(RULE, tree, tmp_path) == []


def test_a_test_dockerfile_in_another_folder_is_no_sibling(tmp_path: Path) -> None:
    # No sibling, so no test stage for the runtime; but a test image of the project's runtime.
    tree = {**APP, "Dockerfile": "FROM python:3.11-slim\n", "ci/Dockerfile.test": "FROM python:3.11-slim\n"}
    assert [(f.path, f.line, f.kind) for f in check(RULE, tree, tmp_path)] == [("Dockerfile", 1, "no-test-stage")]


def test_a_lone_test_dockerfile_is_the_test_image_of_the_projects_runtime(tmp_path: Path) -> None:
    # DefectDojo: Dockerfile.integration-tests-debian beside Dockerfile.django-debian.
    tree = {
        **APP,
        "Dockerfile.django-debian": "FROM python:3.12 AS release\nFROM release AS development\n",
        "Dockerfile.integration-tests-debian": "FROM python:3.12 AS build\nRUN pip install selenium\n",
    }
    assert check(RULE, tree, tmp_path) == []


def test_a_lone_test_dockerfile_without_any_runtime_image(tmp_path: Path) -> None:
    tree = {**APP, "docker/ci/Dockerfile": "FROM python:3.12\nRUN pip install pytest\n"}
    path, line, kind, message = _one(tree, tmp_path)
    assert (path, line, kind) == ("docker/ci/Dockerfile", 1, "no-runtime-stage")
    assert message.startswith(
        "no runtime stage: docker/ci/Dockerfile is a separate test Dockerfile and the project has no runtime image;"
    )


def test_images_that_run_no_python_are_not_judged(tmp_path: Path) -> None:
    tree = {
        **APP,
        "Dockerfile": RUNTIME_AND_TEST,
        "compose/nginx/Dockerfile": "FROM nginx:1.27\nCOPY default.conf /etc/nginx/conf.d/\n",
        "compose/postgres/Dockerfile": "FROM postgres:16\nCOPY ./maintenance /usr/local/bin/maintenance\n",
    }
    assert check(RULE, tree, tmp_path) == []


def test_a_service_whose_only_images_run_other_software_has_no_dockerfile(tmp_path: Path) -> None:
    tree = {**APP, "docker/nginx/Dockerfile": "FROM nginx\n", "docker/db/Dockerfile": "FROM postgres\n"}
    path, line, kind, message = _one(tree, tmp_path)
    assert (path, line, kind) == ("pyproject.toml", 1, "no-dockerfile")
    assert message.startswith(
        "no Dockerfile in the repository root runs Python (docker/db/Dockerfile, docker/nginx/Dockerfile run other "
        "software), though it is a service (Dockerfile at docker/db/Dockerfile): create a multi-stage Dockerfile"
    )


def test_named_sibling_pairs_with_its_test_file(tmp_path: Path) -> None:
    tree = {
        **APP,
        "docker/api.Dockerfile": "FROM python:3.11-slim\n",
        "docker/api-test.Dockerfile": "FROM python:3.11-slim\n",
        "docker/worker.Dockerfile": "FROM python:3.11-slim\n",
    }
    assert rows(check(RULE, tree, tmp_path)) == [(RULE, "docker/worker.Dockerfile", 1, None)]


def test_each_dockerfile_of_the_project_is_judged(tmp_path: Path) -> None:
    tree = {**APP, "Dockerfile": RUNTIME_AND_TEST, "Dockerfile.worker": "FROM python:3.11-slim AS worker\n"}
    assert rows(check(RULE, tree, tmp_path)) == [(RULE, "Dockerfile.worker", 1, None)]


def test_lower_case_dockerfile_is_the_projects_dockerfile(tmp_path: Path) -> None:
    assert rows(check(RULE, {**APP, "dockerfile": RUNTIME_AND_TEST}, tmp_path)) == []


# --------------------------------------------------------------------------- which projects and Dockerfiles


def test_dockerfiles_outside_the_product_do_not_count(tmp_path: Path) -> None:
    tree = {
        **APP,
        ".devcontainer/Dockerfile": RUNTIME_AND_TEST,
        "tests/fixtures/Dockerfile": RUNTIME_AND_TEST,
        "examples/Dockerfile": RUNTIME_AND_TEST,
    }
    assert [(f.path, f.kind) for f in check(RULE, tree, tmp_path)] == [("pyproject.toml", "no-dockerfile")]


def test_a_nested_projects_dockerfile_is_judged_with_its_project_only(tmp_path: Path) -> None:
    tree = {
        "pyproject.toml": SERVICE,
        "src/api/__init__.py": "",
        "worker/pyproject.toml": LIBRARY,
        "worker/Dockerfile": "FROM python:3.12\n",
    }
    # The worker is a service (its Dockerfile); the root has that Dockerfile in its tree.
    assert rows(check(RULE, tree, tmp_path)) == [(RULE, "worker/Dockerfile", 1, None)]


def test_a_workspace_root_has_its_members_dockerfiles(tmp_path: Path) -> None:
    # fastapi/full-stack-fastapi-template: the root's compose file builds backend/Dockerfile.
    tree = {
        "pyproject.toml": LIBRARY,
        "compose.yml": "services:\n  backend:\n    build: {context: ., dockerfile: backend/Dockerfile}\n",
        "backend/pyproject.toml": SERVICE,
        "backend/app/__init__.py": "",
        "backend/Dockerfile": "FROM python:3.12\n",
    }
    assert [(f.path, f.kind) for f in check(RULE, tree, tmp_path)] == [("backend/Dockerfile", "no-test-stage")]


def test_another_languages_dockerfile_is_not_the_services(tmp_path: Path) -> None:
    tree = {
        **APP,
        "frontend/package.json": "{}\n",
        "frontend/Dockerfile": "FROM node:20\n",
        "frontend/e2e/Dockerfile.playwright": "FROM mcr.microsoft.com/playwright\n",
        "sidecar/go.mod": "module x\n",
        "sidecar/Dockerfile": "FROM golang\n",
    }
    assert [(f.path, f.kind) for f in check(RULE, tree, tmp_path)] == [("pyproject.toml", "no-dockerfile")]


def test_a_python_manifest_beside_package_json_keeps_the_dockerfile(tmp_path: Path) -> None:
    tree = {**APP, "package.json": "{}\n", "Dockerfile": "FROM python:3.12\n"}
    assert [(f.path, f.kind) for f in check(RULE, tree, tmp_path)] == [("Dockerfile", "no-test-stage")]


def test_root_without_manifest_is_anchored_at_the_readme(tmp_path: Path) -> None:
    tree = {"README.md": "# app\n", "manage.py": "", "mysite/__init__.py": ""}
    assert rows(check(RULE, tree, tmp_path)) == [(RULE, "README.md", 1, None)]


def test_root_without_manifest_or_readme_is_anchored_at_its_first_python_file(tmp_path: Path) -> None:
    tree = {"manage.py": "", "mysite/__init__.py": "", "other/pyproject.toml": LIBRARY}
    assert rows(check(RULE, tree, tmp_path)) == [(RULE, "manage.py", 1, None)]


def test_a_repository_without_python_is_not_checked(tmp_path: Path) -> None:
    tree = {"compose.yaml": "services: {}\n", "Dockerfile": "FROM nginx\n", "go.mod": "module x\n"}
    assert check(RULE, tree, tmp_path) == []


def test_unreadable_dockerfile_counts_but_is_not_judged(tmp_path: Path) -> None:
    result = audit_tree({**APP, "Dockerfile": b"FROM python\x00\xff\n"}, tmp_path, select=(RULE, "UDEF000"))
    assert rows(result.findings) == [("UDEF000", "Dockerfile", 1, None)]


# --------------------------------------------------------------------------- profile and phase


def test_a_library_repository_is_not_applicable(tmp_path: Path) -> None:
    result = audit_tree({"pyproject.toml": LIBRARY, "src/lib/__init__.py": ""}, tmp_path, select=(RULE,))
    assert result.findings == ()
    assert result.not_applicable == (RULE,)


def test_profile_library_in_the_config_makes_it_not_applicable(tmp_path: Path) -> None:
    tree = {"pyproject.toml": SERVICE + '[tool.udef-audit]\nprofile = "library"\n', "manage.py": ""}
    result = audit_tree(tree, tmp_path, select=(RULE,))
    assert (result.findings, result.not_applicable) == ((), (RULE,))


def test_profile_service_in_the_config_checks_every_project(tmp_path: Path) -> None:
    tree = {
        "pyproject.toml": LIBRARY + '[tool.udef-audit]\nprofile = "service"\n',
        "src/lib/__init__.py": "",
        "plugins/p/pyproject.toml": LIBRARY,
    }
    found = check(RULE, tree, tmp_path)
    assert rows(found) == [(RULE, "plugins/p/pyproject.toml", 1, None), (RULE, "pyproject.toml", 1, None)]
    assert "which is a service (set by `profile` in pyproject.toml [tool.udef-audit])" in found[1].message


def test_library_members_of_a_service_repository_are_not_checked(tmp_path: Path) -> None:
    tree = {**APP, "Dockerfile": RUNTIME_AND_TEST, "libs/core/pyproject.toml": LIBRARY}
    assert check(RULE, tree, tmp_path) == []


def test_phase_zero_keeps_the_error_level(run_inproc: RunCli, tmp_path: Path) -> None:
    tree = {"pyproject.toml": SERVICE + "[tool.udef-audit]\nphase = 0\n", "src/api/__init__.py": ""}
    result = audit_tree(tree, tmp_path, select=(RULE,))
    (finding,) = result.findings
    assert (finding.level.value if finding.level else None, finding.ahead_of_phase) == ("error", False)
    run = run_inproc(tmp_path, "--select", RULE, "--format", "json")
    assert run.code == 1
    assert [f["level"] for f in run.json()["findings"]] == ["error"]


def test_fingerprint_survives_moving_the_stage(tmp_path: Path) -> None:
    first = audit_tree({**APP, "Dockerfile": "FROM python:3.11-slim\n"}, tmp_path / "a", select=(RULE,))
    moved = {**APP, "Dockerfile": "# the image\n\nFROM python:3.11-slim\n"}
    second = audit_tree(moved, tmp_path / "b", select=(RULE,))
    assert first.findings[0].line != second.findings[0].line
    assert first.findings[0].fingerprint == second.findings[0].fingerprint


# --------------------------------------------------------------------------- hostile input


def test_a_huge_dockerfile_is_a_udef000_note_and_still_the_projects(tmp_path: Path) -> None:
    config = "[tool.udef-audit]\nmax-file-size = 4096\n"
    tree = {**APP, "pyproject.toml": SERVICE + config, "Dockerfile": "FROM python\n" + "RUN true\n" * 1000}
    result = audit_tree(tree, tmp_path, select=(RULE, "UDEF000"))
    assert rows(result.findings) == [("UDEF000", "Dockerfile", 1, None)]


def test_a_thousand_stages_and_looping_names_stay_quick(tmp_path: Path) -> None:
    stages = [f"FROM python:3.12 AS s{i}\nFROM s{i} AS t{i}\n" for i in range(500)]
    dockerfile = "FROM a AS b\nFROM b AS a\n" + "".join(stages) + "FROM t499 AS release\n"
    started = time.monotonic()
    assert [(f.line, f.kind) for f in check(RULE, {**APP, "Dockerfile": dockerfile}, tmp_path)] == [
        (1003, "no-test-stage")
    ]
    assert time.monotonic() - started < 20
