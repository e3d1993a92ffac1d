"""Counts shared by every reporter."""

from __future__ import annotations

from collections import Counter
from typing import Any

from udef_audit.engine import AuditResult


def summary(result: AuditResult) -> dict[str, Any]:
    """Totals by level (unsuppressed), suppressed count, and the pass/fail verdict."""
    levels = Counter((f.level.value if f.level else "note") for f in result.active)
    return {
        "error": levels.get("error", 0),
        "warning": levels.get("warning", 0),
        "note": levels.get("note", 0),
        "suppressed": sum(1 for f in result.findings if f.suppressed),
        "total": len(result.findings),
        "failOn": result.config.fail_on,
        "failed": result.fails(result.config.fail_on),
        "toolErrors": len(result.notifications),
    }
