"""UDEF009 runtime-non-root: the runtime stage of each Dockerfile runs as a non-root user.

The runtime stage, the chain of stages it is built FROM and the user it runs as come from
`ctx.docker_images` (UDEF004's classification; see `udef_audit.docker_images` for how a
`USER $VAR` is resolved). Decisions the contract leaves open, made here:

- *Which Dockerfiles*: those of a Python project (a Dockerfile belongs to the nearest
  project root above it), outside its non-product and hidden folders (`tests/`,
  `examples/`, `.devcontainer/`) and other languages' components (a `frontend/` with a
  `package.json`), and not a separate test Dockerfile (`Dockerfile.test` is
  a test image, not the one production runs), and whose image runs Python
  (`ImageFile.runs_python`: the runtime's chain names a Python image or installs or runs
  Python). A project's nginx, postgres or DNS sidecar image is that software's, whose
  own image decides its user. The rule is not service-only: a library that ships an image
  ships it to run.
- *Root*: `root`, or a user id made only of zeros (`0`, `000`), each with or without a
  `:group`. Any other name or number is non-root: `USER 1000` and `USER 1000:0` are
  non-root (a root *group* is not a root user).
- *The last USER wins*: `USER root` to install packages followed by `USER app` is
  non-root; `USER app` followed by `USER root` is root, at the second line.
- *Unknowns give no result*: a USER whose value needs a variable without a default (or
  set only by the base image), and, when no USER is set, a root image that cannot be
  resolved (`FROM $BASE` with no default).
- *Images that default to non-root*: the contract's list (a tag `nonroot` or ending in
  `-nonroot`, `gcr.io/distroless/*:nonroot*`, `cgr.dev/chainguard/*` except `-dev` tags;
  a Chainguard image pinned by digest alone counts as non-dev), plus the patterns in the
  `non-root-images` parameter (fnmatch patterns on the normalised reference, such as
  `jupyter/*`).
- *Key*: `<path>|<runtime stage name or index>`, whichever line the user is set on.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, ClassVar

from udef_audit.context import RepoContext
from udef_audit.docker_images import (
    ImageFile,
    defaults_to_non_root,
    effective_user,
    is_root_user,
    stage_key,
    stage_label,
)
from udef_audit.findings import Finding
from udef_audit.parsers.dockerfile import Stage, StageStep

NO_USER, ROOT_USER = "no-user", "root-user"
# Hostile files may hold megabyte-long values; a message quotes at most this much.
_MAX_QUOTED = 100
_FIX = "create an unprivileged user (`RUN useradd -m -u 1000 appuser`) and end the runtime stage with `USER appuser`"


def _quoted(text: str) -> str:
    return text if len(text) <= _MAX_QUOTED else text[: _MAX_QUOTED - 3] + "..."


class RuntimeNonRootRule:
    """For the runtime stage of each product Dockerfile, finds the user its container runs
    as: the last USER of the stage or of the stages it is built FROM (resolving `$VAR`
    through ARG and ENV defaults), else the root image's default; flags root."""

    id: ClassVar[str] = "UDEF009"

    def check(self, ctx: RepoContext, params: Mapping[str, Any]) -> Iterator[Finding]:
        non_root_images = tuple(str(pattern) for pattern in params.get("non-root-images") or ())
        for image, runtime in _runtime_stages(ctx):
            finding = self._judge(image, runtime, non_root_images)
            if finding is not None:
                yield finding

    def _judge(self, image: ImageFile, runtime: Stage, non_root_images: Sequence[str]) -> Finding | None:
        user = effective_user(image.dockerfile, runtime)
        if user is None:
            return None
        if user.step is not None:
            if user.stage is None or user.user is None or not is_root_user(user.user):
                return None
            return self._root_user(image, runtime, user.step, user.stage, user.user)
        if user.image is None or _defaults_to_non_root(user.image, non_root_images):
            return None
        message = (
            f"runtime stage {stage_label(runtime)} runs as root: no USER in it or in the stages it is built FROM, "
            f"and {_quoted(user.image)} runs as root by default; {_FIX}."
        )
        return self._finding(image, runtime, runtime.from_line, message, NO_USER)

    def _root_user(self, image: ImageFile, runtime: Stage, step: StageStep, stage: Stage, value: str) -> Finding:
        written = f"`USER {_quoted(step.raw or '')}`"
        if step.raw != value:
            written += f" ({_quoted(value)} by default)"
        if stage.index == runtime.index:
            how = f"its last USER is {written}"
        else:
            how = f"it sets no USER and inherits {written} from stage {stage_label(stage)}"
        message = (
            f"runtime stage {stage_label(runtime)} runs as root: {how}; end the runtime stage with an "
            "unprivileged user after the steps that need root (`USER appuser`, created with "
            "`RUN useradd -m -u 1000 appuser`)."
        )
        return self._finding(image, runtime, step.line, message, ROOT_USER)

    def _finding(self, image: ImageFile, runtime: Stage, line: int, message: str, kind: str) -> Finding:
        return Finding(
            rule_id=self.id,
            path=image.path,
            line=line,
            message=message,
            key=f"{image.path}|{stage_key(runtime)}",
            kind=kind,
        )


def _runtime_stages(ctx: RepoContext) -> Iterator[tuple[ImageFile, Stage]]:
    """The runtime stage of each readable product Dockerfile that runs Python and is not a
    test image."""
    images = ctx.docker_images
    if not images.names:  # most repositories: no project is even listed
        return
    for project in ctx.projects:
        for path in images.of_project(project):
            image = images.get(path)
            if image is not None and not image.name.is_test_file and image.runtime is not None and image.runs_python:
                yield image, image.runtime


def _defaults_to_non_root(image: str, patterns: Sequence[str]) -> bool:
    return defaults_to_non_root(image) or any(fnmatch.fnmatchcase(image, pattern) for pattern in patterns)
