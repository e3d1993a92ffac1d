"""The JSON report: a documented, versioned schema (docs/design/json-report.md and
`report/schema/report-v1.schema.json`). Additive changes keep `schemaVersion` 1.x."""

from __future__ import annotations

import json
from typing import Any

from udef_audit import __version__
from udef_audit.findings import AHEAD_OF_PHASE, Finding, Level
from udef_audit.report.summary import summary
from udef_audit.result import AuditResult
from udef_audit.safe_text import inert_json, json_safe

# 1.1: findings[].kind, gates; 1.2: udef/resetVsRepair.arithmetic; 1.3: findings[].aheadOfPhase
SCHEMA_VERSION = "1.3"


def render_json(result: AuditResult) -> str:
    """The report as JSON text (compact: indenting makes the json module use its slow
    pure-Python encoder; `jq .` pretty-prints it)."""
    return inert_json(json.dumps(json_report(result), ensure_ascii=False))


def json_report(result: AuditResult) -> dict[str, Any]:
    """The report as data, safe to encode: every `path` quoted as git quotes file names
    (lossless: `safe_text.unquote_path` gives the name back), and no undecodable byte of a
    file name left as a lone surrogate, which would make the UTF-8 write fail."""
    data: dict[str, Any] = json_safe(_report_data(result))
    return data


def _report_data(result: AuditResult) -> dict[str, Any]:
    policy = result.policy.rules
    return {
        "schemaVersion": SCHEMA_VERSION,
        "tool": {"name": "udef-audit", "version": __version__},
        "root": str(result.root),
        "summary": summary(result),
        "findings": [_finding(f, policy[f.rule_id].slug if f.rule_id in policy else "") for f in result.findings],
        "rules": [
            {"id": r, "slug": policy[r].slug, "level": result.rule_settings[r].level.value} for r in result.rules_run
        ],
        "notifications": [
            {"message": n.message, "ruleId": n.rule_id, "level": n.level.value} for n in result.notifications
        ],
        "gates": result.gates.to_dict() if result.gates else None,
        "properties": result.properties(),
        "stats": result.stats.to_dict(),
    }


def _finding(f: Finding, slug: str) -> dict[str, Any]:
    return {
        "ruleId": f.rule_id,
        "slug": slug,
        "level": (f.level or Level.NOTE).value,
        "message": f.message,
        "path": f.path,
        "line": f.line,
        "column": f.column,
        "fingerprint": f.fingerprint,
        "kind": f.kind or None,
        "aheadOfPhase": f.properties[AHEAD_OF_PHASE] if f.ahead_of_phase else None,
        "suppressed": f.suppressed,
        "suppressions": [{"kind": s.kind, "justification": s.justification} for s in f.suppressions],
    }
