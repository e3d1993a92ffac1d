"""Project roots: the repository root and every directory holding a manifest.

Monorepos have several projects; rules marked *per project* run once for each. A manifest
inside a conventional non-product folder (tests, docs, examples, fixtures, ...) is not a
project unless the user configures it in.
"""

from __future__ import annotations

import keyword
import posixpath
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from udef_audit.parsers.requirements import is_lock_file_name, is_requirement_file_name

MANIFESTS = ("pyproject.toml", "setup.py", "setup.cfg")
NON_PRODUCT_DIRS = frozenset(
    {
        "tests",
        "test",
        "testing",
        "examples",
        "example",
        "docs",
        "doc",
        "fixtures",
        "testdata",
        "samples",
        "benchmarks",
    }
)
# Folders whose Python files are not the project's importable code (UDEF001's list; the
# contract names `scripts/` and `hooks/` as tooling, not code).
NON_PACKAGE_DIRS = frozenset(
    {
        "tests",
        "test",
        "testing",
        "docs",
        "doc",
        "scripts",
        "hooks",
        "tools",
        "examples",
        "example",
        "benchmarks",
        "fixtures",
        "testdata",
        "samples",
    }
)
ROOT_DEPENDENCY_FILES = ("Pipfile", "environment.yml", "environment.yaml")
TEST_DIRS = frozenset({"tests", "test"})
# Top-level scripts that tools load by file name; they are not the project's importable code.
TOOLING_MODULES = frozenset({
    "setup.py", "conftest.py", "noxfile.py", "tasks.py", "manage.py", "fabfile.py", "conf.py",
})  # fmt: skip
SRC_DIR = "src"


@dataclass(frozen=True)
class FlatCode:
    """A package or module that sits directly under a project root instead of under src/."""

    kind: str  # "package" | "module"
    name: str  # the import name
    path: str  # repository path of its `__init__.py` or of the module


@dataclass(frozen=True)
class Project:
    """A project root and the files it owns (not those of a nested project).

    Derived views (manifests, own code, dependency files) are computed once: rules ask for
    them repeatedly and a large repository's root project owns thousands of files.
    """

    path: str  # "" for the repository root, else a posix path
    files: tuple[str, ...]  # paths relative to the repository root

    def rel(self, path: str) -> str:
        """A repository path relative to this project's root."""
        return path[len(self.path) + 1 :] if self.path else path

    def join(self, rel: str) -> str:
        """A project-relative path as a repository path."""
        return posixpath.join(self.path, rel) if self.path else rel

    @cached_property
    def manifests(self) -> tuple[str, ...]:
        """The project's manifests in anchor order: pyproject.toml, setup.py, setup.cfg."""
        present = set(self.files)
        return tuple(self.join(m) for m in MANIFESTS if self.join(m) in present)

    @cached_property
    def own_python(self) -> tuple[str, ...]:
        """Python files that are the project's own code (not tests, docs, scripts, ...)."""
        return tuple(f for f in self.files if f.endswith(".py") and _is_own_code(self.rel(f)))

    @cached_property
    def flat_code(self) -> tuple[FlatCode, ...]:
        """Packages (folders with an `__init__.py`) and importable modules directly under the
        root: not tooling scripts, not the conventional non-package folders (UDEF001)."""
        return tuple(code for code in (_flat_code(self, f) for f in self.files) if code)

    @cached_property
    def has_src_code(self) -> bool:
        """Packages or modules under <root>/src/ (a namespace folder without `__init__` counts)."""
        prefix = f"{SRC_DIR}/"
        return any(self.rel(f).startswith(prefix) and f.endswith(".py") for f in self.files)

    @property
    def has_own_code(self) -> bool:
        """Python code of its own: src code or flat packages and modules (the contract's
        "Python code of its own"; tooling scripts and tests are not)."""
        return self.has_src_code or bool(self.flat_code)

    @cached_property
    def dependency_files(self) -> tuple[str, ...]:
        """Requirement files, Pipfile and conda environment files the project owns."""
        return tuple(f for f in self.files if _is_dependency_file(self.rel(f)))

    @cached_property
    def test_files(self) -> tuple[str, ...]:
        """Test files: `test_*.py` and `*_test.py` anywhere in the project, and Python files
        under a `tests` or `test` folder."""
        return tuple(f for f in self.files if is_test_file(self.rel(f)))

    @cached_property
    def anchor(self) -> str | None:
        """The file that owns a fix for something missing: the manifest, else the first
        dependency file (None when the project has neither)."""
        return next(iter(self.manifests + self.dependency_files), None)

    @property
    def label(self) -> str:
        """How messages name the project."""
        return self.path or "the repository root"


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


