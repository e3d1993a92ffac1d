"""UDEF009 runtime-non-root: the runtime stage runs as a non-root user."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import Run, fixture

from udef_audit.testing import audit_tree, check, rows

RULE = "UDEF009"
Audit = Callable[..., list[tuple[Any, ...]]]
RunCli = Callable[..., Run]

APP = {"pyproject.toml": '[project]\nname = "app"\nversion = "1"\ndependencies = []\n', "src/app/__init__.py": ""}


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("methodology", []),
        ("no-user", [("Dockerfile", 10)]),
        ("root-user", [("Dockerfile", 12)]),
        ("user-in-base-stage", []),
        ("root-in-base-stage", [("Dockerfile", 2)]),
        ("root-then-app", []),
        ("app-then-root", [("Dockerfile", 5)]),
        ("arg-user", []),
        ("arg-uid-zero", [("Dockerfile", 6)]),
        ("env-user-through-chain", []),
        ("unresolvable-user", []),
        ("distroless-nonroot", []),
        ("distroless-root", [("Dockerfile", 4)]),
        ("chainguard", []),
        ("chainguard-dev", [("Dockerfile", 1)]),
        ("numeric-uid", [("Dockerfile.uid0", 2)]),
        ("separate-test-dockerfile", []),
        ("outside-the-product", []),
    ],
)
def test_fixture_findings(audit: Audit, case: str, expected: list[tuple[str, int]]) -> None:
    found = audit(fixture(RULE, case), "--select", RULE)
    assert found == [(RULE, path, line, None) for path, line in expected]


RUNS_PYTHON = 'CMD ["python", "-m", "app"]\n'


def _found(dockerfile: str, tmp_path: Path, *, python: bool = True) -> list[tuple[int, str]]:
    # Only an image that runs Python is judged: a last line says so unless asked not to.
    text = dockerfile + (RUNS_PYTHON if python else "")
    return [(f.line, f.kind) for f in check(RULE, {**APP, "Dockerfile": text}, tmp_path)]


def _message(dockerfile: str, tmp_path: Path) -> str:
    (finding,) = check(RULE, {**APP, "Dockerfile": dockerfile}, tmp_path)
    return finding.message


# --------------------------------------------------------------------------- messages


def test_no_user_names_the_image_that_runs_as_root(tmp_path: Path) -> None:
    assert _message("FROM python:3.11-slim AS builder\nFROM python:3.11-slim AS runtime\n", tmp_path) == (
        "runtime stage `runtime` runs as root: no USER in it or in the stages it is built FROM, and "
        "python:3.11-slim runs as root by default; create an unprivileged user (`RUN useradd -m -u 1000 appuser`) "
        "and end the runtime stage with `USER appuser`."
    )


def test_root_user_in_the_stage_itself(tmp_path: Path) -> None:
    assert _message("FROM python:3.11-slim\nUSER root\n", tmp_path) == (
        "runtime stage #0 runs as root: its last USER is `USER root`; end the runtime stage with an unprivileged "
        "user after the steps that need root (`USER appuser`, created with `RUN useradd -m -u 1000 appuser`)."
    )


def test_inherited_root_user_names_the_stage_and_the_resolved_value(tmp_path: Path) -> None:
    dockerfile = "FROM python:3.11-slim AS base\nARG ID=0\nUSER $ID\nFROM base AS runtime\nRUN true\n"
    assert _message(dockerfile, tmp_path).startswith(
        "runtime stage `runtime` runs as root: it sets no USER and inherits `USER $ID` (0 by default) from stage "
        "`base`;"
    )


# --------------------------------------------------------------------------- who is root


@pytest.mark.parametrize("user", ["root", "0", "000", "root:root", "0:0", "root:1000", "0:app", " root "])
def test_root_users(tmp_path: Path, user: str) -> None:
    assert _found(f"FROM python:3.11-slim\nUSER {user}\n", tmp_path) == [(2, "root-user")]


@pytest.mark.parametrize("user", ["1000", "1000:0", "app", "app:root", "nobody", "65532:65532", "rootless", "10"])
def test_non_root_users(tmp_path: Path, user: str) -> None:
    assert _found(f"FROM python:3.11-slim\nUSER {user}\n", tmp_path) == []


def test_the_last_user_wins(tmp_path: Path) -> None:
    assert _found("FROM python:3.11-slim\nUSER root\nRUN apt-get update\nUSER app\n", tmp_path) == []
    assert _found("FROM python:3.11-slim\nUSER app\nUSER root\n", tmp_path / "b") == [(3, "root-user")]


def test_the_runtime_stages_own_user_wins_over_its_base(tmp_path: Path) -> None:
    dockerfile = "FROM python:3.11-slim AS base\nUSER root\nFROM base AS runtime\nUSER app\n"
    assert _found(dockerfile, tmp_path) == []
    dockerfile = "FROM python:3.11-slim AS base\nUSER app\nFROM base AS runtime\nUSER 0\n"
    assert _found(dockerfile, tmp_path / "b") == [(4, "root-user")]


def test_users_of_stages_outside_the_chain_do_not_count(tmp_path: Path) -> None:
    dockerfile = "FROM python:3.11 AS builder\nUSER app\nFROM python:3.11 AS runtime\nCOPY --from=builder /a /\n"
    assert _found(dockerfile, tmp_path) == [(3, "no-user")]


def test_a_deep_chain_inherits_the_user(tmp_path: Path) -> None:
    lines = ["FROM python:3.11-slim AS s0", "USER app"] + [f"FROM s{i - 1} AS s{i}" for i in range(1, 1000)]
    started = time.monotonic()
    assert _found("\n".join([*lines, "FROM s999 AS runtime"]) + "\n", tmp_path) == []
    assert time.monotonic() - started < 10


# --------------------------------------------------------------------------- USER $VAR


@pytest.mark.parametrize(
    ("dockerfile", "expected"),
    [
        ("FROM python AS runtime\nARG U=app\nUSER $U\n", []),
        ("FROM python AS runtime\nARG U=root\nUSER ${U}\n", [(3, "root-user")]),
        # An `ARG NAME` in the stage takes the global default; a global ARG alone is not in scope.
        ("ARG U=root\nFROM python AS runtime\nARG U\nUSER $U\n", [(4, "root-user")]),
        ("ARG U=root\nFROM python AS runtime\nUSER $U\n", []),
        # ENV wins over an ARG of the same name, and carries into the stages built FROM it.
        ("FROM python AS runtime\nARG U=root\nENV U=app\nUSER $U\n", []),
        ("FROM python AS base\nENV U=root\nFROM base AS runtime\nUSER $U\n", [(4, "root-user")]),
        # An ARG does not carry into the stages built FROM its stage.
        ("FROM python AS base\nARG U=root\nFROM base AS runtime\nUSER $U\n", []),
        # ENV values are resolved where they are set.
        ("FROM python AS runtime\nARG ID=0\nENV UID=$ID\nUSER ${UID:-1000}\n", [(4, "root-user")]),
        ("FROM python AS runtime\nUSER ${UID:-1000}\n", []),
        ("FROM python AS runtime\nARG UID\nUSER ${UID:-0}\n", [(3, "root-user")]),
        # Values set only by the base image, or after the USER line, are unknown.
        ("FROM jupyter/base-notebook AS runtime\nUSER $NB_USER\n", []),
        ("FROM python AS runtime\nUSER $U\nARG U=root\n", []),
        ("FROM python AS runtime\nARG U\nUSER $U\n", []),
        ("FROM python AS runtime\nUSER\n", []),
    ],
)
def test_user_variables(tmp_path: Path, dockerfile: str, expected: list[tuple[int, str]]) -> None:
    assert _found(dockerfile, tmp_path) == expected


def test_backtick_escape_directive(tmp_path: Path) -> None:
    assert _found("# escape=`\nFROM python AS runtime\nARG U=ro`ot\nUSER $U\n", tmp_path) == [(4, "root-user")]


# --------------------------------------------------------------------------- images that default to non-root


@pytest.mark.parametrize(
    "image",
    [
        "gcr.io/distroless/python3-debian12:nonroot",
        "gcr.io/distroless/static-debian12:nonroot-amd64",
        "gcr.io/distroless/python3:debug-nonroot",
        "cgr.dev/chainguard/python:latest",
        "cgr.dev/chainguard/python:3.12",
        "cgr.dev/chainguard/python@sha256:abc",
        "ghcr.io/acme/base:nonroot",
        "ghcr.io/acme/base:1.2-nonroot@sha256:abc",
    ],
)
def test_non_root_default_images(tmp_path: Path, image: str) -> None:
    assert _found(f"FROM {image}\n", tmp_path) == []


@pytest.mark.parametrize(
    "image",
    [
        "python:3.11-slim",
        "gcr.io/distroless/python3-debian12",
        "gcr.io/distroless/python3-debian12:latest",
        "cgr.dev/chainguard/python:latest-dev",
        "cgr.dev/chainguard/python:3.12-dev",
        "acme/nonroot:1.0",
        "scratch",
    ],
)
def test_root_default_images(tmp_path: Path, image: str) -> None:
    assert _found(f"FROM {image}\n", tmp_path) == [(1, "no-user")]


def test_user_overrides_a_non_root_default(tmp_path: Path) -> None:
    assert _found("FROM cgr.dev/chainguard/python:latest\nUSER root\n", tmp_path) == [(2, "root-user")]


def test_image_through_a_global_arg(tmp_path: Path) -> None:
    dockerfile = "ARG TAG=nonroot\nFROM gcr.io/distroless/python3-debian12:${TAG} AS runtime\n"
    assert _found(dockerfile, tmp_path) == []


def test_unresolved_root_image_without_user_gives_no_result(tmp_path: Path) -> None:
    assert _found("ARG BASE\nFROM $BASE AS runtime\n", tmp_path) == []
    assert _found("ARG BASE\nFROM $BASE AS runtime\nUSER root\n", tmp_path / "b") == [(3, "root-user")]


def test_non_root_images_parameter(tmp_path: Path) -> None:
    config = '[tool.udef-audit.rules.UDEF009]\nnon-root-images = ["jupyter/*"]\n'
    dockerfile = "FROM jupyter/base-notebook:py3\n" + RUNS_PYTHON
    tree = {**APP, "pyproject.toml": APP["pyproject.toml"] + config, "Dockerfile": dockerfile}
    assert check(RULE, tree, tmp_path) == []
    assert _found("FROM jupyter/base-notebook:py3\n", tmp_path / "b") == [(1, "no-user")]


# --------------------------------------------------------------------------- which stages and Dockerfiles


def test_runtime_named_stage_is_the_one_checked(tmp_path: Path) -> None:
    dockerfile = "FROM python:3.11-slim AS runtime\nUSER app\nFROM python:3.11-slim AS docs\n"
    assert _found(dockerfile, tmp_path) == []


def test_test_stages_may_run_as_root(tmp_path: Path) -> None:
    dockerfile = "FROM python:3.11-slim AS base\nUSER app\nFROM base AS runtime\nFROM base AS test\nUSER root\n"
    assert _found(dockerfile, tmp_path) == []


def test_a_dockerfile_of_only_test_stages_has_no_runtime_to_check(tmp_path: Path) -> None:
    assert _found("FROM python:3.11-slim AS base\nFROM base AS test\n", tmp_path) == []


def test_separate_test_dockerfiles_are_not_runtime_images(tmp_path: Path) -> None:
    tree = {**APP, "Dockerfile.test": "FROM python:3.12\n", "ci.Dockerfile": "FROM python:3.12\n"}
    assert check(RULE, tree, tmp_path) == []


def test_every_product_dockerfile_is_checked(tmp_path: Path) -> None:
    tree = {
        **APP,
        "Dockerfile": "FROM python:3.11-slim\nUSER app\n",
        "docker/worker.Dockerfile": "FROM python:3.11-slim\n",
        "services/api/pyproject.toml": '[project]\nname = "api"\n',
        "services/api/Containerfile": "FROM python:3.11-slim\nUSER 0:0\n",
        "tests/fixtures/Dockerfile": "FROM python:3.11-slim\n",
        ".devcontainer/Dockerfile": "FROM python:3.11-slim\n",
    }
    assert rows(check(RULE, tree, tmp_path)) == [
        (RULE, "docker/worker.Dockerfile", 1, None),
        (RULE, "services/api/Containerfile", 2, None),
    ]


def test_another_languages_component_is_not_checked(tmp_path: Path) -> None:
    tree = {
        **APP,
        "Dockerfile": "FROM python\nUSER app\n",
        "frontend/package.json": "{}\n",
        "frontend/Dockerfile": "FROM node:20\n",
        "frontend/docker/prod.Dockerfile": "FROM nginx\n",
    }
    assert check(RULE, tree, tmp_path) == []


@pytest.mark.parametrize(
    "dockerfile",
    [
        "FROM nginx:1.27\nCOPY nginx.conf /etc/nginx/\n",
        "FROM postgres:16\nCOPY maintenance /usr/local/bin/\n",
        "FROM coredns/coredns:1.11.1\nCOPY Corefile /\n",
        'FROM nginx\nENV DD_UWSGI_HOST="uwsgi" UPSTREAM=gunicorn:8000\nCOPY wsgi_params /etc/nginx/\n',
        # DefectDojo's nginx image: Python collects the static files in a build stage only.
        "FROM python AS build\nRUN python manage.py collectstatic\nFROM nginx AS release\nCOPY --from=build /s /s\n",
    ],
)
def test_images_that_run_no_python_are_not_judged(tmp_path: Path, dockerfile: str) -> None:
    assert _found(dockerfile, tmp_path, python=False) == []


@pytest.mark.parametrize(
    "evidence",
    [
        "RUN pip install .",
        "RUN uv sync --frozen",
        "COPY requirements.txt /app/",
        "ENV PYTHONUNBUFFERED=1",
        "ENV PYTHONDONTWRITEBYTECODE 1",
        'ENTRYPOINT ["gunicorn", "app.wsgi"]',
        "COPY --from=build /app/.venv /app/.venv",
        "RUN <<EOF\npoetry install\nEOF",
    ],
)
def test_python_evidence_in_the_runtime_chain(tmp_path: Path, evidence: str) -> None:
    runtime_line = evidence.count("\n") + 3
    dockerfile = f"FROM debian:12 AS base\n{evidence}\nFROM base AS runtime\n"
    assert _found(dockerfile, tmp_path, python=False) == [(runtime_line, "no-user")]


def test_a_python_base_image_is_evidence(tmp_path: Path) -> None:
    for image in ("python:3.12-slim", "gcr.io/distroless/python3-debian12", "cgr.dev/chainguard/python:latest-dev"):
        assert _found(f"FROM {image}\n", tmp_path / image.replace("/", "_"), python=False) == [(1, "no-user")]


def test_a_repository_without_python_is_not_checked(tmp_path: Path) -> None:
    assert check(RULE, {"Dockerfile": "FROM nginx\n", "go.mod": "module x\n"}, tmp_path) == []


def test_a_dockerfile_outside_any_python_project_is_not_checked(tmp_path: Path) -> None:
    tree = {"backend/pyproject.toml": '[project]\nname = "b"\n', "frontend/Dockerfile": "FROM nginx\n"}
    assert check(RULE, tree, tmp_path) == []


def test_a_library_with_a_dockerfile_is_checked(tmp_path: Path) -> None:
    tree = {**APP, "pyproject.toml": APP["pyproject.toml"] + '[tool.udef-audit]\nprofile = "library"\n'}
    assert rows(check(RULE, {**tree, "Dockerfile": "FROM python\n"}, tmp_path)) == [(RULE, "Dockerfile", 1, None)]


# --------------------------------------------------------------------------- phase, fingerprints


def test_phase_zero_keeps_the_error_level(run_inproc: RunCli, tmp_path: Path) -> None:
    config = "[tool.udef-audit]\nphase = 0\n"
    tree = {**APP, "pyproject.toml": APP["pyproject.toml"] + config, "Dockerfile": "FROM python\n"}
    (finding,) = audit_tree(tree, tmp_path, select=(RULE,)).findings
    assert (finding.level.value if finding.level else None, finding.ahead_of_phase) == ("error", False)
    run = run_inproc(tmp_path, "--select", RULE, "--format", "json")
    assert (run.code, [f["level"] for f in run.json()["findings"]]) == (1, ["error"])


def test_fingerprint_stays_when_the_root_user_moves(tmp_path: Path) -> None:
    first = check(RULE, {**APP, "Dockerfile": "FROM python AS runtime\nUSER root\n"}, tmp_path / "a")
    second = check(RULE, {**APP, "Dockerfile": "FROM python AS runtime\nRUN true\n\nUSER root\n"}, tmp_path / "b")
    assert (first[0].line, second[0].line) == (2, 4)
    assert first[0].fingerprint == second[0].fingerprint


# --------------------------------------------------------------------------- hostile input


def test_binary_dockerfile_is_a_udef000_note(tmp_path: Path) -> None:
    tree = {**APP, "Dockerfile": b"FROM python\x00\nUSER root\n"}
    assert rows(audit_tree(tree, tmp_path, select=(RULE, "UDEF000")).findings) == [("UDEF000", "Dockerfile", 1, None)]


def test_stage_names_that_loop_are_external_images(tmp_path: Path) -> None:
    # `FROM a AS b` then `FROM b AS a`: the first `a` is an image, so no stage loops.
    assert _found("FROM a AS b\nUSER app\nFROM b AS a\n", tmp_path) == []
    assert _found("FROM a AS b\nFROM b AS a\n", tmp_path / "b") == [(2, "no-user")]


def test_a_thousand_stages_and_huge_variables_stay_bounded(tmp_path: Path) -> None:
    lines = ["FROM python:3.11-slim AS s0", "ENV A=" + "x" * 3000]
    for i in range(1, 1000):
        lines += [f"FROM s{i - 1} AS s{i}", f"ENV A{i}=$A$A", "ARG B=${A}${A}", "USER $B"]
    lines += ["FROM s999 AS runtime", "USER root"]
    started = time.monotonic()
    assert _found("\n".join(lines) + "\n", tmp_path) == [(len(lines), "root-user")]
    assert time.monotonic() - started < 20


def test_values_that_outgrow_the_bound_give_no_result(tmp_path: Path) -> None:
    lines = ["FROM python:3.11-slim AS runtime", "ENV A=" + "x" * 4000]
    lines += [f"ENV B{i}=$A" for i in range(400)] + ["USER root"]
    assert _found("\n".join(lines) + "\n", tmp_path) == []
