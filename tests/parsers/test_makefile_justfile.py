"""Makefiles and justfiles as rules and recipes, with their places."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from udef_audit.parsers.justfile import BodyLine, parse_justfile
from udef_audit.parsers.makefile import RecipeLine, parse_makefile

MAKEFILE = """\
.PHONY: test lint
PY ?= python
export PIP_NO_CACHE_DIR = 1
include common.mk
-include local.mk

test: lint build ; echo inline
\tpytest \\
\t  --cov

\t@echo done
lint:
\t$(MAKE) -C sub check
ifeq ($(CI),1)
ci: test
\techo ci
endif
define HELP
fake: rule
endef
test: extra
"""


def test_rules_recipes_includes_and_default_goal() -> None:
    model = parse_makefile(MAKEFILE)
    assert model.default_goal == "test"
    assert model.includes == ((4, "common.mk"), (5, "local.mk"))
    assert [(rule.targets, rule.line, rule.prerequisites) for rule in model.rules] == [
        ((".PHONY",), 1, ("test", "lint")),
        (("test",), 7, ("lint", "build")),
        (("lint",), 12, ()),
        (("ci",), 15, ("test",)),
        (("test",), 21, ("extra",)),
    ]
    # Prerequisites of every rule naming the target, the recipe of the one that has one;
    # a continued recipe line is one line to the shell; a blank line does not end a recipe.
    assert model.target("test") == (
        ("lint", "build", "extra"),
        (RecipeLine(7, 20, "echo inline"), RecipeLine(8, 2, "pytest \\\n\t  --cov"), RecipeLine(11, 2, "@echo done")),
        7,
    )
    assert model.target("fake") is None  # inside define ... endef
    assert parse_makefile(".DEFAULT_GOAL := lint\ntest:\n\tx\n").default_goal == "lint"


JUSTFILE = """\
set shell := ["bash", "-c"]
version := "1"
alias t := test
# comment

[private]
@test *args: lint (build "x")
    @pytest {{args}}
  -echo ok

lint:
\truff check .
script:
    #!/usr/bin/env bash
    set -e
    make
"""


def test_recipes_dependencies_and_bodies() -> None:
    model = parse_justfile(JUSTFILE)
    assert model.default == "test"
    test = model.recipe("test")
    assert test is not None
    assert (test.line, test.dependencies, test.shebang) == (7, ("lint", "build"), False)
    assert test.body == (BodyLine(8, 6, "pytest {{args}}"), BodyLine(9, 4, "echo ok"))
    script = model.recipe("script")
    assert script is not None and script.shebang and script.body[1] == BodyLine(15, 5, "set -e")
    assert model.recipe("version") is None and model.recipe("t") is None


LINES = st.sampled_from(
    ["a: b", "\tcmd", "\tcmd \\", "b:", "X = 1", "include a", "define X", "endef", "", "# c", "ifeq (a,b)",
     "endif", "c: ; x", "    body", "@r *x: a (b 'y')", "[private]", "\\"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(LINES, max_size=30))
def test_any_text_parses_and_places_stay_in_the_file(lines: list[str]) -> None:
    text = "\n".join(lines)
    count = len(text.split("\n"))
    for rule in parse_makefile(text).rules:
        assert 1 <= rule.line <= count and all(1 <= line.line <= count for line in rule.recipe)
    for recipe in parse_justfile(text).recipes:
        assert 1 <= recipe.line <= count and all(1 <= line.line <= count for line in recipe.body)
