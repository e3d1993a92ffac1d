"""UDEF019 requirement-traceability: every requirement ID is referenced by a test.

The context supplies the requirement definitions (`requirements_in`, per requirements
document) and the references of the test files (`requirement_references`: a byte
prefilter, then a cached textual scan; `parsers/requirement_refs.py` says what a
reference is). This rule decides which requirement each reference counts for.

Decisions the contract leaves open, made here and in the YAML:

- *Module qualification*: the words written right before the ID name a module when they
  are the module's key or end with it (`test-health` names `health`); the longest module
  key wins. A qualifier that names a module which does not define the ID makes the
  reference dangling, even when another module defines it: the writer meant that module.
- *Path qualification*: the module's words stand consecutively among the path's words.
- *Dangling notes*: one per test file and (module, ID), at the first occurrence, so a
  file naming FR-99 ten times gets one note that counts them.
- *Two documents of one module* (the same module name in two folders) are one module: a
  reference covers the ID in both.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from udef_audit.context import RepoContext
from udef_audit.findings import Finding, Level
from udef_audit.parsers.requirement_refs import Reference
from udef_audit.parsers.spec_docs import Requirement

_PATH_WORDS_RE = re.compile(r"[/_.-]+")


@dataclass(frozen=True)
class _Definition:
    module: str  # the module's key
    path: str
    requirement: Requirement


class RequirementTraceabilityRule:
    """Flags each requirement that no test file references, and notes test references to
    IDs that no requirements document defines."""

    id: ClassVar[str] = "UDEF019"

    def check(self, ctx: RepoContext, params: Mapping[str, Any]) -> Iterator[Finding]:
        if not ctx.is_python_repository:
            return
        definitions = _definitions(ctx)
        if not definitions:
            return
        names = {d.name.key: d.module for d in ctx.spec_index.documents}
        covered: set[tuple[str, str]] = set()
        notes: list[Finding] = []
        for path, references in ctx.requirement_references().items():
            resolver = _Resolver(definitions, names, path)
            covered.update((module, r.key) for r in references for module in resolver.credit(r))
            notes.extend(self._dangling(path, resolver))
        yield from self._all_untested(definitions, covered, names)
        yield from notes

    def _all_untested(
        self, definitions: dict[str, list[_Definition]], covered: set[tuple[str, str]], names: dict[str, str]
    ) -> Iterator[Finding]:
        for by_module in definitions.values():
            for definition in by_module:
                if (definition.module, definition.requirement.key) not in covered:
                    yield self._untested(definition, by_module, names)

    def _untested(self, definition: _Definition, by_module: list[_Definition], names: dict[str, str]) -> Finding:
        requirement = definition.requirement
        others = sorted({d.path for d in by_module if d.module != definition.module})
        shared = ""
        if others:
            module = names.get(definition.module) or definition.module
            shared = (
                f" It is also defined in {', '.join(others)}: qualify a reference as `{module}:{requirement.written}`"
                f" or keep it in a test file whose path names `{module}`."
            )
        return Finding(
            rule_id=self.id, path=definition.path, line=requirement.line, column=requirement.column,
            key=f"untested:{requirement.key}", kind="untested-requirement",
            message=f"{requirement.written} has no test: no test file references it (name it in a marker "
                    f"`@pytest.mark.requirement(\"{requirement.written}\")`, a test name or a docstring).{shared}",
        )

    def _dangling(self, path: str, resolver: _Resolver) -> Iterator[Finding]:
        for (module, key), found in resolver.dangling.items():
            first = found[0]
            name = resolver.names.get(module) or module
            shown = first.written.upper().replace("_", "-")
            where = f"module `{name}` defines no {shown}" if module else f"no requirements document defines {shown}"
            others = len(found) - 1
            more = f" ({others} more time{'s' if others > 1 else ''} in this file)" if others else ""
            yield Finding(
                rule_id=self.id, path=path, line=first.line, column=first.column, level=Level.NOTE,
                key=f"dangling:{module}:{key}", kind="dangling-reference",
                message=f"{first.written} is referenced here{more} but {where}: "
                        "a typo, or a requirement that was renamed or removed.",
            )


class _Resolver:
    """Credits the references of one test file to the modules whose requirement they name."""

    def __init__(self, definitions: dict[str, list[_Definition]], names: dict[str, str], path: str) -> None:
        self.definitions = definitions
        self.names = names
        self.modules = sorted((m for m in names if m), key=len, reverse=True)
        self.in_path = {m for m in self.modules if _names_module(path, m)}
        self.dangling: dict[tuple[str, str], list[Reference]] = {}

    def credit(self, reference: Reference) -> set[str]:
        definers = {d.module for d in self.definitions.get(reference.key, ())}
        qualifier = self._qualifier(reference.before)
        if qualifier is not None and qualifier not in definers:
            definers = set()
        elif qualifier is not None:
            definers = {qualifier}
        elif len(definers) > 1 and definers & self.in_path:
            definers &= self.in_path
        if not definers:
            self.dangling.setdefault((qualifier or "", reference.key), []).append(reference)
        return definers

    def _qualifier(self, before: str) -> str | None:
        """The module the words before a reference name (the longest that fits), or None."""
        return next((m for m in self.modules if before == m or before.endswith("-" + m)), None)


def _definitions(ctx: RepoContext) -> dict[str, list[_Definition]]:
    """Requirement key -> its definitions (first per document), in document order."""
    found: dict[str, list[_Definition]] = {}
    for document in ctx.spec_index.of_kind("requirements"):
        seen: set[str] = set()
        for requirement in ctx.requirements_in(document.path) or ():
            if requirement.key not in seen:
                seen.add(requirement.key)
                found.setdefault(requirement.key, []).append(_Definition(document.name.key, document.path, requirement))
    return found


def _names_module(path: str, module: str) -> bool:
    """Whether the module's words stand consecutively among the path's words."""
    words = _PATH_WORDS_RE.split(path.lower())
    wanted = module.split("-")
    return any(words[i : i + len(wanted)] == wanted for i in range(len(words) - len(wanted) + 1))
