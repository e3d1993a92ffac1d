"""UDEF023 ci-mirrors-production: CI tests on the runtime image's base, either by building
the Dockerfile's test stage or on the runtime image's Python version."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from udef_audit.commands import Invocation, Job
from udef_audit.commands.images import ImageBuild
from udef_audit.commands.python_versions import PythonVersion, image_python_version
from udef_audit.context import RepoContext
from udef_audit.docker_images import DockerImages, ImageFile, is_test_name
from udef_audit.findings import Finding
from udef_audit.parsers.dockerfile import root_image


@dataclass(frozen=True)
class _Runtime:
    """A product Dockerfile's runtime stage: its root image and that image's Python."""

    image: ImageFile
    reference: str
    python: str | None
    line: int


class CiMirrorsProduction:
    """For each product Dockerfile (UDEF008's: the service's own, running Python) with a
    runtime stage, when CI runs tests: CI must build one of its test stages (`docker build
    --target`, `docker/build-push-action`'s `target`, a compose service's `build.target`,
    or a separate test Dockerfile beside it), or test on the runtime image's Python version
    (setup-python with its matrix expanded, job images, `uv python install`, `uv run
    --python`). Unknown on either side: no result."""

    id: ClassVar[str] = "UDEF023"

    def check(self, ctx: RepoContext, params: Mapping[str, Any]) -> Iterator[Finding]:
        commands = ctx.commands
        tests = commands.test_invocations()
        if not tests:
            return
        builds = commands.image_builds()
        jobs = _test_jobs(tests)
        versions = {id(job): commands.python_versions(job) for job in jobs}
        main = commands.main_pipeline()
        for runtime in _runtimes(ctx):
            if runtime.python is None or _builds_test_stage(ctx.docker_images, runtime.image, builds):
                continue
            declared = [version for job in jobs for version in versions[id(job)]]
            if not _mismatch(runtime.python, jobs, versions):
                continue
            place = _declaration(declared, main.path if main is not None else None)
            yield Finding(
                self.id,
                _message(runtime, declared),
                place.path,
                place.line,
                place.column,
                key=f"{runtime.image.path} python {runtime.python}",
                kind="python-differs",
            )


def _test_jobs(tests: Sequence[Invocation]) -> list[Job]:
    """The CI jobs that run tests, each once, in the order CI runs them."""
    jobs: dict[int, Job] = {}
    for test in tests:
        if test.job is not None:
            jobs.setdefault(id(test.job), test.job)
    return list(jobs.values())


def _runtimes(ctx: RepoContext) -> Iterator[_Runtime]:
    """The runtime stages of the service projects' own Python Dockerfiles."""
    images = ctx.docker_images
    seen: set[str] = set()
    for project in ctx.projects:
        if not ctx.project_profile(project).is_service:
            continue
        for path in images.of_project(project):
            image = images.get(path)
            if path in seen or image is None or image.name.is_test_file or image.runtime is None:
                continue
            seen.add(path)
            if image.runs_python:
                reference = root_image(image.dockerfile, image.runtime.index) or image.runtime.image_raw
                python = image_python_version(reference)
                yield _Runtime(image, reference, python, image.runtime.from_line)


def _builds_test_stage(images: DockerImages, image: ImageFile, builds: Sequence[ImageBuild]) -> bool:
    """Whether CI builds a test stage of `image`, or a separate test Dockerfile beside it."""
    stages = {stage.name.lower() for stage in image.test_named if stage.name}
    for build in builds:
        if build.dockerfile == image.path and build.target is not None and build.target.lower() in stages:
            return True
        sibling = images.sibling(build.dockerfile) if build.dockerfile else None
        if sibling is not None and sibling.path == image.path:
            return True
        if build.dockerfile == image.path and build.target is None and is_test_name(_last_stage(image)):
            return True
    return False


def _last_stage(image: ImageFile) -> str | None:
    stages = image.dockerfile.stages
    return stages[-1].name if stages else None


def _mismatch(python: str, jobs: Sequence[Job], versions: Mapping[int, Sequence[PythonVersion]]) -> bool:
    """Whether the test jobs' Pythons are all known and none is the runtime's: a job that
    declares none, or a version that names no minor release, leaves the answer unknown."""
    declared = [version for job in jobs for version in versions[id(job)]]
    if any(version.version == python for version in declared):
        return False
    known_per_job = all(any(v.version for v in versions[id(job)]) for job in jobs)
    return bool(declared) and known_per_job and all(version.version is not None for version in declared)


def _declaration(declared: Sequence[PythonVersion], main: str | None) -> PythonVersion:
    """Where the versions are declared: the first declaration in the main CI file, else
    the first."""
    return next((version for version in declared if version.path == main), declared[0])


def _message(runtime: _Runtime, declared: Sequence[PythonVersion]) -> str:
    listed = ", ".join(dict.fromkeys(version.version or version.written for version in declared))
    sources = ", ".join(dict.fromkeys(version.source for version in declared))
    return (
        f"CI tests on Python {listed} ({sources}), never on the runtime image's Python {runtime.python} "
        f"({runtime.reference}, {runtime.image.path}:{runtime.line}), and builds no test stage of "
        f"{runtime.image.path}: test on {runtime.python} too, or build and test the Dockerfile's test stage in CI "
        "(`docker build --target test .`)."
    )
