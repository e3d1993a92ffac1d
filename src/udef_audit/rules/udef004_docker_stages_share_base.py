"""UDEF004 docker-stages-share-base: the test image builds on the runtime image's base.

Decisions the contract leaves open, made here:

- *Dockerfiles* are files named `Dockerfile`, `Dockerfile.*`, `*.Dockerfile`,
  `*.dockerfile`, `Containerfile` or `Containerfile.*` anywhere in scope (the policy's
  `files`), except BuildKit's per-Dockerfile ignore files (`Dockerfile.dockerignore`).
- *A name matches* a word list when the name equals one of the words or has it as a
  `-`/`_`/`.`-separated token, case-insensitively: `test`, `unit-test`, `ci_check`,
  `py311-test` are test names; `unittest` and `contest` are not. Test words:
  test/tests/testing/ci/check/dev/lint; runtime words: runtime/prod/production/release/
  final/app. A name with both (`test-runtime`) is a test name.
- *The runtime stage* of a Dockerfile is one stage: the last runtime-named stage (the one
  nearest the default build target), else the last stage when it is not a test stage, else
  none (then nothing is compared). Comparing every test stage with every runtime-named
  variant would report one divergence several times.
- *A separate test Dockerfile* is one whose name, without `Dockerfile`/`Containerfile`,
  has a test token (`Dockerfile.test`, `test.Dockerfile`, `Dockerfile.ci`, `ci.Dockerfile`,
  `api-test.Dockerfile`). Its sibling is the non-test Dockerfile in the same folder with
  the same remaining name once test and runtime words are dropped (`Dockerfile` or
  `Containerfile` for `Dockerfile.test`; `api.Dockerfile` for `api-test.Dockerfile`),
  preferring a name without runtime words, then the same family, then path order. Its test
  stages (or, when none is test-named, its last stage) are compared with the sibling's
  runtime stage; without a readable sibling in scope the file is checked on its own.
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

import posixpath
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from udef_audit.context import RepoContext
from udef_audit.findings import Finding, Level
from udef_audit.parsers.dockerfile import Dockerfile, Stage, root_image

TEST_WORDS = frozenset({"test", "tests", "testing", "ci", "check", "dev", "lint"})
RUNTIME_WORDS = frozenset({"runtime", "prod", "production", "release", "final", "app"})
FAMILIES = ("Dockerfile", "Containerfile")
_TOKEN_SEPARATORS = re.compile(r"[-_.]")
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


def _tokens(name: str) -> list[str]:
    return _TOKEN_SEPARATORS.split(name.lower())


def is_test_name(name: str | None) -> bool:
    """Whether a stage or file name has a test token (`unit-test`, `ci_check`)."""
    return name is not None and not TEST_WORDS.isdisjoint(_tokens(name))


def is_runtime_name(name: str | None) -> bool:
    """Whether a name has a runtime token and no test token (test wins)."""
    return name is not None and not RUNTIME_WORDS.isdisjoint(_tokens(name)) and not is_test_name(name)


@dataclass(frozen=True)
class DockerfileName:
    """A Dockerfile's name split into its family and the rest (`api-test.Dockerfile` ->
    `Dockerfile`, `api-test`; `Dockerfile` -> `Dockerfile`, ``)."""

    family: str
    stem: str

    @property
    def is_test_file(self) -> bool:
        return bool(self.stem) and is_test_name(self.stem)

    def core(self) -> tuple[str, ...]:
        """The stem's tokens without test and runtime words: what pairs a test file
        with its production sibling."""
        words = TEST_WORDS | RUNTIME_WORDS
        return tuple(token for token in _tokens(self.stem) if token and token not in words)


def dockerfile_name(path: str) -> DockerfileName | None:
    """The parts of a Dockerfile's name, or None when the path is no Dockerfile."""
    name = posixpath.basename(path)
    if name.endswith(".dockerignore"):
        return None
    for family in FAMILIES:
        if name == family:
            return DockerfileName(family, "")
        if name.startswith(family + "."):
            return DockerfileName(family, name[len(family) + 1 :])
    for suffix in (".Dockerfile", ".dockerfile"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return DockerfileName("Dockerfile", name[: -len(suffix)])
    return None


def test_named_stages(dockerfile: Dockerfile) -> list[Stage]:
    """Stages with a test name, in file order."""
    return [stage for stage in dockerfile.stages if is_test_name(stage.name)]


def runtime_stage(dockerfile: Dockerfile) -> Stage | None:
    """The last runtime-named stage, else the last stage unless it is a test stage."""
    named = [stage for stage in dockerfile.stages if is_runtime_name(stage.name)]
    if named:
        return named[-1]
    if dockerfile.stages and not is_test_name(dockerfile.stages[-1].name):
        return dockerfile.stages[-1]
    return None


def origin_stage(dockerfile: Dockerfile, stage: Stage) -> Stage:
    """The stage whose FROM names the external image `stage` is built on."""
    seen = {stage.index}
    while stage.parent is not None and 0 <= stage.parent < len(dockerfile.stages) and stage.parent not in seen:
        stage = dockerfile.stages[stage.parent]
        seen.add(stage.index)
    return stage


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


def stage_label(stage: Stage) -> str:
    """`name` in backticks, or `#index` for an unnamed stage (as `COPY --from=0`)."""
    return f"`{_quoted(stage.name)}`" if stage.name else f"#{stage.index}"


def stage_key(stage: Stage) -> str:
    return stage.name or str(stage.index)


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
        named = {path: name for path in ctx.files if (name := dockerfile_name(path)) is not None}
        for path in named:
            dockerfile = ctx.dockerfile(path)
            if dockerfile is None:
                continue
            for test, runtime in self._pairs(ctx, named, path, dockerfile):
                yield from self._compare(test, runtime, noted)

    def _pairs(
        self, ctx: RepoContext, named: Mapping[str, DockerfileName], path: str, dockerfile: Dockerfile
    ) -> Iterator[tuple[Side, Side]]:
        """(test side, runtime side) for each test stage to compare."""
        sibling = _sibling(ctx, named, path) if named[path].is_test_file else None
        if sibling is not None:
            runtime = runtime_stage(sibling[1])
            tests = test_named_stages(dockerfile) or list(dockerfile.stages[-1:])
            runtime_side = None if runtime is None else Side(sibling[0], sibling[1], runtime)
        else:
            runtime = runtime_stage(dockerfile)
            tests = test_named_stages(dockerfile)
            runtime_side = None if runtime is None else Side(path, dockerfile, runtime)
        if runtime_side is None:
            return
        for stage in tests:
            yield Side(path, dockerfile, stage), runtime_side

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


def _sibling(ctx: RepoContext, named: Mapping[str, DockerfileName], path: str) -> tuple[str, Dockerfile] | None:
    """The production Dockerfile a separate test Dockerfile is compared with."""
    folder, name = posixpath.dirname(path), named[path]
    candidates: list[tuple[tuple[bool, bool, str], str]] = []
    for other, other_name in named.items():
        if posixpath.dirname(other) != folder or other_name.is_test_file or other_name.core() != name.core():
            continue
        # A plain name before `Dockerfile.prod`, the same family before the other one.
        rank = (is_runtime_name(other_name.stem), other_name.family != name.family, other)
        candidates.append((rank, other))
    for _, other in sorted(candidates):
        dockerfile = ctx.dockerfile(other)
        if dockerfile is not None:
            return other, dockerfile
    return None
