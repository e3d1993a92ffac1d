"""UDEF004 docker-stages-share-base: the test image builds on the runtime image's base.

Which files are Dockerfiles, which stages test and which one runs, and which sibling a
separate test Dockerfile goes with are shared by the container rules: see
`udef_audit.docker_images` (read through `ctx.docker_images`). Decisions this rule makes
where the contract is open:

- *Comparisons*: each test stage is compared with the Dockerfile's one runtime stage;
  comparing every test stage with every runtime-named variant would report one divergence
  several times. A separate test Dockerfile's test stages (or, when none is test-named, its
  last stage) are compared with its sibling's runtime stage; without a readable sibling in
  scope the file is checked on its own.
- *Image identity* is the parser's normalised reference (Docker Hub host and `library/`
  dropped, `latest` made explicit); with a digest the tag is ignored, as Docker ignores it
  (`python:3.11@sha256:x` equals `python@sha256:x`). A pinned digest against a bare tag
  is a divergence (the tag can move), and the message says that only the digest differs.
  `scratch` is an image like any other.
- *Unresolved images* (an ARG without a default before the first FROM, an undeclared ARG,
  a FROM with no image): one `note` at the unresolved FROM line, only when it stands in
  the way of a comparison (a test stage and a runtime stage both exist); a parameterised
  FROM elsewhere is no concern of this rule. One note per unresolved FROM, however many
  comparisons it blocks. A reference quoted in a message is cut at 100 characters.
- *Keys*: `<path>|<test stage name or index>` for a divergence,
  `<path>|<stage name or index>|unresolved` for a note (the path of the file holding the
  unresolved FROM).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from udef_audit.context import RepoContext
from udef_audit.docker_images import DockerImages, ImageFile, origin_stage, stage_key, stage_label
from udef_audit.findings import Finding, Level
from udef_audit.parsers.dockerfile import Dockerfile, Stage, root_image

# The parser's marker for a substitution it gave up on (too deep, too long, malformed).
_OPAQUE_SUBSTITUTION = "${"
# BuildKit sets these per build, so no default can make them comparable: the fix differs.
_PLATFORM_ARGS = frozenset(
    f"{when}{part}" for when in ("BUILD", "TARGET") for part in ("PLATFORM", "OS", "ARCH", "VARIANT")
)
# Hostile files may hold megabyte-long references; a message quotes at most this much.
_MAX_QUOTED = 100


def _quoted(text: str) -> str:
    return text if len(text) <= _MAX_QUOTED else text[: _MAX_QUOTED - 3] + "..."


def image_identity(reference: str) -> str:
    """What makes two normalised references the same image: with a digest, Docker pulls by
    the digest and ignores the tag; without one, the tag."""
    name, at, digest = reference.partition("@")
    if not at:
        return reference
    colon = name.rfind(":")
    if colon > name.rfind("/"):
        name = name[:colon]
    return f"{name}@{digest}"


def _without_digest(reference: str) -> str:
    return reference.partition("@")[0]


def difference_hint(test_image: str, runtime_image: str) -> str:
    """A parenthesis saying what differs when only the digest pinning does."""
    if _without_digest(test_image) != _without_digest(runtime_image):
        return ""
    if "@" in test_image and "@" in runtime_image:
        return " (the same tag pinned to different digests)"
    return " (the same tag, but only one of them pins a digest)"


@dataclass(frozen=True)
class Side:
    """One stage of one Dockerfile, with its resolved root image (None: unresolved)."""

    path: str
    dockerfile: Dockerfile
    stage: Stage

    @property
    def image(self) -> str | None:
        return root_image(self.dockerfile, self.stage.index)


def unresolved_reason(stage: Stage) -> tuple[str, str]:
    """Why the parser could not resolve this FROM, and what to do about it."""
    names = [name for name in stage.unresolved_args if name != _OPAQUE_SUBSTITUTION]
    listed = ", ".join(f"`{_quoted(name)}`" for name in names)
    plural = "s" if len(names) > 1 else ""
    if names and _PLATFORM_ARGS.issuperset(names):
        return f"the build-platform ARG{plural} {listed}", "build the test and runtime stages FROM one stage"
    if names:
        return f"ARG{plural} {listed} without a default before the first FROM", f"give the ARG{plural} a default"
    if stage.unresolved_args:
        return "a variable substitution that cannot be resolved", "simplify the image reference"
    return "no image", "name the image"


class DockerStagesShareBaseRule:
    """Resolves every Dockerfile stage to its root external image (following `FROM
    <stage>`, substituting global ARG defaults, ignoring `--platform`, normalising Docker
    Hub spellings) and flags each test stage whose root differs from the runtime stage's,
    in the same file or, for a separate `Dockerfile.test`, in its sibling `Dockerfile`.
    A FROM that cannot be resolved is a note where it blocks that comparison."""

    id: ClassVar[str] = "UDEF004"

    def check(self, ctx: RepoContext, params: Mapping[str, Any]) -> Iterator[Finding]:
        noted: set[tuple[str, int]] = set()
        images = ctx.docker_images
        for path in images.paths:
            image = images.get(path)
            if image is None:
                continue
            for test, runtime in self._pairs(images, image):
                yield from self._compare(test, runtime, noted)

    def _pairs(self, images: DockerImages, image: ImageFile) -> Iterator[tuple[Side, Side]]:
        """(test side, runtime side) for each test stage to compare."""
        sibling = images.sibling(image.path)
        if sibling is not None:
            runtime = sibling.runtime
            tests = image.test_named or list(image.dockerfile.stages[-1:])
            runtime_side = None if runtime is None else Side(sibling.path, sibling.dockerfile, runtime)
        else:
            runtime = image.runtime
            tests = image.test_named
            runtime_side = None if runtime is None else Side(image.path, image.dockerfile, runtime)
        if runtime_side is None:
            return
        for stage in tests:
            yield Side(image.path, image.dockerfile, stage), runtime_side

    def _compare(self, test: Side, runtime: Side, noted: set[tuple[str, int]]) -> Iterator[Finding]:
        test_image, runtime_image = test.image, runtime.image
        if test_image is None:
            yield from self._note(test, noted)
        if runtime_image is None:
            yield from self._note(runtime, noted)
        if test_image is None or runtime_image is None:
            return
        if image_identity(test_image) != image_identity(runtime_image):
            yield self._divergence(test, test_image, runtime, runtime_image)

    def _divergence(self, test: Side, test_image: str, runtime: Side, runtime_image: str) -> Finding:
        elsewhere = "" if runtime.path == test.path else f" of {runtime.path}"
        message = (
            f"test stage {stage_label(test.stage)} builds on {_quoted(test_image)} but runtime stage "
            f"{stage_label(runtime.stage)}{elsewhere} builds on {_quoted(runtime_image)}"
            f"{difference_hint(test_image, runtime_image)}; build the test stage FROM the runtime base."
        )
        return Finding(
            rule_id=self.id,
            path=test.path,
            line=test.stage.from_line,
            message=message,
            key=f"{test.path}|{stage_key(test.stage)}",
        )

    def _note(self, side: Side, noted: set[tuple[str, int]]) -> Iterator[Finding]:
        origin = origin_stage(side.dockerfile, side.stage)
        if origin.image is not None or (side.path, origin.index) in noted:
            return  # resolved after all (a loop only a hand-built model has), or noted
        noted.add((side.path, origin.index))
        reason, fix = unresolved_reason(origin)
        written = f" (`FROM {_quoted(origin.image_raw)}`)" if origin.image_raw else ""
        message = (
            f"the base image of stage {stage_label(origin)}{written} cannot be resolved: it has "
            f"{reason}, so the test and runtime bases cannot be compared; {fix}."
        )
        yield Finding(
            rule_id=self.id,
            path=side.path,
            line=origin.from_line,
            message=message,
            key=f"{side.path}|{stage_key(origin)}|unresolved",
            level=Level.NOTE,
        )
