"""UDEF025 security-scan: CI or pre-commit runs a dependency, image or code scanner."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

from udef_audit.commands.words import program
from udef_audit.context import RepoContext
from udef_audit.findings import Finding

# The scanners the contract names, as the program a command runs (`python -m pip_audit` is
# `pip_audit`; the known actions are their command: `github/codeql-action/analyze` is
# `codeql analyze`, `actions/dependency-review-action` is `dependency-review`).
_SCANNERS = frozenset(
    {"trivy", "pip-audit", "safety", "osv-scanner", "snyk", "grype", "bandit", "codeql", "dependency-review"}
)
_MAX_UNFOLLOWED_NAMED = 3


class SecurityScan:
    """Looks through what CI runs and what pre-commit runs (`ctx.commands`, followed into
    scripts, Makefiles, tox, nox and hooks; known actions as their command) for one of the
    scanners the methodology's pipeline asks for. None: one result at the main CI file's
    line 1, else at the repository-wide anchor."""

    id: ClassVar[str] = "UDEF025"

    def check(self, ctx: RepoContext, params: Mapping[str, Any]) -> Iterator[Finding]:
        if not ctx.is_python_repository:
            return
        commands = ctx.commands
        runs = (*commands.invocations(), *commands.hook_invocations())
        if any(_scanner(invocation.argv) for invocation in runs):
            return
        main = commands.main_pipeline()
        anchor = main.path if main is not None else ctx.repository_anchor
        if anchor is None:
            return
        yield Finding(self.id, _message(ctx, main is not None), anchor, 1, key="no security scan", kind="no-scan")


def _scanner(argv: tuple[str, ...]) -> bool:
    name = program(argv)[0].lower().replace("_", "-")
    return name in _SCANNERS


def _message(ctx: RepoContext, has_ci: bool) -> str:
    where = "neither CI nor pre-commit runs a" if has_ci else "there is no CI, and pre-commit runs no"
    unfollowed = ctx.commands.unfollowed()
    named = "; ".join(f"{u.path}:{u.line} `{u.text}`, {u.reason}" for u in unfollowed[:_MAX_UNFOLLOWED_NAMED])
    more = f"; {len(unfollowed) - _MAX_UNFOLLOWED_NAMED} more" if len(unfollowed) > _MAX_UNFOLLOWED_NAMED else ""
    not_followed = f" (not followed: {named}{more})" if named else ""
    return (
        f"no security scan: {where} dependency, image or code scanner (trivy, pip-audit, safety, osv-scanner, "
        f"snyk, grype, bandit, CodeQL, dependency-review){not_followed}: add a CI step running `pip-audit` on the "
        "locked dependencies, or the aquasecurity/trivy-action action on the runtime image."
    )
