"""`udef-audit policy test PATH...`: run every policy's examples, as pytest runs tests.

Each example is a small file tree and the result lines the policy must give on it; an
example with no lines must pass. The tree is written to a fresh folder and audited in this
process exactly as `udef-audit --select ID` would audit it (config, context, the policy's
rule, levels, inline suppressions), with only that policy file loaded besides the
installed rules. A result line is `PATH:LINE[:COLUMN] ID message`, the text report's form.
The lines are compared as a set of lines in report order; a difference is shown as a diff.

A policy is tested when it has at least one example that passes and one that fails.

Exit codes: 0 every example passed; 1 an example failed (or a policy lacks a passing or a
failing example); 2 a policy file is invalid or no policy was found (usage); 3 an example's
audit failed inside udef-audit.
"""

from __future__ import annotations

import difflib
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from udef_audit.config import ConfigError
from udef_audit.findings import Finding, Level
from udef_audit.policies.loader import CompiledPolicy, Example, load_policies
from udef_audit.policy import Policy, load_policy
from udef_audit.policy_sources import file_policies
from udef_audit.report.rules_listing import write_docs as write_pages
from udef_audit.request import AuditRequest
from udef_audit.service import EXIT_FINDINGS, EXIT_INTERNAL, EXIT_OK, audit
from udef_audit.testing import write_tree

WIDTH = 80
_STATUS = {".": "PASSED", "F": "FAILED", "E": "ERROR"}


@dataclass(frozen=True)
class ExampleResult:
    """One example, run: what it expected, what it got, and any tool failure."""

    policy: CompiledPolicy
    example: Example
    actual: tuple[str, ...]
    errors: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        """Whether the results are exactly the expected ones (in any order)."""
        return not self.errors and sorted(self.actual) == sorted(self.example.expect)

    @property
    def status(self) -> str:
        """"." passed, "F" failed, "E" the audit itself failed."""
        if self.passed:
            return "."
        return "E" if self.errors else "F"


@dataclass
class Session:
    """Everything a run found, for the summary and the exit code."""

    results: list[ExampleResult] = field(default_factory=list)
    untested: list[tuple[CompiledPolicy, str]] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0, 1 or 3 (module docstring)."""
        if any(r.errors for r in self.results):
            return EXIT_INTERNAL
        return EXIT_FINDINGS if self.untested or not all(r.passed for r in self.results) else EXIT_OK


def result_line(finding: Finding) -> str:
    """`PATH:LINE[:COLUMN] ID message`: how an example writes a result."""
    column = f":{finding.column}" if finding.column else ""
    return f"{finding.path}:{finding.line}{column} {finding.rule_id} {finding.message}"


def collect(paths: Sequence[Path]) -> list[tuple[Path, CompiledPolicy]]:
    """Every policy in the given files and folders, compiled against the installed rules
    (a bad policy raises PolicyFileError, exit 2)."""
    base = load_policy()
    found = []
    for path in paths:
        if not path.exists():
            raise ConfigError(f"no such policy file or folder: {path}")
        for text in file_policies([path]):
            (policy,) = load_policies([text], known=base.rules, gates=base.gates)
            found.append((Path(text.source), policy))
    if not found:
        raise ConfigError(f"no policy file (*.yaml, *.yml) in {', '.join(map(str, paths))}")
    ids = [policy.meta.id for _, policy in found]
    duplicate = next((rule_id for rule_id in ids if ids.count(rule_id) > 1), None)
    if duplicate is not None:
        raise ConfigError(f"{duplicate} is defined by two of the policy files given")
    return found


def run_example(file: Path, policy: CompiledPolicy, example: Example) -> ExampleResult:
    """Audit the example's tree with the policy and read its results."""
    with tempfile.TemporaryDirectory(prefix="udef-policy-") as folder:
        root = write_tree(Path(folder), example.files)
        result = audit(
            AuditRequest(path=root, select=(policy.meta.id,), policy_paths=(file.resolve(),), use_cache=False,
                         score=False)
        )
    actual = tuple(result_line(f) for f in result.findings if f.rule_id == policy.meta.id)
    errors = tuple(n.message for n in result.notifications if n.level == Level.ERROR)
    return ExampleResult(policy, example, actual, errors)


