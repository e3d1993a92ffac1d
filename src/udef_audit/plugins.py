"""Finding and loading rule plugins, safely.

Built-in rules come in through the same entry-point group as third-party ones, so the
engine never names a rule. Two hazards are handled here:
- a scanned repository could plant a `*.dist-info/entry_points.txt` that Python would find
  on `sys.path` (the current directory when run as `python -m`, or the scanned root):
  entry points are read from a search path without either, and loaded with that path in
  place (restored afterwards: `sys.path` is not rewritten per audit). The current
  directory leaves `sys.path` once per process (`harden_import_path`), because a module
  imported later, lazily, must not come from the repository either;
- one broken plugin must not stop the others: entry points are loaded one by one and a
  failure becomes a diagnostic (pluggy's own loader would abort on the first).
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, cast

import pluggy

from udef_audit import hookspecs
from udef_audit.entry_points import PluginEntry, entry_points
from udef_audit.hookspecs import Rule

if TYPE_CHECKING:
    from udef_audit.compat import Traversable


@dataclass
class LoadedPlugins:
    """The rules found, the policy directories they bring, and what went wrong loading."""

    rules: list[Rule] = field(default_factory=list)
    policy_dirs: list[Traversable] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)


def safe_search_path(scanned_root: Path, path: Iterable[str] | None = None) -> list[str]:
    """`sys.path` without the current directory and without anything inside the scanned root.

    The running interpreter's own environment and udef-audit's own location stay, even when
    they sit inside the scanned root (a project's `.venv`, or this tool auditing itself):
    the user chose to run them; what the repository merely contains is not trusted.
    """
    root = _real(scanned_root)
    cwd = _real(Path.cwd())
    trusted = {_real(Path(sys.prefix)), _real(Path(sys.exec_prefix)), _real(Path(__file__).parents[1])}
    kept = []
    for entry in sys.path if path is None else path:
        resolved = _real(Path(entry or "."))
        if _within_any(resolved, trusted):
            kept.append(entry)
        elif entry in ("", ".") or resolved in (cwd, root) or root in resolved.parents:
            continue
        else:
            kept.append(entry)
    return kept


def _within_any(path: Path, parents: set[Path]) -> bool:
    return any(path == parent or parent in path.parents for parent in parents)


def _real(path: Path) -> Path:
    try:
        return Path(os.path.realpath(path))
    except (OSError, ValueError):
        return path


def harden_import_path() -> None:
    """Drop the current directory from `sys.path`, once per process (idempotent).

    `python -m udef_audit` puts it first; run inside the scanned repository, a lazy import
    such as `import radon` would otherwise load the repository's own `radon/`.
    """
    cwd = _real(Path.cwd())
    trusted = {_real(Path(sys.prefix)), _real(Path(sys.exec_prefix)), _real(Path(__file__).parents[1])}
    sys.path[:] = [
        entry
        for entry in sys.path
        if _within_any(_real(Path(entry or ".")), trusted)
        or (entry not in ("", ".") and _real(Path(entry)) != cwd)
    ]


@contextlib.contextmanager
def _search_path(path: list[str]) -> Iterator[None]:
    """`sys.path` set to `path` while entry points load, then restored."""
    saved = sys.path[:]
    sys.path[:] = path
    try:
        yield
    finally:
        sys.path[:] = saved


def discover_entry_points(search_path: list[str], *, use_cache: bool = True) -> list[PluginEntry]:
    """Entry points of the `udef_audit.rules` group, seen only from `search_path` (the safe
    one: `safe_search_path`), remembered by the listing of installed distributions
    (entry_points.py)."""
    return entry_points(hookspecs.ENTRY_POINT_GROUP, search_path, use_cache=use_cache)


def load_plugins(scanned_root: Path, disabled: Iterable[str] = (), *, use_cache: bool = True) -> LoadedPlugins:
    """Register every allowed entry point with a fresh plugin manager; isolate failures."""
    manager = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    manager.add_hookspecs(hookspecs)
    deny = {name.strip() for name in disabled}
    loaded = LoadedPlugins()
    # Loading imports with the safe path in place, so a legitimate entry point cannot import
    # a same-named module from the repository.
    search_path = safe_search_path(scanned_root)  # resolves every entry: once (2 ms)
    with _search_path(search_path):
        for ep in discover_entry_points(search_path, use_cache=use_cache):
            if ep.name in deny or ep.dist in deny:
                continue
            try:
                manager.register(ep.load(), name=ep.name)
                manager.check_pending()
                loaded.names.append(ep.name)
            except Exception as exc:
                loaded.problems.append(f"plugin {ep.name!r} ({ep.value}) failed to load: {exc!r}")
        _collect(manager, loaded)
    return loaded


def _collect(manager: pluggy.PluginManager, loaded: LoadedPlugins) -> None:
    # Each implementation is called on its own (not through manager.hook, which would stop
    # at the first exception) so one broken plugin cannot hide the others' rules.
    for impl in manager.hook.udef_audit_rules.get_hookimpls():
        try:
            loaded.rules.extend(cast("Iterable[Rule]", impl.function()))
        except Exception as exc:
            loaded.problems.append(f"plugin {impl.plugin_name!r} failed to list its rules: {exc!r}")
    for impl in manager.hook.udef_audit_policy_dirs.get_hookimpls():
        try:
            loaded.policy_dirs.extend(cast("Iterable[Traversable]", impl.function()))
        except Exception as exc:
            loaded.problems.append(f"plugin {impl.plugin_name!r} failed to list its policy: {exc!r}")
