"""Tests for udef_audit.parsers.dockerfile."""

from __future__ import annotations

import io
import time

import pytest
from dockerfile_parse import DockerfileParser
from hypothesis import given, settings
from hypothesis import strategies as st

from udef_audit.parsers.dockerfile import (
    Dockerfile,
    EnvAssignment,
    Heredoc,
    Instruction,
    RunCommand,
    Stage,
    StageStep,
    normalize_image,
    parse_dockerfile,
    root_image,
    substitute,
)


def _stage(df: Dockerfile, index: int) -> Stage:
    return df.stages[index]


# --------------------------------------------------------------------------- stage graph

MULTI_STAGE = b"""\
# syntax=docker/dockerfile:1
ARG PY_VERSION=3.11
ARG BASE=python:${PY_VERSION}-slim
FROM --platform=$BUILDPLATFORM ${BASE} AS Build
RUN pip install build
FROM build AS test
RUN pytest
FROM docker.io/library/python:3.11-slim AS runtime
COPY --from=build /dist /dist
"""


def test_multi_stage_with_arg_and_platform() -> None:
    df = parse_dockerfile(MULTI_STAGE)
    assert df.global_args == {"PY_VERSION": "3.11", "BASE": "python:${PY_VERSION}-slim"}
    assert df.stages == (
        Stage(
            index=0,
            name="build",
            from_line=4,
            image_raw="${BASE}",
            image="python:3.11-slim",
            platform="$BUILDPLATFORM",
            parent=None,
            unresolved_args=(),
        ),
        Stage(1, "test", 6, "build", "build", None, 0, ()),
        Stage(
            2,
            "runtime",
            8,
            "docker.io/library/python:3.11-slim",
            "docker.io/library/python:3.11-slim",
            None,
            None,
            (),
        ),
    )
    assert [root_image(df, i) for i in range(3)] == ["python:3.11-slim"] * 3
    assert df.copy_from == ((2, "build", 9),)
    assert [run.stage for run in df.runs] == [0, 1]


def test_stage_chains_resolve_to_the_same_root() -> None:
    df = parse_dockerfile(b"FROM python:3.12 AS base\nFROM base AS test\nFROM test AS deeper\nFROM base AS runtime\n")
    assert [s.parent for s in df.stages] == [None, 0, 1, 0]
    assert {root_image(df, i) for i in range(4)} == {"python:3.12"}


def test_arg_without_default_is_unresolved() -> None:
    df = parse_dockerfile(b"ARG PY\nFROM python:${PY}-slim AS build\nFROM build\n")
    assert df.global_args == {"PY": None}
    first, second = df.stages
    assert first.image is None
    assert first.unresolved_args == ("PY",)
    assert second.parent == 0
    assert root_image(df, 0) is root_image(df, 1) is None


def test_unresolved_cause_is_reported_through_a_chain_of_args() -> None:
    df = parse_dockerfile(b"ARG PY\nARG BASE=python:$PY\nFROM $BASE\n")
    assert _stage(df, 0).image is None
    assert _stage(df, 0).unresolved_args == ("PY",)


def test_undeclared_and_automatic_args_are_unresolved() -> None:
    df = parse_dockerfile(b"FROM img-$TARGETARCH\n")
    assert _stage(df, 0).image is None
    assert _stage(df, 0).unresolved_args == ("TARGETARCH",)


def test_arg_inside_a_stage_does_not_reach_a_later_from() -> None:
    df = parse_dockerfile(b"FROM alpine\nARG IMG=python:3.11\nFROM $IMG\n")
    assert _stage(df, 1).image is None
    assert _stage(df, 1).unresolved_args == ("IMG",)
    assert df.global_args == {}
    assert df.env == (EnvAssignment(2, "IMG", "python:3.11", "ARG"),)


