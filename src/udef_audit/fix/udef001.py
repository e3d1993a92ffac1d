"""UDEF001's fix (unsafe: imports from the project's root stop working until the project is
installed, and paths elsewhere may name the old folder): each flat package (or module)
moved under `src/` in one rename, and the project's pyproject.toml told:

- the build backend's package discovery: setuptools (`packages` gets `package-dir =
  {"" = "src"}`, `packages.find` gets `where = ["src"]`), hatchling, pdm and poetry paths
  and `packages`; flit and an undeclared setuptools discovery find `src/` on their own;
- the tool configurations that name the old path (coverage, mypy `files`, ruff `src` and
  its include/exclude globs, hatch and pdm build paths).

A setup.py or setup.cfg that declares packages is refused (its code is not rewritten), and
other files that name the old folder (CI, Dockerfiles, tox.ini) are listed for review.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator, Mapping
from typing import Any

from udef_audit.findings import Finding
from udef_audit.fix.pyproject_edit import Pyproject
from udef_audit.fix.registry import Fixed
from udef_audit.fix.tree import FixRefused, FixTree

SRC = "src"
# Tables of pyproject.toml whose strings are paths relative to the project root.
_PATH_TABLES = (("tool", "coverage"), ("tool", "hatch"), ("tool", "pdm"), ("tool", "flit", "sdist"), ("tool", "ruff"))
_REVIEWED = (".coveragerc", "setup.cfg", "tox.ini", "mypy.ini", ".mypy.ini", "MANIFEST.in", "Makefile", "noxfile.py")
_SETUP_PACKAGES = re.compile(r"\b(packages|package_dir|py_modules)\s*=")


def move_to_src(finding: Finding, tree: FixTree, params: Mapping[str, Any]) -> Fixed:
    """Move the finding's package or module under src/ and update the configuration."""
    kind, _, name = finding.key.partition(" ")
    old = posixpath.dirname(finding.path) if kind == "package" else finding.path
    project = posixpath.dirname(old)
    new = posixpath.join(project, SRC, posixpath.basename(old))
    _refuse_setup_files(tree, project)
    if posixpath.join(project, "pyproject.toml") not in tree.files:
        # Nothing would tell an installer (or Django's manage.py, run from the root) where the
        # package went: the move alone breaks every import. UDEF002's fix writes pyproject.toml.
        raise FixRefused("no pyproject.toml tells installers where the package is: write one first (UDEF002)")
    if any(f == new or f.startswith(new + "/") for f in tree.files):
        raise FixRefused(f"{new} exists")
    pyproject = Pyproject(tree, posixpath.join(project, "pyproject.toml"))
    changed = _discovery(pyproject, name, kind) + _tool_paths(pyproject, posixpath.basename(old))
    pyproject.save()
    if kind == "package":
        tree.move_folder(old, new)
    else:
        tree.move_file(old, new)
    config = f"; {pyproject.path}: {', '.join(changed)}" if changed else ""
    review = _mentions(tree, project, posixpath.basename(old))
    notes = (f"review the paths naming {posixpath.basename(old)}/ in {', '.join(review)}",) if review else ()
    install = ("install the project (`pip install -e .`) before running its tests: src/ is not on the path",)
    return Fixed(f"move {old} to {new}{config}", (*notes, *install))


def _refuse_setup_files(tree: FixTree, project: str) -> None:
    for name in ("setup.py", "setup.cfg"):
        current = tree.read_text(posixpath.join(project, name))
        if current is None:
            continue
        text = current[0]
        declares = _SETUP_PACKAGES.search(text) if name == "setup.py" else re.search(r"^\s*packages\s*=", text, re.M)
        if declares:
            raise FixRefused(f"{posixpath.join(project, name)} declares the packages: move them by hand")


def _discovery(pyproject: Pyproject, name: str, kind: str) -> list[str]:
    """Point the build backend at src/; what was changed."""
    backend = pyproject.backend
    if backend.startswith("setuptools"):
        return _setuptools(pyproject)
    if backend.startswith("poetry"):
        return _poetry(pyproject, name, kind)
    if backend.startswith(("hatchling", "pdm", "flit")):
        return []  # their paths are rewritten with the tools'; they find src/<name> themselves
    raise FixRefused(f"unknown build backend {backend}: point it at src/ by hand")


def _setuptools(pyproject: Pyproject) -> list[str]:
    tool = pyproject.table("tool", "setuptools")
    if tool is None:
        return []  # automatic discovery finds the src layout
    find = tool.get("packages", {}).get("find") if isinstance(tool.get("packages"), dict) else None
    if find is not None:
        return _find_in_src(find)
    changed = []
    if "packages" in tool or "py-modules" in tool:
        package_dir = tool.get("package-dir")
        if package_dir is None:
            import tomlkit  # noqa: PLC0415

            inline = tomlkit.inline_table()
            inline[""] = SRC
            tool["package-dir"] = inline
            changed.append("tool.setuptools.package-dir")
        elif dict(package_dir) != {"": SRC}:
            raise FixRefused(f"setuptools maps packages with package-dir {dict(package_dir)}: edit it by hand")
    return changed


