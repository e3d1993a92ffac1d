"""Reading the requirements out of a second dependency source, and staging what is left of
it: a requirement file, setup.cfg, setup.py (literal lists only; the arguments removed with
libcst, the rest of the file untouched) or a Pipfile. Anything a pyproject.toml cannot say
the same way (an index URL, a constraint file, a hash, a path or URL without a name, a
computed list) is a refusal: a half-moved source would be worse than none."""

from __future__ import annotations

import ast
import posixpath
from dataclasses import dataclass, field
from typing import Any

from udef_audit.fix.tree import FixRefused, FixTree
from udef_audit.parsers.ini_file import IniDocument, IniError, parse_ini
from udef_audit.parsers.requirements import (
    RequirementLine,
    development_group,
    is_lock_file_name,
    is_requirement_file_name,
    parse_requirements,
)

# A file that installs the project itself (`-e .[dev]`) and adds tools describes a
# development environment, not the project's runtime dependencies.
_SELF = (".", "-e .", "-e.", "--editable .", "--editable=.")
SETUP_KEYS = ("install_requires", "extras_require", "tests_require")
_MAX_SETUP_NODES = 20_000  # libcst is given only small, shallow setup.py files (it can crash the process)
_MAX_SETUP_DEPTH = 60


@dataclass
class Moved:
    """Requirements taken out of a source: main ones, extras and dependency groups."""

    main: list[str] = field(default_factory=list)
    extras: dict[str, list[str]] = field(default_factory=dict)
    groups: dict[str, list[str]] = field(default_factory=dict)
    # Lines that installed the project itself (`-e .[socks]`): no group can say that.
    installs_self: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """Whether nothing was found."""
        return not (self.main or any(self.extras.values()) or any(self.groups.values()))


def checked_requirement(text: str, where: str) -> str:
    """A PEP 508 requirement, as written; FixRefused when it is not one."""
    from packaging.requirements import InvalidRequirement, Requirement  # noqa: PLC0415

    try:
        Requirement(text)
    except InvalidRequirement:
        raise FixRefused(f"{where}: {text!r} is not a PEP 508 requirement pyproject.toml can hold") from None
    return text


# -- requirement files -------------------------------------------------------------------------
def from_requirement_file(tree: FixTree, path: str, project: str) -> Moved:
    """The requirements of a hand-written requirement file; the file is removed."""
    data = tree.read(path)
    if data is None:
        raise FixRefused(f"{path} is gone")
    parsed = parse_requirements(data)
    for number, target in parsed.includes:
        _check_include(tree, path, number, target)
    found = [_requirement(path, entry) for entry in parsed.requirements]
    tree.remove(path)
    moved = _grouped(path, project, found)
    moved.installs_self.extend(e.text for e, f in zip(parsed.requirements, found, strict=True) if f is None)
    return moved


def _grouped(path: str, project: str, found: list[str | None]) -> Moved:
    """A docs/dev/test requirement file, or one that installs the project itself (a None
    in `found`), goes to a dependency group; any other to the main dependencies."""
    requirements = [f for f in found if f is not None]
    group = development_group(path[len(project) + 1 :] if project else path)
    if group is None and None in found:
        group = "dev"
    return Moved(groups={group: requirements}) if group else Moved(main=requirements)


def _requirement(path: str, entry: RequirementLine) -> str | None:
    """The PEP 508 requirement of a line; None for the project itself (`-e .[dev]`)."""
    words = entry.text.split()
    if " ".join(words[:2]) in _SELF or words[0] in _SELF or _is_self(words):
        return None
    if words[0].startswith("-") or entry.name is None or entry.hashed:
        raise FixRefused(f"{path}:{entry.line}: `{entry.text}` has no place in pyproject.toml")
    return checked_requirement(entry.text.split(" -")[0].strip(), f"{path}:{entry.line}")


def _is_self(words: list[str]) -> bool:
    """`.[docs]`, `-e .[dev,test]`: the project itself with extras."""
    target = words[-1] if words[0] in ("-e", "--editable") and len(words) > 1 else words[0]
    return target.startswith(".[") or target.startswith("-e.[") or target == "-e."


