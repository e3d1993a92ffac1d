"""The audit service: a plain result, profiles, declared phases, kinds, one read per file."""

from __future__ import annotations

import pickle
from collections import Counter
from pathlib import Path

import pytest

from udef_audit import context_files as context_module  # where files are read
from udef_audit.config import ConfigError
from udef_audit.findings import AHEAD_OF_PHASE, Level
from udef_audit.request import AuditRequest
from udef_audit.service import audit, exit_code
from udef_audit.testing import audit_tree, check, rows, write_tree

FLAT_APP = {
    "pyproject.toml": "[project]\nname = 'app'\nversion = '1'\ndependencies = []\n",
    "app/__init__.py": "# TODO: split\n",
}


def test_the_result_is_plain_data(tmp_path: Path) -> None:
    result = audit_tree(FLAT_APP, tmp_path, score=True)
    # No live context or config: a result crosses a process boundary as it is.
    copy = pickle.loads(pickle.dumps(result))  # noqa: S301 - our own bytes, just made
    assert copy.findings == result.findings and copy.score == result.score
    assert not hasattr(result, "context") and not hasattr(result, "config")
    assert rows(result.findings) == [
        ("UDEF001", "app/__init__.py", 1, None),
        ("UDEF006", "app/__init__.py", 1, 3),
        ("UDEF003", "pyproject.toml", 1, None),
        ("UDEF007", "pyproject.toml", 1, None),
        ("UDEF010", "pyproject.toml", 1, None),
        ("UDEF011", "pyproject.toml", 1, None),
        ("UDEF012", "pyproject.toml", 1, None),
        ("UDEF016", "pyproject.toml", 1, None),
        ("UDEF017", "pyproject.toml", 1, None),
        ("UDEF020", "pyproject.toml", 1, None),
        ("UDEF021", "pyproject.toml", 1, None),
        ("UDEF021", "pyproject.toml", 1, None),
        ("UDEF022", "pyproject.toml", 1, None),
        ("UDEF025", "pyproject.toml", 1, None),
    ]
    assert exit_code(result) == 1


def test_kinds_are_what_the_rule_declares(tmp_path: Path) -> None:
    mixed = {**FLAT_APP, "src/lib/__init__.py": ""}
    assert [f.kind for f in check("UDEF001", mixed, tmp_path)] == ["mixed-layout"]
    assert [f.kind for f in check("UDEF001", FLAT_APP, tmp_path / "flat")] == ["flat-layout"]


def test_profile_is_inferred_with_its_reason(tmp_path: Path) -> None:
    library = audit_tree(FLAT_APP, tmp_path / "lib")
    assert (library.profile.kind, library.profile.source) == ("library", "inferred")
    service = audit_tree({**FLAT_APP, "deploy/Dockerfile": "FROM python:3.12\n"}, tmp_path / "svc")
    assert service.profile.describe() == "service: Dockerfile at deploy/Dockerfile"
    django = audit_tree({**FLAT_APP, "manage.py": ""}, tmp_path / "django")
    assert django.profile.describe() == "service: Django manage.py at manage.py"
    uvicorn = {"pyproject.toml": "[project]\nname = 'a'\nversion = '1'\ndependencies = ['Uvicorn[standard]>=0.30']\n"}
    assert audit_tree(uvicorn, tmp_path / "asgi").profile.describe() == (
        "service: depends on the application server uvicorn (pyproject.toml)"
    )


@pytest.mark.parametrize(
    "name", ["src/app/dockerfile.py", "Dockerfile.md", "docker/Dockerfile.j2", "Dockerfile.dockerignore"]
)
def test_files_about_dockerfiles_make_no_service(tmp_path: Path, name: str) -> None:
    assert audit_tree({**FLAT_APP, name: "FROM x\n"}, tmp_path).profile.kind == "library"


@pytest.mark.parametrize("name", ["dockerfile", "Dockerfile.prod", "dockerfile.dev", "api.Containerfile"])
def test_dockerfile_names_in_any_case_make_a_service(tmp_path: Path, name: str) -> None:
    assert audit_tree({**FLAT_APP, name: "FROM x\n"}, tmp_path).profile.describe().startswith("service: ")


def test_a_dockerfile_among_tests_or_a_dev_container_makes_no_service(tmp_path: Path) -> None:
    tree = {**FLAT_APP, "tests/fixtures/Dockerfile": "FROM x\n", ".devcontainer/Dockerfile": "FROM x\n"}
    assert audit_tree(tree, tmp_path).profile.kind == "library"