def _find_in_src(find: Any) -> list[str]:
    """`[tool.setuptools.packages.find] where = ["src"]`."""
    where = list(find.get("where", ["."]))
    if where not in (["."], [SRC]):
        raise FixRefused(f"setuptools finds packages in {where}: point it at src/ by hand")
    if where == [SRC]:
        return []
    find["where"] = [SRC]
    return ["tool.setuptools.packages.find.where"]


def _poetry(pyproject: Pyproject, name: str, kind: str) -> list[str]:
    import tomlkit  # noqa: PLC0415

    poetry = pyproject.table("tool", "poetry", create=True)
    assert poetry is not None  # noqa: S101 - created
    packages = poetry.get("packages")
    if packages is None:
        entry = tomlkit.inline_table()
        entry["include"] = name if kind == "package" else f"{name}.py"
        entry["from"] = SRC
        poetry["packages"] = tomlkit.array()
        poetry["packages"].append(entry)
        return ["tool.poetry.packages"]
    changed = []
    for entry in packages:
        if isinstance(entry, dict) and str(entry.get("include", "")).split("/")[0] in (name, f"{name}.py"):
            if entry.get("from", ".") not in (".", SRC):
                raise FixRefused(f"poetry takes {name} from {entry['from']}: edit it by hand")
            entry["from"] = SRC
            changed.append("tool.poetry.packages")
    return changed


def _tool_paths(pyproject: Pyproject, old: str) -> list[str]:
    """Rewrite the paths naming `old` in the tool tables; the keys changed."""
    changed: list[str] = []
    for keys in _PATH_TABLES:
        table = pyproject.table(*keys)
        if table is not None:
            changed += _rewrite_table(table, old, ".".join(keys))
    ruff = pyproject.table("tool", "ruff")
    if ruff is not None and isinstance(ruff.get("src"), list) and SRC not in [str(s).strip("./") for s in ruff["src"]]:
        ruff["src"].append(SRC)
        changed.append("tool.ruff.src")
    mypy = pyproject.table("tool", "mypy")
    if mypy is not None and "files" in mypy:
        changed += _rewrite_table(mypy, old, "tool.mypy", only=("files",))
    return list(dict.fromkeys(changed))


def _rewrite_table(table: Any, old: str, where: str, only: tuple[str, ...] = ()) -> list[str]:
    """Rewrite the paths naming `old` in a table and the tables in it; the keys changed."""
    changed = []
    for key in [k for k in table if not only or k in only]:
        value = table[key]
        if isinstance(value, dict):
            changed += _rewrite_table(value, old, f"{where}.{key}")
            if _rename_keys(value, old):  # ruff's per-file-ignores: paths as keys
                changed.append(f"{where}.{key}")
        elif _rewrite_value(table, key, old):
            changed.append(f"{where}.{key}")
    return changed


def _rename_keys(table: Any, old: str) -> bool:
    renamed = {str(k): moved for k in list(table) if (moved := _moved(str(k), old)) is not None}
    for before, after in renamed.items():
        table[after] = table.pop(before)
    return bool(renamed)


def _rewrite_value(table: Any, key: str, old: str) -> bool:
    """A path, a list of paths or a comma-separated string of them, rewritten in place."""
    value = table[key]
    if isinstance(value, list):
        hits = [(i, moved) for i, item in enumerate(value) if isinstance(item, str) and (moved := _moved(item, old))]
        for index, moved in hits:
            value[index] = moved
        return bool(hits)
    if isinstance(value, str) and (moved_string := _moved_list_string(value, old)) is not None:
        table[key] = moved_string
        return True
    return False


def _moved(value: str, old: str) -> str | None:
    """`old`, `old/...`, `./old...` or `/old...` under src/; None for anything else."""
    match = re.match(r"^(\./|/)?" + re.escape(old) + r"(?=$|/|\.py$)", value)
    if match is None:
        return None
    lead = match.group(1) or ""
    return f"{lead}{SRC}/{value[len(lead) :]}"


def _moved_list_string(value: str, old: str) -> str | None:
    """A comma-separated list of paths (mypy's `files` may be one string)."""
    parts = [p.strip() for p in value.split(",")]
    moved = [_moved(p, old) or p for p in parts]
    return ", ".join(moved) if moved != parts else None


def _mentions(tree: FixTree, project: str, old: str) -> list[str]:
    """Files other than pyproject.toml that name `old/` (CI, Docker, tox): for review."""
    pattern = re.compile(r"(?<![\w./-])(\./)?" + re.escape(old) + r"/")
    return [path for path in _candidates(tree, project) if pattern.search((tree.read_text(path) or ("", None))[0])]


def _candidates(tree: FixTree, project: str) -> Iterator[str]:
    for path in tree.files:
        rel = path[len(project) + 1 :] if project else path
        if _may_name_paths(rel):
            yield path


def _may_name_paths(rel: str) -> bool:
    """Configuration, CI and scripts at a project's root, which often name its folders."""
    folder, name = posixpath.split(rel)
    if not folder:
        return name in _REVIEWED or name.startswith(("Dockerfile", "Containerfile"))
    if folder in ("scripts", "bin"):
        return True
    return folder == ".github/workflows" and name.endswith((".yml", ".yaml"))
