"""UDEF008 container-first: a service builds a multi-stage image with a runtime and a test stage.

Stages are classified as UDEF004 classifies them (`ctx.docker_images`). Decisions the
contract leaves open, made here:

- *Which projects*: every project whose profile is service (`ctx.project_profile`, so a
  config's `profile` wins over the inference); the engine skips the rule entirely for a
  library repository.
- *Which Dockerfiles*: the project's own, as the profile sees them: not a nested
  project's, not one under a non-product or hidden folder (`tests/`, `examples/`,
  `.devcontainer/`), not one in another language's component (`frontend/` with a
  `package.json`). Each is judged on its own, so a second image without a test stage (a
  worker, a proxy) is reported too.
- *Having a Dockerfile*: a nested project's Dockerfile counts for the projects above it,
  so a workspace root whose compose file builds `backend/Dockerfile` is not told to
  create one (the member's Dockerfile is judged with the member).
- *Python images only*: a Dockerfile is judged, and counts as the project's Dockerfile,
  when the image it builds runs Python (`ImageFile.runs_python`): a project's nginx,
  postgres or DNS sidecar image needs no test stage of its own. A Dockerfile that cannot
  be read, or has no FROM yet, counts (nothing says it is not the service's).
- *A separate test Dockerfile* (`Dockerfile.test`, or one in a `test/` or `ci/` folder)
  with a readable sibling is that sibling's test stage and is not judged on its own;
  without one it is the test image of the project's runtime images, and "no runtime
  stage" only when the project has no runtime image at all (DefectDojo's
  `Dockerfile.integration-tests-debian` tests the images its other Dockerfiles build).
- *A Dockerfile without any FROM* has no runtime stage (line 1). A Dockerfile that cannot
  be read is left to UDEF000, and it still counts as the project's Dockerfile.
- *Anchors*: "no Dockerfile" at the project's manifest (else its first dependency file);
  for a repository root with neither, the repository-wide anchor, else its first Python file.
- *Keys*: `no-dockerfile|<project path>`, `<Dockerfile path>|no-test-stage`,
  `<Dockerfile path>|no-runtime-stage`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

from udef_audit.context import RepoContext
from udef_audit.docker_images import DockerImages, ImageFile, stage_label
from udef_audit.findings import Finding
from udef_audit.projects import Project

NO_DOCKERFILE, NO_TEST_STAGE, NO_RUNTIME_STAGE = "no-dockerfile", "no-test-stage", "no-runtime-stage"


class ContainerFirstRule:
    """For every service project: a Dockerfile must exist, and each of the project's
    Dockerfiles must have both a runtime stage and a test stage (a test-named stage, or a
    separate test Dockerfile beside it), as UDEF004 classifies stages."""

    id: ClassVar[str] = "UDEF008"

    def check(self, ctx: RepoContext, params: Mapping[str, Any]) -> Iterator[Finding]:
        images = ctx.docker_images
        for project in ctx.projects:
            profile = ctx.project_profile(project)
            if profile.is_service:
                yield from self._check_project(ctx, images, project, profile.reason)

    def _check_project(
        self, ctx: RepoContext, images: DockerImages, project: Project, reason: str
    ) -> Iterator[Finding]:
        in_tree = images.in_tree(project)
        python = [path for path in in_tree if _may_run_python(images.get(path))]
        if not python:
            yield self._no_dockerfile(ctx, project, reason, in_tree)
            return
        # A runtime image elsewhere in the project makes a lone test Dockerfile its test half.
        has_runtime = any(_is_runtime_image(images.get(path)) for path in python)
        for path in images.of_project(project):
            image = images.get(path)
            finding = self._judge(images, image, has_runtime) if image is not None and _may_run_python(image) else None
            if finding is not None:
                yield finding

    def _judge(self, images: DockerImages, image: ImageFile, has_runtime: bool) -> Finding | None:
        if image.name.is_test_file:
            if images.sibling(image.path) is not None or has_runtime:
                return None  # the test half of a runtime image, judged with that image
            why = f"{image.path} is a separate test Dockerfile and the project has no runtime image"
            return self._no_runtime(image, why)
        runtime = image.runtime
        has_tests = bool(image.test_named) or bool(images.separate_tests(image.path))
        if runtime is None:
            return self._no_runtime(image, f"{image.path} has {'only test stages' if has_tests else 'no FROM'}")
        if has_tests:
            return None
        message = (
            f"no test stage: {image.path} builds runtime stage {stage_label(runtime)} but no test stage; add a "
            "`test` stage FROM the runtime's base that installs the dev tools and runs the tests "
            "(or a Dockerfile.test beside it), so CI tests the image production runs."
        )
        return Finding(
            rule_id=self.id,
            path=image.path,
            line=runtime.from_line,
            message=message,
            key=f"{image.path}|{NO_TEST_STAGE}",
            kind=NO_TEST_STAGE,
        )

    def _no_runtime(self, image: ImageFile, why: str) -> Finding:
        stages = image.dockerfile.stages
        message = (
            f"no runtime stage: {why}; add the runtime stage (`FROM base AS runtime`) that production "
            "runs, and build the test stage on the same base."
        )
        return Finding(
            rule_id=self.id,
            path=image.path,
            line=stages[0].from_line if stages else 1,
            message=message,
            key=f"{image.path}|{NO_RUNTIME_STAGE}",
            kind=NO_RUNTIME_STAGE,
        )

    def _no_dockerfile(self, ctx: RepoContext, project: Project, reason: str, others: list[str]) -> Finding:
        anchor = project.anchor or _root_readme(ctx, project) or project.own_python[0]
        if others:
            named = ", ".join(others[:3]) + (", ..." if len(others) > 3 else "")
            what = f"no Dockerfile in {project.label} runs Python ({named} run other software), though it is"
        else:
            what = f"no Dockerfile in {project.label}, which is"
        message = (
            f"{what} a service ({reason}): create a multi-stage Dockerfile with a runtime stage and a test stage "
            "built FROM one base, as the methodology's Day 1 does."
        )
        return Finding(
            rule_id=self.id,
            path=anchor,
            line=1,
            message=message,
            key=f"{NO_DOCKERFILE}|{project.path}",
            kind=NO_DOCKERFILE,
        )


def _may_run_python(image: ImageFile | None) -> bool:
    """Whether a Dockerfile may build the Python service: it runs Python, or it cannot be
    read or builds nothing yet (no FROM), so nothing says otherwise."""
    return image is None or not image.dockerfile.stages or image.runs_python


def _is_runtime_image(image: ImageFile | None) -> bool:
    return image is not None and not image.name.is_test_file and image.runtime is not None


def _root_readme(ctx: RepoContext, project: Project) -> str | None:
    """The repository-wide anchor for the root project, when it stands at the root (not
    another project's manifest)."""
    anchor = ctx.repository_anchor
    return anchor if not project.path and anchor is not None and "/" not in anchor else None
