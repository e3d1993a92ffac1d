"""Evaluating a condition on a repository: whether it holds, and where.

`all` holds when every condition does (its failures are all of theirs); `any` when one
does (when none does, the first alternative's failures are reported: write the preferred
way first); `not` swaps holding and failing, keeping the places. Files conditions live
here; data, text, Dockerfile and commands conditions in their own modules.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from udef_audit.policies.command_runs import evaluate_commands
from udef_audit.policies.data_values import evaluate_data
from udef_audit.policies.docker_stages import evaluate_docker
from udef_audit.policies.language import (
    AllOf,
    AnyOf,
    CommandsCheck,
    Condition,
    DataCheck,
    DockerCheck,
    Evidence,
    FilesExist,
    FilesSize,
    Not,
    Outcome,
    TextCheck,
)
from udef_audit.policies.text_search import evaluate_text

if TYPE_CHECKING:
    from udef_audit.policies.scope import Scope


def evaluate(condition: Condition, scope: Scope) -> Outcome:
    """The outcome of one condition in one scope."""
    if isinstance(condition, AllOf):
        return _all(condition, scope)
    if isinstance(condition, AnyOf):
        return _any(condition, scope)
    if isinstance(condition, Not):
        inner = evaluate(condition.condition, scope)
        return Outcome(not inner.holds, inner.evidence)
    handler: Callable[[Any, Scope], Outcome] = _ATOMS[type(condition)]
    return handler(condition, scope)


def _all(condition: AllOf, scope: Scope) -> Outcome:
    outcomes = [evaluate(item, scope) for item in condition.conditions]
    failing = [o for o in outcomes if not o.holds]
    chosen = failing if failing else outcomes
    return Outcome(not failing, tuple(e for o in chosen for e in o.evidence))


def _any(condition: AnyOf, scope: Scope) -> Outcome:
    outcomes = [evaluate(item, scope) for item in condition.conditions]
    holding = [o for o in outcomes if o.holds]
    if holding:
        return Outcome(True, tuple(e for o in holding for e in o.evidence))
    return Outcome(False, outcomes[0].evidence if outcomes else ())


def expected_files(globs: tuple[Any, ...]) -> str:
    """`CODEOWNERS or .github/CODEOWNERS`: what a files condition looks for."""
    return " or ".join(glob.text for glob in globs)


def _exists(condition: FilesExist, scope: Scope) -> Outcome:
    expected = expected_files(condition.globs)
    found = scope.files(condition.globs)
    if not found:
        return Outcome(False, (Evidence(None, subject=f"missing {expected}", captures={"expected": expected}),))
    return Outcome(True, tuple(Evidence(path, 1, None, path, {"expected": expected}) for path in found))


def _size(condition: FilesSize, scope: Scope) -> Outcome:
    failures: list[Evidence] = []
    witnesses: list[Evidence] = []
    expected = _size_bounds(condition.at_least, condition.at_most)
    for path in scope.files(condition.globs):
        size = scope.ctx.file_size(path)
        if size is None:
            continue
        evidence = Evidence(path, 1, None, path, {"size": str(size), "expected": expected})
        (witnesses if _fits(size, condition.at_least, condition.at_most) else failures).append(evidence)
    return Outcome(not failures, tuple(failures or witnesses))


def _size_bounds(low: int | None, high: int | None) -> str:
    """"at least 10 bytes and at most 1000000 bytes": the sizes a files condition wants."""
    parts = [f"at least {low} bytes"] if low is not None else []
    if high is not None:
        parts.append(f"at most {high} bytes")
    return " and ".join(parts)


def _fits(size: int, low: int | None, high: int | None) -> bool:
    return (low is None or size >= low) and (high is None or size <= high)


_ATOMS: dict[type, Callable[[Any, Scope], Outcome]] = {
    FilesExist: _exists,
    FilesSize: _size,
    DataCheck: evaluate_data,
    TextCheck: evaluate_text,
    DockerCheck: evaluate_docker,
    CommandsCheck: evaluate_commands,
}
