"""SARIF 2.1.0 for GitHub code scanning (see docs/adr/0002-sarif.md for each choice).

Every result has a location (missing-thing findings point at the file that owns the fix,
line 1), its own fingerprint, and a rule entry with descriptions and help; all rules of
the run are listed, passing ones too; the category is fixed by automationDetails.id.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from udef_audit import __version__
from udef_audit.findings import Finding, Level
from udef_audit.fix.model import FindingFix
from udef_audit.policy import RuleMeta
from udef_audit.report.rules_listing import help_uri, rule_markdown, rule_text
from udef_audit.result import AuditResult
from udef_audit.safe_text import inert_json, json_safe

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/udef-audit/udef-audit"
CATEGORY = "udef-audit/"
SEVERITY = {Level.ERROR: "error", Level.WARNING: "warning", Level.NOTE: "recommendation"}


def render_sarif(result: AuditResult) -> str:
    """The SARIF log as JSON text (compact, for the C encoder's speed)."""
    return inert_json(json.dumps(sarif_log(result), ensure_ascii=False))


def sarif_log(result: AuditResult) -> dict[str, Any]:
    """The SARIF log as data."""
    rules = _reported_rules(result)
    index = {meta.id: i for i, meta in enumerate(rules)}
    run: dict[str, Any] = {
        "tool": {"driver": _driver(rules, result)},
        "automationDetails": {"id": CATEGORY},
        "originalUriBaseIds": {"%SRCROOT%": {"uri": result.root.as_uri() + "/"}},
        "columnKind": "unicodeCodePoints",
        "invocations": [_invocation(result)],
        "results": [_result(f, index, result.fixes.get(f.fingerprint)) for f in result.findings],
        "properties": result.properties(),
    }
    # No lone surrogate (an undecodable byte of a file name) survives: the UTF-8 write
    # cannot fail. The location's URI percent-encodes the name's raw bytes (lossless).
    log: dict[str, Any] = json_safe({"$schema": SCHEMA, "version": "2.1.0", "runs": [run]})
    return log


def _reported_rules(result: AuditResult) -> list[RuleMeta]:
    """Every rule of the run (passing ones too), plus any rule a result refers to."""
    ids = set(result.rules_run) | {f.rule_id for f in result.findings} | set(result.rule_settings)
    return [result.policy.rules[i] for i in sorted(ids) if i in result.policy.rules]


def _driver(rules: list[RuleMeta], result: AuditResult) -> dict[str, Any]:
    return {
        "name": "udef-audit",
        "semanticVersion": __version__,
        "version": __version__,
        "informationUri": INFORMATION_URI,
        "rules": [_rule(meta, result) for meta in rules],
    }


def _rule(meta: RuleMeta, result: AuditResult) -> dict[str, Any]:
    settings = result.rule_settings.get(meta.id)
    level = settings.level if settings else meta.level
    uri = help_uri(meta)
    return {
        "id": meta.id,
        "name": "".join(part.capitalize() for part in meta.slug.split("-")),
        "shortDescription": {"text": meta.title},
        "fullDescription": {"text": meta.summary[:1024]},
        "help": {"text": rule_text(meta), "markdown": rule_markdown(meta)},
        **({"helpUri": uri} if uri else {}),
        "defaultConfiguration": {"level": level.value},
        "properties": {
            "tags": list(dict.fromkeys(["udef", *(["custom-policy"] if meta.origin else []), meta.category,
                                        *meta.tags]))[:20],
            "precision": meta.precision,
            "problem.severity": SEVERITY[level],
            "udef/slug": meta.slug,
            "udef/phase": meta.phase,
        },
    }


def _result(finding: Finding, index: dict[str, int], fix: FindingFix | None = None) -> dict[str, Any]:
    region: dict[str, int] = {"startLine": max(1, finding.line)}
    if finding.column:
        region["startColumn"] = max(1, finding.column)
    out: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "level": (finding.level or Level.NOTE).value,
        "message": {"text": finding.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": file_uri(finding.path), "uriBaseId": "%SRCROOT%"},
                    "region": region,
                }
            }
        ],
        "partialFingerprints": {
            "primaryLocationLineHash": finding.fingerprint,
            "udef/v1": finding.fingerprint,
        },
    }
    if finding.rule_id in index:
        out["ruleIndex"] = index[finding.rule_id]
    if finding.suppressions:
        out["suppressions"] = [{"kind": s.kind, "justification": s.justification} for s in finding.suppressions]
    properties = {**({"udef/kind": finding.kind} if finding.kind else {}), **finding.properties}
    _add_fix(out, properties, fix)
    if properties:
        out["properties"] = properties
    return out


def _add_fix(out: dict[str, Any], properties: dict[str, Any], fix: FindingFix | None) -> None:
    if fix is not None:
        properties["udef/fixSafety"] = fix.safety
        if fix.text_edits is not None:  # SARIF carries only text edits, not files created or moved
            out["fixes"] = [_fix(fix)]


def _fix(fix: FindingFix) -> dict[str, Any]:
    return {
        "description": {"text": fix.description},
        "artifactChanges": [
            {
                "artifactLocation": {"uri": file_uri(change.path), "uriBaseId": "%SRCROOT%"},
                "replacements": [
                    {
                        "deletedRegion": {
                            "startLine": edit.start_line,
                            "startColumn": edit.start_column,
                            "endLine": edit.end_line,
                            "endColumn": edit.end_column,
                        },
                        "insertedContent": {"text": edit.text},
                    }
                    for edit in change.edits
                ],
            }
            for change in fix.text_edits or ()
        ],
    }


def file_uri(path: str) -> str:
    """A relative URI for a repository path: its raw bytes percent-encoded, so a name that is
    not UTF-8 stays exact (`%FF`) and one with `#`, `?` or a space stays one path."""
    return quote(path.encode("utf-8", "surrogateescape"), safe="/")


def _invocation(result: AuditResult) -> dict[str, Any]:
    notes = [
        {
            "level": n.level.value,
            "message": {"text": n.message},
            **({"associatedRule": {"id": n.rule_id}} if n.rule_id else {}),
            **({"exception": {"message": n.exception}} if n.exception else {}),
        }
        for n in result.notifications
    ]
    return {
        "executionSuccessful": not result.tool_failed,
        "toolExecutionNotifications": notes,
    }
