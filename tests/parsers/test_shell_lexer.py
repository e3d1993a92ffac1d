"""Simple commands and their words, with offsets into the text (the lexer behind the
commands model; pip's reading of it is tested in test_pip_commands)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from udef_audit.parsers.shell_lexer import simple_commands


def commands(script: str, *, make_syntax: bool = False) -> list[list[tuple[str, int]]]:
    return [[(word.text, word.offset) for word in words] for words in simple_commands(script, make_syntax=make_syntax)]


def test_lists_pipes_substitutions_and_shell_strings() -> None:
    script = "cd doc && make html\nFOO=1 bash -c \"pytest -q; echo 'done'\" | tee log  # note\n"
    assert commands(script) == [
        [("cd", 0), ("doc", 3)],
        [("make", 10), ("html", 15)],
        [("FOO=1", 20), ("bash", 26), ("-c", 31), ("pytest -q; echo 'done'", 34)],
        [("pytest", 35), ("-q", 42)],  # inside the `-c` string, at its place in the text
        [("echo", 46), ("done", 51)],
        [("tee", 61), ("log", 65)],
    ]
    assert commands("echo $(git rev-parse HEAD)") == [
        [("echo", 0), ("$(git rev-parse HEAD)", 5)],
        [("git", 7), ("rev-parse", 11), ("HEAD", 21)],
    ]


def test_a_shell_string_run_through_a_wrapper() -> None:
    assert commands("uv run bash -c 'cd t && mypy .'") == [
        [("uv", 0), ("run", 3), ("bash", 7), ("-c", 12), ("cd t && mypy .", 15)],
        [("cd", 16), ("t", 19)],
        [("mypy", 24), (".", 29)],
    ]
    # An operand that only looks like a shell is not one: `echo sh` runs nothing.
    assert commands("echo sh -x") == [[("echo", 0), ("sh", 5), ("-x", 8)]]


def test_make_recipes_keep_make_expansions_out() -> None:
    assert commands("@$(MAKE) lint $(shell git x)\n\t-pytest $(wildcard *.py)", make_syntax=True) == [
        [("$(MAKE)", 1), ("lint", 9), ("$(shell git x)", 14)],
        [("git", 22), ("x", 26)],  # `$(shell ...)` runs its command
        [("pytest", 31), ("$(wildcard *.py)", 38)],
    ]


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.sampled_from([*" \t\n;&|()<>'\"\\$`#{}=-abc", "sh -c ", "eval ", "$(", "<<EOF\n"]), max_size=60).map(
        "".join
    )
)
def test_words_are_where_they_are_written(script: str) -> None:
    for words in simple_commands(script):
        assert words
        for word in words:
            assert 0 <= word.offset <= len(script)
            assert script[word.offset : word.offset + len(word.raw)] == word.raw