def test_later_global_arg_declaration_wins() -> None:
    df = parse_dockerfile(b"ARG V=1\nARG V=2\nFROM img:$V\n")
    assert _stage(df, 0).image == "img:2"


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        ("$SET", "img:1"),
        ("${SET}", "img:1"),
        ("${SET:-d}", "img:1"),
        ("${SET-d}", "img:1"),
        ("${SET:+alt}", "img:alt"),
        ("${SET+alt}", "img:alt"),
        ("${SET:?oops}", "img:1"),
        ("${NODEF:-d}", "img:d"),
        ("${NODEF-d}", "img:d"),
        ("${NODEF:+alt}x", "img:x"),
        ("${NODEF+alt}x", "img:x"),
        ("${EMPTY:-d}", "img:d"),
        ("${EMPTY-d}x", "img:x"),
        ("${EMPTY:+alt}x", "img:x"),
        ("${NODEF:-${SET}}", "img:1"),
        ("${NODEF:-${ALSO:-deep}}", "img:deep"),
        ("\\$SET", "img:$SET"),
        ("'$SET'", "img:$SET"),
        ('"$SET"', "img:1"),
        ("$", "img:$"),
        ("$-", "img:$-"),
    ],
)
def test_arg_substitution_forms(reference: str, expected: str) -> None:
    data = f"ARG SET=1\nARG EMPTY=\nARG NODEF\nFROM img:{reference}\n".encode()
    stage = _stage(parse_dockerfile(data), 0)
    assert (stage.image, stage.unresolved_args) == (expected, ())


@pytest.mark.parametrize(
    ("reference", "unresolved"),
    [
        ("$NODEF", ("NODEF",)),
        ("${NODEF}", ("NODEF",)),
        ("${NODEF:?required}", ("NODEF",)),
        ("${SET%x}", ("SET",)),
        ("${SET/a/b}", ("SET",)),
        ("${#SET}", ("SET",)),
        ("${SET", ("SET",)),
        ("${}", ("${",)),
        ("$A$B", ("A", "B")),
    ],
)
def test_unresolvable_substitutions(reference: str, unresolved: tuple[str, ...]) -> None:
    data = f"ARG SET=1\nARG NODEF\nFROM img:{reference}\n".encode()
    stage = _stage(parse_dockerfile(data), 0)
    assert (stage.image, stage.unresolved_args) == (None, unresolved)


def test_global_arg_defaults_are_quoted_words() -> None:
    df = parse_dockerfile(b"ARG A=\"python:3.11\" B='x y'\nFROM $A\n")
    assert df.global_args == {"A": "python:3.11", "B": "x y"}
    assert _stage(df, 0).image == "python:3.11"


def test_scratch_and_from_index() -> None:
    df = parse_dockerfile(b"FROM scratch AS s\nFROM 0\nFROM s\n")
    assert [s.image for s in df.stages] == ["scratch", "0", "s"]
    assert [s.parent for s in df.stages] == [None, None, 0]
    assert [root_image(df, i) for i in range(3)] == ["scratch", "0:latest", "scratch"]


def test_stage_names_match_case_insensitively() -> None:
    df = parse_dockerfile(b"FROM python:3.11 as Builder\nFROM BUILDER\nFROM builder AS x\n")
    assert _stage(df, 0).name == "builder"
    assert [s.parent for s in df.stages] == [None, 0, 0]


def test_later_or_unknown_stage_name_is_an_external_image() -> None:
    df = parse_dockerfile(b"FROM later AS first\nFROM unknown\nFROM alpine AS later\n")
    assert [s.parent for s in df.stages] == [None, None, None]
    assert root_image(df, 0) == "later:latest"


def test_stage_name_through_an_arg_is_a_parent() -> None:
    df = parse_dockerfile(b"ARG FROM_STAGE=base\nFROM alpine:3 AS base\nFROM $FROM_STAGE\n")
    assert _stage(df, 1).parent == 0
    assert root_image(df, 1) == "alpine:3"


def test_self_reference_does_not_loop() -> None:
    df = parse_dockerfile(b"FROM a AS a\nFROM a AS a\n")
    assert [s.parent for s in df.stages] == [None, 0]
    assert root_image(df, 1) == "a:latest"


