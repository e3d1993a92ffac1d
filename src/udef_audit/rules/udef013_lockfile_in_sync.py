"""UDEF013 lockfile-in-sync: the lock still pins what pyproject.toml declares."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from udef_audit.context import RepoContext
from udef_audit.findings import Finding
from udef_audit.parsers.locks import LockContents, RecordedRequirement
from udef_audit.projects import Project

if TYPE_CHECKING:
    from packaging.specifiers import SpecifierSet

    from udef_audit.parsers.main_dependencies import MainDependencies, MainDependency

# packaging and the pyproject parser are imported where first needed: a repository without a
# locked pyproject.toml does not pay for them.

PYPROJECT = "pyproject.toml"
# What regenerates each lock, for the message's fix.
_REGENERATE = {
    "uv.lock": "run `uv lock`",
    "poetry.lock": "run `poetry lock`",
    "pdm.lock": "run `pdm lock`",
    "Pipfile.lock": "run `pipenv lock`",
    "pylock": "regenerate it (`pip lock` or `uv export --format pylock.toml`)",
}
_GENERATORS = {
    "uv": "`uv pip compile`",
    "pip-compile": "`pip-compile`",
    "pip-tools": "`pip-compile`",
    "poetry": "`poetry export`",
    "pdm": "`pdm export`",
}


@dataclass(frozen=True)
class ReadLock:
    """A lock of the project with what it pins."""

    path: str
    contents: LockContents

    @property
    def fix(self) -> str:
        """How to regenerate it."""
        if self.contents.format in _REGENERATE:
            return _REGENERATE[self.contents.format]
        tool = _GENERATORS.get(self.contents.generator or "")
        return f"regenerate it with {tool}" if tool else "regenerate it"


class LockfileInSyncRule:
    """For each project with main dependencies in pyproject.toml and a lock (the nearest
    ones, as UDEF003 finds them), checks that a lock pins every main dependency at a version
    its specifier allows, and that what uv.lock records for the project (`requires-dist`)
    is still what pyproject.toml declares."""

    id: ClassVar[str] = "UDEF013"

    def check(self, ctx: RepoContext, params: Mapping[str, Any]) -> Iterator[Finding]:
        for project in ctx.projects:
            pyproject = project.join(PYPROJECT)
            declared = _declared(ctx, project, pyproject)
            locks = _nearest_locks(ctx, project) if declared is not None else []
            if declared is not None and locks:
                yield from self._check_project(ctx, pyproject, declared, locks)

    def _check_project(
        self, ctx: RepoContext, pyproject: str, declared: MainDependencies, locks: Sequence[ReadLock]
    ) -> Iterator[Finding]:
        drift = _Drift(self.id, pyproject, declared, _requires_python(ctx.toml(pyproject) or {}))
        yield from drift.recorded(locks)
        for dependency in declared.items:
            if dependency.name != declared.project_name and dependency not in drift.reported:
                yield from _check_pins(self.id, pyproject, dependency, locks)


def _declared(ctx: RepoContext, project: Project, pyproject: str) -> MainDependencies | None:
    """The main dependencies of a locked project's pyproject.toml."""
    if pyproject not in project.manifests or not ctx.locks(project):
        return None
    data = ctx.toml(pyproject)
    if data is None:
        return None
    from udef_audit.parsers.main_dependencies import main_dependencies  # noqa: PLC0415

    return main_dependencies(ctx.text(pyproject) or "", data)


def _nearest_locks(ctx: RepoContext, project: Project) -> list[ReadLock]:
    """The readable locks of the nearest folder that has any (a project's own locks before a
    workspace lock above it)."""
    locks = ctx.locks(project)
    nearest = [lock for lock in locks if lock.distance == locks[0].distance] if locks else []
    found = [(lock.path, ctx.lock_contents(lock.path)) for lock in nearest]
    return [ReadLock(path, contents) for path, contents in found if contents is not None]


def _requires_python(data: Mapping[str, Any]) -> SpecifierSet | None:
    from packaging.specifiers import InvalidSpecifier, SpecifierSet  # noqa: PLC0415

    project = data.get("project")
    value = project.get("requires-python") if isinstance(project, Mapping) else None
    try:
        return SpecifierSet(value) if isinstance(value, str) else None
    except InvalidSpecifier:
        return None


def _check_pins(
    rule_id: str, pyproject: str, dependency: MainDependency, locks: Sequence[ReadLock]
) -> Iterator[Finding]:
    """A result when no lock pins the dependency (unless a marker excuses it) or when no
    lock pins a version its specifier allows."""
    pinning = [(lock, lock.contents.pins[dependency.name]) for lock in locks if dependency.name in lock.contents.pins]
    if not pinning:
        if dependency.marker is None:
            yield _finding(rule_id, pyproject, dependency, "missing", _missing_message(dependency, locks))
        return
    if dependency.direct or any(_allowed(versions, dependency) for _, versions in pinning):
        return
    yield _finding(rule_id, pyproject, dependency, "unsatisfied", _unsatisfied_message(dependency, pinning))


