"""The plugin contract, in one module (as pytest and pluggy keep theirs).

A rule package (built-in or third-party) is a module registered under the
`udef_audit.rules` entry-point group that implements `udef_audit_rules` and, when it brings
its own rules, `udef_audit_policy_dirs` for their YAML metadata.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

import pluggy

if TYPE_CHECKING:
    from udef_audit.compat import Traversable
    from udef_audit.context import RepoContext
    from udef_audit.findings import Finding

PROJECT_NAME = "udef_audit"
ENTRY_POINT_GROUP = "udef_audit.rules"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


class Rule(Protocol):
    """A check: reads the repository context, yields findings.

    `id` names its policy entry (`rules/<id>-<slug>.yaml`); the class docstring is its
    one-paragraph description for developers. A rule may also have a `cache_version`
    string (changed whenever its logic changes): its results are then remembered by the
    content of the files the context read for it (rule_cache.py), which is right only for a
    rule that sees the repository through the context alone, as the contract asks.
    """

    id: ClassVar[str]

    def check(self, ctx: RepoContext, params: Mapping[str, Any]) -> Iterable[Finding]:
        """Yield this rule's findings; `params` are the rule's parameters after config."""
        ...


@hookspec
def udef_audit_rules() -> Iterable[Rule]:  # type: ignore[empty-body]
    """Return the rules this plugin provides."""


@hookspec
def udef_audit_policy_dirs() -> Iterable[Traversable]:  # type: ignore[empty-body]
    """Return directories of `<ID>-<slug>.yaml` files describing this plugin's rules."""