def test_root_image_stops_on_a_cycle_in_a_hand_built_model() -> None:
    looping = Dockerfile(
        instructions=(),
        stages=(
            Stage(0, "a", 1, "b", "b", None, 1, ()),
            Stage(1, "b", 2, "a", "a", None, 0, ()),
            Stage(2, "c", 3, "c", "c", None, 2, ()),
            Stage(3, "d", 4, "x", "x", None, 99, ()),
        ),
        global_args={},
        runs=(),
        env=(),
        copy_from=(),
    )
    assert [root_image(looping, i) for i in range(4)] == [None, None, None, None]
    with pytest.raises(IndexError):
        root_image(looping, 4)
    with pytest.raises(IndexError):
        root_image(looping, -1)


def test_malformed_from_lines_still_make_stages() -> None:
    df = parse_dockerfile(b"FROM\nFROM --platform=linux/amd64\nFROM a b\nFROM c AS\n")
    assert len(df.stages) == 4
    assert [s.image for s in df.stages] == [None, None, "a", "c"]
    assert [s.name for s in df.stages] == [None, None, None, None]
    assert _stage(df, 1).platform == "linux/amd64"


def test_exponential_arg_expansion_is_bounded() -> None:
    lines = ["ARG A0=xxxxxxxxxxxxxxxx"]
    lines += [f"ARG A{i}=${{A{i - 1}}}${{A{i - 1}}}" for i in range(1, 80)]
    lines.append("FROM img:$A79")
    started = time.perf_counter()
    df = parse_dockerfile("\n".join(lines).encode())
    assert time.perf_counter() - started < 5
    assert _stage(df, 0).image is None
    assert _stage(df, 0).unresolved_args


def test_chain_of_unresolved_args_reports_a_bounded_number_of_names() -> None:
    count = 5000
    lines = [f"ARG N{i}" for i in range(count)] + ["ARG A0=x"]
    lines += [f"ARG A{i}=$N{i}$A{i - 1}" for i in range(1, count)]
    lines.append(f"FROM img:{'$A' + str(count - 1)}")
    started = time.perf_counter()
    stage = _stage(parse_dockerfile("\n".join(lines).encode()), 0)
    assert time.perf_counter() - started < 5
    assert stage.image is None
    assert stage.unresolved_args == tuple(f"N{count - 1 - i}" for i in range(16))


def test_deeply_nested_default_is_bounded() -> None:
    nested = "${X:-" * 5000 + "img" + "}" * 5000
    stage = _stage(parse_dockerfile(f"FROM {nested}\n".encode()), 0)
    assert stage.image is None
    assert stage.unresolved_args == ("${",)


# --------------------------------------------------------------------------- normalize_image

PYTHON_SPELLINGS = [
    "python",
    "python:latest",
    "docker.io/library/python:latest",
    "docker.io/python",
    "index.docker.io/library/python",
    "registry-1.docker.io/library/python",
    "library/python",
    "Python",
    "  DOCKER.IO/Library/python  ",
]


@pytest.mark.parametrize("reference", PYTHON_SPELLINGS)
def test_docker_hub_spellings_normalise_equal(reference: str) -> None:
    assert normalize_image(reference) == "python:latest"


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        ("python:3.11-slim", "python:3.11-slim"),
        ("docker.io/library/python:3.11-slim", "python:3.11-slim"),
        ("ghcr.io/org/img:tag", "ghcr.io/org/img:tag"),
        ("GHCR.io/Org/Img:Tag", "ghcr.io/org/img:Tag"),
        ("localhost:5000/img", "localhost:5000/img:latest"),
        ("localhost:5000/img:1.0", "localhost:5000/img:1.0"),
        ("localhost/img", "localhost/img:latest"),
        ("python@sha256:abc", "python@sha256:abc"),
        ("docker.io/library/python:3.11@sha256:abc", "python:3.11@sha256:abc"),
        ("docker.io/org/app", "org/app:latest"),
        ("docker.io/a.b/c", "docker.io/a.b/c:latest"),
        ("index.docker.io/localhost/c", "docker.io/localhost/c:latest"),
        ("library/org/app", "library/org/app:latest"),
        ("scratch", "scratch"),
        ("", ":latest"),
    ],
)
def test_normalize_image(reference: str, expected: str) -> None:
    assert normalize_image(reference) == expected


