"""A compiled policy is a rule like any built-in one: an `id` and `check(ctx, params)`
yielding findings with a kind, which the engine levels, fingerprints, suppresses, waives,
baselines, enforces and reports exactly as it does every other rule's."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from udef_audit.findings import Finding
from udef_audit.policies.evaluate import evaluate
from udef_audit.policies.globs import Glob
from udef_audit.policies.language import Condition, Evidence
from udef_audit.policies.scope import Scope, project_scopes, repository_scope
from udef_audit.policies.templates import Template

if TYPE_CHECKING:
    from udef_audit.context import RepoContext

MAX_RESULTS = 1000
MAX_MESSAGE = 2000


@dataclass(frozen=True)
class When:
    """When a policy applies: the profile, the team's declared phase, a file that exists."""

    profile: str | None = None  # "service" | "library"
    phase: int | None = None  # applies unless the config declares an earlier phase
    exists: tuple[Glob, ...] = ()

    def applies(self, scope: Scope) -> bool:
        """Whether the policy runs in this scope."""
        ctx = scope.ctx
        if self.profile is not None:
            profile = ctx.project_profile(scope.project) if scope.project is not None else ctx.profile
            if profile.is_service != (self.profile == "service"):
                return False
        if self.phase is not None and ctx.phase is not None and ctx.phase < self.phase:
            return False
        return not self.exists or bool(scope.files(self.exists))


@dataclass(frozen=True)
class Anchor:
    """Where a result about something missing goes: the first file matching `globs`, else
    the repository's anchor (`repository`) or the project's manifest (`project`)."""

    default: str = "repository"  # "repository" | "project"
    globs: tuple[Glob, ...] = ()

    def place(self, scope: Scope) -> str | None:
        """The anchor file in this scope, or None when there is none at all."""
        if self.globs:
            found = scope.files(self.globs)
            if found:
                return found[0]
        ctx = scope.ctx
        if self.default == "project" and scope.project is not None and scope.project.anchor:
            return scope.project.anchor
        return ctx.repository_anchor or (ctx.files[0] if ctx.files else None)


class PolicyRule:
    """The rule a policy file compiles to: `policy_rule` makes one class per policy, whose
    `id` is the policy's, as a built-in rule's class carries its own."""

    id: ClassVar[str] = ""

    def __init__(
        self,
        check: Condition,
        message: Template,
        *,
        kind: str,
        scope: str = "repository",
        when: When | None = None,
        anchor: Anchor | None = None,
    ) -> None:
        """Everything is compiled and validated already (policies/loader.py)."""
        self.condition = check
        self.message = message
        self.kind = kind
        self.scope = scope
        self.when = when or When()
        self.anchor = anchor or Anchor("project" if scope == "project" else "repository")

    def check(self, ctx: RepoContext, params: Mapping[str, Any]) -> Iterator[Finding]:
        """One result per place the check fails at (one at the anchor for a failure with no
        place), in each scope the policy applies to."""
        scopes = project_scopes(ctx) if self.scope == "project" else [repository_scope(ctx)]
        produced = 0
        for scope in scopes:
            if not self.when.applies(scope):
                continue
            outcome = evaluate(self.condition, scope)
            if outcome.holds:
                continue
            for evidence in outcome.evidence or (Evidence(None),):
                finding = self._finding(evidence, scope)
                if finding is not None and produced < MAX_RESULTS:
                    produced += 1
                    yield finding

    def _finding(self, evidence: Evidence, scope: Scope) -> Finding | None:
        """A result at the evidence's place (or the anchor), its message filled in."""
        path = evidence.path or self.anchor.place(scope)
        if path is None:
            return None  # an empty repository: nothing to point at
        values = {**evidence.captures, "path": path, "line": str(evidence.line), "project": scope.label}
        message = " ".join(self.message.render(values).split())
        if len(message) > MAX_MESSAGE:
            message = message[: MAX_MESSAGE - 3] + "..."
        key = evidence.subject or "missing"
        if scope.project is not None:
            key = f"{scope.label}|{key}"
        line = evidence.line if evidence.path else 1
        return Finding(rule_id=self.id, path=path, line=line, column=evidence.column, message=message, key=key,
                       kind=self.kind)


def policy_rule(rule_id: str, check: Condition, message: Template, **options: Any) -> PolicyRule:
    """An instance of a class made for this policy: `type(rule).id` is its ID."""
    cls = type(f"Policy{rule_id}", (PolicyRule,), {"id": rule_id, "__doc__": f"The custom policy {rule_id}."})
    rule: PolicyRule = cls(check, message, **options)
    return rule
