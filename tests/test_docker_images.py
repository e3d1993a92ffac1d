"""The container rules' shared model (udef_audit.docker_images), on hand-built inputs."""

from __future__ import annotations

import gc
import weakref
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from udef_audit.context import RepoContext
from udef_audit.docker_images import (
    DockerImages,
    defaults_to_non_root,
    dockerfile_name,
    effective_user,
    is_root_user,
    origin_stage,
    stage_chain,
    stage_label,
)
from udef_audit.inventory import build_inventory
from udef_audit.parsers.dockerfile import Dockerfile, parse_dockerfile
from udef_audit.projects import find_projects


def _parsed(text: str) -> Dockerfile:
    return parse_dockerfile(text.encode())


def test_stage_chain_follows_from_stage_to_the_external_image() -> None:
    df = _parsed("FROM python AS a\nFROM a AS b\nFROM node AS c\nFROM b AS d\n")
    assert [s.index for s in stage_chain(df, df.stages[3])] == [3, 1, 0]
    assert origin_stage(df, df.stages[2]).index == 2


def test_stage_chain_ends_at_a_loop_of_a_hand_built_model() -> None:
    df = _parsed("FROM python AS a\nFROM a AS b\n")
    looped = replace(df, stages=(replace(df.stages[0], parent=1), df.stages[1]))
    assert [s.index for s in stage_chain(looped, looped.stages[1])] == [1, 0]
    assert effective_user(looped, looped.stages[1]) is not None


def test_stage_label_cuts_long_names() -> None:
    df = _parsed(f"FROM python AS {'n' * 300}\nFROM python\n")
    assert stage_label(df.stages[0]) == f"`{'n' * 97}...`"
    assert stage_label(df.stages[1]) == "#1"


@pytest.mark.parametrize(
    ("path", "family", "stem"),
    [
        ("Dockerfile", "Dockerfile", ""),
        ("docker/dockerfile.Test", "Dockerfile", "Test"),
        ("api-test.Dockerfile", "Dockerfile", "api-test"),
        ("x.containerfile", "Containerfile", "x"),
        ("Containerfile.ci", "Containerfile", "ci"),
    ],
)
def test_dockerfile_names(path: str, family: str, stem: str) -> None:
    name = dockerfile_name(path)
    assert name is not None and (name.family, name.stem) == (family, stem)


@pytest.mark.parametrize("path", ["dockerfile.py", "Dockerfile.dockerignore", "Dockerfiles/x", "README.md"])
def test_not_dockerfile_names(path: str) -> None:
    assert dockerfile_name(path) is None


def test_pairing_and_project_ownership() -> None:
    files = [
        "pyproject.toml",
        "Dockerfile",
        "Dockerfile.test",
        "api.Dockerfile",
        "api-ci.Dockerfile",
        "ci/Dockerfile.test",
        "tests/Dockerfile",
        "svc/pyproject.toml",
        "svc/Dockerfile",
    ]
    parsed = {path: _parsed("FROM python\n") for path in files}
    images = DockerImages(files, parsed.get)
    root, svc = find_projects(files)
    assert images.of_project(root) == ["Dockerfile", "Dockerfile.test", "api.Dockerfile", "api-ci.Dockerfile",
                                       "ci/Dockerfile.test"]
    assert images.of_project(svc) == ["svc/Dockerfile"]
    assert [f.path for f in images.separate_tests("Dockerfile")] == ["Dockerfile.test"]
    assert [f.path for f in images.separate_tests("api.Dockerfile")] == ["api-ci.Dockerfile"]
    assert images.sibling("ci/Dockerfile.test") is None
    assert images.get("pyproject.toml") is None


def test_unreadable_sibling_is_skipped() -> None:
    files = ["Dockerfile", "Dockerfile.prod", "Dockerfile.test"]
    images = DockerImages(files, lambda path: None if path == "Dockerfile" else _parsed("FROM python\n"))
    sibling = images.sibling("Dockerfile.test")
    assert sibling is not None and sibling.path == "Dockerfile.prod"


def test_a_repository_without_dockerfiles_lists_nothing() -> None:
    images = DockerImages(["pyproject.toml", "src/a/__init__.py"], lambda path: None)
    (project,) = find_projects(["pyproject.toml", "src/a/__init__.py"])
    assert (images.paths, images.of_project(project)) == ([], [])


@pytest.mark.parametrize(("user", "root"), [("root", True), ("0", True), ("00:1", True), ("", False), (":0", False)])
def test_is_root_user(user: str, root: bool) -> None:
    assert is_root_user(user) is root


def test_huge_numeric_user_is_not_parsed_as_an_int() -> None:
    assert is_root_user("0" * 100_000) and not is_root_user("1" + "0" * 100_000)


@pytest.mark.parametrize(
    ("image", "non_root"),
    [
        ("gcr.io/distroless/base:nonroot", True),
        ("localhost:5000/img:nonroot", True),
        ("localhost:5000/img", False),
        ("cgr.dev/chainguard/python:dev", False),
        ("cgr.dev/chainguard/python:latest-dev@sha256:1", False),
        ("cgr.dev/chainguard-private/python:latest", False),
    ],
)
def test_defaults_to_non_root(image: str, non_root: bool) -> None:
    assert defaults_to_non_root(image) is non_root


def test_the_context_is_freed_without_a_garbage_collection(tmp_path: Path) -> None:
    # The model must not hold its context: a cycle would keep every parsed file alive.
    (tmp_path / "Dockerfile").write_text("FROM python\n", encoding="utf-8")
    ctx = RepoContext(build_inventory(tmp_path, lambda path: False))
    assert ctx.docker_images.get("Dockerfile") is not None
    gone = weakref.ref(ctx)
    gc.disable()
    try:
        del ctx
        assert gone() is None
    finally:
        gc.enable()


FRAGMENTS = [
    "FROM python:3.11 AS a",
    "FROM a AS b",
    "FROM b AS a",
    "FROM $IMG AS c",
    "ARG IMG=python",
    "ARG U",
    "ARG U=${V:-root}",
    "ENV V=$U W=${V}x",
    "ENV V root",
    "USER $U",
    "USER ${V:+0}:${W}",
    "USER root",
    "USER 1000",
    "USER",
    "# escape=`",
    "RUN <<EOF",
    "EOF",
    "${",
    "}",
    '"',
    "'",
    "\\",
]


@settings(max_examples=300)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=30), st.binary(max_size=8))
def test_every_stage_has_a_bounded_answer(fragments: list[str], noise: bytes) -> None:
    df = parse_dockerfile("\n".join(fragments).encode() + noise)
    for stage in df.stages:
        user = effective_user(df, stage)
        assert user is not None
        assert (user.step is None) == (user.stage is None)
        assert user.step is None or user.step.keyword == "USER"
        assert user.user is None or isinstance(user.user, str)
