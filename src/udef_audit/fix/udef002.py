"""UDEF002's fix (unsafe: what gets installed changes, and the lock must be made again):
the requirements of a second dependency source moved into the project's pyproject.toml,
whose formatting tomlkit keeps:

- runtime requirements into `[project] dependencies`, extras into
  `[project.optional-dependencies]`, docs/dev/test/lint requirement files (UDEF002's own
  grouping, by path) and files that install the project itself (`-e .[dev]` plus tools)
  into `[dependency-groups]`;
- a requirement already declared there (same name) is kept as it is;
- `dependencies` listed in `[project] dynamic` because setuptools read them from this very
  file (`[tool.setuptools.dynamic]`) stop being dynamic;
- the source is then removed, or what is left of it kept (setup.py without those
  arguments, setup.cfg without those keys).

The lock's regeneration command is printed, never run; so are the files that name a removed
requirement file (CI, Dockerfiles, scripts), for review. A poetry-only project, a conda
environment and a Dockerfile's pip install are not fixed.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from typing import Any

from udef_audit.findings import Finding
from udef_audit.fix import dependency_sources as sources
from udef_audit.fix.pyproject_edit import Pyproject
from udef_audit.fix.registry import Fixed
from udef_audit.fix.tree import FixRefused, FixTree
from udef_audit.parsers.requirements import canonical_name, is_requirement_file_name, requirement_name

LOCK_COMMANDS = (
    ("uv.lock", "uv lock"),
    ("poetry.lock", "poetry lock"),
    ("pdm.lock", "pdm lock"),
    ("pylock.toml", "pip lock -o pylock.toml ."),
)


def move_dependencies(finding: Finding, tree: FixTree, params: Mapping[str, Any]) -> Fixed:
    """Move the finding's source into the pyproject.toml of its project."""
    project = _project_of(tree, finding.path)
    pyproject = Pyproject(tree, posixpath.join(project, "pyproject.toml"))
    project_table = pyproject.table("project")
    if project_table is None:
        raise FixRefused(f"{pyproject.path} has no [project] table to move the requirements into")
    moved = _read_source(tree, finding.path, project)
    if moved.empty:
        raise FixRefused(f"{finding.path} declares no requirement to move")
    _undo_dynamic(pyproject, project_table, finding.path, project, moved)
    added = _merge(pyproject, project_table, moved)
    pyproject.save()
    gone = not tree.exists(finding.path)
    what = "removed" if gone else "keeps the rest"
    notes = _notes(tree, project, finding.path, gone) + _self_install_notes(moved)
    return Fixed(f"{pyproject.path} gets {added}; {finding.path} {what}", notes)


def _project_of(tree: FixTree, path: str) -> str:
    """The nearest folder above the source that holds a pyproject.toml."""
    folder = posixpath.dirname(path)
    while True:
        if tree.exists(posixpath.join(folder, "pyproject.toml")):
            return folder
        if not folder:
            raise FixRefused("no pyproject.toml above the source")
        folder = posixpath.dirname(folder)


def _read_source(tree: FixTree, path: str, project: str) -> sources.Moved:
    name = posixpath.basename(path)
    rel = path[len(project) + 1 :] if project else path
    if rel == "setup.py":
        return sources.from_setup_py(tree, path)
    if rel == "setup.cfg":
        return sources.from_setup_cfg(tree, path)
    if name == "Pipfile":
        return sources.from_pipfile(tree, path)
    if is_requirement_file_name(rel):
        return sources.from_requirement_file(tree, path, project)
    raise FixRefused(f"{path} is not a source this fix moves (a conda environment or a Dockerfile's pip install)")


def _undo_dynamic(pyproject: Pyproject, project_table: Any, source: str, project: str, moved: sources.Moved) -> None:
    """`dynamic = ["dependencies"]` read from this source: declared statically from now on.
    Optional dependencies declared dynamic are refused (they come from elsewhere)."""
    dynamic = project_table.get("dynamic")
    if dynamic is None:
        return
    if moved.extras and "optional-dependencies" in dynamic:
        raise FixRefused(f"{pyproject.path} declares optional-dependencies as dynamic: move them by hand")
    if not moved.main or "dependencies" not in dynamic:
        return
    tool, setuptools = _setuptools_dynamic(pyproject, source[len(project) + 1 :] if project else source)
    dynamic.remove("dependencies")
    del setuptools["dependencies"]
    if not setuptools:
        del tool["dynamic"]
    if not dynamic:
        del project_table["dynamic"]


def _setuptools_dynamic(pyproject: Pyproject, rel: str) -> tuple[Any, Any]:
    """`[tool.setuptools]` and its `dynamic` table, when that reads the dependencies from
    `rel` alone; FixRefused otherwise."""
    tool = pyproject.table("tool", "setuptools")
    setuptools = tool.get("dynamic") if tool is not None else None
    if tool is None or not isinstance(setuptools, dict) or _dynamic_files(setuptools.get("dependencies")) != [rel]:
        raise FixRefused(f"{pyproject.path} declares dependencies as dynamic from elsewhere: move them by hand")
    return tool, setuptools


