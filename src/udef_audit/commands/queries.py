"""Questions the CI rules ask of commands: does this command run the tests?

*Running tests* (contract rev 3): pytest (`py.test`, `python -m pytest`, `coverage run -m
pytest`), `python -m unittest`, `manage.py test`, `hatch test`; a tox or nox session runs
tests when a command reached through it does (see `Commands.tests_reached_from`).
"""

from __future__ import annotations

from collections.abc import Sequence

from udef_audit.commands.words import basename, program

_TEST_PROGRAMS = frozenset({"pytest", "py.test", "unittest"})
_COVERAGE_RUN_VALUES = frozenset({"--rcfile", "--source", "--include", "--omit", "--context", "--data-file", "-p"})


def runs_tests(words: Sequence[str]) -> bool:
    """Whether a command's words run the tests themselves."""
    name, args = program(words)
    rest = list(words[args:])
    if name in _TEST_PROGRAMS:
        return True
    if name == "coverage" and rest[:1] == ["run"]:
        return _coverage_runs_tests(rest[1:])
    if name == "hatch":
        return rest[:1] == ["test"]
    if name in ("django-admin", "manage.py"):
        return rest[:1] == ["test"]
    if name == "python" and rest and basename(rest[0]) == "manage.py":
        return rest[1:2] == ["test"]
    return False


def _coverage_runs_tests(words: list[str]) -> bool:
    """`coverage run [options] -m pytest` / `coverage run manage.py test` / a pytest path."""
    index = 0
    while index < len(words) and words[index].startswith("-") and words[index] != "-m":
        index += 2 if words[index] in _COVERAGE_RUN_VALUES else 1
    if words[index : index + 1] == ["-m"]:
        return words[index + 1 : index + 2] in (["pytest"], ["unittest"], ["py.test"])
    target = basename(words[index]) if index < len(words) else ""
    if target == "manage.py":
        return words[index + 1 : index + 2] == ["test"]
    return target in ("pytest", "py.test")