def in_non_product_folder(rel: str) -> bool:
    """Whether a project-relative path lies in a non-product folder (tests, docs, examples,
    fixtures, ...) or a hidden one (`.devcontainer/`): such a file is not the product's."""
    return any(part in NON_PRODUCT_DIRS or part.startswith(".") for part in rel.split("/")[:-1])


def _is_dependency_file(rel: str) -> bool:
    # Requirement files of tests, examples or fixtures are not the project's; the docs'
    # requirement files are (the contract counts them as a second source).
    parents = rel.split("/")[:-1]
    if any(p in NON_PRODUCT_DIRS - {"docs", "doc"} or p.startswith(".") for p in parents):
        return False
    name = rel.rpartition("/")[2]
    return (
        name in ROOT_DEPENDENCY_FILES
        or is_requirement_file_name(rel)
        or (is_lock_file_name(name) and name.startswith("requirements"))
    )


def is_test_file(rel: str) -> bool:
    """UDEF012's test files: `test_*.py` and `*_test.py` anywhere, and Python files under a
    `tests` or `test` folder (`rel` is relative to the project, or to the repository)."""
    folders, _, name = rel.rpartition("/")
    if not name.endswith(".py"):
        return False
    if name.startswith("test_") or name.endswith("_test.py"):
        return True
    return any(part in TEST_DIRS for part in folders.split("/"))


def _is_own_code(rel: str) -> bool:
    parts = rel.split("/")
    return not any(p in NON_PACKAGE_DIRS or p.startswith(".") for p in parts[:-1])


def find_projects(files: Iterable[str], extra_roots: Iterable[str] = ()) -> list[Project]:
    """Discover project roots and split the files among them (deepest root owns a file)."""
    files = sorted(files)
    roots = _project_roots(files, {r.strip("/") for r in extra_roots})
    owned: dict[str, list[str]] = {r: [] for r in roots}
    for path in files:
        owned[_owner(path, roots)].append(path)
    projects = [Project(path=r, files=tuple(owned[r])) for r in sorted(roots)]
    return [p for p in projects if p.path or _root_is_project(p)]


def _project_roots(files: list[str], forced: set[str]) -> set[str]:
    """The root, every manifest folder outside non-product folders and outside Python
    packages, and forced roots."""
    found = {posixpath.dirname(f) for f in files if posixpath.basename(f) in MANIFESTS}
    packages = {posixpath.dirname(f) for f in files if posixpath.basename(f) == "__init__.py"}
    kept = {r for r in found if not _in_non_product(r) and not _in_package(r, packages)}
    return kept | forced | {""}


def _in_package(root: str, packages: set[str]) -> bool:
    """Whether a folder is, or sits inside, a Python package (a folder with `__init__.py`):
    a manifest there is package data or a module, not a project (pdm ships project
    templates as `src/pdm/cli/templates/*/pyproject.toml` and has a module
    `src/pdm/models/setup.py`)."""
    folder = root
    while folder:
        if folder in packages:
            return True
        parent = posixpath.dirname(folder)
        if parent == folder:  # dirname("/") is "/": an absolute path ends here
            return False
        folder = parent
    return False


def _in_non_product(root: str) -> bool:
    return any(part in NON_PRODUCT_DIRS or part.startswith(".") for part in root.split("/"))


def _owner(path: str, roots: set[str]) -> str:
    # Stops at a fixed point too: dirname("/") is "/", so an absolute path (which the
    # inventory never passes on) cannot make this loop forever.
    directory = posixpath.dirname(path)
    while directory:
        if directory in roots:
            return directory
        parent = posixpath.dirname(directory)
        if parent == directory:
            break
        directory = parent
    return ""


def _root_is_project(project: Project) -> bool:
    """The root counts only with Python code of its own or a manifest/dependency file."""
    return bool(project.manifests or project.own_python or project.dependency_files)
