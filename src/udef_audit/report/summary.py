"""Counts shared by every reporter."""

from __future__ import annotations

from typing import Any

from udef_audit.result import AuditResult


def summary(result: AuditResult) -> dict[str, Any]:
    """Totals by level (unsuppressed), suppressed count, and the pass/fail verdict."""
    return {
        **result.counts(),
        "failOn": result.settings.fail_on,
        "failed": result.fails(),
        "toolErrors": len(result.notifications),
    }
