"""Custom policies load from the repository's config, the org policy and plugins, and then
behave as built-in rules: levels, suppressions, baselines, enforcement, SARIF, rules and
explain, gates. A bad policy is exit 2 with one line: file, line, key, what was expected."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Run, write_tree

SECURITY = """\
id: ACME006
slug: security-policy-present
title: A SECURITY.md says how to report a vulnerability
level: error
phase: 0
why: Reports go to public issues otherwise.
fix: Add SECURITY.md.
message: "no security policy: add {expected}"
check:
  files: {exists: [SECURITY.md, .github/SECURITY.md]}
"""
PYPROJECT = "[project]\nname = 'app'\n\n[tool.udef-audit]\npolicies = ['policies/']\n"
MISSING = ("ACME006", "pyproject.toml", 1, None)


def _repo(tmp_path: Path, policy: str = SECURITY, pyproject: str = PYPROJECT, **files: str) -> Path:
    return write_tree(tmp_path / "repo", {"pyproject.toml": pyproject, "policies/acme006.yaml": policy, **files})


def test_repository_policies_folder(tmp_path: Path, audit: Callable[..., list[tuple[object, ...]]]) -> None:
    root = _repo(tmp_path)
    assert audit(root, "--select", "ACME006") == [MISSING]
    (root / ".github").mkdir()
    (root / ".github" / "SECURITY.md").write_text("mail us\n")
    assert audit(root, "--select", "ACME006") == []


def test_a_policy_result_has_the_policy_level_and_exit_code(tmp_path: Path, run_inproc: Callable[..., Run]) -> None:
    run = run_inproc(_repo(tmp_path), "--select", "ACME006", "--format", "json")
    assert run.code == 1
    (finding,) = run.json()["findings"]
    assert (finding["level"], finding["message"]) == (
        "error", "no security policy: add SECURITY.md or .github/SECURITY.md")


def test_suppressed_inline_like_a_builtin(tmp_path: Path, run_inproc: Callable[..., Run]) -> None:
    pyproject = "[project]  # udef: ignore[ACME006] -- security contact is in the README\n" + PYPROJECT[10:]
    run = run_inproc(_repo(tmp_path, pyproject=pyproject), "--select", "ACME006", "--format", "json")
    assert run.code == 0
    assert run.json()["findings"][0]["suppressions"][0]["justification"] == "security contact is in the README"


def test_baselined_like_a_builtin(tmp_path: Path, run_inproc: Callable[..., Run]) -> None:
    root = _repo(tmp_path)
    baseline = tmp_path / "baseline.json"
    assert run_inproc(root, "--select", "ACME006", "--write-baseline", baseline).code == 0
    assert "ACME006" in baseline.read_text()
    run = run_inproc(root, "--select", "ACME006", "--baseline", baseline, "--format", "json")
    assert run.code == 0
    assert [(f["ruleId"], f["suppressions"]) for f in run.json()["findings"]] == [
        ("ACME006", [{"kind": "external", "justification": "in baseline baseline.json"}])]


def test_org_policy_loads_and_enforces_its_own_policies(tmp_path: Path, run_inproc: Callable[..., Run]) -> None:
    org = write_tree(tmp_path / "org", {"org.toml": "enforce = ['ACME006']\npolicies = ['policies']\n",
                                       "policies/acme006.yaml": SECURITY})
    root = write_tree(tmp_path / "repo", {
        "pyproject.toml": "[project]\nname = 'app'\n\n[tool.udef-audit]\nignore = ['ACME006']\n"})
    run = run_inproc(root, "--policy", org / "org.toml", "--format", "json")
    assert run.code == 1
    assert [(f["ruleId"], f["path"], f["line"]) for f in run.json()["findings"] if f["ruleId"] == "ACME006"] == [
        ("ACME006", "pyproject.toml", 1)]


def test_org_enforcing_an_unknown_policy_is_a_usage_error(tmp_path: Path, run_inproc: Callable[..., Run]) -> None:
    org = write_tree(tmp_path / "org", {"org.toml": "enforce = ['ACME099']\n"})
    run = run_inproc(_repo(tmp_path), "--policy", org / "org.toml")
    assert run.code == 2
    assert run.stderr == f"udef-audit: error: {org / 'org.toml'}: 'enforce' names unknown rule ACME099\n"


def test_sarif_carries_the_policy_metadata(tmp_path: Path, run_inproc: Callable[..., Run]) -> None:
    run = run_inproc(_repo(tmp_path), "--select", "ACME006", "--format", "sarif")
    driver = json.loads(run.stdout)["runs"][0]["tool"]["driver"]
    (rule,) = [r for r in driver["rules"] if r["id"] == "ACME006"]
    assert rule["name"] == "SecurityPolicyPresent"
    assert rule["shortDescription"] == {"text": "A SECURITY.md says how to report a vulnerability"}
    assert rule["defaultConfiguration"] == {"level": "error"}
    assert rule["properties"]["tags"][:3] == ["udef", "custom-policy", "policy"]
    assert "helpUri" not in rule
    assert "Custom policy: policies/acme006.yaml" in rule["help"]["text"]


def test_rules_and_explain_know_the_repository_policies(tmp_path: Path, run_inproc: Callable[..., Run]) -> None:
    root = _repo(tmp_path)
    listing = run_inproc("rules", root, "--format", "json")
    assert listing.code == 0
    assert "ACME006" in [r["id"] for r in json.loads(listing.stdout)]
    explained = run_inproc("explain", "security-policy-present", root)
    assert explained.code == 0
    assert explained.stdout.startswith("ACME006 security-policy-present: A SECURITY.md says how to report")
    assert "Custom policy: policies/acme006.yaml" in explained.stdout


def _src_layout_item(run: Run) -> dict[str, object]:
    phase0 = json.loads(run.stdout)["phases"][0]
    (item,) = [i for i in phase0["items"] if i["item"] == "SRC layout structure in place"]
    return {key: item[key] for key in ("status", "rules", "results")}


def test_a_policy_names_the_checklist_item_it_decides(tmp_path: Path, run_inproc: Callable[..., Run]) -> None:
    plain = run_inproc("gates", _repo(tmp_path / "plain"), "--format", "json")
    assert _src_layout_item(plain) == {"status": "pass", "rules": ["UDEF001"], "results": []}
    policy = SECURITY + "gate: {phase: 0, item: SRC layout structure in place}\n"
    decided = run_inproc("gates", _repo(tmp_path / "decided", policy), "--format", "json")
    assert _src_layout_item(decided) == {
        "status": "fail", "rules": ["UDEF001", "ACME006"],
        "results": [{"ruleId": "ACME006", "path": "pyproject.toml", "line": 1}]}


def test_a_gate_item_that_does_not_exist_is_a_policy_error(tmp_path: Path, run_inproc: Callable[..., Run]) -> None:
    policy = SECURITY + "gate: {phase: 0, item: SRC layout}\n"
    run = run_inproc(_repo(tmp_path, policy))
    assert run.code == 2
    assert run.stderr.startswith(
        "udef-audit: error: policies/acme006.yaml:11: gate.item: phase 0 has no checklist item 'SRC layout' "
        "(its items: Multi-stage Docker builds successfully (runtime and test); ")


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        (SECURITY.replace("level: error", "level: fatal"),
         "policies/acme006.yaml:4: level: expected one of error, warning, note, found a string ('fatal')"),
        (SECURITY.replace("id: ACME006", "id: UDEF106"),
         "policies/acme006.yaml:1: id: the UDEF prefix is udef-audit's own: use your organisation's (ACME001)"),
        (SECURITY.replace("[SECURITY.md, .github/SECURITY.md]", "[SECURITY.md, 'docs/**x']"),
         "policies/acme006.yaml:10: check.files.exists[1]: expected a glob such as **/*.py: '**' must be a whole "
         "path segment (a/**/b, **/name, dir/**)"),
        (SECURITY.replace("{expected}", "{value}"),
         "policies/acme006.yaml:8: message: {value} is not captured by this check (it captures: expected, line, "
         "path, project, size)"),
        (SECURITY.replace("why: Reports go to public issues otherwise.\n", ""),
         "policies/acme006.yaml:1: missing key 'why'"),
        ("id: ACME006\nslug: [unclosed\n", "policies/acme006.yaml:3: not valid YAML"),
    ],
    ids=["level", "reserved-prefix", "glob", "template", "missing-key", "yaml"],
)
def test_a_bad_policy_is_one_line(tmp_path: Path, run_inproc: Callable[..., Run], policy: str, expected: str) -> None:
    run = run_inproc(_repo(tmp_path, policy))
    assert run.code == 2
    assert run.stderr.startswith(f"udef-audit: error: {expected}")
    assert run.stderr.count("\n") == 1


def test_a_pattern_re2_cannot_run_is_a_policy_error(tmp_path: Path, run_inproc: Callable[..., Run]) -> None:
    policy = SECURITY.replace("files: {exists: [SECURITY.md, .github/SECURITY.md]}",
                              "text: {files: '**/*.py', pattern: '(a)\\1'}")
    run = run_inproc(_repo(tmp_path, policy))
    assert run.code == 2
    assert run.stderr == (
        "udef-audit: error: policies/acme006.yaml:10: check.text.pattern: RE2 cannot run a backreference "
        "(invalid escape sequence: \\1); policies run on RE2 so that matching time stays linear in the file: "
        "rewrite the pattern without backreferences or lookaround\n"
    )


def test_a_policy_folder_outside_the_repository_is_refused(tmp_path: Path, run_inproc: Callable[..., Run]) -> None:
    pyproject = "[project]\nname = 'app'\n\n[tool.udef-audit]\npolicies = ['../elsewhere']\n"
    run = run_inproc(_repo(tmp_path, pyproject=pyproject))
    assert run.code == 2
    assert run.stderr.startswith(
        "udef-audit: error: pyproject.toml [tool.udef-audit]: 'policies': '../elsewhere' is not a path inside")


def test_policies_option_loads_a_folder_for_one_run(tmp_path: Path, run_inproc: Callable[..., Run]) -> None:
    folder = write_tree(tmp_path / "house", {"acme006.yaml": SECURITY})
    root = write_tree(tmp_path / "repo", {"pyproject.toml": "[project]\nname = 'app'\n"})
    run = run_inproc(root, "--policies", folder, "--select", "ACME006", "--format", "json")
    assert [(f["ruleId"], f["path"], f["line"]) for f in run.json()["findings"]] == [MISSING[:3]]
    missing = run_inproc(root, "--policies", tmp_path / "nowhere")
    assert (missing.code, missing.stderr) == (
        2, f"udef-audit: error: --policies: no such policy file or folder: {tmp_path / 'nowhere'}\n")


def test_waived_like_a_builtin(tmp_path: Path, run_inproc: Callable[..., Run]) -> None:
    waiver = ("\n[[tool.udef-audit.waivers]]\nrule = 'ACME006'\npath = 'pyproject.toml'\n"
              "reason = 'policy in the wiki'\nowner = 'team-a'\nexpires = 2999-01-31\n")
    run = run_inproc(_repo(tmp_path, pyproject=PYPROJECT + waiver), "--select", "ACME006", "--format", "json")
    assert run.code == 0
    assert [f["suppressions"] for f in run.json()["findings"]] == [
        [{"kind": "external", "justification": "waived until 2999-01-31 by team-a: policy in the wiki"}]]


def test_policy_docs_writes_a_page_per_policy(tmp_path: Path, run_inproc: Callable[..., Run]) -> None:
    policy = write_tree(tmp_path / "house", {"acme006.yaml": SECURITY + "docs: https://wiki.acme.example/sec\n"})
    run = run_inproc("policy", "docs", policy, "-o", tmp_path / "pages")
    assert run.code == 0
    page = tmp_path / "pages" / "ACME006-security-policy-present.md"
    assert str(page) in run.stdout.splitlines()
    text = page.read_text(encoding="utf-8")
    assert text.startswith("# ACME006 security-policy-present: A SECURITY.md says how to report a vulnerability\n")
    assert f"Custom policy: `{policy / 'acme006.yaml'}` · Docs: https://wiki.acme.example/sec" in text
    assert "## The check\n\n```yaml\nfiles:\n  exists:\n  - SECURITY.md\n  - .github/SECURITY.md\n```" in text
