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
        jobs = _test_jobs(tests)
        versions = [commands.python_versions(job) for job in jobs]
        main = commands.main_pipeline()
        for runtime in _differing(ctx, versions):
            declared = [version for found in versions for version in found]
            place = _declaration(declared, main.path if main is not None else None)
            key = f"{runtime.image.path} python {runtime.python}"
            message = _message(runtime, declared)
            yield Finding(self.id, message, place.path, place.line, place.column, key=key, kind="python-differs")


def _differing(ctx: RepoContext, versions: Sequence[Sequence[PythonVersion]]) -> Iterator[_Runtime]:
    """The runtimes whose Python is known and differs from every test job's, and whose
    test stage CI does not build."""
    builds = ctx.commands.image_builds()
    for runtime in _runtimes(ctx):
        differs = runtime.python is not None and _mismatch(runtime.python, versions)
        if differs and not _builds_test_stage(ctx.docker_images, runtime.image, builds):
            yield runtime


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
    for path in _service_dockerfiles(ctx):
        image = images.get(path)
        if image is not None and image.runtime is not None and image.runs_python and not image.name.is_test_file:
            reference = root_image(image.dockerfile, image.runtime.index) or image.runtime.image_raw
            yield _Runtime(image, reference, image_python_version(reference), image.runtime.from_line)


def _service_dockerfiles(ctx: RepoContext) -> list[str]:
    """The Dockerfiles of the service projects, each once."""
    services = [project for project in ctx.projects if ctx.project_profile(project).is_service]
    return list(dict.fromkeys(path for project in services for path in ctx.docker_images.of_project(project)))


def _builds_test_stage(images: DockerImages, image: ImageFile, builds: Sequence[ImageBuild]) -> bool:
    """Whether CI builds a test stage of `image`, or a separate test Dockerfile beside it."""
    stages = {stage.name.lower() for stage in image.test_named if stage.name}
    last_is_test = is_test_name(_last_stage(image))
    return any(_builds_test(images, image, build, stages, last_is_test=last_is_test) for build in builds)


def _builds_test(
    images: DockerImages, image: ImageFile, build: ImageBuild, stages: set[str], *, last_is_test: bool
) -> bool:
    """Whether one build is a test stage of `image` (its target, or its last stage when
    it names none), or the separate test Dockerfile beside it."""
    if build.dockerfile == image.path:
        return build.target.lower() in stages if build.target is not None else last_is_test
    sibling = images.sibling(build.dockerfile) if build.dockerfile else None
    return sibling is not None and sibling.path == image.path


def _last_stage(image: ImageFile) -> str | None:
    stages = image.dockerfile.stages
    return stages[-1].name if stages else None


def _mismatch(python: str, versions: Sequence[Sequence[PythonVersion]]) -> bool:
    """Whether the test jobs' Pythons are all known and none is the runtime's: a job that
    declares none, or a version that names no minor release, leaves the answer unknown."""
    declared = [version.version for found in versions for version in found]
    if not declared or python in declared or None in declared:
        return False
    return all(found for found in versions)


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
