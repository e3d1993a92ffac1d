"""UDEF002 single-dependency-source: a project declares its dependencies in pyproject.toml only."""

from __future__ import annotations

import posixpath
import shlex
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from udef_audit.context import RepoContext
from udef_audit.findings import Finding
from udef_audit.parsers.manifests import (
    conda_environment_line,
    named_index_packages,
    pipfile_declaration_line,
    pyproject_dependencies,
)
from udef_audit.parsers.pip_commands import PipInvocation, Word, iter_pip_invocations
from udef_audit.parsers.requirements import (
    development_group,
    is_lock_file_name,
    is_requirement_file_name,
    requirement_name,
)
from udef_audit.parsers.setup_files import Declaration
from udef_audit.projects import Project

if TYPE_CHECKING:
    from udef_audit.parsers.dockerfile import RunCommand

# Folders holding test data, examples or samples: their requirement files, Pipfiles and
# Dockerfiles describe something other than the project (a fixture repository, a demo app).
# docs/, tests/ and benchmarks/ are not listed: their requirement files are the project's
# own docs, test and benchmark dependencies.
_DATA_DIRS = frozenset({
    "fixtures", "testdata", "test_data", "test-data", "examples", "example", "samples",
})
_CONDA_FILES = frozenset({"environment.yml", "environment.yaml"})
_SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ash", "ksh", "mksh"})
# Installers and build front-ends: installing them puts no project dependency in the image
# (`pip install poetry && poetry install` installs from pyproject.toml). The parser already
# skips pip, uv, pip-tools, setuptools and wheel.
_INSTALLER_PACKAGES = frozenset({"poetry", "pdm", "hatch", "pipenv", "pipx", "build", "virtualenv"})
_SETUP_PY_TARGETS = {
    "install_requires": "[project] dependencies",
    "extras_require": "[project.optional-dependencies]",
    "tests_require": "[dependency-groups]",
}
_SHOWN_PACKAGES = 3
_CONDA_WHAT = "its Python packages"


@dataclass(frozen=True)
class _Pyproject:
    """What the project's pyproject.toml offers: its path, whether it is a dependency
    source, and where a requirement moved into it belongs."""

    path: str
    is_source: bool
    target: str


@dataclass(frozen=True)
class _Source:
    """One dependency source other than pyproject.toml.

    `subject` completes "<path> ..." (e.g. "declares install_requires"); `is_file` marks a
    source that is a whole file (a requirement file, Pipfile, environment.yml), whose
    message reads "<path> is a second dependency source"; `fix` says where its
    requirements go when pyproject.toml is the source.
    """

    path: str
    line: int
    key: str
    subject: str
    fix: str
    is_file: bool = False
    group: str | None = None  # the dependency group a docs/dev/test requirement file belongs to


class SingleDependencySourceRule:
    """Flags every dependency source of a project other than pyproject.toml: setup.py or
    setup.cfg requirements, hand-written requirement files, Pipfile, conda environment.yml
    and packages a Dockerfile pip-installs by name. Generated locks are not sources; one
    result per extra source, at its declaration."""

    id: ClassVar[str] = "UDEF002"

    def check(self, ctx: RepoContext, params: Mapping[str, Any]) -> Iterator[Finding]:
        for project in ctx.projects:
            pyproject = _pyproject(ctx, project)
            missing = _missing_pyproject(ctx, project, pyproject)
            if missing is not None:
                yield missing
            for source in _ProjectSources(ctx, project, pyproject.target).collect():
                yield Finding(
                    rule_id=self.id,
                    path=source.path,
                    line=source.line,
                    message=_message(source, pyproject, project),
                    key=source.key,
                    kind="second-source" if pyproject.is_source else "no-pyproject-source",
                )


# --- pyproject.toml ----------------------------------------------------------------------