def test_same_image_spelled_two_ways_in_one_dockerfile() -> None:
    df = parse_dockerfile(b"FROM python:3.11-slim AS a\nFROM docker.io/library/python:3.11-slim AS b\n")
    assert root_image(df, 0) == root_image(df, 1) == "python:3.11-slim"


@given(st.text())
def test_normalize_image_is_idempotent(reference: str) -> None:
    once = normalize_image(reference)
    assert normalize_image(once) == once


@given(
    st.lists(
        st.sampled_from(["docker.io", "library", "Index.Docker.IO", "a.b", "localhost:5000", "x", "", "X"]),
        max_size=4,
    ).map("/".join),
    st.sampled_from(["", ":tag", ":", ":A:b", "@sha256:ab", ":t@d@e"]),
)
def test_normalize_image_is_idempotent_on_reference_shapes(name: str, suffix: str) -> None:
    once = normalize_image(name + suffix)
    assert normalize_image(once) == once


# --------------------------------------------------------------------------- RUN and lines

CONTINUED_RUN = b"""\
FROM python:3.11
RUN apt-get update && \\
    # Docker drops this comment line
    pip install \\
        --no-deps \\

        wheel
"""


def test_continuation_with_comment_and_blank_lines() -> None:
    df = parse_dockerfile(CONTINUED_RUN)
    (run,) = df.runs
    assert run.shell == "apt-get update && pip install --no-deps wheel"
    assert (run.start_line, run.end_line) == (2, 7)
    assert run.segments == ((0, 2), (18, 4), (30, 5), (40, 7))
    assert df.instructions[1] == Instruction("RUN", run.shell, 2, 7)


def test_line_at_maps_a_token_on_the_third_physical_line() -> None:
    (run,) = parse_dockerfile(CONTINUED_RUN).runs
    assert run.shell is not None
    offset = run.shell.index("--no-deps")
    assert run.line_at(offset) == 5
    assert run.line_at(offset + len("--no-deps") - 1) == 5
    assert run.line_at(run.shell.index("pip")) == 4
    assert run.line_at(0) == 2
    assert run.line_at(-10) == 2
    assert run.line_at(10_000) == 7


def test_line_at_without_segments_is_the_start_line() -> None:
    run = RunCommand(0, 3, 5, "x", None, ())
    assert run.line_at(2) == 3


def test_backtick_escape_directive() -> None:
    data = b"""\
# escape=`
FROM mcr.microsoft.com/windows/servercore:ltsc2022
RUN pip install `
    --no-deps C:\\wheels\\app.whl
RUN echo done \\
"""
    df = parse_dockerfile(data)
    first, second = df.runs
    assert first.shell == "pip install --no-deps C:\\wheels\\app.whl"
    assert first.line_at(first.shell.index("--no-deps")) == 4
    assert second.shell == "echo done \\"
    assert (second.start_line, second.end_line) == (5, 5)


def test_escape_directive_after_syntax_and_check_directives() -> None:
    data = b"# syntax=docker/dockerfile:1\n#check=skip=all\n# ESCAPE = `\nRUN a `\n b\n"
    (run,) = parse_dockerfile(data).runs
    assert run.shell == "a b"


@pytest.mark.parametrize(
    "data",
    [
        b"# a comment\n# escape=`\nRUN a `\n b\n",  # a plain comment ends the directives
        b"\n# escape=`\nRUN a `\n b\n",  # so does a blank line
        b"# escape=x\nRUN a `\n b\n",  # not an escape character Docker accepts
    ],
)
def test_escape_directive_only_at_the_top(data: bytes) -> None:
    instructions = parse_dockerfile(data).instructions
    assert [(i.keyword, i.value) for i in instructions] == [("RUN", "a `"), ("B", "")]


