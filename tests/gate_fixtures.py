"""The gates fixtures (fixtures/gates/<phase>-<profile>/) and what each item of each says.

Each table maps every checklist item to the status the contract gives it on that fixture,
with the results it lists (rule, path, line). Items decided by rules that are not on this
branch yet (`PENDING_RULES`) carry the status the contract implies for them; `expected_today`
turns a table into what the installed rules can say: such an item is `not checked` until its
rules are installed (unless an installed rule fails it), and its real status afterwards.
Which rules are installed is read from the policy at test time, never assumed.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from conftest import fixture

from udef_audit.gate_checklists import PhaseGate
from udef_audit.policy import load_policy
from udef_audit.rules import builtin_rules

# Rules the phase 2-3 items need that another branch is writing (contract rev 3).
PENDING_RULES = {"UDEF020", "UDEF021", "UDEF022", "UDEF023", "UDEF025"}

PASS, FAIL, NA, MANUAL, NOT_CHECKED = "pass", "fail", "n/a", "manual", "not checked"
CHECKED = (PASS, "waived", NA)


@dataclass(frozen=True)
class Expect:
    """An item's status per the contract; `results` are the (rule, path, line) it lists from
    installed rules, `failing` the pending rules that fail it once they exist."""

    status: str
    results: tuple[tuple[str, str, int], ...] = ()
    failing: tuple[str, ...] = ()


def fails(*results: tuple[str, str, int], by: tuple[str, ...] = ()) -> Expect:
    """A failing item: the results installed rules list, and the pending rules that fail it."""
    return Expect(FAIL, results, by)


OK, N_A, BY_HAND = Expect(PASS), Expect(NA), Expect(MANUAL)

# -- phase 0: the foundation, as a library and as a service ---------------------------------
PHASE0_COMMON = {
    "Pre-commit hooks installed and working": OK,
    "SRC layout structure in place": OK,
    "Single dependency system (pyproject.toml only)": OK,
    "Lockfile generation strategy documented": OK,
    "Test fixtures configured": OK,
    "Documentation directories created": OK,
    ".gitignore includes all cache patterns": OK,
}
LIBRARY_PHASE0 = {
    "Multi-stage Docker builds successfully (runtime and test)": N_A,
    "Container runs without errors": N_A,
}
SERVICE_PHASE0 = {
    "Multi-stage Docker builds successfully (runtime and test)": OK,
    "Container runs without errors": BY_HAND,
}
PHASE1_PASSED = {
    "Requirements specification complete with measurable criteria": OK,
    "Design specification with concrete API examples": OK,
    "Task breakdown with time estimates": OK,
    "Test scenarios mapped to requirements": OK,
    "Performance targets quantified": OK,
}
# No CI, no coverage threshold, no complexity limit, no scanner: what UDEF020-025 say then.
NO_PIPELINE = {
    "80% test coverage achieved (both line and branch)": fails(by=("UDEF021",)),
    "CI/CD pipeline fully operational": fails(by=("UDEF020",)),
    "Complexity metrics passing": fails(by=("UDEF022",)),
}
NO_PIPELINE_LATER = {
    "95% test coverage (line and branch)": fails(by=("UDEF021",)),
    "Security scan clean": fails(by=("UDEF025",)),
    "Complexity metrics passing (<10)": fails(by=("UDEF022",)),
}
MANUAL_LATER = {
    "Performance within defined SLAs": BY_HAND,
    "Deployed to staging": BY_HAND,
}
PHASE4_MANUAL = {
    "Performance profiled and optimized": BY_HAND,
    "Disaster recovery plan tested": BY_HAND,
    "Monitoring dashboards configured": BY_HAND,
}
NO_INTEGRATION = fails(("UDEF024", "pyproject.toml", 16))


def phase4(*, scanned: bool, docs: Expect = OK) -> dict[str, Expect]:
    """Phase 4: no fixture has integration tests (the methodology's Days 31-32)."""
    audit = BY_HAND if scanned else fails(by=("UDEF025",))
    return {
        "All integration tests passing": NO_INTEGRATION,
        "Security audit complete with no high/critical issues": audit,
        "Documentation comprehensive and current": docs,
        **PHASE4_MANUAL,
    }


LIB_NO_PERF = fails(("UDEF024", "pyproject.toml", 16))
TABLES: dict[str, dict[str, Expect]] = {
    # Requirements written, no design or tasks document, NFR-01 without a test.
    "phase0-library": {
        **LIBRARY_PHASE0,
        **PHASE0_COMMON,
        "Requirements specification complete with measurable criteria": fails(
            ("UDEF017", "docs/design/slug-requirements.md", 1)
        ),
        "Design specification with concrete API examples": fails(("UDEF017", "docs/design/slug-requirements.md", 1)),
        "Task breakdown with time estimates": fails(("UDEF017", "docs/design/slug-requirements.md", 1)),
        "Test scenarios mapped to requirements": fails(("UDEF019", "docs/design/slug-requirements.md", 11)),
        "Performance targets quantified": fails(("UDEF017", "docs/design/slug-requirements.md", 1)),
        "Pathfinder module fully implemented with TDD": BY_HAND,
        **NO_PIPELINE,
        "Performance baselines established and documented": LIB_NO_PERF,
        "Security measures in place (rate limiting, logging)": N_A,
        "Both runtime and test images building correctly": N_A,
        "Staging deployment validated": BY_HAND,
        **NO_PIPELINE_LATER,
        **MANUAL_LATER,
        "Documentation current": OK,
        **phase4(scanned=False),
    },
    # The design folder holds a placeholder page and no specification at all.
    "phase0-service": {
        **SERVICE_PHASE0,
        **PHASE0_COMMON,
        "Requirements specification complete with measurable criteria": fails(("UDEF017", "docs/design/README.md", 1)),
        "Design specification with concrete API examples": fails(("UDEF017", "docs/design/README.md", 1)),
        "Task breakdown with time estimates": fails(("UDEF017", "docs/design/README.md", 1)),
        # UDEF019 applies only when requirement IDs exist; the engine reports it as run, clean.
        "Test scenarios mapped to requirements": OK,
        "Performance targets quantified": fails(("UDEF017", "docs/design/README.md", 1)),
        "Pathfinder module fully implemented with TDD": BY_HAND,
        **NO_PIPELINE,
        "Performance baselines established and documented": fails(("UDEF024", "pyproject.toml", 16)),
        "Security measures in place (rate limiting, logging)": BY_HAND,
        # UDEF023 does not apply without CI running tests; UDEF008 passes.
        "Both runtime and test images building correctly": OK,
        "Staging deployment validated": BY_HAND,
        **NO_PIPELINE_LATER,
        **MANUAL_LATER,
        "Documentation current": OK,
        **phase4(scanned=False),
    },
    # Specified and traced; no CI, and the NFR-01 benchmark sits among the unit tests.
    "phase1-library": {
        **LIBRARY_PHASE0,
        **PHASE0_COMMON,
        **PHASE1_PASSED,
        "Pathfinder module fully implemented with TDD": BY_HAND,
        **NO_PIPELINE,
        "Performance baselines established and documented": LIB_NO_PERF,
        "Security measures in place (rate limiting, logging)": N_A,
        "Both runtime and test images building correctly": N_A,
        "Staging deployment validated": BY_HAND,
        **NO_PIPELINE_LATER,
        **MANUAL_LATER,
        "Documentation current": OK,
        **phase4(scanned=False),
    },
    # The runtime image runs as root; CI lints and tests, without mypy or coverage.
    "phase1-service": {
        **SERVICE_PHASE0,
        **PHASE0_COMMON,
        **PHASE1_PASSED,
        "Pathfinder module fully implemented with TDD": BY_HAND,
        **NO_PIPELINE,
        "Performance baselines established and documented": OK,
        "Security measures in place (rate limiting, logging)": fails(("UDEF009", "Dockerfile", 19)),
        # CI builds the Dockerfile's test stage: UDEF023 passes.
        "Both runtime and test images building correctly": OK,
        "Staging deployment validated": BY_HAND,
        **NO_PIPELINE_LATER,
        **MANUAL_LATER,
        "Documentation current": OK,
        **phase4(scanned=False),
    },
}

PIPELINE = {
    "80% test coverage achieved (both line and branch)": OK,
    "CI/CD pipeline fully operational": OK,
    "Complexity metrics passing": OK,
    "Performance baselines established and documented": OK,
    "Pathfinder module fully implemented with TDD": BY_HAND,
    "Staging deployment validated": BY_HAND,
}
LATER_AT_80 = {
    "95% test coverage (line and branch)": fails(by=("UDEF021",)),
    "Security scan clean": fails(by=("UDEF025",)),
    "Complexity metrics passing (<10)": OK,
    **MANUAL_LATER,
}
LATER_AT_95 = {
    "95% test coverage (line and branch)": OK,
    "Security scan clean": OK,
    "Complexity metrics passing (<10)": OK,
    "Documentation current": OK,
    **MANUAL_LATER,
}
SERVICE_PIPELINE = {
    "Security measures in place (rate limiting, logging)": BY_HAND,
    "Both runtime and test images building correctly": OK,
}
LIBRARY_PIPELINE = {
    "Security measures in place (rate limiting, logging)": N_A,
    "Both runtime and test images building correctly": N_A,
}
RUNBOOK = fails(("UDEF026", "README.md", 11))
TABLES |= {
    # CI at 80 % coverage with branches, ruff C90 at 8, no scanner: phase 3 wants 95 % and a scan.
    "phase2-library": {
        **LIBRARY_PHASE0,
        **PHASE0_COMMON,
        **PHASE1_PASSED,
        **PIPELINE,
        **LIBRARY_PIPELINE,
        **LATER_AT_80,
        "Documentation current": OK,
        **phase4(scanned=False),
    },
    # The same pipeline in the test image; the README links to a runbook never written.
    "phase2-service": {
        **SERVICE_PHASE0,
        **PHASE0_COMMON,
        **PHASE1_PASSED,
        **PIPELINE,
        **SERVICE_PIPELINE,
        **LATER_AT_80,
        "Documentation current": RUNBOOK,
        **phase4(scanned=False, docs=RUNBOOK),
    },
    # 95 % coverage and pip-audit / trivy: only phase 4's integration tests are missing.
    "phase3-library": {
        **LIBRARY_PHASE0,
        **PHASE0_COMMON,
        **PHASE1_PASSED,
        **PIPELINE,
        **LIBRARY_PIPELINE,
        **LATER_AT_95,
        **phase4(scanned=True),
    },
    "phase3-service": {
        **SERVICE_PHASE0,
        **PHASE0_COMMON,
        **PHASE1_PASSED,
        **PIPELINE,
        **SERVICE_PIPELINE,
        **LATER_AT_95,
        **phase4(scanned=True),
    },
}
FIXTURES = tuple(TABLES)


def profile_of(name: str) -> str:
    """ "library" or "service", from the fixture's name."""
    return name.rsplit("-", 1)[1]


def installed_rules() -> frozenset[str]:
    """The rules this installation can run: a policy entry and an implementation."""
    implemented = {rule.id for rule in builtin_rules()}
    return frozenset(load_policy().rules) & implemented


def copy_fixture(name: str, where: Path) -> Path:
    """The fixture as a plain folder outside this repository's work tree (every file in scope)."""
    target = where / name
    shutil.copytree(fixture("gates", name), target)
    return target


@dataclass(frozen=True)
class Today:
    """What an item says with the rules installed now."""

    status: str
    results: tuple[tuple[str, str, int], ...]
    not_checked: tuple[str, ...]
    failing: tuple[str, ...]  # pending-then-installed rules whose results are asserted by rule only


def expected_today(table: Mapping[str, Expect], installed: frozenset[str]) -> dict[tuple[int, str], Today]:
    """Each item's status as the installed rules decide it, keyed by (phase, item)."""
    decided: dict[tuple[int, str], Today] = {}
    for gate in load_policy().gates:
        for item in gate.items:
            expect = table[item.item]
            missing = tuple(r for r in item.rule_ids if r not in installed)
            decided[(gate.phase, item.item)] = _today(expect, missing, installed)
    return decided


def _today(expect: Expect, missing: tuple[str, ...], installed: frozenset[str]) -> Today:
    results = tuple(r for r in expect.results if r[0] in installed)
    failing = tuple(r for r in expect.failing if r in installed)
    if expect.status in (NA, PASS, MANUAL) and not missing:
        return Today(expect.status, (), (), ())
    if expect.status == NA:  # a service item for a library: n/a whatever runs
        return Today(NA, (), (), ())
    if results or failing:  # an installed rule's open result says more than a missing rule
        return Today(FAIL, results, (), failing)
    if missing:
        return Today(NOT_CHECKED, (), missing, ())
    return Today(expect.status, (), (), ())


def reached(decided: Mapping[tuple[int, str], Today], gates: tuple[PhaseGate, ...]) -> int:
    """The last phase of an unbroken run of gates with no item failing or not checked."""
    phase_reached = -1
    for gate in gates:
        if any(decided[(gate.phase, i.item)].status in (FAIL, NOT_CHECKED) for i in gate.items):
            break
        phase_reached = gate.phase
    return phase_reached