def _missing_pyproject(ctx: RepoContext, project: Project, pyproject: _Pyproject) -> Finding | None:
    """A project with Python code of its own and no pyproject.toml at all (contract rev 3):
    at the repository-wide anchor for the root project, else at its first Python file."""
    if ctx.exists(pyproject.path) or not project.has_own_code:
        return None
    first_python = next(f for f in project.files if f.endswith(".py"))
    anchor = (ctx.repository_anchor if not project.path else None) or first_python
    where = f" ({project.path})" if project.path else ""
    return Finding(
        rule_id=SingleDependencySourceRule.id,
        path=anchor,
        line=1,
        message=f"no pyproject.toml{where}: declare the project and its dependencies there.",
        key="no-pyproject",
        kind="no-pyproject",
    )



def _pyproject(ctx: RepoContext, project: Project) -> _Pyproject:
    """The project's pyproject.toml: a source with a `[project]` table (dependencies or
    not), poetry metadata or dependency tables. A malformed one counts as present (its
    UDEF000 note says why it was not read): its owner still meant it as the manifest."""
    path = project.join("pyproject.toml")
    if not ctx.exists(path):
        return _Pyproject(path, False, "[project] dependencies")
    data = ctx.toml(path)
    if data is None:
        return _Pyproject(path, True, "[project] dependencies")
    deps = pyproject_dependencies(ctx.text(path) or "", data)
    poetry_only = deps.uses_poetry and not deps.has_project_table
    target = "[tool.poetry.dependencies]" if poetry_only else "[project] dependencies"
    is_source = deps.has_project_table or deps.uses_poetry or bool(deps.dependency_lines)
    return _Pyproject(path, is_source, target)


# --- collecting the other sources --------------------------------------------------------


