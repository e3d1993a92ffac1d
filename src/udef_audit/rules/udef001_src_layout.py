"""UDEF001 src-layout: importable code lives under src/<package>/, never beside it."""

from __future__ import annotations

import keyword
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from udef_audit.context import RepoContext
from udef_audit.findings import Finding
from udef_audit.projects import NON_PACKAGE_DIRS, Project

# Top-level scripts that tools load by file name; they are not the project's importable code.
TOOLING_MODULES = frozenset({
    "setup.py", "conftest.py", "noxfile.py", "tasks.py", "manage.py", "fabfile.py", "conf.py",
})
SRC_DIR = "src"


@dataclass(frozen=True)
class FlatCode:
    """A package or module that sits directly under a project root instead of under src/."""

    kind: str  # "package" | "module"
    name: str  # the import name
    path: str  # repository path of its `__init__.py` or of the module


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
        flat = [code for code in (_flat_code(project, f) for f in project.files) if code]
        if not flat:
            return
        mixed = _has_src_code(project)
        for code in flat:
            yield Finding(
                rule_id=self.id, path=code.path, line=1,
                message=_message(code, project, mixed=mixed), key=f"{code.kind} {code.name}",
                kind="mixed-layout" if mixed else "flat-layout",
            )


def _flat_code(project: Project, path: str) -> FlatCode | None:
    """The flat package (at its `__init__.py`) or module a project file stands for."""
    rel = project.rel(path)
    parts = rel.split("/")
    if len(parts) == 2 and parts[1] == "__init__.py" and _is_package_dir(parts[0]):
        return FlatCode("package", parts[0], path)
    if len(parts) == 1 and _is_module_name(rel):
        return FlatCode("module", rel[: -len(".py")], path)
    return None


def _is_package_dir(name: str) -> bool:
    return name != SRC_DIR and name not in NON_PACKAGE_DIRS and not name.startswith(".")


def _is_module_name(file_name: str) -> bool:
    """An importable top-level module (`gunicorn.conf.py` has no module name)."""
    if not file_name.endswith(".py") or file_name in TOOLING_MODULES:
        return False
    stem = file_name[: -len(".py")]
    # Dunder files (`__init__.py`, `__main__.py`) at a root are not modules one imports.
    is_dunder = stem.startswith("__") and stem.endswith("__")
    return stem.isidentifier() and not keyword.iskeyword(stem) and not is_dunder


def _has_src_code(project: Project) -> bool:
    """Packages or modules under <root>/src/ (a namespace folder without `__init__` counts)."""
    prefix = f"{SRC_DIR}/"
    return any(project.rel(f).startswith(prefix) and f.endswith(".py") for f in project.files)


def _message(code: FlatCode, project: Project, *, mixed: bool) -> str:
    src = project.join(SRC_DIR)
    what = f"package `{code.name}`" if code.kind == "package" else f"module `{code.name}.py`"
    where = f" of {project.path}" if project.path else ""
    fix = f"move it to {src}/{code.name}" if code.kind == "package" else f"move it into a package under {src}/"
    if mixed:  # a half-finished migration: both import roots exist
        return f"mixed layout: {what} sits at the root{where} beside {src}/; {fix}."
    return f"flat layout: {what} sits at the root{where} instead of under {src}/; {fix}."