def test_configured_profile_wins(tmp_path: Path) -> None:
    tree = {**FLAT_APP, "pyproject.toml": FLAT_APP["pyproject.toml"] + "[tool.udef-audit]\nprofile = 'service'\n"}
    profile = audit_tree(tree, tmp_path).profile
    assert profile.to_dict() == {
        "profile": "service",
        "source": "config",
        "reason": "set by `profile` in pyproject.toml [tool.udef-audit]",
    }


def test_declared_phase_lowers_later_rules_to_notes_that_never_fail(tmp_path: Path) -> None:
    tree = {**FLAT_APP, "pyproject.toml": FLAT_APP["pyproject.toml"] + "[tool.udef-audit]\nphase = 0\n"}
    result = audit_tree(tree, tmp_path, select=("UDEF006",), fail_on="note")
    (placeholder,) = result.findings
    assert placeholder.level is Level.NOTE and placeholder.properties[AHEAD_OF_PHASE] == 2
    assert result.fails() is False and exit_code(result) == 0
    without_phase = audit_tree(FLAT_APP, tmp_path / "plain", select=("UDEF006",))
    assert without_phase.findings[0].level is Level.ERROR


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("phase = 7", "'phase' must be a methodology phase, an integer from 0 to 5"),
        ("phase = '2'", "'phase' must be a methodology phase"),
        ("profile = 'daemon'", "'profile' must be \"service\" or \"library\", not 'daemon'"),
    ],
)
def test_bad_profile_or_phase_is_a_config_error(tmp_path: Path, setting: str, message: str) -> None:
    write_tree(tmp_path, {"pyproject.toml": f"[tool.udef-audit]\n{setting}\n"})
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        audit(AuditRequest(path=tmp_path, use_cache=False))


@pytest.mark.requirement("engine:FR-07")
def test_each_file_is_read_once_per_audit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reads: Counter[str] = Counter()
    real = context_module.read_regular_file

    def counting(root: Path, rel: str, limit: int) -> bytes:
        reads[rel] += 1
        return real(root, rel, limit)

    monkeypatch.setattr(context_module, "read_regular_file", counting)
    tree = {
        **FLAT_APP,
        "requirements.txt": "flask\n-r requirements-dev.txt\n",
        "requirements-dev.txt": "pytest\n",
        "setup.py": "from setuptools import setup\nsetup(install_requires=['x'])\n",
        "Dockerfile": "FROM python:3.12 AS runtime\nRUN pip install --no-deps flask\nFROM runtime AS test\n",
        "docs/guide.md": "Run `pip install --no-deps x`.\n",
    }
    audit_tree(tree, tmp_path, score=True)
    assert reads and max(reads.values()) == 1, reads


def test_rules_reading_every_python_file_run_last_and_report_in_rule_order(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # They wait for the Python scan, which runs in worker processes while the others run;
    # what the audit reports, failures included, keeps the rules' order.
    from udef_audit import rule_runs
    from udef_audit.rules.udef006_no_placeholders import NoPlaceholders
    from udef_audit.rules.udef026_docs_links_resolve import DocsLinksResolveRule

    ran: list[str] = []
    produce = rule_runs._produce
    monkeypatch.setattr(rule_runs, "_produce", lambda ctx, rule, rule_id, **kw: ran.append(rule_id) or produce(
        ctx, rule, rule_id, **kw))
    tree = {
        "pkg/__init__.py": "def f():\n    pass  # TODO: later\n",
        "Dockerfile": "FROM python:3.12\nRUN pip install --no-deps .\n",
        "docs/notes.md": "[gone](missing.md)\n",
    }
    chosen = ("UDEF001", "UDEF005", "UDEF006", "UDEF012", "UDEF026")
    result = audit_tree(tree, tmp_path, select=chosen)
    assert ran == ["UDEF001", "UDEF026", "UDEF005", "UDEF006", "UDEF012"]
    assert rows(result.findings) == [
        ("UDEF005", "Dockerfile", 2, 17), ("UDEF026", "docs/notes.md", 1, 1), ("UDEF001", "pkg/__init__.py", 1, None),
        ("UDEF012", "pkg/__init__.py", 1, None), ("UDEF006", "pkg/__init__.py", 2, 13),
    ]

    def fails(self: object, ctx: object, params: object) -> None:
        raise RuntimeError("broken")

    monkeypatch.setattr(NoPlaceholders, "check", fails)
    monkeypatch.setattr(DocsLinksResolveRule, "check", fails)
    failed = audit_tree(tree, tmp_path / "again", select=chosen)
    assert [note.rule_id for note in failed.notifications] == ["UDEF006", "UDEF026"]