def test_exec_form_run() -> None:
    data = b'FROM python\nRUN ["pip", \\\n  "install","--no-deps","x"]\n'
    (run,) = parse_dockerfile(data).runs
    assert run.shell is None
    assert run.exec_argv == ("pip", "install", "--no-deps", "x")
    assert run.text == '["pip", "install","--no-deps","x"]'
    assert run.line_at(run.text.index("--no-deps")) == 3


@pytest.mark.parametrize(
    "command",
    ['["pip", "install"', "[pip install]", '["pip", 1]', "[" * 100_000, '["a", null]'],
)
def test_invalid_json_is_shell_form(command: str) -> None:
    (run,) = parse_dockerfile(f"RUN {command}\n".encode()).runs
    assert run.exec_argv is None
    assert run.shell == command


def test_empty_exec_form() -> None:
    (run,) = parse_dockerfile(b"RUN []\n").runs
    assert (run.exec_argv, run.shell) == ((), None)


def test_run_flags_are_split_off() -> None:
    data = b'RUN --mount=type=cache,target="/root/.cache" --network=none \\\n pip install x\n'
    (run,) = parse_dockerfile(data).runs
    assert run.flags == ("--mount=type=cache,target=/root/.cache", "--network=none")
    assert run.shell == "pip install x"
    assert run.segments == ((0, 2),)
    (exec_run,) = parse_dockerfile(b'RUN --network=none ["pip", "x"]\n').runs
    assert exec_run.exec_argv == ("pip", "x")


def test_run_before_the_first_from_has_stage_minus_one() -> None:
    df = parse_dockerfile(b"RUN echo\nCOPY --from=x a b\nFROM a\n")
    assert df.runs[0].stage == -1
    assert df.copy_from == ((-1, "x", 2),)


def test_crlf_and_bom() -> None:
    data = b"\xef\xbb\xbfFROM python:3.11\r\nRUN pip install \\\r\n  --no-deps x\r\n"
    df = parse_dockerfile(data)
    assert df.instructions[0] == Instruction("FROM", "python:3.11", 1, 1)
    (run,) = df.runs
    assert run.shell == "pip install --no-deps x"
    assert run.line_at(run.shell.index("--no-deps")) == 3


def test_garbage_bytes_do_not_raise() -> None:
    data = b"\xff\xfe\x00FROM \x80\x81 AS \xc3\nRUN \xe2\x28\xa1 \\\n\xf0\x28\x8c\xbc\n"
    df = parse_dockerfile(data)
    assert [i.keyword for i in df.instructions] == ["\ufffd\ufffd\x00FROM", "RUN"]
    assert df.runs[0].end_line == 3


def test_lowercase_keywords() -> None:
    df = parse_dockerfile(b"from python:3.11 as build\nrun pip install x\nenv A=1\n")
    assert [i.keyword for i in df.instructions] == ["FROM", "RUN", "ENV"]
    assert _stage(df, 0).name == "build"
    assert df.runs[0].shell == "pip install x"


@pytest.mark.parametrize("data", [b"", b"\n\n", b"# only a comment\n", b"\xef\xbb\xbf", b"\\"])
def test_empty_files(data: bytes) -> None:
    df = parse_dockerfile(data)
    assert (df.instructions, df.stages, df.runs, df.env) == ((), (), (), ())


def test_continuation_runs_into_the_next_instruction_like_docker() -> None:
    df = parse_dockerfile(b"RUN a \\\n\nFROM x\n")
    assert [(i.keyword, i.value) for i in df.instructions] == [("RUN", "a FROM x")]
    assert df.stages == ()


def test_long_continuation_is_linear() -> None:
    data = b"RUN a \\\n" + b"  b \\\n" * 200_000 + b"  c\n"
    started = time.perf_counter()
    (run,) = parse_dockerfile(data).runs
    assert time.perf_counter() - started < 10
    assert run.end_line == 200_002
    assert run.line_at(len(run.text) - 1) == 200_002