def _check_include(tree: FixTree, path: str, line: int, target: str) -> None:
    """`-r other.txt` of another source is dropped (that file moves on its own); a
    constraint file or a lock is refused."""
    raw = tree.read_text(path)
    text = raw[0].split("\n")[line - 1] if raw else ""
    if text.lstrip().startswith(("-c", "--constraint")):
        raise FixRefused(f"{path}:{line}: a constraint file has no place in pyproject.toml")
    included = posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
    data = tree.read(included) if not included.startswith("../") else None
    if is_lock_file_name(included) or (data is not None and parse_requirements(data).kind == "lock"):
        raise FixRefused(f"{path}:{line} installs the lock {included}: install it in the environment instead")
    if data is None or not is_requirement_file_name(included):
        raise FixRefused(f"{path}:{line} includes {target}, which no fix moves: move it by hand")


# -- setup.cfg -----------------------------------------------------------------------------------
def from_setup_cfg(tree: FixTree, path: str) -> Moved:
    """install_requires, tests_require and [options.extras_require]; their lines removed
    (and the file, when nothing else is left)."""
    current = tree.read_text(path)
    if current is None:
        raise FixRefused(f"{path} is gone")
    text, form = current
    try:
        document = parse_ini(text)
    except IniError as exc:
        raise FixRefused(f"{path}: {exc}") from None
    lines = text.split("\n")
    moved = Moved()
    drop = _cfg_options(document, path, moved)
    extras = document.section("options.extras_require")
    if extras is not None:
        for name, entry in extras.entries.items():
            moved.extras[name] = _cfg_list(entry.value, f"{path}:{entry.line}")
        drop.update(range(extras.line, _section_end(lines, extras.line) + 1))
    kept = [line for number, line in enumerate(lines, 1) if number not in drop]
    _stage_rest(tree, path, _without_empty_sections(kept), form)
    return moved


def _cfg_options(document: IniDocument, path: str, moved: Moved) -> set[int]:
    """install_requires and tests_require of [options], taken into `moved`; their lines."""
    drop: set[int] = set()
    options = document.section("options")
    for key, target in (("install_requires", moved.main), ("tests_require", moved.groups.setdefault("test", []))):
        entry = None if options is None else options.entries.get(key) or options.entries.get(key.replace("_", "-"))
        if entry is not None:
            target.extend(_cfg_list(entry.value, f"{path}:{entry.line}"))
            drop.update(range(entry.line, entry.end_line + 1))
    if not moved.groups["test"]:
        del moved.groups["test"]
    return drop


def _cfg_list(value: str, where: str) -> list[str]:
    items = [line.split(" #")[0].strip() for line in value.replace(";\n", "\n").split("\n")]
    if any(item.startswith(("file:", "attr:")) for item in items):
        raise FixRefused(f"{where}: a `file:` or `attr:` value is read at build time; move it by hand")
    return [checked_requirement(item, where) for item in items if item and not item.startswith("#")]


def _section_end(lines: list[str], header: int) -> int:
    """The last line of the section whose header is on line `header` (trailing blanks kept out)."""
    end = header
    for number in range(header + 1, len(lines) + 1):
        if lines[number - 1].lstrip().startswith("["):
            break
        end = number
    while end > header and not lines[end - 1].strip():
        end -= 1
    return end


def _without_empty_sections(lines: list[str]) -> list[str]:
    """Drop a section header left with nothing under it (and the blank line after it)."""
    out: list[str] = []
    for index, line in enumerate(lines):
        if line.lstrip().startswith("[") and not _has_entries(lines, index + 1):
            continue
        out.append(line)
    while len(out) > 1 and out[-1] == "" and out[-2] == "":
        out.pop()
    while len(out) > 1 and not out[0].strip():
        out.pop(0)
    return out


def _has_entries(lines: list[str], start: int) -> bool:
    for line in lines[start:]:
        if line.lstrip().startswith("["):
            return False
        if line.strip() and not line.lstrip().startswith(("#", ";")):
            return True
    return False


def _stage_rest(tree: FixTree, path: str, lines: list[str], form: Any) -> None:
    rest = "\n".join(lines)
    if not any(line.strip() and not line.lstrip().startswith(("#", ";")) for line in lines):
        tree.remove(path)
    else:
        tree.write_text(path, rest, form)


