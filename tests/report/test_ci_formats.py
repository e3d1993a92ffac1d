"""The CI formats: GitHub workflow commands, JUnit XML (validated against Jenkins' junit-10
XSD) and GitLab Code Quality (validated against GitLab's own schema and its documented
fields), each on the same small repository, exactly; and on hostile file names."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
import xmlschema
from conftest import REPO

from udef_audit.report import render
from udef_audit.report.github import escape_data, escape_property
from udef_audit.result import AuditResult
from udef_audit.testing import audit_tree

JUNIT_XSD = xmlschema.XMLSchema(REPO / "tests/data/junit/junit-10.xsd")
GITLAB_SCHEMA = json.loads((REPO / "tests/data/gitlab/codeclimate.json").read_text())
DOCS = "https://github.com/udef-audit/udef-audit/blob/main/docs/rules/"
TREE = {
    "pyproject.toml": "[project]\nname='a'\nversion='1'\n",
    "src/a/__init__.py": (
        "x = 1  # TODO: a, b: c%\n"
        "y = 2  # FIXME  # udef: ignore[UDEF006] -- later\n"
        "z = 3  # udef: ignore[UDEF006]\n"
    ),
}


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> AuditResult:
    return audit_tree(TREE, tmp_path_factory.mktemp("ci"), select=("UDEF006", "UDEF007", "UDEF090"))


def test_github_annotations(result: AuditResult) -> None:
    assert render(result, "github").splitlines() == [
        "::warning file=pyproject.toml,line=1,title=UDEF007 docs-design-separated::docs/ is missing (or empty): "
        "create docs/design/ for the specifications and docs/reports/ for the implementation reports. "
        f"({DOCS}UDEF007-docs-design-separated.md)",
        "::error file=src/a/__init__.py,line=1,col=10,title=UDEF006 no-placeholders::"
        f"TODO in a comment: # TODO: a, b: c%25. ({DOCS}UDEF006-no-placeholders.md)",
        "::notice file=src/a/__init__.py,line=3,col=8,title=UDEF090 unused-suppression::Unused suppression: "
        f"`udef: ignore[UDEF006]` suppresses nothing on this line. Remove it. ({DOCS}UDEF090-unused-suppression.md)",
    ]  # the suppressed placeholder on line 2 is not printed


def test_github_escaping() -> None:
    assert escape_data("50% done\r\nnext") == "50%25 done\\r\\nnext"  # controls made visible first
    assert escape_property("a:b,c%d") == "a%3Ab%2Cc%25d"
    assert escape_data("ends\x1b]0;x\x07") == "ends\\x1b]0;x\\a"


def test_junit_is_valid_and_exact(result: AuditResult) -> None:
    text = render(result, "junit")
    JUNIT_XSD.validate(text)
    root = ET.fromstring(text)  # noqa: S314 - our own output
    assert root.attrib | {"time": "t"} == {"name": "udef-audit", "time": "t", "tests": "4", "failures": "1",
                                           "errors": "0"}
    suites = [(s.get("name"), s.get("tests"), s.get("failures"), s.get("skipped")) for s in root]
    assert suites == [
        ("UDEF006 no-placeholders", "2", "1", "1"),
        ("UDEF007 docs-design-separated", "1", "0", "0"),
        ("UDEF090 unused-suppression", "1", "0", "0"),
    ]
    cases = [(c.get("name"), c.get("classname"), [child.tag for child in c]) for c in root.iter("testcase")]
    assert cases == [
        ("src/a/__init__.py:1:10", "udef-audit.UDEF006", ["failure"]),
        ("src/a/__init__.py:2:10", "udef-audit.UDEF006", ["skipped"]),
        ("pyproject.toml:1", "udef-audit.UDEF007", ["system-out"]),
        ("src/a/__init__.py:3:8", "udef-audit.UDEF090", ["system-out"]),
    ]
    failure = root.find("testsuite/testcase/failure")
    assert failure is not None
    assert failure.attrib == {"message": "TODO in a comment: # TODO: a, b: c%.", "type": "error"}
    assert failure.text == f"TODO in a comment: # TODO: a, b: c%.\n{DOCS}UDEF006-no-placeholders.md"
    skipped = root.find("testsuite/testcase/skipped")
    assert skipped is not None and skipped.get("message") == "later"


def test_junit_follows_the_fail_level(tmp_path: Path) -> None:
    strict = audit_tree(TREE, tmp_path, select=("UDEF006", "UDEF007", "UDEF090"), fail_on="warning")
    root = ET.fromstring(render(strict, "junit"))  # noqa: S314 - our own output
    assert root.get("failures") == "2"
    clean = audit_tree({"pyproject.toml": TREE["pyproject.toml"]}, tmp_path / "clean", select=("UDEF006",))
    text = render(clean, "junit")
    JUNIT_XSD.validate(text)
    (case,) = ET.fromstring(text).iter("testcase")  # noqa: S314 - our own output
    assert (case.get("name"), list(case)) == ("Zero placeholders in committed code", [])


def test_gitlab_code_quality(result: AuditResult) -> None:
    issues = json.loads(render(result, "gitlab"))
    for issue in issues:
        jsonschema.validate(issue, GITLAB_SCHEMA)
        # What GitLab's documentation requires beyond its permissive schema.
        assert {"description", "check_name", "fingerprint", "severity", "location"} <= set(issue)
        assert issue["severity"] in ("info", "minor", "major", "critical", "blocker")
        assert isinstance(issue["location"]["path"], str) and issue["location"]["lines"]["begin"] >= 1
    where = [(i["check_name"], i["severity"], i["location"]["path"], i["location"]["lines"]["begin"]) for i in issues]
    assert where == [
        ("UDEF007", "minor", "pyproject.toml", 1),
        ("UDEF006", "major", "src/a/__init__.py", 1),
        ("UDEF090", "info", "src/a/__init__.py", 3),
    ]
    assert issues[1]["description"] == "UDEF006 no-placeholders: TODO in a comment: # TODO: a, b: c%."
    todo = next(f for f in result.findings if f.line == 1 and f.rule_id == "UDEF006")
    assert issues[1]["fingerprint"] == todo.fingerprint
    assert len({i["fingerprint"] for i in issues}) == len(issues)


def test_hostile_names_stay_inert_in_every_ci_format(tmp_path: Path) -> None:
    name = "a,b:c%d\x1b[31m\u202e.py"
    hostile = audit_tree({**TREE, name: "# TODO: x\n"}, tmp_path, select=("UDEF006",))
    github = render(hostile, "github").splitlines()
    assert "::error file=a%2Cb%3Ac%25d\\x1b[31m\\u202e.py,line=1,col=3,title=UDEF006 no-placeholders::" in github[0]
    assert all(line.startswith("::") for line in github)
    text = render(hostile, "junit")
    JUNIT_XSD.validate(text)
    assert "\x1b" not in text and "\u202e" not in text
    issues = json.loads(render(hostile, "gitlab"))
    assert issues[0]["location"]["path"] == '"a,b:c%d\\033[31m\u202e.py"'  # quoted as git quotes names


def test_ci_formats_on_the_command_line(tmp_path: Path, run_inproc) -> None:
    root = tmp_path / "r"
    audit_tree(TREE, root)  # writes the tree
    github = run_inproc(root, "--format", "github", "--select", "UDEF006")
    assert github.code == 1 and github.stdout.startswith("::error file=src/a/__init__.py,line=1,col=10,")
    clean = audit_tree({"pyproject.toml": TREE["pyproject.toml"]}, tmp_path / "clean").root
    assert run_inproc(clean, "--format", "github", "--select", "UDEF006").code == 0
    assert run_inproc(clean, "--format", "github", "--select", "UDEF006").stdout == ""  # not even an empty line
    junit = run_inproc(root, "--format", "junit", "--select", "UDEF006", "-o", tmp_path / "junit.xml")
    assert junit.code == 1 and junit.stdout == ""
    JUNIT_XSD.validate(str(tmp_path / "junit.xml"))
    stats = run_inproc(root, "--format", "json", "--statistics")
    assert (stats.code, stats.stderr) == (
        2, "udef-audit: error: --statistics applies to the text report (--format text)\n"
    )
