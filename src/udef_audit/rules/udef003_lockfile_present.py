"""UDEF003 lockfile-present: every project's dependencies are pinned by a generated lock."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

from udef_audit.context import RepoContext
from udef_audit.findings import Finding
from udef_audit.projects import Project


class LockfilePresentRule:
    """Flags a project that has a manifest or a dependency file but no lock in its folder
    or any folder above it: `uv.lock`, `poetry.lock`, `pdm.lock`, `Pipfile.lock`,
    `pylock*.toml`, `requirements*.lock`, `conda-lock.yml`, or a requirement file that a
    locker generated (or that pins and hashes every requirement)."""

    id: ClassVar[str] = "UDEF003"

    def check(self, ctx: RepoContext, params: Mapping[str, Any]) -> Iterator[Finding]:
        for project in ctx.projects:
            anchor = project.anchor
            if anchor is None or ctx.locks(project):
                continue
            message = _message(project, ctx.hand_written_requirements(project))
            yield Finding(rule_id=self.id, path=anchor, line=1, message=message, key="no lockfile")


def _message(project: Project, hand_written: list[str]) -> str:
    where = f"the project in {project.path}" if project.path else "the repository root project"
    note = ""
    if hand_written:
        names = list(dict.fromkeys(hand_written))
        verb = "is" if len(names) == 1 else "are"
        note = f" ({', '.join(names)} {verb} hand-written, not a generated lock)"
    return (
        f"no lockfile pins the dependencies of {where}{note}; generate one (`uv lock`, "
        "`poetry lock`, `pdm lock` or `uv pip compile --generate-hashes -o "
        "requirements.lock`) and commit it."
    )
