"""UDEF001 src-layout: importable code lives under src/<package>/, never beside it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

from udef_audit.context import RepoContext
from udef_audit.findings import Finding
from udef_audit.projects import SRC_DIR, FlatCode, Project


class SrcLayoutRule:
    """Flags packages (folders with an `__init__.py`) and importable modules that sit
    directly under a project root instead of under `src/`. Tooling scripts and the
    conventional non-package folders (tests, docs, scripts, hidden folders, ...) are not
    code; the message says "mixed layout" when the project also has `src/` code."""

    id: ClassVar[str] = "UDEF001"

    def check(self, ctx: RepoContext, params: Mapping[str, Any]) -> Iterator[Finding]:
        for project in ctx.projects:
            yield from self._check_project(project)

    def _check_project(self, project: Project) -> Iterator[Finding]:
        # Only the project's own files: a nested project's code is judged against its root.
        flat = project.flat_code
        if not flat:
            return
        mixed = project.has_src_code
        for code in flat:
            yield Finding(
                rule_id=self.id, path=code.path, line=1,
                message=_message(code, project, mixed=mixed), key=f"{code.kind} {code.name}",
                kind="mixed-layout" if mixed else "flat-layout",
            )


def _message(code: FlatCode, project: Project, *, mixed: bool) -> str:
    src = project.join(SRC_DIR)
    what = f"package `{code.name}`" if code.kind == "package" else f"module `{code.name}.py`"
    where = f" of {project.path}" if project.path else ""
    fix = f"move it to {src}/{code.name}" if code.kind == "package" else f"move it into a package under {src}/"
    if mixed:  # a half-finished migration: both import roots exist
        return f"mixed layout: {what} sits at the root{where} beside {src}/; {fix}."
    return f"flat layout: {what} sits at the root{where} instead of under {src}/; {fix}."