def _allowed(versions: tuple[str | None, ...], dependency: MainDependency) -> bool:
    """Whether one of a lock's pins of the dependency satisfies it (a pin without a version,
    or one that is no PEP 440 version, cannot be judged and passes)."""
    from udef_audit.parsers.pep508 import satisfies  # noqa: PLC0415

    return any(version is None or satisfies(version, dependency.specifiers) is not False for version in versions)


def _finding(rule_id: str, pyproject: str, dependency: MainDependency, kind: str, message: str) -> Finding:
    return Finding(
        rule_id=rule_id, path=pyproject, line=dependency.line, message=message,
        key=f"{kind}:{dependency.name}:{dependency.declared}", kind=kind,
    )


def _missing_message(dependency: MainDependency, locks: Sequence[ReadLock]) -> str:
    names = " or ".join(lock.path for lock in locks)
    return (
        f"`{dependency.declared}` is not pinned by {names}: the lock no longer matches the "
        f"dependencies; {locks[0].fix} and commit it."
    )


def _unsatisfied_message(dependency: MainDependency, pinning: Sequence[tuple[ReadLock, tuple[str | None, ...]]]) -> str:
    pins = "; ".join(
        f"{lock.path} pins {' and '.join(f'{dependency.name}=={v}' for v in versions if v)}"
        for lock, versions in pinning
    )
    return (
        f"`{dependency.declared}` is not satisfied by the lock ({pins}): the lock no longer "
        f"matches the dependencies; {pinning[0][0].fix} and commit it."
    )


class _Drift:
    """uv.lock's recorded `requires-dist` of the project against what pyproject.toml declares."""

    def __init__(self, rule_id: str, pyproject: str, declared: MainDependencies, python: SpecifierSet | None) -> None:
        self.rule_id = rule_id
        self.pyproject = pyproject
        self.declared = declared
        self.python = python
        self.reported: set[MainDependency] = set()  # already reported as out of date

    def recorded(self, locks: Sequence[ReadLock]) -> Iterator[Finding]:
        """One result per declared dependency uv.lock records differently, and one (at the
        dependencies key) per recorded one pyproject.toml no longer declares."""
        name = self.declared.project_name
        if self.declared.source != "[project] dependencies" or name is None:
            return
        for lock in locks:
            recorded = lock.contents.requires_dist.get(name)
            if recorded is not None:
                yield from self._compare(lock.path, list(recorded))
                return

    def _compare(self, lock: str, unmatched: list[RecordedRequirement]) -> Iterator[Finding]:
        for dependency in self.declared.items:
            match = next((r for r in unmatched if _same(dependency, r, self.python)), None)
            if match is not None:
                unmatched.remove(match)
                continue
            self.reported.add(dependency)
            was = [f"`{_describe(r)}`" for r in unmatched if r.name == dependency.name]
            if was:
                problem = f"differs from what {lock} records for this project ({' and '.join(was)})"
            else:
                problem = f"is not among the requirements {lock} records for this project"
            message = f"`{dependency.declared}` {problem}: {lock} is out of date: run `uv lock` and commit it."
            yield _finding(self.rule_id, self.pyproject, dependency, "out-of-date", message)
        yield from self._no_longer_declared(lock, unmatched)

    def _no_longer_declared(self, lock: str, unmatched: list[RecordedRequirement]) -> Iterator[Finding]:
        declared_names = {d.name for d in self.declared.items}
        for stale in unmatched:
            if stale.name in declared_names:
                continue  # reported above, at the line that declares it differently
            message = (
                f"{lock} records `{_describe(stale)}` for this project, which pyproject.toml no longer "
                f"declares: {lock} is out of date: run `uv lock` and commit it."
            )
            yield Finding(
                rule_id=self.rule_id, path=self.pyproject, line=self.declared.key_line, message=message,
                key=f"out-of-date:{stale.name}:recorded", kind="out-of-date",
            )


def _same(dependency: MainDependency, recorded: RecordedRequirement, python: SpecifierSet | None) -> bool:
    """Equal as normalised PEP 508 requirements: name, extras, marker by meaning, and the
    specifier by meaning unless uv recorded a source (it then records no specifier)."""
    from udef_audit.parsers.pep508 import same_marker, specifier_key  # noqa: PLC0415

    if dependency.name != recorded.name or dependency.extras != frozenset(recorded.extras):
        return False
    if not same_marker(dependency.marker, recorded.marker, python):
        return False
    if recorded.has_source or dependency.direct:
        return True
    declared = str(dependency.specifiers[0]) if dependency.specifiers else ""
    return specifier_key(declared) == specifier_key(recorded.specifier)


def _describe(recorded: RecordedRequirement) -> str:
    extras = f"[{','.join(recorded.extras)}]" if recorded.extras else ""
    marker = f"; {recorded.marker}" if recorded.marker else ""
    return f"{recorded.name}{extras}{recorded.specifier}{marker}"
