"""The policy data: fixed IDs and slugs, the methodology's own words, docs in sync."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from importlib import resources
from pathlib import Path

import pytest
from conftest import REPO

from udef_audit import policy as policy_module
from udef_audit.policy import PolicyError, load_policy, packaged_policy_dir, parse_rule_meta
from udef_audit.report.rules_listing import readme_with_table, rule_markdown

METHODOLOGY = REPO / "docs" / "design" / "methodology.md"  # vendored word for word
# The contract's rule IDs and slugs (spec/rules.md: "Rule IDs and slugs below are fixed").
CONTRACT = dict(
    line.split(" ", 1)
    for line in (REPO / "tests" / "data" / "rule-ids.txt").read_text(encoding="utf-8").splitlines()
    if line and not line.startswith("#")
)
SHIPPED = sorted(load_policy().rules)


def _normalise(text: str) -> str:
    return " ".join(text.replace("**", "").split())


def test_ids_and_slugs_are_the_contract() -> None:
    # Every shipped rule is a contract rule under its contract slug; none is ever renamed.
    assert {rid: load_policy().rules[rid].slug for rid in SHIPPED} == {rid: CONTRACT.get(rid) for rid in SHIPPED}
    assert {"UDEF000", "UDEF001", "UDEF007"} <= set(SHIPPED)


def test_each_yaml_is_named_by_id_and_slug() -> None:
    names = sorted(p.name for p in (REPO / "rules").glob("UDEF*.yaml"))
    assert names == [f"{rid}-{CONTRACT[rid]}.yaml" for rid in SHIPPED]


@pytest.mark.parametrize("rule_id", SHIPPED)
def test_methodology_quotes_are_verbatim(rule_id: str) -> None:
    source = _normalise(METHODOLOGY.read_text(encoding="utf-8"))
    quotes = re.findall(r'"([^"]+)"', load_policy().rules[rule_id].methodology)
    assert quotes, f"{rule_id} quotes nothing"
    for quote in quotes:
        assert _normalise(quote) in source, quote


def test_readme_rules_table_matches_the_policy() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert readme_with_table(readme, load_policy()) == readme, (
        "README.md's rules table is stale: run `python -m udef_audit.report.rules_listing docs/rules README.md`"
    )
    assert "| [UDEF004](docs/rules/UDEF004-docker-stages-share-base.md) |" in readme


@pytest.mark.requirement("engine:FR-09")
def test_docs_pages_match_the_policy() -> None:
    for meta in load_policy().rules.values():
        page = REPO / "docs" / "rules" / f"{meta.docs_name}.md"
        assert page.read_text(encoding="utf-8") == rule_markdown(meta), (
            f"{page} is stale: run `python -m udef_audit.report.rules_listing docs/rules`"
        )


@pytest.mark.requirement("engine:FR-09")
def test_bad_rule_data_is_rejected() -> None:
    good = {
        k: "x"
        for k in ("title", "chapter", "section", "category", "summary", "methodology", "what", "why", "example", "fix")
    }
    good |= {"id": "ACME001", "slug": "acme-rule", "level": "error", "scope": "file"}
    assert parse_rule_meta(good).id == "ACME001"
    assert parse_rule_meta(good).reads_every_python_file is False
    assert parse_rule_meta({**good, "reads-every-python-file": True}).reads_every_python_file is True
    for broken in (
        {**good, "reads-every-python-file": "yes"},
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


@pytest.mark.requirement("engine:FR-09")
@pytest.mark.slow
def test_wheel_ships_the_policy(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(tmp_path), str(REPO)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("udef_audit-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    shipped = {n.removeprefix("udef_audit/policy/") for n in names if n.startswith("udef_audit/policy/")}
    assert {f"{rid}-{CONTRACT[rid]}.yaml" for rid in SHIPPED} <= shipped
    assert {p.name for p in (REPO / "rules").iterdir()} == shipped
    assert "udef_audit/report/schema/report-v1.schema.json" in names
    # The org report's templates are package data too: batch --html fails without them.
    templates = REPO / "src/udef_audit/report/templates"
    shipped = {n.removeprefix("udef_audit/report/templates/") for n in names if n.endswith(".j2")}
    assert "org.html.j2" in shipped
    assert shipped == {path.name for path in templates.glob("*.j2")}


def test_the_cached_policy_is_the_parsed_one_and_follows_edits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UDEF_AUDIT_CACHE_DIR", str(tmp_path / "cache"))
    extra = tmp_path / "plugin"
    extra.mkdir()
    source = (REPO / "rules" / "UDEF006-no-placeholders.yaml").read_text(encoding="utf-8")
    rule = source.replace("id: UDEF006", "id: ACME001").replace("slug: no-placeholders", "slug: acme-placeholders")
    (extra / "ACME001-acme-placeholders.yaml").write_text(rule, encoding="utf-8")
    parsed = load_policy([extra])
    assert load_policy([extra], use_cache=True) == parsed

    def refuse(_raw: bytes) -> object:
        raise AssertionError("parsed again")

    monkeypatch.setattr("udef_audit.parsers.yaml_file.load_yaml", refuse)
    assert load_policy([extra], use_cache=True) == parsed  # every file from the cache
    (extra / "ACME001-acme-placeholders.yaml").write_text(rule.replace("level: error", "level: note"), encoding="utf-8")
    with pytest.raises(AssertionError, match="parsed again"):
        load_policy([extra], use_cache=True)  # the edited file is parsed, not served stale


def test_the_policy_folder_is_found_beside_the_module_or_in_the_checkout(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert packaged_policy_dir() == REPO / "rules"  # an editable install: the checkout's rules/
    module = tmp_path / "site-packages" / "udef_audit" / "policy.py"
    (module.parent / "policy").mkdir(parents=True)
    module.write_text("")
    monkeypatch.setattr(policy_module, "__file__", str(module))
    assert packaged_policy_dir() == module.parent / "policy"  # a wheel: beside the module
    monkeypatch.setattr(policy_module, "__file__", str(tmp_path / "udef.zip" / "udef_audit" / "policy.py"))
    assert packaged_policy_dir() == resources.files("udef_audit") / "policy"  # not on disk: importlib


# --- the files a rule declares it reads (`files:`): what `--files` skips ------------------------


@pytest.mark.parametrize(
    ("rule_id", "paths", "reads"),
    [
        ("UDEF004", ["Dockerfile"], True),
        ("UDEF004", ["deploy/DOCKERFILE.test"], True),  # any letter case, any depth
        ("UDEF004", ["images/api.containerfile"], True),
        ("UDEF004", ["app.py", "README.md"], False),
        ("UDEF004", ["compose.yaml", "docker/entrypoint.sh"], False),
        ("UDEF005", ["tools/scripts/bootstrap"], True),  # **/scripts/*
        ("UDEF005", ["docs/install.md"], True),
        ("UDEF005", ["pyproject.toml"], False),
        ("UDEF006", ["pkg/types.pyi"], True),
        ("UDEF006", [], False),
        ("UDEF001", ["anything.txt"], True),  # declares no files: it may read any
    ],
)
def test_a_rule_reads_the_files_its_yaml_declares(rule_id: str, paths: list[str], reads: bool) -> None:
    assert load_policy().rules[rule_id].reads_any(paths) is reads
