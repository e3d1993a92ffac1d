"""The built-in rules: one module per rule ID (`udef004_docker_stages_share_base.py` for
UDEF004), each with one class carrying that `id` and a `check(ctx, params)` method.

This package is registered once under the `udef_audit.rules` entry-point group, exactly as a
third-party rule package registers itself; the modules are found by their file names, so
adding a rule means adding its module and its YAML (`rules/UDEF004-<slug>.yaml`) and
nothing else. A module is imported only when its rule runs: the pre-commit `--files` mode
pays only for the per-file rules, and a module that fails to import fails only its rule
(a tool notification, exit 3), never the others.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Iterable, Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any

from udef_audit import __version__
from udef_audit.hookspecs import Rule, hookimpl

if TYPE_CHECKING:
    from udef_audit.context import RepoContext
    from udef_audit.findings import Finding

RULE_MODULE = re.compile(r"^udef(?P<number>\d{3})_[a-z0-9_]+$")


class LazyRule:
    """A built-in rule known by its module name, imported on first use."""

    def __init__(self, rule_id: str, module: str) -> None:
        self.id = rule_id
        self.module = module
        # The rule cache (rule_cache.py) remembers results of rules that have a version;
        # the tool's code itself is part of its key, so this is the tool's version.
        self.cache_version = __version__

    @cached_property
    def rule(self) -> Rule:
        """The module's rule object: the one class whose `id` is this rule's ID."""
        module = importlib.import_module(self.module)
        found = [value for value in vars(module).values() if isinstance(value, type) and self._is_rule(value)]
        if len(found) != 1:
            raise LookupError(f"{self.module} must define exactly one rule class with id = {self.id!r}")
        rule: Rule = found[0]()
        return rule

    def _is_rule(self, cls: type) -> bool:
        return getattr(cls, "id", None) == self.id and callable(getattr(cls, "check", None))

    def check(self, ctx: RepoContext, params: Mapping[str, Any]) -> Iterable[Finding]:
        """Run the rule (importing its module the first time)."""
        return self.rule.check(ctx, params)


def builtin_rules() -> list[LazyRule]:
    """Every `udefNNN_*.py` module of this package, as a lazy rule with ID `UDEFNNN`."""
    found = []
    for info in pkgutil.iter_modules(__path__):
        match = RULE_MODULE.match(info.name)
        if match is not None:
            found.append(LazyRule(f"UDEF{match['number']}", f"{__name__}.{info.name}"))
    return sorted(found, key=lambda rule: rule.id)


@hookimpl
def udef_audit_rules() -> list[LazyRule]:
    """The built-in rules."""
    return builtin_rules()