class _ProjectSources:
    """Finds the non-pyproject dependency sources among the files a project owns."""

    def __init__(self, ctx: RepoContext, project: Project, target: str) -> None:
        self.ctx = ctx
        self.project = project
        self.target = target

    def collect(self) -> Iterator[_Source]:
        for path in self.project.files:
            rel = self.project.rel(path)
            if _in_data_dir(rel):
                continue
            found = self._source_of(path, rel)
            if isinstance(found, _Source):
                yield found
            elif found is not None:
                yield from found

    def _source_of(self, path: str, rel: str) -> _Source | Iterator[_Source] | None:
        kind = _file_kind(rel)
        if kind in ("setup.py", "setup.cfg"):
            return self._setup_file(path, kind)
        if kind == "Pipfile":
            return self._whole_file(path, "pipfile", pipfile_declaration_line, "its packages")
        if kind == "conda":
            return self._whole_file(path, "conda-environment", conda_environment_line, _CONDA_WHAT)
        if kind == "requirements":
            return self._requirement_file(path)
        return self._dockerfile(path) if kind == "Dockerfile" else None

    # -- setup.py / setup.cfg

    def _setup_file(self, path: str, file_kind: str) -> _Source | None:
        # The context parses setup.py (ast) and setup.cfg (INI) once for every reader and
        # records a UDEF000 note when one does not parse (newer syntax that libcst accepts
        # is no error: then only its declarations stay unknown).
        declarations = self.ctx.setup_declarations(path)
        return None if declarations is None else self._declared(path, file_kind, declarations)

    def _declared(
        self, path: str, file_kind: str, declarations: Sequence[Declaration]
    ) -> _Source | None:
        """One source per file, at its first declaration, naming every key it declares."""
        if not declarations:
            return None
        keys = list(dict.fromkeys(_option_name(d.key) for d in declarations))
        first = min(declarations, key=lambda d: d.line)
        return _Source(
            path=path,
            line=first.line,
            key=f"{file_kind}:{_option_name(first.key)}",
            subject=f"declares {_and_list(keys)}",
            fix=f"move {'it' if len(keys) == 1 else 'them'} into {self._setup_targets(keys)}",
        )

    def _setup_targets(self, keys: list[str]) -> str:
        if self.target != "[project] dependencies":
            return self.target
        return _and_list(list(dict.fromkeys(_SETUP_PY_TARGETS.get(k, self.target) for k in keys)))

    # -- whole files: Pipfile, environment.yml, requirement files

    def _whole_file(
        self, path: str, key: str, line_of: Callable[[str], int], what: str
    ) -> _Source | None:
        text = self.ctx.text(path)
        if text is None:
            return None
        fix = f"move {what} into {self.target}"
        return _Source(path, line_of(text), key, "", fix, is_file=True)

    def _requirement_file(self, path: str) -> _Source | None:
        """A hand-written requirement file, at its first line that asks for a package;
        generated locks, empty files and files that only install the project itself
        (`-e .[docs]`) or a lock are no source."""
        parsed = self.ctx.requirements(path)
        if parsed is None or parsed.kind != "source":
            return None
        lines = [r.line for r in parsed.requirements if named_index_packages(r.text.split())]
        lines += [n for n, target in parsed.includes if self._adds_requirements(path, n, target)]
        if not lines:
            return None
        fix = f"move its requirements into {self._requirements_target(path)}"
        group = development_group(self.project.rel(path))
        return _Source(path, min(lines), "requirements-file", "", fix, is_file=True, group=group)

    def _requirements_target(self, path: str) -> str:
        """Where a requirement file's contents belong: a dependency group for the docs, dev,
        test or lint requirements (they are not the project's runtime dependencies), else
        the project's main dependencies."""
        group = development_group(self.project.rel(path))
        if group is None:
            return self.target
        if self.target == "[tool.poetry.dependencies]":
            return f"[tool.poetry.group.{group}.dependencies]"
        return f"[dependency-groups] (a `{group}` group, or an optional-dependency extra)"

    def _adds_requirements(self, path: str, line: int, target: str) -> bool:
        """Whether an include line pulls in requirements: `-r` of anything but a lock
        (`-c` constraints add none)."""
        physical = self.ctx.lines(path)
        words = physical[line - 1].split() if 0 < line <= len(physical) else []
        if words and words[0].startswith(("-c", "--constraint")):
            return False
        included = posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
        return not self._is_lock(included)

    def _is_lock(self, path: str) -> bool:
        if is_lock_file_name(path):
            return True
        parsed = self.ctx.requirements(path) if self.ctx.exists(path) else None
        return parsed is not None and parsed.kind == "lock"

    # -- Dockerfiles

    def _dockerfile(self, path: str) -> Iterator[_Source]:
        dockerfile = self.ctx.dockerfile(path)
        if dockerfile is None:
            return
        for run in dockerfile.runs:
            for script, line_of in _run_scripts(run):
                for invocation in iter_pip_invocations(script):
                    source = self._pip_install_source(path, invocation, line_of)
                    if source is not None:
                        yield source

    def _pip_install_source(
        self, path: str, invocation: PipInvocation, line_of: Callable[[Word], int]
    ) -> _Source | None:
        if invocation.subcommand != "install":
            return None
        arguments = [word.text for word in invocation.args]
        named = [p for p in named_index_packages(arguments) if self._is_named_source(p)]
        if not named:
            return None
        first = named[0]
        word = _word_of(invocation.args, first) or Word("", invocation.offset, "")
        return _Source(
            path=path,
            line=line_of(word),
            key=f"dockerfile-pip:{_package_key(first)}",
            subject=f"pip-installs {_shown(named)} by name",
            fix=(
                f"declare {'it' if len(named) == 1 else 'them'} in {self.target} "
                "and install the project or its lock instead"
            ),
        )

    def _is_named_source(self, package: str) -> bool:
        """Index packages other than installers, and `-r` of a requirement file this rule
        would not report on its own (a file in the project, not named like one)."""
        if package.startswith("-r "):
            return self._unrecognised_requirement_file(package[3:].strip())
        return requirement_name(package) not in _INSTALLER_PACKAGES

    def _unrecognised_requirement_file(self, target: str) -> bool:
        """A `-r deps.txt` whose file the project holds under a name that is no requirement
        file name, and that is hand-written. A file the build generates (not in the
        repository) and a named requirement file (reported where it lives) are not."""
        name = posixpath.basename(target)
        for path in self.project.files:
            rel = self.project.rel(path)
            if posixpath.basename(rel) != name or _in_data_dir(rel):
                continue
            if is_requirement_file_name(rel) or self._is_lock(path):
                return False
            parsed = self.ctx.requirements(path)
            return parsed is not None and parsed.kind == "source"
        return False


# --- file kinds and Dockerfile helpers ---------------------------------------------------