# --------------------------------------------------------------------------- heredocs


def test_heredoc_body_and_lines() -> None:
    data = b"""\
FROM python:3.11
RUN <<EOF
pip install --no-deps x
echo done
EOF
RUN echo after
"""
    df = parse_dockerfile(data)
    first, second = df.runs
    assert first.shell == "<<EOF"
    assert first.heredocs == (Heredoc(3, "pip install --no-deps x\necho done\n", None),)
    assert (first.start_line, first.end_line) == (2, 5)
    assert (second.shell, second.start_line) == ("echo after", 6)
    assert [i.keyword for i in df.instructions] == ["FROM", "RUN", "RUN"]
    body = first.heredocs[0]
    assert body.line_at(body.body.index("--no-deps")) == 3
    assert body.line_at(body.body.index("done")) == 4
    assert body.line_at(-1) == 3
    assert body.line_at(10_000) == 4


def test_heredoc_chomp_quoted_and_several_per_line() -> None:
    data = b"""\
RUN python3 <<-'PY' <<"SH"
\timport os
\t\tprint(os.sep)
\tPY
echo $HOME
SH
"""
    (run,) = parse_dockerfile(data).runs
    assert run.shell == "python3 <<-'PY' <<\"SH\""
    assert run.heredocs == (
        Heredoc(2, "import os\nprint(os.sep)\n", "python3"),
        Heredoc(5, "echo $HOME\n", "python3"),
    )
    assert run.end_line == 6


def test_heredoc_markers_only() -> None:
    (run,) = parse_dockerfile(b"RUN <<A <<B\na\nA\nb\nB\n").runs
    assert run.heredocs == (Heredoc(2, "a\n", None), Heredoc(4, "b\n", None))


@pytest.mark.parametrize(
    ("command", "interpreter"),
    [
        ("cat <<EOF > /etc/x", "cat"),
        ("PYTHONPATH=/x python3 <<EOF", "python3"),
        ("'/usr/bin/python3' <<EOF", "/usr/bin/python3"),
        ("<<EOF", "/usr/bin/env python3"),
    ],
)
def test_heredoc_interpreter(command: str, interpreter: str) -> None:
    data = f"RUN {command}\n#!/usr/bin/env python3\nprint(1)\nEOF\n".encode()
    (run,) = parse_dockerfile(data).runs
    assert run.heredocs[0].interpreter == interpreter


def test_copy_heredoc_body_is_not_instructions() -> None:
    data = b"FROM a\nCOPY <<EOF /app/x\nRUN pip install --no-deps y\nFROM evil\nEOF\nRUN ok\n"
    df = parse_dockerfile(data)
    assert [(i.keyword, i.start_line, i.end_line) for i in df.instructions] == [
        ("FROM", 1, 1),
        ("COPY", 2, 5),
        ("RUN", 6, 6),
    ]
    assert len(df.stages) == 1


def test_unterminated_heredoc_runs_to_end_of_file() -> None:
    (run,) = parse_dockerfile(b"RUN <<EOF\nline one\nline two").runs
    assert run.heredocs == (Heredoc(2, "line one\nline two\n", None),)
    assert run.end_line == 3
    (empty,) = parse_dockerfile(b"RUN cat <<EOF").runs
    assert empty.heredocs == (Heredoc(1, "", "cat"),)


def test_quoted_heredoc_marker_and_exec_form_are_not_heredocs() -> None:
    df = parse_dockerfile(b'RUN echo "<<EOF"\nRUN ["cat", "<<EOF"]\nRUN cat << EOF\nEOF\n')
    assert [run.heredocs for run in df.runs] == [(), (), ()]
    assert [i.keyword for i in df.instructions] == ["RUN", "RUN", "RUN", "EOF"]


def test_heredoc_marker_on_a_continued_line() -> None:
    (run,) = parse_dockerfile(b"RUN python3 \\\n  <<EOF\nbody\nEOF\n").runs
    assert run.heredocs == (Heredoc(3, "body\n", "python3"),)


