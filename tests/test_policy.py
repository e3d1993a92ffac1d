"""The policy data: fixed IDs and slugs, the methodology's own words, docs in sync."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import REPO

from udef_audit.policy import PolicyError, load_policy, parse_rule_meta
from udef_audit.report.rules_listing import rule_markdown

METHODOLOGY = REPO.parent / "shared" / "methodology" / "UDEF.md"
CONTRACT = {  # spec/rules.md: "Rule IDs and slugs below are fixed"
    "UDEF000": "unparseable-file",
    "UDEF001": "src-layout",
    "UDEF002": "single-dependency-source",
    "UDEF003": "lockfile-present",
    "UDEF004": "docker-stages-share-base",
    "UDEF005": "no-pip-no-deps",
    "UDEF006": "no-placeholders",
    "UDEF007": "docs-design-separated",
}


def _normalise(text: str) -> str:
    return " ".join(text.replace("**", "").split())


def test_ids_and_slugs_are_the_contract() -> None:
    assert {rid: meta.slug for rid, meta in load_policy().rules.items()} == CONTRACT


def test_each_yaml_is_named_by_id_and_slug() -> None:
    names = sorted(p.name for p in (REPO / "rules").glob("UDEF*.yaml"))
    assert names == [f"{rid}-{slug}.yaml" for rid, slug in sorted(CONTRACT.items())]


@pytest.mark.parametrize("rule_id", sorted(CONTRACT))
def test_methodology_quotes_are_verbatim(rule_id: str) -> None:
    if not METHODOLOGY.exists():
        pytest.skip("methodology not beside this checkout")
    source = _normalise(METHODOLOGY.read_text(encoding="utf-8"))
    quotes = re.findall(r'"([^"]+)"', load_policy().rules[rule_id].methodology)
    assert quotes, f"{rule_id} quotes nothing"
    for quote in quotes:
        assert _normalise(quote) in source, quote


def test_docs_pages_match_the_policy() -> None:
    for meta in load_policy().rules.values():
        page = REPO / "docs" / "rules" / f"{meta.docs_name}.md"
        assert page.read_text(encoding="utf-8") == rule_markdown(meta), (
            f"{page} is stale: run `python -m udef_audit.report.rules_listing docs/rules`"
        )


def test_bad_rule_data_is_rejected() -> None:
    good = {
        k: "x"
        for k in ("title", "chapter", "section", "category", "summary", "methodology", "what", "why", "example", "fix")
    }
    good |= {"id": "ACME001", "slug": "acme-rule", "level": "error", "scope": "file"}
    assert parse_rule_meta(good).id == "ACME001"
    for broken in (
        {**good, "level": "fatal"},
        {**good, "id": "acme"},
        {**good, "slug": "Bad Slug"},
        {**good, "extra": 1},
        {**good, "why": ""},
        {**good, "parameters": {"n": {"type": "int", "default": "three"}}},
        {**good, "phase": 6},
        {**good, "phase": "Phase 0"},
        {**good, "profile": "daemon"},
        {**good, "kinds": {"Bad Kind": {"summary": "x"}}},
        {**good, "kinds": {"stub": {"summary": "x", "weight": 3}}},
    ):
        with pytest.raises(PolicyError):
            parse_rule_meta(broken)


@pytest.mark.slow
def test_wheel_ships_the_policy(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(tmp_path), str(REPO)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("udef_audit-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert sorted(n for n in names if n.startswith("udef_audit/policy/")) == sorted(
        f"udef_audit/policy/{rid}-{slug}.yaml" for rid, slug in CONTRACT.items()
    ) + sorted(n for n in names if n.startswith("udef_audit/policy/") and not n.split("/")[-1].startswith("UDEF"))
    assert "udef_audit/report/schema/report-v1.schema.json" in names
