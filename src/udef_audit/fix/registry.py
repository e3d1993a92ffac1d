"""Which fixer repairs which result: one module per rule (`fix/udef011.py`, ...), keyed by
rule ID and finding kind. A fixer is imported only when a result of its kind is found.

A rule's YAML says whether its fix is safe or unsafe (`fix-safety`); this table says which
of its kinds have one (UDEF011's tracked artifacts need `git rm --cached`, which a fix
never runs: that kind has none). tests/fix/test_registry.py holds the two together.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from udef_audit.findings import Finding
from udef_audit.fix.tree import FixTree


@dataclass(frozen=True)
class Fixed:
    """What a fixer did (a sentence), and what is left to the user (commands to run by hand,
    such as the lock's regeneration: a fix never runs them)."""

    description: str
    notes: tuple[str, ...] = ()


Fixer = Callable[[Finding, FixTree, Mapping[str, Any]], Fixed]

# (rule ID, kind) -> "module:function". UDEF007's results carry no kind (""): the fixer
# tells a missing folder from a misplaced document by the result's key.
FIXERS: Mapping[tuple[str, str], str] = {
    ("UDEF001", "flat-layout"): "udef_audit.fix.udef001:move_to_src",
    ("UDEF001", "mixed-layout"): "udef_audit.fix.udef001:move_to_src",
    ("UDEF002", "second-source"): "udef_audit.fix.udef002:move_dependencies",
    ("UDEF005", "executable"): "udef_audit.fix.udef005:drop_no_deps",
    ("UDEF007", ""): "udef_audit.fix.udef007:separate_documents",
    ("UDEF009", "no-user"): "udef_audit.fix.udef009:add_non_root_user",
    ("UDEF010", "no-config"): "udef_audit.fix.udef010:add_hook",
    ("UDEF010", "no-placeholder-blocker"): "udef_audit.fix.udef010:add_hook",
    ("UDEF010", "no-linter"): "udef_audit.fix.udef010:add_hook",
    ("UDEF010", "no-type-checker"): "udef_audit.fix.udef010:add_hook",
    ("UDEF011", "missing-patterns"): "udef_audit.fix.udef011:add_patterns",
    ("UDEF016", "no-adr-folder"): "udef_audit.fix.udef016:first_adr",
    ("UDEF016", "no-adrs"): "udef_audit.fix.udef016:first_adr",
}


def fixer_for(finding: Finding) -> Fixer | None:
    """The fixer of a result's rule and kind, None when it has none."""
    target = FIXERS.get((finding.rule_id, finding.kind))
    if target is None:
        return None
    module, _, name = target.partition(":")
    return cast(Fixer, getattr(importlib.import_module(module), name))