# --------------------------------------------------------------------------- ENV, ARG, COPY


def test_env_assignments_with_lines() -> None:
    data = b"""\
ARG PIP_NO_DEPS=1
FROM python
ENV A=1 \\
    PIP_NO_DEPS="true" B='x y'
ENV LEGACY "some value"
ENV ONLYKEY
ENV C=$A D
ARG NODEFAULT
"""
    assert parse_dockerfile(data).env == (
        EnvAssignment(1, "PIP_NO_DEPS", "1", "ARG"),
        EnvAssignment(3, "A", "1", "ENV"),
        EnvAssignment(4, "PIP_NO_DEPS", "true", "ENV"),
        EnvAssignment(4, "B", "x y", "ENV"),
        EnvAssignment(5, "LEGACY", "some value", "ENV"),
        EnvAssignment(7, "C", "$A", "ENV"),
    )


def test_copy_from_values() -> None:
    data = b"FROM a AS build\nFROM b\nCOPY --chown=1 \\\n  --from=build /x /y\nCOPY --from=0 /a /b\n"
    assert parse_dockerfile(data).copy_from == ((1, "build", 4), (1, "0", 5))


# --------------------------------------------------------------------------- ARG, ENV and USER in stages


def test_stage_steps_keep_values_as_written() -> None:
    data = (
        b"ARG UID=1000\n"
        b"FROM python:3.11 AS base\n"
        b"ARG UID\n"
        b'ENV HOME="/home/$APP" \\\n'
        b"    APP=app\n"
        b"USER ${UID}:users\n"
        b"FROM base\n"
        b"user root\n"
    )
    assert parse_dockerfile(data).steps == (
        StageStep(0, 3, "ARG", "UID", None),
        StageStep(0, 4, "ENV", "HOME", '"/home/$APP"'),
        StageStep(0, 5, "ENV", "APP", "app"),
        StageStep(0, 6, "USER", "", "${UID}:users"),
        StageStep(1, 8, "USER", "", "root"),
    )


def test_global_values_are_substituted_defaults() -> None:
    df = parse_dockerfile(b"ARG A=1\nARG B=${A}2\nARG C\nARG D=$C\nFROM x\n")
    assert df.global_values == {"A": "1", "B": "12", "C": None, "D": None}


def test_steps_before_the_first_from_are_global_args_only() -> None:
    assert parse_dockerfile(b"ARG A=1\nUSER root\nENV X=1\nFROM x\n").steps == ()


def test_escape_character_is_kept() -> None:
    assert parse_dockerfile(b"# escape=`\nFROM x\n").escape == "`"
    assert parse_dockerfile(b"FROM x\n").escape == "\\"


@pytest.mark.parametrize(
    ("word", "values", "expected"),
    [
        ("app", {}, "app"),
        ("$U", {"U": "app"}, "app"),
        ("${U}:${G:-users}", {"U": "1000"}, "1000:users"),
        ('"$U"', {"U": "a b"}, "a b"),
        ("'$U'", {"U": "app"}, "$U"),
        ("$U", {"U": None}, None),
        ("$U", {}, None),
        ("${U#x}", {"U": "xapp"}, None),
        ("${U:?unset}", {}, None),
    ],
)
def test_substitute(word: str, values: dict[str, str | None], expected: str | None) -> None:
    assert substitute(word, values) == expected


def test_substitute_with_the_backtick_escape() -> None:
    assert substitute("a`$b", {}, "`") == "a$b"


def test_substitute_is_bounded() -> None:
    values = {"A": "x" * 1_000_000}
    started = time.monotonic()
    assert substitute("$A$A$A", values) is None
    assert time.monotonic() - started < 1


# --------------------------------------------------------------------------- properties

