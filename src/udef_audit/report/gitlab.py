"""GitLab Code Quality (`--format gitlab`): the JSON array GitLab reads from
`artifacts: reports: codequality` and shows in merge requests.

One issue per unsuppressed result: `description` (the rule and the message), `check_name`
(the rule ID), `fingerprint` (udef-audit's own: stable across line moves, so GitLab sees a
moved result as the same issue), `severity` (error → major, warning → minor, note → info),
`location.path` and `location.lines.begin`. Suppressed and baselined results are left out:
GitLab has no notion of a suppressed issue.
"""

from __future__ import annotations

import json
from typing import Any

from udef_audit.findings import Finding, Level
from udef_audit.result import AuditResult
from udef_audit.safe_text import inert_json, json_safe

SEVERITY = {Level.ERROR: "major", Level.WARNING: "minor", Level.NOTE: "info"}


def render_gitlab(result: AuditResult) -> str:
    """The Code Quality report as JSON text (paths quoted as in the JSON report)."""
    issues = [_issue(f, result) for f in result.active]
    return inert_json(json.dumps(json_safe(issues), ensure_ascii=False, indent=2))


def _issue(finding: Finding, result: AuditResult) -> dict[str, Any]:
    meta = result.policy.rules.get(finding.rule_id)
    name = f"{finding.rule_id} {meta.slug}" if meta else finding.rule_id
    return {
        "type": "issue",
        "description": f"{name}: {finding.message}",
        "check_name": finding.rule_id,
        "fingerprint": finding.fingerprint,
        "severity": SEVERITY[finding.level or Level.NOTE],
        "location": {"path": finding.path, "lines": {"begin": finding.line}},
    }
