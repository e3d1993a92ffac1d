"""UDEF018 spec-measurable: requirements are normative and measurable, tasks estimated and verifiable.

What a definition, a requirement's text, an estimate and a Verification line are is
`parsers/spec_docs.py`'s business; this rule reads the context's parsed documents and
reports. Decisions the contract leaves open, made here and in the YAML:

- A duplicate ID is reported at every definition after the first (with the first one's
  line in the message) and not checked further: its text is the first one's business.
- A requirement that is neither normative nor quantified gets two results (two kinds, two
  fixes).
- A tasks document with no `TASK-<n>` at all is reported at line 1 (the checklist's "task
  breakdown" is missing), like a requirements document without IDs.
- Keys are the document-independent ID and kind (`NFR-1:not-quantified`), so an alert
  survives edits around it; the path is part of every fingerprint anyway.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

from udef_audit.context import RepoContext
from udef_audit.findings import Finding
from udef_audit.parsers.spec_docs import Requirement, Task

_ADVICE = {
    "estimate": "an estimate (\"(2 hours)\" in its title)",
    "Verification line": "a line \"- Verification: <how to check it is done>\"",
}


class SpecMeasurableRule:
    """Checks requirements documents for IDs, normative verbs, quantified non-functional
    requirements and unique IDs, and tasks documents for estimates and Verification lines."""

    id: ClassVar[str] = "UDEF018"

    def check(self, ctx: RepoContext, params: Mapping[str, Any]) -> Iterator[Finding]:
        if not ctx.is_python_repository:
            return
        for document in ctx.spec_index.of_kind("requirements"):
            requirements = ctx.requirements_in(document.path)
            if requirements is not None:
                yield from self._requirements(document.path, requirements)
        for document in ctx.spec_index.of_kind("tasks"):
            tasks = ctx.tasks_in(document.path)
            if tasks is not None:
                yield from self._tasks(document.path, tasks)

    def _requirements(self, path: str, requirements: tuple[Requirement, ...]) -> Iterator[Finding]:
        if not requirements:
            message = (
                "Requirements document without requirement IDs: start each requirement's line with "
                "`FR-01:` (functional) or `NFR-01:` (non-functional) so that tests can reference it."
            )
            yield self._result(path, 1, None, key="no-requirement-ids", message=message)
            return
        first: dict[str, Requirement] = {}
        for requirement in requirements:
            if requirement.key in first:
                yield self._duplicate(path, requirement, first[requirement.key])
                continue
            first[requirement.key] = requirement
            yield from self._requirement(path, requirement)

    def _requirement(self, path: str, requirement: Requirement) -> Iterator[Finding]:
        where = (path, requirement.line, requirement.column)
        if not requirement.normative:
            message = (
                f"{requirement.written} states no SHALL, MUST or SHOULD: write it as a normative statement "
                "(\"the service SHALL ...\") so that it says what must hold."
            )
            yield self._result(*where, key=f"{requirement.key}:not-normative", message=message)
        if requirement.is_nfr and not requirement.quantified:
            message = (
                f"{requirement.written} is not quantified (no number besides its ID): give the measure and "
                "its limit (\"p95 < 200 ms\", \"1000 req/s\", \"80 % coverage\")."
            )
            yield self._result(*where, key=f"{requirement.key}:not-quantified", message=message)

    def _duplicate(self, path: str, requirement: Requirement, first: Requirement) -> Finding:
        message = (
            f"{requirement.written} is defined twice in this document (first at line {first.line}): give "
            "each requirement its own ID, or every test reference to it is ambiguous."
        )
        return self._result(
            path, requirement.line, requirement.column, key=f"{requirement.key}:duplicate-id", message=message
        )

    def _tasks(self, path: str, tasks: tuple[Task, ...]) -> Iterator[Finding]:
        if not tasks:
            message = (
                "Tasks document without task IDs: break the work into `TASK-001` entries, each with an "
                "estimate and a Verification line."
            )
            yield self._result(path, 1, None, key="no-task-ids", message=message)
            return
        for task in tasks:
            missing = [what for what, present in (("estimate", task.has_estimate),
                                                  ("Verification line", task.has_verification)) if not present]
            if missing:
                message = (
                    f"{task.written} has no {' and no '.join(missing)}: add "
                    f"{' and '.join(_ADVICE[what] for what in missing)}."
                )
                key = f"{task.written.upper().replace('_', '-')}:incomplete-task"
                yield self._result(path, task.line, task.column, key=key, message=message)

    def _result(self, path: str, line: int, column: int | None, *, key: str, message: str) -> Finding:
        """A result whose kind is the key's last part (`NFR-1:not-quantified`)."""
        kind = key.rpartition(":")[2]
        return Finding(rule_id=self.id, path=path, line=line, column=column, key=key, kind=kind, message=message)
