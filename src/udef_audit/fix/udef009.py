"""UDEF009's fix (unsafe: the container's user changes, and with it what the process may
write): the methodology's non-root user lines in the runtime stage, before its CMD or
ENTRYPOINT (and the comment block right above it), as "Day 1" writes them:

    # Create non-root user for security
    RUN useradd -m -u 1000 appuser && chown -R appuser:appuser /app
    USER appuser

The folder handed to the user is the stage's WORKDIR (none: no chown). An Alpine image gets
`adduser -D`; an image without a shell (distroless, scratch) is refused."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from udef_audit.findings import Finding
from udef_audit.fix.registry import Fixed
from udef_audit.fix.tree import FixRefused, FixTree
from udef_audit.parsers.dockerfile import Dockerfile, Instruction, Stage, parse_dockerfile, root_image

USER = "appuser"
_NO_SHELL = ("distroless", "scratch", "chainguard")


def add_non_root_user(finding: Finding, tree: FixTree, params: Mapping[str, Any]) -> Fixed:
    """Insert the user lines into the runtime stage whose FROM the finding points at."""
    current = tree.read_text(finding.path)
    if current is None:
        raise FixRefused(f"{finding.path} is gone")
    text, form = current
    dockerfile = parse_dockerfile(text.encode("utf-8"))
    stage, image = _runtime(dockerfile, finding)
    lines = text.split("\n")
    steps = _stage_instructions(dockerfile, stage)
    at = _insertion_line(lines, steps)
    workdir = _workdir(dockerfile, stage, at)
    create = f"adduser -D -u 1000 {USER}" if "alpine" in image else f"useradd -m -u 1000 {USER}"
    chown = f" && chown -R {USER}:{USER} {workdir}" if workdir else ""
    _insert(lines, at, ["# Create non-root user for security", f"RUN {create}{chown}", f"USER {USER}"])
    tree.write_text(finding.path, "\n".join(lines), form)
    return Fixed(f"run stage {stage.name or stage.index} as `{USER}` (uid 1000) from line {at}")


def _runtime(dockerfile: Dockerfile, finding: Finding) -> tuple[Stage, str]:
    """The stage whose FROM the finding points at, and its root image (one with a shell)."""
    stage = next((s for s in dockerfile.stages if s.from_line == finding.line), None)
    if stage is None:
        raise FixRefused(f"no stage starts at line {finding.line} of {finding.path}")
    image = root_image(dockerfile, stage.index) or stage.image_raw
    if any(word in image for word in _NO_SHELL):
        raise FixRefused(f"{image} has no shell to create a user with; pick a `nonroot` tag of it instead")
    return stage, image


def _insert(lines: list[str], at: int, block: list[str]) -> None:
    """Put `block` before line `at` (past the end: before the final line break)."""
    index = min(at - 1, len(lines) - 1 if lines[-1] == "" else len(lines))
    # Set apart by a blank line as the instruction it goes before is (none at the end).
    spaced = 0 < index < len(lines) - (lines[-1] == "") and lines[index - 1] == ""
    lines[index:index] = [*block, ""] if spaced else block


def _stage_instructions(dockerfile: Dockerfile, stage: Stage) -> list[Instruction]:
    following = [s.from_line for s in dockerfile.stages if s.from_line > stage.from_line]
    end = min(following, default=10**9)
    return [i for i in dockerfile.instructions if stage.from_line <= i.start_line < end]


def _insertion_line(lines: list[str], steps: list[Instruction]) -> int:
    """The line before which the block goes: the stage's first CMD or ENTRYPOINT, above the
    comments written right over it; after the stage's last instruction when it has neither."""
    start = next((i.start_line for i in steps if i.keyword.upper() in ("CMD", "ENTRYPOINT")), None)
    if start is None:
        return steps[-1].end_line + 1 if steps else len(lines) + 1
    while start > 1 and lines[start - 2].lstrip().startswith("#"):
        start -= 1
    return start


def _workdir(dockerfile: Dockerfile, stage: Stage, before: int) -> str | None:
    """The last WORKDIR of the stage before the insertion, else of the stages it is built on."""
    current: Stage | None = stage
    limit = before
    while current is not None:
        own = [
            i
            for i in _stage_instructions(dockerfile, current)
            if i.keyword.upper() == "WORKDIR" and i.start_line < limit
        ]
        if own:
            value = own[-1].value.strip()
            return None if "$" in value or not value else value
        current = dockerfile.stages[current.parent] if current.parent is not None else None
        limit = 10**9
    return None
