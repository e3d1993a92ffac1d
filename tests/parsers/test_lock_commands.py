"""Lock-generating commands named in bytes, as words; lock hooks in a pre-commit config."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from udef_audit.parsers.lock_commands import lock_command, lock_hook


@pytest.mark.parametrize(
    ("text", "command"),
    [
        (b"run `uv lock`.", "uv lock"),
        (b"uv  lock --check", "uv lock"),
        (b"$ uv pip compile pyproject.toml", "uv pip compile"),
        (b".venv/bin/pip-compile -o x", "pip-compile"),
        (b"pip-compile-multi", "pip-compile-multi"),
        (b"python -m piptools compile", "piptools compile"),
        (b"uv export --format requirements-txt", "uv export"),
        (b"poetry lock --no-update", "poetry lock"),
        (b"pdm lock", "pdm lock"),
        (b"pipenv lock\n", "pipenv lock"),
        (b"conda-lock -f env.yml", "conda-lock"),
        (b"pip lock .", "pip lock"),
        (b"session.run('uv', 'lock')", "uv lock"),
        (b'session.run("uv", "pip", "compile")', "uv pip compile"),
        (b"uv locking docs", None),
        (b"poetry lockfile", None),
        (b"poetry.lock", None),
        (b"conda-lock.yml", None),
        (b"my-uv lock", None),
        (b"UV LOCK", None),
        (b"uv\nlock", None),
        (b"", None),
    ],
)
def test_commands_are_words(text: bytes, command: str | None) -> None:
    assert lock_command(text) == command


KNOWN = {
    None, "pip-compile", "pip-compile-multi", "piptools compile", "uv pip compile", "uv lock", "uv export",
    "poetry lock", "pdm lock", "pipenv lock", "pip lock", "conda-lock",
}


def test_lock_hooks() -> None:
    assert lock_hook({"repos": [{"hooks": [{"id": "ruff"}, {"id": "poetry-lock"}]}]}) == "poetry-lock"
    assert lock_hook({"repos": [{"hooks": [{"id": "ruff"}]}, "x", {"hooks": "y"}]}) is None
    assert lock_hook(["not", "a", "mapping"]) is None


@pytest.mark.requirement("engine:NFR-04")
@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_never_raises_on_bytes(data: bytes) -> None:
    assert lock_command(data) in KNOWN


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([b"uv", b" ", b"lock", b"pip", b"compile", b"'", b",", b"-", b".", b"x"]), max_size=12))
def test_never_raises_on_command_like_bytes(pieces: list[bytes]) -> None:
    assert lock_command(b"".join(pieces)) in KNOWN