FRAGMENTS = [
    "FROM python:3.11 AS base",
    "from base",
    "FROM --platform=$P ${IMG:-alpine} AS x",
    "ARG IMG",
    "ARG V=${IMG:+a}",
    "RUN pip install --no-deps x",
    'RUN ["pip", "install"]',
    "RUN <<EOF",
    "RUN <<-'A' <<B",
    "COPY <<EOF /x",
    "EOF",
    "A",
    "\tA",
    "B",
    "ENV PIP_NO_DEPS=1",
    "ENV K V",
    "# comment",
    "# escape=`",
    "",
    "  ",
    "\\",
    "`",
    "  continued \\",
    "  continued `",
    "$",
    "${",
    "}",
]
SEPARATORS = ["\n", "\r\n", " \\\n", "\\\r\n", " `\n"]


@st.composite
def dockerfile_like(draw: st.DrawFn) -> bytes:
    parts = draw(st.lists(st.tuples(st.sampled_from(FRAGMENTS), st.sampled_from(SEPARATORS))))
    noise = draw(st.binary(max_size=8))
    return "".join(fragment + sep for fragment, sep in parts).encode() + noise


def _line_count(data: bytes) -> int:
    lines = data.split(b"\n")
    return len(lines) - (lines[-1] == b"")


def _check_invariants(data: bytes) -> None:
    df = parse_dockerfile(data)
    count = _line_count(data)
    lines = [line for i in df.instructions for line in (i.start_line, i.end_line)]
    lines += [s.from_line for s in df.stages]
    lines += [e.line for e in df.env] + [line for _, _, line in df.copy_from]
    lines += [step.line for step in df.steps]
    assert [step.stage for step in df.steps] == sorted(step.stage for step in df.steps)
    assert all(0 <= step.stage < len(df.stages) for step in df.steps)
    for run in df.runs:
        lines += [run.start_line, run.end_line]
        lines += [h.line_at(o) for h in run.heredocs for o in (-1, 0, len(h.body) + 1)]
        lines += [line for _, line in run.segments]
        mapped = [run.line_at(offset) for offset in range(-1, len(run.text) + 2)]
        assert mapped == sorted(mapped)
        assert all(run.start_line <= line <= run.end_line for line in mapped)
    assert all(1 <= line <= count for line in lines)
    assert all(i.start_line <= i.end_line for i in df.instructions)
    assert len(df.stages) == sum(i.keyword == "FROM" for i in df.instructions)
    for stage in df.stages:
        assert stage.parent is None or 0 <= stage.parent < stage.index
        root_image(df, stage.index)


@settings(max_examples=300)
@given(dockerfile_like())
def test_invariants_on_dockerfile_like_input(data: bytes) -> None:
    _check_invariants(data)


@given(st.binary())
def test_invariants_on_arbitrary_bytes(data: bytes) -> None:
    _check_invariants(data)


@given(st.text())
def test_invariants_on_arbitrary_text(text: str) -> None:
    _check_invariants(text.encode("utf-8", errors="surrogatepass"))


# --------------------------------------------------------------------------- dockerfile-parse

# Lines on which BuildKit, dockerfile-parse and this parser agree: no blank line inside a
# continuation, no heredoc, and the file does not end inside a continuation.
ORACLE_LINES = [
    "FROM python:3.11 AS base",
    "run pip install \\",
    "RUN x `",
    "    --no-deps \\",
    "    tail",
    "  # comment inside",
    "# top comment",
    "ENV A=1 \\",
    "COPY . .",
]


@given(
    st.booleans(),
    st.lists(st.sampled_from(ORACLE_LINES), max_size=12),
)
def test_instruction_boundaries_match_dockerfile_parse(backtick: bool, body: list[str]) -> None:
    lines = (["# escape=`"] if backtick else []) + body + ["FROM final"]
    data = "".join(line + "\n" for line in lines).encode()
    oracle = DockerfileParser(fileobj=io.BytesIO(data), env_replace=False).structure
    expected = [
        (item["instruction"], item["startline"] + 1, item["endline"] + 1)
        for item in oracle
        if item["instruction"] != "COMMENT"
    ]
    ours = [(i.keyword, i.start_line, i.end_line) for i in parse_dockerfile(data).instructions]
    assert ours == expected