def _dynamic_files(entry: Any) -> list[str]:
    """The files of `{file = ...}` in `[tool.setuptools.dynamic]`, normalised."""
    files = entry.get("file") if isinstance(entry, dict) else None
    names = [files] if isinstance(files, str) else list(files or [])
    return [posixpath.normpath(str(name)) for name in names]


def _merge(pyproject: Pyproject, project_table: Any, moved: sources.Moved) -> str:
    """Add the requirements to their tables; a sentence of what was added."""
    counts = []
    if moved.main:
        counts.append(f"{_extend(pyproject, project_table, 'dependencies', moved.main)} in [project] dependencies")
    for extra, items in moved.extras.items():
        table = pyproject.table("project", "optional-dependencies", create=True)
        counts.append(f"{_extend(pyproject, table, extra, items)} in the `{extra}` extra")
    for group, items in moved.groups.items():
        table = pyproject.table("dependency-groups", create=True)
        counts.append(f"{_extend(pyproject, table, group, items)} in the `{group}` dependency group")
    return ", ".join(counts)


def _extend(pyproject: Pyproject, table: Any, key: str, items: list[str]) -> str:
    """Append the requirements whose names the list does not hold yet; how many were added."""
    before = len(table[key]) if key in table else 0
    array = table[key] if key in table else _new_array(pyproject, table, key, items[0])
    if not isinstance(array, list):
        raise FixRefused(f"{key} is not a list")
    present = {_name(i) for i in array if isinstance(i, str)}
    for item in items:
        if _name(item) not in present:
            array.append(item)
            present.add(_name(item))
    added = len(array) - before
    return f"{added} requirement{'s' if added != 1 else ''}"


def _name(requirement: str) -> str:
    return canonical_name(requirement_name(requirement) or requirement)


def _new_array(pyproject: Pyproject, table: Any, key: str, first: str) -> Any:
    """A new multi-line list holding `first`. Parsed, not built: a parsed array keeps the
    indentation of its first item, taken from the file's other lists."""
    import tomlkit  # noqa: PLC0415

    indent = _list_indent(pyproject.original)
    table[key] = tomlkit.parse(f"x = [\n{indent}{tomlkit.string(first).as_string()},\n]\n")["x"]
    return table[key]


def _list_indent(text: str) -> str:
    """The indentation of the file's multi-line lists (four spaces when it has none)."""
    match = re.search(r"\[\n([ \t]+)[\"'{]", text)
    return match.group(1) if match else "    "


def _notes(tree: FixTree, project: str, source: str, gone: bool) -> tuple[str, ...]:
    lock = next((cmd for name, cmd in LOCK_COMMANDS if tree.exists(posixpath.join(project, name))), "uv lock")
    notes = [f"regenerate the lock: `{lock}` (a fix never runs it)"]
    if gone:
        users = _naming(tree, posixpath.basename(source), source)
        if users:
            notes.append(f"{source} is gone: {', '.join(users)} still {'names' if len(users) == 1 else 'name'} it")
    return tuple(notes)


def _self_install_notes(moved: sources.Moved) -> tuple[str, ...]:
    """`-e .[socks]` installed the project and its extras with the tools: a dependency
    group cannot name the project, so the user installs both from now on."""
    groups = ", ".join(f"--group {g}" for g in moved.groups)
    return tuple(
        f"`{line}` installed the project itself, which a dependency group cannot: "
        f"install it with the group (`uv sync {groups}{_extras_flags(line)}`)"
        for line in moved.installs_self
    )


def _extras_flags(line: str) -> str:
    extras = line.partition("[")[2].partition("]")[0]
    return "".join(f" --extra {e.strip()}" for e in extras.split(",") if e.strip())


def _naming(tree: FixTree, name: str, source: str) -> list[str]:
    """Files that install from the removed source (`-r requirements.txt`, `COPY requirements.txt`)."""
    pattern = re.compile(r"(?<![\w.-])" + re.escape(name) + r"(?![\w.-])")
    found = []
    for path in tree.files:
        if path == source or not _may_install(path):
            continue
        current = tree.read_text(path)
        if current is not None and pattern.search(current[0]):
            found.append(path)
    return found


def _may_install(path: str) -> bool:
    folder, name = posixpath.split(path)
    return (
        name.startswith(("Dockerfile", "Containerfile", "Makefile", "tox.ini", "noxfile.py", ".readthedocs"))
        or name.endswith((".sh", ".cfg", ".toml", ".yml", ".yaml"))
        or posixpath.basename(folder) in ("scripts", "bin")
        or is_requirement_file_name(path)
    )