def _file_kind(rel: str) -> str | None:
    """Which kind of dependency source a project-relative path may be, by its name."""
    name = posixpath.basename(rel)
    if rel in ("setup.py", "setup.cfg"):
        return rel
    if name == "Pipfile":
        return name
    if name in _CONDA_FILES:
        return "conda"
    if is_requirement_file_name(rel):
        return "requirements"
    return "Dockerfile" if _is_dockerfile_name(name) else None


def _is_dockerfile_name(name: str) -> bool:
    if name.endswith(".dockerignore"):
        return False
    return (
        name in ("Dockerfile", "Containerfile")
        or name.startswith(("Dockerfile.", "Containerfile."))
        or name.endswith(".Dockerfile")
    )


def _run_scripts(run: RunCommand) -> Iterator[tuple[str, Callable[[Word], int]]]:
    """The shell scripts a RUN executes, each with a map from a word to its physical line:
    the shell form, the exec form (joined; located by searching the JSON source), and
    heredoc bodies fed to a shell."""
    if run.shell is not None:
        yield run.shell, lambda word: run.line_at(word.offset)
    elif run.exec_argv:
        yield shlex.join(run.exec_argv), lambda word: _exec_line(run, word)
    for heredoc in run.heredocs:
        if heredoc.interpreter is None or _is_shell(heredoc.interpreter):
            yield heredoc.body, _body_lines(heredoc.start_line, heredoc.body)


def _body_lines(start_line: int, body: str) -> Callable[[Word], int]:
    """Line of a word in a heredoc body whose first line is `start_line`."""
    return lambda word: start_line + body.count("\n", 0, word.offset)


def _exec_line(run: RunCommand, word: Word) -> int:
    found = run.text.find(word.text) if word.text else -1
    return run.line_at(found) if found >= 0 else run.start_line


def _is_shell(interpreter: str) -> bool:
    words = interpreter.split()
    return bool(words) and posixpath.basename(words[-1]) in _SHELLS


def _word_of(args: Sequence[Word], package: str) -> Word | None:
    """The argument word that `named_index_packages` read as `package`."""
    for word in args:
        text = word.text.strip()
        if package in (text, text.rstrip(";"), text.strip("'\"")):
            return word
    return None


def _shown(packages: Sequence[str]) -> str:
    """`a`, `b` and `c`, or `a`, `b`, `c` and 2 more."""
    shown = [f"`{p}`" for p in packages[:_SHOWN_PACKAGES]]
    if len(packages) > _SHOWN_PACKAGES:
        shown.append(f"{len(packages) - _SHOWN_PACKAGES} more")
    return _and_list(shown)


def _package_key(package: str) -> str:
    return requirement_name(package) or package


# --- messages ----------------------------------------------------------------------------


def _message(source: _Source, pyproject: _Pyproject, project: Project) -> str:
    if pyproject.is_source:
        subject = "is" if source.is_file else f"{source.subject},"
        second = f"a second dependency source beside {pyproject.path}"
        return f"{source.path} {subject} {second}; {source.fix}."
    subject = "declares dependencies" if source.is_file else source.subject
    # "declares install_requires and extras_require, and the project has no ..."
    joint = ", and" if " and " in subject else " and"
    owner = f"project {project.path}" if project.path else "the project"
    where = f"[dependency-groups] (a `{source.group}` group)" if source.group else "[project]"
    return (
        f"{source.path} {subject}{joint} {owner} has no pyproject.toml dependency source; "
        f"declare {'them' if source.group else 'dependencies'} in {pyproject.path} {where}."
    )


def _option_name(key: str) -> str:
    """`install_requires` from "install_requires", "[options] install_requires" or
    "[options.extras_require]"."""
    return key.strip("[]").rpartition(" ")[2].rpartition(".")[2]


def _and_list(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def _in_data_dir(rel: str) -> bool:
    # Hidden folders too: `.github/actions/x/requirements.in` pins a CI helper's own tools,
    # not the project's dependencies (pydantic has two).
    return any(part in _DATA_DIRS or part.startswith(".") for part in rel.split("/")[:-1])
