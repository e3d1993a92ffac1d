"""UDEF026 docs-links-resolve: relative links of the README, CONTRIBUTING and the docs folder
name existing files and headings, as GitHub resolves them."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import Run, fixture

from udef_audit.parsers import markdown_links
from udef_audit.testing import check, rows, write_tree

RULE = "UDEF026"
Audit = Callable[..., list[tuple[Any, ...]]]
MANIFEST = {"pyproject.toml": "[project]\nname = 'a'\nversion = '1'\n", "src/a/__init__.py": ""}


def _findings(run_inproc: Callable[..., Run], path: Path, *args: str) -> list[tuple[str, int, int, str, str]]:
    result = run_inproc(path, "--format", "json", "--select", RULE, *args)
    assert result.code in (0, 1), result.stderr
    return [(f["path"], f["line"], f["column"], f["kind"], f["message"]) for f in result.json()["findings"]]


@pytest.mark.requirement("specs:FR-10")
@pytest.mark.requirement("specs:FR-11")
@pytest.mark.requirement("specs:FR-12")
def test_links_that_resolve_on_github_pass(audit: Audit) -> None:
    # Files, folders (with or without a slash), a source line anchor, a root-relative path,
    # percent-encoding, `?plain=1#L3`, a trailing slash after a file, an .rst fragment,
    # emoji, gemoji and inline-code headings, a duplicate heading, explicit `name` and `id`
    # anchors, any case, `#top`, links above the root (a badge, issues, the wiki), and links
    # in code spans, code blocks and comments (no links at all).
    assert audit(fixture(RULE, "compliant"), "--select", RULE) == []


@pytest.mark.requirement("specs:FR-13")
def test_each_broken_link_at_its_line_and_column(run_inproc: Callable[..., Run]) -> None:
    assert _findings(run_inproc, fixture(RULE, "broken")) == [
        ("README.md", 3, 9, "missing-target",
         "Broken link: `docs/instal.md` names nothing in the repository (docs/instal.md does not exist)."),
        ("README.md", 3, 45, "missing-target",
         "Broken link: `Docs/guide.md` names nothing in the repository (Docs/guide.md does not exist; "
         "`docs/guide.md` does, and GitHub's paths are case-sensitive)."),
        ("README.md", 4, 6, "missing-anchor",
         "Broken link: `docs/guide.md#setup`: docs/guide.md has no heading or anchor `#setup`; the closest "
         "is `#set-up`."),
        ("README.md", 4, 51, "missing-anchor", "Broken link: `#usages`: this file has no heading or anchor `#usages`."),
        ("README.md", 7, 3, "missing-target",
         "Broken link: `docs/missing.html` names nothing in the repository (docs/missing.html does not exist)."),
        ("README.md", 7, 53, "missing-target",
         "Broken link: `docs/screenshot.png` names nothing in the repository (docs/screenshot.png does not exist)."),
        ("README.md", 8, 3, "missing-target",
         "Broken link: `examples/` names nothing in the repository (examples does not exist)."),
        # The reference link `[Reference style][install]` is reported at its definition.
        ("README.md", 11, 1, "missing-target",
         "Broken link: `docs/setup.md` names nothing in the repository (docs/setup.md does not exist)."),
        ("docs/guide.md", 5, 41, "missing-anchor",
         "Broken link: `api.md#endpoints`: docs/api.md has no heading or anchor `#endpoints`; the closest is "
         "`#endpoint`."),
        ("docs/notes/todo.md", 1, 45, "missing-target",
         "Broken link: `../index.md` names nothing in the repository (docs/index.md does not exist)."),
    ]


@pytest.mark.requirement("specs:FR-14")
def test_a_mkdocs_site_is_read_as_the_site_reads_it(run_inproc: Callable[..., Run], tmp_path: Path) -> None:
    site = fixture(RULE, "mkdocs-site")
    missing_page = (
        "docs/index.md", 7, 75, "missing-target",
        "Broken link: `tutorial/missing.md` names nothing in the repository (docs/tutorial/missing.md does not exist).",
    )
    assert _findings(run_inproc, site) == [missing_page]
    strict = tmp_path / "strict.toml"
    strict.write_text("[tool.udef-audit.rules.UDEF026]\nsite-conventions = false\n")
    assert [(p, line, column) for p, line, column, _, _ in _findings(run_inproc, site, "--config", str(strict))] == [
        ("docs/index.md", 3, 1),  # /img/logo.png: the site's root, not the repository's
        ("docs/index.md", 5, 16),  # tutorial/: a page URL
        ("docs/index.md", 5, 45),  # #first-steps: an attribute-list id
        ("docs/index.md", 6, 5),  # #shop.Cart.add: made by mkdocstrings
        ("docs/index.md", 7, 5),  # Python-Markdown's slug of "The options of `shop.cli` - all of them"
        ("docs/index.md", 7, 75),
        ("docs/tutorial.md", 3, 1),  # raw HTML written for the page's URL docs/tutorial/
    ]


@pytest.mark.requirement("specs:FR-14")
def test_a_sphinx_myst_site_resolves_labels_and_objects(audit: Audit) -> None:
    assert audit(fixture(RULE, "sphinx-myst"), "--select", RULE) == [(RULE, "docs/index.md", 5, 24)]


@pytest.mark.requirement("specs:FR-11")
def test_files_left_out_of_scope_exist_and_are_never_read(tmp_path: Path) -> None:
    tree = {
        **MANIFEST,
        "pyproject.toml": MANIFEST["pyproject.toml"] + '\n[tool.udef-audit]\nexclude = ["vendor/**"]\n',
        "README.md": "[vendored](vendor/lib/README.md#no-such-heading) [built](build/report.html)\n",
        "vendor/lib/README.md": "# Lib\n",
        "build/report.html": "<html></html>\n",
    }
    assert check(RULE, tree, tmp_path, git=True) == []


@pytest.mark.requirement("specs:FR-15")
def test_not_a_python_repository(tmp_path: Path) -> None:
    assert check(RULE, {"README.md": "[gone](gone.md)\n", "package.json": "{}\n"}, tmp_path) == []


@pytest.mark.requirement("specs:NFR-01")
def test_each_markdown_file_is_parsed_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The cost that the sympy benchmark measures (docs/reports/docs-links.md) is one parse
    # per Markdown file, however many links point into it.
    pages = {f"docs/page{i}.md": "".join(f"[p{j}](page{j}.md#page-{j}) " for j in range(20)) + f"\n# Page {i}\n"
             for i in range(20)}
    parsed: list[int] = []
    real = markdown_links.parse_markdown
    monkeypatch.setattr(markdown_links, "parse_markdown", lambda text: parsed.append(1) or real(text))
    assert check(RULE, {**MANIFEST, "README.md": "[docs](docs/page0.md#page-0)\n", **pages}, tmp_path) == []
    assert len(parsed) == 21


# -- hostile repositories ---------------------------------------------------------------------
_OPENED: list[str] | None = None


def _hook(event: str, args: tuple[Any, ...]) -> None:
    if _OPENED is not None and event in ("open", "os.listdir", "os.scandir") and args and args[0] is not None:
        _OPENED.append(os.fsdecode(args[0]) if isinstance(args[0], (str, bytes, os.PathLike)) else str(args[0]))


sys.addaudithook(_hook)  # audit hooks cannot be removed: this one records only while a test asks


@pytest.fixture
def opened() -> Iterator[list[str]]:
    global _OPENED  # noqa: PLW0603 - the audit hook's switch
    _OPENED = []
    try:
        yield _OPENED
    finally:
        _OPENED = None


@pytest.mark.requirement("specs:NFR-04")
def test_no_file_outside_the_root_is_ever_read(tmp_path: Path, opened: list[str]) -> None:
    outside = write_tree(tmp_path / "outside", {"secret.md": "# Secret\n", "sub/deep.md": "# Deep\n"})
    repo = write_tree(
        tmp_path / "repo",
        {
            **MANIFEST,
            "README.md": (
                "# Repo\n"
                "[up](../outside/secret.md#secret) [root up](/../outside/secret.md#x) "
                "[far](../../../../../../../../etc/passwd) [deep](docs/../../outside/sub/deep.md#deep)\n"
                "[via the link](docs/ext/secret.md#secret)\n"
            ),
            "docs/guide.md": "[up](../../outside/secret.md) [ok](../README.md#repo)\n",
        },
    )
    (repo / "docs" / "ext").symlink_to(outside, target_is_directory=True)
    opened.clear()  # the tree was written above; from here on every open is the audit's
    found = check(RULE, repo)
    assert rows(found) == [(RULE, "README.md", 3, 1)]  # the symlink's target is not in the repository
    assert [p for p in opened if Path(p).resolve().is_relative_to(outside.resolve())] == []
    assert any(p.endswith("README.md") for p in opened)  # the hook sees the reads it should


@pytest.mark.requirement("specs:NFR-02")
def test_a_20_mb_readme_is_a_note_in_bounded_time(tmp_path: Path, run_inproc: Callable[..., Run]) -> None:
    write_tree(tmp_path, {**MANIFEST, "README.md": "[a](missing.md) " * 1_250_000, "docs/ok.md": "[b](gone.md)\n"})
    started = time.perf_counter()
    result = run_inproc(tmp_path, "--format", "json", "--select", f"{RULE},UDEF000")
    assert time.perf_counter() - started < 60
    assert "Traceback" not in result.stderr
    found = [(f["ruleId"], f["path"], f["line"]) for f in result.json()["findings"]]
    assert found == [("UDEF000", "README.md", 1), (RULE, "docs/ok.md", 1)]
    raised = tmp_path / "raised.toml"
    raised.write_text("[tool.udef-audit]\nmax-file-size = 30000000\n")
    result = run_inproc(tmp_path, "--format", "json", "--select", f"{RULE},UDEF000", "--config", str(raised))
    assert [f["message"] for f in result.json()["findings"] if f["ruleId"] == "UDEF000"] == [
        "README.md could not be read or parsed: too large for the Markdown parser (20000000 characters; links "
        "are checked in files of at most 3000000); results that needed it are missing."
    ]


@pytest.mark.requirement("specs:NFR-02")
def test_nul_bytes_and_bad_encodings_are_notes(tmp_path: Path) -> None:
    write_tree(tmp_path, {**MANIFEST, "README.md": b"# A\n\x00[x](y.md)\n", "docs/latin.md": b"[caf\xe9](x.md)\n"})
    assert check(RULE, tmp_path) == []
