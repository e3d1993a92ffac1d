"""UDEF004 docker-stages-share-base: test stages build on the runtime stage's base image."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import Run, fixture, write_tree

RULE = "UDEF004"
Audit = Callable[..., list[tuple[Any, ...]]]
RunCli = Callable[..., Run]


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("methodology", []),
        ("test-diverges", [("Dockerfile", 7)]),
        ("same-image-two-spellings", []),
        ("arg-substituted", []),
        ("arg-substituted-diverges", [("Dockerfile", 6)]),
        ("platform-flags", []),
        ("arg-without-default", [("Dockerfile", 2)]),
        ("multi-level-chain", []),
        ("multi-level-chain-diverges", [("Dockerfile", 8)]),
        ("frontend-build-stage", []),
        ("last-stage-is-runtime", [("Dockerfile", 1)]),
        ("separate-test-dockerfile-diverges", [("Dockerfile.test", 2)]),
        ("separate-test-dockerfile-matches", []),
        ("containerfile", [("Containerfile", 4)]),
        ("star-dockerfile", [("docker/api.Dockerfile", 4)]),
        ("named-test-sibling", [("docker/api-test.Dockerfile", 1)]),
        ("stage-name-case", []),
        ("heredocs", []),
        ("lowercase-from", [("Dockerfile", 4)]),
        ("single-stage", []),
        ("empty-dockerfile", []),
        ("garbage-dockerfile", []),
    ],
)
def test_fixture_findings(audit: Audit, case: str, expected: list[tuple[str, int]]) -> None:
    found = audit(fixture(RULE, case), "--select", RULE)
    assert found == [(RULE, path, line, None) for path, line in expected]


_write = write_tree


def _results(run_inproc: RunCli, path: Path, *extra: str) -> list[dict[str, Any]]:
    result = run_inproc(path, "--format", "json", "--select", RULE, *extra)
    assert result.code in (0, 1), result.stderr
    findings: list[dict[str, Any]] = result.json()["findings"]
    return findings


def _messages(run_inproc: RunCli, path: Path) -> list[tuple[str, int, str, str]]:
    return sorted((f["path"], f["line"], f["level"], f["message"]) for f in _results(run_inproc, path))


# --------------------------------------------------------------------------- messages and exit codes


def test_divergence_message_names_both_images_and_the_runtime_stage(run_inproc: RunCli) -> None:
    result = run_inproc(fixture(RULE, "test-diverges"), "--format", "json", "--select", RULE)
    assert result.code == 1
    (finding,) = result.json()["findings"]
    assert finding["level"] == "error"
    assert finding["message"] == (
        "test stage `test` builds on python:3.12 but runtime stage `runtime` builds on "
        "python:3.11-slim; build the test stage FROM the runtime base."
    )


def test_separate_test_dockerfile_message_names_the_sibling(run_inproc: RunCli) -> None:
    assert _messages(run_inproc, fixture(RULE, "separate-test-dockerfile-diverges")) == [
        (
            "Dockerfile.test",
            2,
            "error",
            "test stage #0 builds on python:3.12 but runtime stage `runtime` of Dockerfile builds on "
            "python:3.11-slim; build the test stage FROM the runtime base.",
        )
    ]


def test_named_test_dockerfile_pairs_with_the_same_named_sibling(run_inproc: RunCli) -> None:
    (finding,) = _results(run_inproc, fixture(RULE, "named-test-sibling"))
    assert "runtime stage `app` of docker/api.Dockerfile builds on python:3.11-slim" in finding["message"]


def test_unresolved_from_is_a_note_that_does_not_fail_the_run(run_inproc: RunCli) -> None:
    result = run_inproc(fixture(RULE, "arg-without-default"), "--format", "json", "--select", RULE)
    assert result.code == 0
    (finding,) = result.json()["findings"]
    assert finding["level"] == "note"
    assert finding["message"] == (
        "the base image of stage `base` (`FROM python:${PY}-slim`) cannot be resolved: it has ARG "
        "`PY` without a default before the first FROM, so the test and runtime bases cannot be "
        "compared; give the ARG a default."
    )


def test_last_unnamed_stage_is_the_runtime(run_inproc: RunCli) -> None:
    (finding,) = _results(run_inproc, fixture(RULE, "last-stage-is-runtime"))
    assert "runtime stage #2 builds on python:3.11-slim" in finding["message"]


def test_clean_fixture_exits_zero(run_inproc: RunCli) -> None:
    result = run_inproc(fixture(RULE, "methodology"), "--format", "json", "--select", RULE)
    assert result.code == 0, result.stderr
    assert result.json()["findings"] == []


def test_moving_a_stage_keeps_its_fingerprint(run_inproc: RunCli, tmp_path: Path) -> None:
    first = _write(tmp_path / "a", {"Dockerfile": "FROM python:3.11-slim AS runtime\nFROM python:3.12 AS test\n"})
    moved = _write(
        tmp_path / "b",
        {"Dockerfile": "# moved\n\nFROM python:3.11-slim AS runtime\nRUN true\nFROM python:3.12 AS test\n"},
    )
    (before,) = _results(run_inproc, first)
    (after,) = _results(run_inproc, moved)
    assert before["line"] != after["line"]
    assert before["fingerprint"] == after["fingerprint"]


# --------------------------------------------------------------------------- stage names


@pytest.mark.parametrize(
    "name",
    [
        "test",
        "tests",
        "testing",
        "ci",
        "check",
        "dev",
        "lint",
        "unit-test",
        "ci_check",
        "py311-test",
        "Test",
        "lint.strict",
        "test-runtime",
        "development",
        "django-unittests",
        "unittest",
        "pytest",
    ],
)
def test_test_stage_names(audit: Audit, tmp_path: Path, name: str) -> None:
    _write(tmp_path, {"Dockerfile": f"FROM python:3.11-slim AS runtime\nFROM python:3.12 AS {name}\n"})
    assert audit(tmp_path, "--select", RULE) == [(RULE, "Dockerfile", 2, None)]


@pytest.mark.parametrize("name", ["contest", "testdata", "devices", "developer", "builder", "docs", "latest"])
def test_other_stage_names_are_not_test_stages(audit: Audit, tmp_path: Path, name: str) -> None:
    _write(tmp_path, {"Dockerfile": f"FROM python:3.12 AS {name}\nFROM python:3.11-slim AS runtime\n"})
    assert audit(tmp_path, "--select", RULE) == []


@pytest.mark.parametrize(
    "name", ["runtime", "prod", "production", "release", "final", "app", "api-prod", "app_server", "RELEASE"]
)
def test_runtime_stage_names(audit: Audit, tmp_path: Path, name: str) -> None:
    # The runtime-named stage is not the last one, so only its name makes it the runtime.
    dockerfile = f"FROM python:3.11-slim AS {name}\nFROM python:3.12 AS test\nFROM python:3.12 AS docs\n"
    _write(tmp_path, {"Dockerfile": dockerfile})
    assert audit(tmp_path, "--select", RULE) == [(RULE, "Dockerfile", 2, None)]


def test_a_test_and_runtime_named_stage_is_a_test_stage(run_inproc: RunCli, tmp_path: Path) -> None:
    _write(tmp_path, {"Dockerfile": "FROM python:3.11-slim AS runtime\nFROM python:3.12 AS test-runtime\n"})
    (finding,) = _results(run_inproc, tmp_path)
    assert finding["message"].startswith("test stage `test-runtime` builds on python:3.12 but runtime stage `runtime`")


def test_last_runtime_named_stage_is_the_one_compared(run_inproc: RunCli, tmp_path: Path) -> None:
    dockerfile = (
        "FROM python:3.11-alpine AS app-base\n"
        "FROM python:3.11-slim AS test\n"
        "FROM python:3.11-slim AS runtime\n"
        "FROM python:3.12 AS docs\n"
    )
    _write(tmp_path, {"Dockerfile": dockerfile})
    assert _results(run_inproc, tmp_path) == []


def test_one_result_per_diverging_test_stage(audit: Audit, tmp_path: Path) -> None:
    dockerfile = (
        "FROM python:3.11-slim AS runtime\n"
        "FROM python:3.12 AS lint\n"
        "FROM runtime AS unit-test\n"
        "FROM python:3.13 AS ci\n"
    )
    _write(tmp_path, {"Dockerfile": dockerfile})
    assert audit(tmp_path, "--select", RULE) == [(RULE, "Dockerfile", 2, None), (RULE, "Dockerfile", 4, None)]


def test_last_stage_that_is_a_test_stage_is_no_runtime(audit: Audit, tmp_path: Path) -> None:
    _write(tmp_path, {"Dockerfile": "FROM python:3.11-slim AS builder\nFROM python:3.12 AS test\n"})
    assert audit(tmp_path, "--select", RULE) == []


def test_runtime_built_from_the_test_stage_shares_its_base(audit: Audit, tmp_path: Path) -> None:
    _write(tmp_path, {"Dockerfile": "FROM python:3.11-slim AS dev\nFROM dev AS final\n"})
    assert audit(tmp_path, "--select", RULE) == []


# --------------------------------------------------------------------------- image identity


@pytest.mark.parametrize(
    ("test_image", "runtime_image"),
    [
        ("python", "python:latest"),
        ("index.docker.io/library/python:3.11", "python:3.11"),
        ("PYTHON:3.11", "python:3.11"),
        ("python:3.11@sha256:abc", "python@sha256:abc"),
        ("docker.io/library/python:3.11@sha256:abc", "python:3.11@sha256:abc"),
    ],
)
def test_same_image_is_clean(audit: Audit, tmp_path: Path, test_image: str, runtime_image: str) -> None:
    _write(tmp_path, {"Dockerfile": f"FROM {test_image} AS test\nFROM {runtime_image} AS runtime\n"})
    assert audit(tmp_path, "--select", RULE) == []


@pytest.mark.parametrize(
    ("test_image", "runtime_image", "hint"),
    [
        ("python:3.11@sha256:abc", "python:3.11", " (the same tag, but only one of them pins a digest)"),
        ("python:3.11@sha256:abc", "python:3.11@sha256:def", " (the same tag pinned to different digests)"),
        ("python:3.11", "python:3.11-slim", ""),
        ("python:3.11", "scratch", ""),
        ("ghcr.io/org/python:3.11", "python:3.11", ""),
    ],
)
def test_different_images_diverge(
    run_inproc: RunCli, tmp_path: Path, test_image: str, runtime_image: str, hint: str
) -> None:
    _write(tmp_path, {"Dockerfile": f"FROM {runtime_image} AS runtime\nFROM {test_image} AS test\n"})
    (finding,) = _results(run_inproc, tmp_path)
    assert finding["line"] == 2
    assert finding["message"].endswith(f"{hint}; build the test stage FROM the runtime base.")


# --------------------------------------------------------------------------- unresolved images


def test_unresolved_runtime_blocking_several_tests_is_one_note(run_inproc: RunCli, tmp_path: Path) -> None:
    dockerfile = "ARG BASE\nFROM $BASE AS runtime\nFROM python:3.12 AS test\nFROM python:3.12 AS lint\n"
    _write(tmp_path, {"Dockerfile": dockerfile})
    assert [(f["line"], f["level"]) for f in _results(run_inproc, tmp_path)] == [(2, "note")]


def test_unresolved_test_stage_is_a_note_at_its_from(run_inproc: RunCli, tmp_path: Path) -> None:
    _write(tmp_path, {"Dockerfile": "FROM python:3.11-slim AS runtime\nFROM python:$TEST_PY AS test\n"})
    (finding,) = _results(run_inproc, tmp_path)
    assert (finding["line"], finding["level"]) == (2, "note")
    assert "ARG `TEST_PY` without a default" in finding["message"]


def test_arg_declared_inside_a_stage_does_not_resolve_a_later_from(run_inproc: RunCli, tmp_path: Path) -> None:
    dockerfile = "FROM python:3.11-slim AS runtime\nARG PY=3.11\nFROM python:${PY}-slim AS test\n"
    _write(tmp_path, {"Dockerfile": dockerfile})
    assert [(f["line"], f["level"]) for f in _results(run_inproc, tmp_path)] == [(3, "note")]


def test_unresolved_from_outside_any_comparison_is_silent(audit: Audit, tmp_path: Path) -> None:
    dockerfile = (
        "ARG NODE\nFROM node:${NODE} AS frontend\nFROM python:3.11-slim AS test\nFROM python:3.11-slim AS runtime\n"
    )
    _write(tmp_path, {"Dockerfile": dockerfile, "Dockerfile.prod": "ARG IMAGE\nFROM $IMAGE\n"})
    assert audit(tmp_path, "--select", RULE) == []


def test_from_without_an_image_is_a_note(run_inproc: RunCli, tmp_path: Path) -> None:
    _write(tmp_path, {"Dockerfile": "FROM python:3.11-slim AS test\nFROM\n"})
    (finding,) = _results(run_inproc, tmp_path)
    assert (finding["line"], finding["level"]) == (2, "note")
    assert finding["message"] == (
        "the base image of stage #1 cannot be resolved: it has no image, so the test and runtime bases "
        "cannot be compared; name the image."
    )


def test_build_platform_arg_note_does_not_ask_for_a_default(run_inproc: RunCli, tmp_path: Path) -> None:
    _write(tmp_path, {"Dockerfile": "FROM python:3.11-slim AS runtime\nFROM img-$TARGETARCH AS test\n"})
    (finding,) = _results(run_inproc, tmp_path)
    assert (finding["line"], finding["level"]) == (2, "note")
    assert finding["message"].endswith(
        "it has the build-platform ARG `TARGETARCH`, so the test and runtime bases cannot be compared; "
        "build the test and runtime stages FROM one stage."
    )


def test_long_references_are_cut_in_messages(run_inproc: RunCli, tmp_path: Path) -> None:
    long_tag = "x" * 5000
    _write(tmp_path, {"Dockerfile": f"FROM python:3.11-slim AS runtime\nFROM python:{long_tag} AS test\n"})
    (finding,) = _results(run_inproc, tmp_path)
    assert len(finding["message"]) < 400
    assert f"builds on python:{'x' * 90}..." in finding["message"]


# --------------------------------------------------------------------------- separate test Dockerfiles


@pytest.mark.parametrize(
    "test_file",
    [
        "Dockerfile.test",
        "test.Dockerfile",
        "Dockerfile.ci",
        "Dockerfile.dev",
        "ci.Dockerfile",
        "Dockerfile.tests",
        "lint.dockerfile",
        "Containerfile.test",
    ],
)
def test_separate_test_dockerfile_names(audit: Audit, tmp_path: Path, test_file: str) -> None:
    _write(tmp_path, {"Dockerfile": "FROM python:3.11-slim\n", test_file: "FROM python:3.12\n"})
    assert audit(tmp_path, "--select", RULE) == [(RULE, test_file, 1, None)]


def test_separate_test_dockerfile_compares_its_test_stages_only(audit: Audit, tmp_path: Path) -> None:
    test_file = "FROM python:3.12 AS tools\nFROM python:3.11-slim AS test\nFROM python:3.12 AS report\n"
    _write(tmp_path, {"Dockerfile": "FROM python:3.11-slim AS runtime\n", "Dockerfile.test": test_file})
    assert audit(tmp_path, "--select", RULE) == []


@pytest.mark.parametrize("path", ["docker/test/Dockerfile", "ci/Dockerfile", "docker/development/Dockerfile"])
def test_a_dockerfile_in_a_test_folder_is_checked_on_its_own(audit: Audit, tmp_path: Path, path: str) -> None:
    # A test file by its folder has no sibling (its neighbours are test files too).
    files: dict[str, str | bytes] = {
        "Dockerfile": "FROM python:3.11-slim\n",
        path: "FROM python:3.11-slim AS runtime\nFROM python:3.12 AS test\n",
    }
    _write(tmp_path, files)
    assert audit(tmp_path, "--select", RULE) == [(RULE, path, 2, None)]


def test_containerfile_is_a_sibling(run_inproc: RunCli, tmp_path: Path) -> None:
    _write(tmp_path, {"Containerfile": "FROM python:3.11-slim\n", "Dockerfile.ci": "FROM python:3.12\n"})
    (finding,) = _results(run_inproc, tmp_path)
    assert finding["path"] == "Dockerfile.ci"
    assert "of Containerfile builds on python:3.11-slim" in finding["message"]


def test_sibling_must_be_in_the_same_folder(audit: Audit, tmp_path: Path) -> None:
    _write(tmp_path, {"Dockerfile": "FROM python:3.11-slim\n", "ci/Dockerfile.test": "FROM python:3.12\n"})
    assert audit(tmp_path, "--select", RULE) == []


def test_runtime_named_sibling_serves_when_there_is_no_plain_one(run_inproc: RunCli, tmp_path: Path) -> None:
    _write(tmp_path, {"Dockerfile.prod": "FROM python:3.11-slim\n", "Dockerfile.test": "FROM python:3.12\n"})
    (finding,) = _results(run_inproc, tmp_path)
    assert (finding["path"], finding["line"]) == ("Dockerfile.test", 1)
    assert "runtime stage #0 of Dockerfile.prod builds on python:3.11-slim" in finding["message"]


def test_plain_sibling_wins_over_a_runtime_named_one(audit: Audit, tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {
        "Dockerfile": "FROM python:3.12\n",
        "Dockerfile.prod": "FROM python:3.11-slim\n",
        "Dockerfile.test": "FROM python:3.12\n",
    }
    _write(tmp_path, files)
    assert audit(tmp_path, "--select", RULE) == []


def test_separate_test_dockerfile_without_sibling_is_checked_on_its_own(audit: Audit, tmp_path: Path) -> None:
    _write(tmp_path, {"Dockerfile.test": "FROM python:3.11-slim AS runtime\nFROM python:3.12 AS test\n"})
    assert audit(tmp_path, "--select", RULE) == [(RULE, "Dockerfile.test", 2, None)]


def test_unresolved_sibling_runtime_is_a_note_in_the_sibling(run_inproc: RunCli, tmp_path: Path) -> None:
    _write(tmp_path, {"Dockerfile": "ARG PY\nFROM python:$PY\n", "Dockerfile.test": "FROM python:3.12\n"})
    (finding,) = _results(run_inproc, tmp_path)
    assert (finding["path"], finding["line"], finding["level"]) == ("Dockerfile", 2, "note")


@pytest.mark.parametrize("name", ["dockerfile", "DOCKERFILE.prod", "api.Containerfile", "containerfile"])
def test_dockerfile_names_in_any_case(audit: Audit, tmp_path: Path, name: str) -> None:
    # The names that make a project a service (Docker itself falls back to `dockerfile`).
    _write(tmp_path, {name: "FROM python:3.11-slim AS runtime\nFROM python:3.12 AS test\n"})
    assert audit(tmp_path, "--select", RULE) == [(RULE, name, 2, None)]


def test_lower_case_test_dockerfile_pairs_with_its_sibling(audit: Audit, tmp_path: Path) -> None:
    _write(tmp_path, {"dockerfile": "FROM python:3.11-slim\n", "dockerfile.test": "FROM python:3.12\n"})
    assert audit(tmp_path, "--select", RULE) == [(RULE, "dockerfile.test", 1, None)]


@pytest.mark.parametrize("name", ["dockerfile.py", "Dockerfile.md", "Dockerfile.template"])
def test_code_and_documents_about_dockerfiles_are_not_read(audit: Audit, tmp_path: Path, name: str) -> None:
    _write(tmp_path, {name: "FROM python:3.11-slim AS runtime\nFROM python:3.12 AS test\n"})
    assert audit(tmp_path, "--select", RULE) == []


def test_dockerignore_files_are_not_dockerfiles(audit: Audit, tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {
        "Dockerfile": "FROM python:3.11-slim\n",
        "Dockerfile.test.dockerignore": "FROM python:3.12 AS test\n",
        "Dockerfile.dockerignore": "FROM python:3.12 AS test\nFROM python:3.11 AS runtime\n",
    }
    _write(tmp_path, files)
    assert audit(tmp_path, "--select", RULE) == []


# --------------------------------------------------------------------------- hostile input


def test_undecodable_dockerfile_is_a_udef000_note_and_no_crash(audit: Audit, tmp_path: Path) -> None:
    _write(tmp_path, {"Dockerfile": b"FROM python:3.11 AS runtime\n\xff\xfe\nFROM python:3.12 AS test\n"})
    assert audit(tmp_path, "--select", f"{RULE},UDEF000") == [("UDEF000", "Dockerfile", 1, None)]


def test_deep_stage_chain_is_fast_and_clean(audit: Audit, tmp_path: Path) -> None:
    lines = ["FROM python:3.11-slim AS s0"] + [f"FROM s{i - 1} AS s{i}" for i in range(1, 3000)]
    lines += ["FROM s2999 AS test", "FROM s0 AS runtime"]
    _write(tmp_path, {"Dockerfile": "\n".join(lines) + "\n"})
    assert audit(tmp_path, "--select", RULE) == []
