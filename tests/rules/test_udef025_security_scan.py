"""UDEF025 security-scan: CI or pre-commit runs a dependency, image or code scanner."""

from __future__ import annotations

import pytest
from conftest import fixture

from udef_audit.testing import check, rows

RULE = "UDEF025"


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("none", [(".github/workflows/ci.yml", 1)]),
        ("no-ci", [("README.md", 1)]),
        ("pip-audit", []),
        ("trivy-action", []),
        ("codeql", []),
        # A pre-commit hook runs at commit: it counts.
        ("precommit-bandit", []),
        # A hook of the manual stage only never runs by itself.
        ("manual-stage-only", [(".github/workflows/ci.yml", 1)]),
    ],
)
def test_fixture_results(case: str, expected: list[tuple[str, int]]) -> None:
    found = check(RULE, fixture(RULE, case))
    assert rows(found) == [(RULE, path, line, None) for path, line in expected]
    assert all(f.kind == "no-scan" for f in found)


def test_message() -> None:
    [found] = check(RULE, fixture(RULE, "none"))
    assert found.message == (
        "no security scan: neither CI nor pre-commit runs a dependency, image or code scanner (trivy, pip-audit, "
        "safety, osv-scanner, snyk, grype, bandit, CodeQL, dependency-review): add a CI step running `pip-audit` on "
        "the locked dependencies, or the aquasecurity/trivy-action action on the runtime image."
    )


def test_through_the_cli(run_inproc) -> None:
    result = run_inproc(str(fixture(RULE, "none")), "--select", RULE, "--fail-on", "warning")
    assert result.code == 1
    assert ".github/workflows/ci.yml:1 UDEF025 [warning] no security scan" in result.stdout
