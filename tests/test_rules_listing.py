"""`udef-audit rules` in every format, and the docs generator."""

from __future__ import annotations

import json
from pathlib import Path

from udef_audit.policy import load_policy
from udef_audit.report.rules_listing import listing, rule_markdown, write_docs


def test_listing_formats(run_cli) -> None:
    as_json = json.loads(run_cli("rules", "--format", "json").stdout)
    assert [r["id"] for r in as_json] == list(load_policy().rules)
    placeholders = next(r for r in as_json if r["id"] == "UDEF006")
    assert placeholders["parameters"] == {"words": ["TODO", "FIXME", "XXX"], "extra-words": []}
    markdown = run_cli("rules", "--format", "markdown").stdout
    assert "| [UDEF004](UDEF004-docker-stages-share-base.md) | `docker-stages-share-base` | error |" in markdown
    explained = run_cli("explain", "UDEF006", "--format", "markdown").stdout
    assert explained.startswith("# UDEF006 no-placeholders") and "## Settings" in explained


def test_write_docs(tmp_path: Path) -> None:
    policy = load_policy()
    written = write_docs(tmp_path / "rules", policy)
    assert len(written) == len(policy.rules)
    assert (tmp_path / "rules" / "UDEF001-src-layout.md").read_text() == rule_markdown(policy.rules["UDEF001"])
    assert (tmp_path / "rules" / "README.md").read_text().startswith("# Rules\n\n" + listing(policy, "markdown")[:20])
