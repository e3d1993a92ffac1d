"""JUnit XML (`--format junit`), for CI systems that show test reports (GitLab, Jenkins,
Azure, CircleCI): one test suite per rule that ran, one test case per result.

A result at or above the fail level is a `<failure>`; a result below it passes (its message
in `<system-out>`); a suppressed or baselined result is `<skipped>` with the reason; a rule
without results is one passing case, so a dashboard shows what was checked. A tool error
(a rule that failed) is an `<error>` in a suite of its own. Repository strings go through
`escape_text`, so no character that XML 1.0 forbids (controls, lone surrogates) is written,
and ElementTree escapes the markup.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict

from udef_audit.findings import Finding, Level
from udef_audit.policy import RuleMeta
from udef_audit.report.rules_listing import help_uri
from udef_audit.result import AuditResult
from udef_audit.safe_text import escape_text


def render_junit(result: AuditResult) -> str:
    """The report as a JUnit XML document."""
    fail_rank = _fail_rank(result.settings.fail_on)
    by_rule: dict[str, list[Finding]] = defaultdict(list)
    for finding in result.findings:
        by_rule[finding.rule_id].append(finding)
    root = ET.Element("testsuites", name="udef-audit", time=f"{result.stats.seconds:g}")
    for rule_id in sorted(set(result.rules_run) | set(by_rule)):
        root.append(_suite(rule_id, by_rule.get(rule_id, []), result, fail_rank))
    if result.notifications:
        root.append(_tool_suite(result))
    suites = list(root)
    for name in ("tests", "failures", "errors"):
        root.set(name, str(sum(int(suite.get(name, "0")) for suite in suites)))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")


def _fail_rank(fail_on: str) -> int:
    return 99 if fail_on == "never" else Level(fail_on).rank


def _suite(rule_id: str, findings: list[Finding], result: AuditResult, fail_rank: int) -> ET.Element:
    meta = result.policy.rules.get(rule_id)
    suite = ET.Element("testsuite", name=f"{rule_id} {meta.slug}" if meta else rule_id)
    failures = sum(_case(suite, finding, meta, fail_rank) for finding in findings)
    if not findings:
        ET.SubElement(suite, "testcase", name=meta.title if meta else rule_id, classname=f"udef-audit.{rule_id}")
    suite.set("tests", str(len(suite)))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    suite.set("skipped", str(sum(1 for f in findings if f.suppressed)))
    return suite


def _case(suite: ET.Element, finding: Finding, meta: RuleMeta | None, fail_rank: int) -> int:
    """One result as a test case in `suite`: skipped, failed or passed with output; 1 when
    it is a failure."""
    case = ET.SubElement(
        suite,
        "testcase",
        name=_where(finding),
        classname=f"udef-audit.{finding.rule_id}",
        file=escape_text(finding.path),
        line=str(finding.line),
    )
    level = finding.level or Level.NOTE
    text = escape_text(finding.message) + (f"\n{help_uri(meta)}" if meta else "")
    if finding.suppressed:
        ET.SubElement(case, "skipped", message=escape_text(finding.suppressions[0].justification))
        return 0
    if level.rank >= fail_rank and not finding.ahead_of_phase:
        failure = ET.SubElement(case, "failure", message=escape_text(finding.message), type=level.value)
        failure.text = text
        return 1
    ET.SubElement(case, "system-out").text = f"{level.value}: {text}"
    return 0


def _where(finding: Finding) -> str:
    column = f":{finding.column}" if finding.column else ""
    return f"{escape_text(finding.path)}:{finding.line}{column}"


def _tool_suite(result: AuditResult) -> ET.Element:
    suite = ET.Element("testsuite", name="udef-audit tool")
    errors = 0
    for number, note in enumerate(result.notifications, start=1):
        case = ET.SubElement(suite, "testcase", name=f"notice {number}", classname="udef-audit.tool")
        if note.level is Level.ERROR:
            ET.SubElement(case, "error", message=escape_text(note.message), type="tool error")
            errors += 1
        else:
            ET.SubElement(case, "system-out").text = f"policy: {escape_text(note.message)}"
    suite.set("tests", str(len(suite)))
    suite.set("failures", "0")
    suite.set("errors", str(errors))
    return suite