def run(paths: Sequence[Path], write: Callable[[str], object], *, verbose: bool = False) -> int:
    """Run the examples of every policy under `paths`, print a pytest-like report, and
    return the exit code."""
    started = time.perf_counter()
    found = collect(paths)
    count = sum(len(policy.examples) for _, policy in found)
    write(f"collected {count} examples from {len(found)} policies\n")
    session = Session()
    for file, policy in found:
        outcomes = [run_example(file, policy, example) for example in policy.examples]
        session.results.extend(outcomes)
        problem = _untested(policy)
        if problem:
            session.untested.append((policy, problem))
        _progress(write, file, policy, outcomes, problem, verbose=verbose)
    _report(write, session, time.perf_counter() - started)
    return session.exit_code


def _untested(policy: CompiledPolicy) -> str:
    passing = any(not e.expect for e in policy.examples)
    failing = any(e.expect for e in policy.examples)
    if passing and failing:
        return ""
    wanted = (("one that passes", passing), ("one that fails", failing))
    missing = " and ".join(kind for kind, have in wanted if not have)
    return f"{policy.meta.id} needs examples: add {missing}"


def _progress(write: Callable[[str], object], file: Path, policy: CompiledPolicy, outcomes: list[ExampleResult],
              problem: str, *, verbose: bool) -> None:
    if verbose:
        for outcome in outcomes:
            write(f"{file}::{policy.meta.id}::{outcome.example.name} {_STATUS[outcome.status]}\n")
        if problem:
            write(f"{file}::{policy.meta.id} UNTESTED\n")
        return
    marks = "".join(outcome.status for outcome in outcomes) + ("U" if problem else "")
    write(f"{file} {marks}\n")


def _report(write: Callable[[str], object], session: Session, seconds: float) -> None:
    failed = [r for r in session.results if not r.passed]
    if failed or session.untested:
        write("\n" + _rule(" FAILURES ", "=") + "\n")
    for outcome in failed:
        write(_failure(outcome))
    for policy, problem in session.untested:
        write(_rule(f" {policy.meta.id} {policy.meta.slug} ", "_") + f"\n{policy.meta.source}: {problem}\n")
    write(_rule(f" {_counts(len(failed), len(session.results) - len(failed), len(session.untested))} in "
                f"{seconds:.2f}s ", "=") + "\n")


def _counts(failed: int, passed: int, untested: int) -> str:
    """"1 failed, 3 passed, 1 untested", the zero counts left out (but "0 passed")."""
    parts = [f"{failed} failed"] if failed else []
    parts.append(f"{passed} passed")
    if untested:
        parts.append(f"{untested} untested")
    return ", ".join(parts)


def _failure(outcome: ExampleResult) -> str:
    meta, example = outcome.policy.meta, outcome.example
    head = _rule(f" {meta.id} {meta.slug}: {example.name} ", "_")
    where = f"{meta.source}:{example.line}"
    if outcome.errors:
        return f"{head}\n{where}: the audit failed\n" + "".join(f"  {e}\n" for e in outcome.errors)
    diff = difflib.unified_diff(sorted(example.expect), sorted(outcome.actual), "expected", "actual", lineterm="")
    return f"{head}\n{where}: the results differ\n" + "\n".join(diff) + "\n"


def _rule(title: str, char: str) -> str:
    side = max(WIDTH - len(title), 2) // 2
    return f"{char * side}{title}{char * side}"


def write_docs(paths: Sequence[Path], output: Path) -> list[Path]:
    """A page per policy under `output` (the built-in rules' page layout) and an index."""
    metas = {policy.meta.id: policy.meta for _, policy in collect(paths)}
    return write_pages(output, Policy(rules=dict(sorted(metas.items()))))
