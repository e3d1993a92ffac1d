"""`udef-audit policy test`: the cookbook's policies pass their own examples, a wrong
expectation fails with a diff, and a bad policy is a one-line usage error."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from conftest import REPO, Run

from udef_audit import policy_examples

COOKBOOK = REPO / "docs" / "policies"
POLICY = """\
id: ACME001
slug: security-policy-present
title: A SECURITY.md says how to report a vulnerability
level: warning
why: Reports go to public issues otherwise.
fix: Add SECURITY.md.
message: "no {expected}"
check:
  files: {exists: SECURITY.md}
examples:
  - name: present
    files: {SECURITY.md: "mail us\\n"}
  - name: missing
    files: {README.md: "# x\\n"}
    expect: [%s]
"""


def _summary(text: str) -> str:
    """The last line without its timing (`== 25 passed in 1.23s ==` -> `25 passed`)."""
    last = text.strip().splitlines()[-1]
    return re.sub(r" in \d+\.\d\ds", "", last).strip("= ")


def test_the_cookbook_passes_its_own_examples() -> None:
    out: list[str] = []
    code = policy_examples.run([COOKBOOK], out.append)
    text = "".join(out)
    assert code == 0, text
    policies = sorted(COOKBOOK.glob("*.yaml"))
    assert len(policies) == 10
    assert text.startswith("collected 28 examples from 10 policies\n")
    assert _summary(text) == "28 passed"
    for path in policies:
        assert re.search(rf"^{re.escape(str(path))} \.+$", text, re.MULTILINE), path


def test_a_wrong_expectation_fails_with_a_diff(tmp_path: Path, run_inproc: Callable[..., Run]) -> None:
    policy = tmp_path / "acme.yaml"
    policy.write_text(POLICY % '"README.md:2 ACME001 no SECURITY.md"', encoding="utf-8")
    run = run_inproc("policy", "test", policy)
    assert run.code == 1
    assert f"{policy} .F\n" in run.stdout
    assert (
        f"{policy}:13: the results differ\n"
        "--- expected\n+++ actual\n@@ -1 +1 @@\n"
        "-README.md:2 ACME001 no SECURITY.md\n+README.md:1 ACME001 no SECURITY.md\n"
    ) in run.stdout
    assert _summary(run.stdout) == "1 failed, 1 passed"


def test_verbose_names_every_example(tmp_path: Path, run_inproc: Callable[..., Run]) -> None:
    policy = tmp_path / "acme.yaml"
    policy.write_text(POLICY % '"README.md:1 ACME001 no SECURITY.md"', encoding="utf-8")
    run = run_inproc("policy", "test", "-v", tmp_path)
    assert run.code == 0, run.stdout
    assert f"{policy}::ACME001::present PASSED\n{policy}::ACME001::missing PASSED\n" in run.stdout


def test_a_policy_without_a_failing_example_is_untested(tmp_path: Path, run_inproc: Callable[..., Run]) -> None:
    policy = tmp_path / "acme.yaml"
    text = POLICY % '"x"'
    policy.write_text(text[: text.index("  - name: missing")], encoding="utf-8")
    run = run_inproc("policy", "test", policy)
    assert run.code == 1
    assert f"{policy}: ACME001 needs examples: add one that fails\n" in run.stdout
    assert _summary(run.stdout) == "1 passed, 1 untested"


def test_a_bad_policy_is_one_line_naming_file_line_and_key(tmp_path: Path, run_inproc: Callable[..., Run]) -> None:
    policy = tmp_path / "acme.yaml"
    policy.write_text((POLICY % '"x"').replace("files: {exists: SECURITY.md}", "files: {exist: SECURITY.md}"))
    run = run_inproc("policy", "test", policy)
    assert run.code == 2
    assert run.stdout == ""
    assert run.stderr == (
        f"udef-audit: error: {policy}:9: check.files.exist: unknown key (expected one of exists, glob, max-size, "
        "min-size, missing)\n"
    )