# -- setup.py ------------------------------------------------------------------------------------
def from_setup_py(tree: FixTree, path: str) -> Moved:
    """The literal requirement lists of `setup(...)`; those arguments removed with libcst."""
    current = tree.read_text(path)
    if current is None:
        raise FixRefused(f"{path} is gone")
    text, form = current
    literals = _setup_literals(text, path)
    moved = Moved()
    for key, value in literals.items():
        _take(moved, key, value, f"{path} {key}")
    from udef_audit.fix.setup_py_edit import without_setup_arguments  # noqa: PLC0415 - libcst only here

    tree.write_text(path, without_setup_arguments(text, set(literals)), form)
    return moved


def _setup_literals(text: str, path: str) -> dict[str, Any]:
    """The dependency keywords of the one `setup()` call, evaluated as literals."""
    try:
        module = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise FixRefused(f"{path} does not parse") from None
    nodes = list(ast.walk(module))
    if len(nodes) > _MAX_SETUP_NODES or _depth(module) > _MAX_SETUP_DEPTH:
        raise FixRefused(f"{path} is too large or deep to rewrite safely")
    calls = [n for n in nodes if isinstance(n, ast.Call) and _callee(n.func) == "setup"]
    if len(calls) != 1:
        raise FixRefused(f"{path} has {len(calls)} setup() calls; one is needed")
    return _literal_keywords(calls[0], path)


def _literal_keywords(call: ast.Call, path: str) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for keyword in call.keywords:
        if keyword.arg is None:
            raise FixRefused(f"{path} passes setup(**kwargs): move its requirements by hand")
        if keyword.arg in SETUP_KEYS:
            try:
                found[keyword.arg] = ast.literal_eval(keyword.value)
            except (ValueError, TypeError, SyntaxError, RecursionError):
                raise FixRefused(f"{path}: {keyword.arg} is computed, not a literal list") from None
    return found


def _callee(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else None


def _depth(node: ast.AST, level: int = 0) -> int:
    if level > _MAX_SETUP_DEPTH:
        return level
    return max((_depth(child, level + 1) for child in ast.iter_child_nodes(node)), default=level)


def _take(moved: Moved, key: str, value: Any, where: str) -> None:
    if key == "extras_require":
        if not isinstance(value, dict):
            raise FixRefused(f"{where} is not a dict of lists")
        for extra, items in value.items():
            moved.extras[str(extra)] = _strings(items, where)
    elif key == "tests_require":
        moved.groups.setdefault("test", []).extend(_strings(value, where))
    else:
        moved.main.extend(_strings(value, where))


def _strings(value: Any, where: str) -> list[str]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)) or not all(isinstance(i, str) for i in items):
        raise FixRefused(f"{where} is not a list of strings")
    return [checked_requirement(i.strip(), where) for i in items if i.strip()]


# -- Pipfile -------------------------------------------------------------------------------------
def from_pipfile(tree: FixTree, path: str) -> Moved:
    """[packages] and [dev-packages]; the Pipfile is removed (its Pipfile.lock stays, for the
    user to delete when the new lock is made)."""
    from udef_audit.parsers.toml_file import TomlError, load_toml  # noqa: PLC0415

    data = tree.read(path)
    if data is None:
        raise FixRefused(f"{path} is gone")
    try:
        document = load_toml(data)
    except TomlError as exc:
        raise FixRefused(f"{path}: {exc}") from None
    moved = Moved(main=_pipfile_table(document.get("packages"), path))
    dev = _pipfile_table(document.get("dev-packages"), path)
    if dev:
        moved.groups["dev"] = dev
    tree.remove(path)
    return moved


def _pipfile_table(table: Any, path: str) -> list[str]:
    if table is None:
        return []
    if not isinstance(table, dict):
        raise FixRefused(f"{path}: a packages section is not a table")
    return [checked_requirement(_pipfile_requirement(str(n), s, path), path) for n, s in table.items()]


def _pipfile_requirement(name: str, spec: Any, path: str) -> str:
    """`requests = "*"`, `"==2.0"`, or `{version, extras, markers}` as PEP 508."""
    if isinstance(spec, str):
        return name if spec.strip() in ("*", "") else f"{name}{spec.strip()}"
    if not isinstance(spec, dict) or set(spec) - {"version", "extras", "markers"}:
        raise FixRefused(f"{path}: {name} comes from a path, a VCS or another index; move it by hand")
    extras = f"[{','.join(spec['extras'])}]" if spec.get("extras") else ""
    version = str(spec.get("version", "*")).strip()
    markers = f"; {spec['markers']}" if spec.get("markers") else ""
    return f"{name}{extras}{'' if version in ('*', '') else version}{markers}"
