"""UDEF010 precommit-quality-hooks: a placeholder blocker, ruff and mypy --strict at commit time."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import fixture

from udef_audit.testing import check, rows

RULE = "UDEF010"
CONFIG = ".pre-commit-config.yaml"
PYPROJECT = '[project]\nname = "app"\nversion = "0.1.0"\n'


def _kinds(found: list) -> list[tuple[str, int, str]]:  # type: ignore[type-arg]
    return [(f.path, f.line, f.kind) for f in found]


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("methodology-config", []),
        ("no-config", [("README.md", 1, "no-config")]),
        # A pygrep entry matching one placeholder word misses the other; a case-insensitive one catches both.
        ("todo-only-pygrep", [(CONFIG, 2, "no-placeholder-blocker")]),
        ("case-insensitive-pygrep", []),
        # mirrors-mypy without --strict, but setup.cfg [mypy] strict = True and no mypy.ini.
        ("mypy-strict-via-setup-cfg", []),
        # pyproject.toml says strict, but mypy reads mypy.ini, which does not.
        ("mypy-ini-not-strict", [(CONFIG, 19, "mypy-not-strict")]),
        # `uv run ruff check`, `uv run mypy --strict`, and ruff's FIX rules as the blocker.
        ("local-hooks", []),
        # A lookbehind RE2 cannot run; `ruff` alone lints; mypy strict through --config-file.
        ("lookbehind-pygrep", [(CONFIG, 1, "no-placeholder-blocker")]),
        (
            "nothing-useful",
            [(CONFIG, 1, "no-placeholder-blocker"), (CONFIG, 1, "no-linter"), (CONFIG, 1, "no-type-checker")],
        ),
    ],
)
def test_fixture_results(case: str, expected: list[tuple[str, int, str]]) -> None:
    found = check(RULE, fixture(RULE, case))
    assert _kinds(found) == expected
    assert rows(found) == [(RULE, path, line, None) for path, line, _ in expected]
    assert all(f.level is not None and f.level.value == "warning" for f in found)


def test_messages_say_what_came_close() -> None:
    [todo_only] = check(RULE, fixture(RULE, "todo-only-pygrep"))
    assert todo_only.message == (
        ".pre-commit-config.yaml has no hook that blocks FIXME (hook `no-todo` (line 5) does not match FIXME): "
        "add a `language: pygrep` hook whose entry matches them (for example `entry: '\\b(FIXME)\\b'`), a "
        "udef-audit hook, or select ruff's FIX rules."
    )
    [lookbehind] = check(RULE, fixture(RULE, "lookbehind-pygrep"))
    assert "hook `no-placeholders` (line 4): its pattern could not be tested, RE2 cannot compile it" in (
        lookbehind.message
    )
    assert "runs ruff" not in lookbehind.message  # a ruff without FIX rules is no blocker at all
    [not_strict] = check(RULE, fixture(RULE, "mypy-ini-not-strict"))
    assert not_strict.message == (
        "mypy hook `mypy` runs without strict mode (the mypy configuration it reads, mypy.ini, does not set "
        "`strict = true`): add `--strict` to its args, or `strict = true` to the mypy configuration it reads."
    )
    [no_config] = check(RULE, fixture(RULE, "no-config"))
    assert no_config.message.startswith("no pre-commit configuration: add .pre-commit-config.yaml")


def _hooks(*hooks: str) -> str:
    return "repos:\n  - repo: local\n    hooks:\n" + "".join(hooks)


def _hook(hook_id: str, entry: str, language: str = "system", args: str = "") -> str:
    text = f"      - id: {hook_id}\n        name: {hook_id}\n        entry: {entry}\n        language: {language}\n"
    return text + (f"        args: {args}\n" if args else "")


STRICT_MYPY = _hook("mypy", "mypy --strict")
RUFF = _hook("ruff", "ruff check")
BLOCKER = _hook("todo", "'TODO|FIXME'", "pygrep")


@pytest.mark.parametrize(
    ("hooks", "kinds"),
    [
        ((BLOCKER, RUFF, STRICT_MYPY), []),
        ((BLOCKER, _hook("fmt", "ruff format"), STRICT_MYPY), ["no-linter"]),
        ((BLOCKER, _hook("lint", "poetry run ruff src"), STRICT_MYPY), []),
        ((BLOCKER, _hook("lint", "'bash -c \"uv run ruff check .\"'"), STRICT_MYPY), []),
        ((_hook("t", "TODO", "pygrep"), _hook("f", "fixme", "pygrep", "[-i]"), RUFF, STRICT_MYPY), []),
        ((_hook("t", "'TODO|FIXME'", "pygrep", "[--negate]"), RUFF, STRICT_MYPY), ["no-placeholder-blocker"]),
        ((_hook("audit", "uv run udef-audit --files"), RUFF, STRICT_MYPY), []),
        ((_hook("audit", "udef-audit --ignore UDEF006"), RUFF, STRICT_MYPY), ["no-placeholder-blocker"]),
        ((BLOCKER, RUFF, _hook("types", "dmypy run -- src")), ["mypy-not-strict"]),
        ((BLOCKER, RUFF, _hook("types", ".venv/bin/mypy", args="[--strict, src]")), []),
        ((BLOCKER, RUFF), ["no-type-checker"]),
        ((_hook("lint", "ruff check --extend-select FIX001,FIX002"), STRICT_MYPY), []),
        ((_hook("lint", "ruff check --select FIX002"), STRICT_MYPY), ["no-placeholder-blocker"]),
    ],
)
def test_hook_shapes(tmp_path: Path, hooks: tuple[str, ...], kinds: list[str]) -> None:
    tree = {"pyproject.toml": PYPROJECT, "src/app/__init__.py": "", CONFIG: _hooks(*hooks)}
    assert [f.kind for f in check(RULE, tree, tmp_path)] == kinds


@pytest.mark.parametrize(
    ("ruff_config", "blocked"),
    [
        ('[tool.ruff.lint]\nselect = ["ALL"]\n', True),
        ('[tool.ruff.lint]\nselect = ["FIX"]\nignore = ["FIX001"]\n', False),
        ('[tool.ruff.lint]\nextend-select = ["FIX00"]\n', True),
        ('[tool.ruff]\nselect = ["E", "FIX"]\n', True),  # the older top-level spelling
        ('[tool.ruff.lint]\nselect = ["FIX001"]\nignore = ["FIX"]\nextend-select = ["FIX002"]\n', True),
        ('[tool.ruff.lint]\nselect = ["E", "F"]\n', False),
    ],
)
def test_ruff_fix_selection(tmp_path: Path, ruff_config: str, blocked: bool) -> None:
    tree = {
        "pyproject.toml": PYPROJECT + ruff_config,
        "src/app/__init__.py": "",
        CONFIG: _hooks(RUFF, STRICT_MYPY),
    }
    assert [f.kind for f in check(RULE, tree, tmp_path)] == ([] if blocked else ["no-placeholder-blocker"])


def test_a_ruff_that_selects_some_fix_rules_is_named(tmp_path: Path) -> None:
    tree = {"pyproject.toml": PYPROJECT, "src/app/__init__.py": "", CONFIG: _hooks(_hook("r", "ruff --select FIX002"))}
    [blocker] = [f for f in check(RULE, tree, tmp_path) if f.kind == "no-placeholder-blocker"]
    assert "(hook `r` (line 4) runs ruff, which selects no FIX rule for FIXME)" in blocker.message


def test_a_ruff_toml_wins_over_pyproject_for_fix(tmp_path: Path) -> None:
    tree = {
        "pyproject.toml": PYPROJECT + '[tool.ruff.lint]\nselect = ["FIX"]\n',
        "ruff.toml": "line-length = 100\n",
        "src/app/__init__.py": "",
        CONFIG: _hooks(RUFF, STRICT_MYPY),
    }
    assert [f.kind for f in check(RULE, tree, tmp_path)] == ["no-placeholder-blocker"]


def test_parameters_switch_requirements_off(tmp_path: Path) -> None:
    settings = (
        "[tool.udef-audit.rules.UDEF010]\nplaceholder-words = []\nrequire-linter = false\nrequire-strict-mypy = false\n"
    )
    tree = {"pyproject.toml": PYPROJECT + settings, "src/app/__init__.py": "", CONFIG: "repos: []\n"}
    assert check(RULE, tree, tmp_path) == []


def test_yml_spelling_and_bad_documents(tmp_path: Path) -> None:
    tree = {"pyproject.toml": PYPROJECT, "src/app/__init__.py": "", ".pre-commit-config.yml": _hooks(BLOCKER)}
    assert rows(check(RULE, tree, tmp_path / "yml")) == [(RULE, ".pre-commit-config.yml", 1, None)] * 2


@pytest.mark.parametrize(
    "content",
    [
        b"repos: [\n",
        b"- just\n- a list\n",
        b"\x00\x01binary",
        b"a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        b"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
        b"e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n",
    ],
)
def test_hostile_configs_are_notes(tmp_path: Path, content: bytes) -> None:
    from udef_audit.testing import audit_tree

    tree = {"pyproject.toml": PYPROJECT, "src/app/__init__.py": "", CONFIG: content}
    result = audit_tree(tree, tmp_path, select=(RULE, "UDEF000"))
    assert [(f.rule_id, f.path) for f in result.findings] == [("UDEF000", CONFIG)]
    assert not result.notifications


def test_no_python_no_result(tmp_path: Path) -> None:
    assert check(RULE, {"README.md": "# a website\n", "index.html": "<p>hi</p>\n"}, tmp_path) == []


def test_a_symlinked_config_is_not_followed(tmp_path: Path) -> None:
    from udef_audit.testing import audit_tree

    outside = tmp_path / "outside.yaml"
    outside.write_text("repos: []\n")
    root = tmp_path / "repo"
    root.mkdir()
    (root / CONFIG).symlink_to(outside)
    tree = {"pyproject.toml": PYPROJECT, "src/app/__init__.py": ""}
    result = audit_tree(tree, root, select=(RULE, "UDEF000"))
    assert [(f.rule_id, f.path) for f in result.findings] == [("UDEF000", CONFIG)]
    assert "symbolic link" in result.findings[0].message


STRICT_FLAGS = [
    "warn_unused_configs",
    "disallow_any_generics",
    "disallow_subclassing_any",
    "disallow_untyped_calls",
    "disallow_untyped_defs",
    "disallow_incomplete_defs",
    "check_untyped_defs",
    "disallow_untyped_decorators",
    "warn_redundant_casts",
    "warn_unused_ignores",
    "warn_return_any",
    "no_implicit_reexport",
    "strict_equality",
    "extra_checks",
]


def test_every_strict_flag_set_one_by_one_is_strict(tmp_path: Path) -> None:
    mirrors = "  - repo: https://github.com/pre-commit/mirrors-mypy\n    rev: v1.11.2\n    hooks:\n      - id: mypy\n"
    config = _hooks(BLOCKER, RUFF) + mirrors
    every = "[tool.mypy]\n" + "".join(f"{flag} = true\n" for flag in STRICT_FLAGS)
    tree = {"pyproject.toml": PYPROJECT + every, "src/app/__init__.py": "", CONFIG: config}
    assert check(RULE, tree, tmp_path / "all") == []
    nearly = "[tool.mypy]\n" + "".join(f"{flag} = true\n" for flag in STRICT_FLAGS[:-2])
    tree = {"pyproject.toml": PYPROJECT + nearly, "src/app/__init__.py": "", CONFIG: config}
    [found] = check(RULE, tree, tmp_path / "nearly")
    assert "(of the flags --strict turns on, it leaves out strict_equality, extra_checks)" in found.message
