"""Hostile CI files: bounded work, a UDEF000 note, no traceback, nothing executed."""

from __future__ import annotations

import time
from pathlib import Path

from conftest import write_tree
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from udef_audit.commands import Commands
from udef_audit.commands.follow import MAX_INVOCATIONS
from udef_audit.context import RepoContext
from udef_audit.inventory import build_inventory


def model(root: Path, tree: dict[str, str | bytes], max_file_size: int = 5_000_000) -> tuple[Commands, RepoContext]:
    write_tree(root, tree)
    ctx = RepoContext(build_inventory(root, lambda _: False), use_cache=False, max_file_size=max_file_size)
    return ctx.commands, ctx


def notes(ctx: RepoContext) -> list[tuple[str, str]]:
    return sorted((d.path, d.message.split(": ", 1)[1].split(";")[0]) for d in ctx.diagnostics)


def test_alias_bombs_and_python_tags_are_notes_and_nothing_runs(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n' + "".join(
        f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]\n"
        for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
    )
    commands, ctx = model(
        tmp_path / "repo",
        {
            ".github/workflows/bomb.yml": "on: push\njobs:\n  x:\n    steps:\n      - run: echo\n" + bomb,
            ".gitlab-ci.yml": f"x: !!python/object/apply:os.system ['touch {marker}']\n",
            ".circleci/config.yml": "x: !!python/name:os.system\n",
        },
    )
    started = time.perf_counter()
    assert commands.invocations() == ()
    assert time.perf_counter() - started < 5
    assert notes(ctx) == [
        (".circleci/config.yml", "invalid YAML: line 1: could not determine a constructor for the tag "
         "'tag:yaml.org,2002:python/name:os.system'"),
        (".github/workflows/bomb.yml", "invalid YAML: document too large (more than 200000 nodes after aliases)"),
        (".gitlab-ci.yml", "invalid YAML: line 1: could not determine a constructor for the tag "
         "'tag:yaml.org,2002:python/object/apply:os.system'"),
    ]  # fmt: skip
    assert not marker.exists()


def test_a_50_mb_workflow_is_refused_before_it_is_read(tmp_path: Path) -> None:
    step = "      - run: pip install -r requirements.lock && pytest\n"
    big = "on: push\njobs:\n  x:\n    steps:\n" + step * (50_000_000 // len(step))
    commands, ctx = model(tmp_path, {".github/workflows/big.yml": big})
    started = time.perf_counter()
    assert commands.pipelines() == ()
    assert time.perf_counter() - started < 5
    assert [path for path, _ in notes(ctx)] == [".github/workflows/big.yml"]


def test_a_workflow_of_many_steps_stops_at_the_limit(tmp_path: Path) -> None:
    steps = "".join(f"      - run: make t{n % 20} && echo {n}\n" for n in range(3_000))
    makefile = "".join(f"t{n}:\n\tsh s.sh\n" for n in range(20))
    commands, _ = model(
        tmp_path,
        {
            ".github/workflows/many.yml": "on: push\njobs:\n  x:\n    steps:\n" + steps,
            "Makefile": makefile,
            "s.sh": "pytest\nsh s.sh\n",
        },
    )
    # Each step is 2 commands, make leads to 2 more, the script to itself (a cycle, cut).
    assert len(commands.invocations()) == MAX_INVOCATIONS
    assert {u.reason for u in commands.unfollowed()} == {"a cycle: s.sh is already being run"}


def test_recursive_and_endless_gitlab_includes_are_bounded(tmp_path: Path) -> None:
    chain = {f"ci/{n}.yml": f"include: 'ci/{n + 1}.yml'\njob{n}:\n  script: [echo {n}]\n" for n in range(300)}
    commands, ctx = model(
        tmp_path, {".gitlab-ci.yml": "include: 'ci/0.yml'\n", **chain, "ci/300.yml": "include: ci/0.yml\n"}
    )
    (pipeline,) = commands.pipelines()
    assert len(pipeline.jobs) == 150  # GitLab's own limit of included files
    assert ctx.diagnostics == []


def test_a_target_that_runs_itself_is_cut(tmp_path: Path) -> None:
    commands, ctx = model(
        tmp_path,
        {".gitlab-ci.yml": "t:\n  script: [make test]\n", "Makefile": "test: test\n\t$(MAKE) test\n"},
    )
    assert [i.describe() for i in commands.invocations()] == [
        ".gitlab-ci.yml:2 runs `make test`",
        ".gitlab-ci.yml:2 runs `make test`, Makefile:2 runs `$(MAKE) test`",
    ]
    assert [u.reason for u in commands.unfollowed()] == ["a cycle: Makefile:test is already being run"]
    assert notes(ctx) == [("Makefile", "a Makefile target depends on itself (test needs test)")]


CI_WORDS = st.sampled_from(
    ["jobs:", "steps:", "run:", "- run:", "script:", "include:", "extends:", "uses:", "matrix:", "&a", "*a", "<<:",
     "!reference", "[", "]", "{", "}", "make", "tox -e", "nox", "pre-commit run", "sh x.sh", "|", ">", "'", '"',
     "${{ matrix.v }}", "\n", "\n  ", "\n    - ", ": ", "- "]
)  # fmt: skip


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(CI_WORDS, max_size=40),
    st.sampled_from([".github/workflows/ci.yml", ".gitlab-ci.yml", ".circleci/config.yml"]),
)
def test_any_ci_text_is_read_without_raising(tmp_path_factory: object, words: list[str], path: str) -> None:
    root = tmp_path_factory.mktemp("ci")  # type: ignore[attr-defined]
    text = " ".join(words)
    commands, ctx = model(
        root,
        {path: text, "Makefile": "all:\n\tmake all\n", "x.sh": "sh x.sh\n", "tox.ini": "[testenv]\ncommands = tox\n"},
    )
    for invocation in commands.invocations():
        assert invocation.words and invocation.line >= 1
    assert all(d.rule_id == "UDEF000" for d in ctx.diagnostics)
