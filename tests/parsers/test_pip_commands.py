"""Tests for the pip-invocation lexer behind UDEF005 (no `pip install --no-deps`) and UDEF002."""

from __future__ import annotations

import shlex
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from udef_audit.parsers.pip_commands import (
    NoDepsUse,
    PipInvocation,
    Word,
    find_no_deps,
    find_no_deps_in_argv,
    is_no_deps_flag,
    is_rejected_abbreviation,
    is_truthy_pip_env,
    iter_pip_invocations,
    no_deps_flag,
)


def flags(script: str, *, make_syntax: bool = False) -> list[tuple[int, str]]:
    return [(use.offset, use.flag) for use in find_no_deps(script, make_syntax=make_syntax)]


def single_flag_at_index(script: str, flag: str, *, make_syntax: bool = False) -> None:
    """Exactly one finding: `flag`, at the first place it is written."""
    assert flags(script, make_syntax=make_syntax) == [(script.index(flag), flag)]


# --- is_no_deps_flag ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "word",
    ["--no-deps", "--no-dependencies", "--no-depe", "--no-depen", "--no-dependencie"],
)
def test_is_no_deps_flag_accepts_what_pip_accepts(word: str) -> None:
    assert is_no_deps_flag(word)


@pytest.mark.parametrize(
    "word",
    [
        # optparse counts --no-deps and --no-dependencies as two candidates: ambiguous
        # (`--no-dep` is still reported, as the contract asks: see test_rejected_abbreviation).
        "--no-de",
        "--no-d",
        "--no-",
        "--no",
        "--no-deps=1",  # a flag option refuses a value
        "--no-depsx",
        "--no-dependenciesx",
        "--NO-DEPS",
        "-no-deps",
        "--deps",
        "",
    ],
)
def test_is_no_deps_flag_rejects_what_pip_rejects(word: str) -> None:
    assert not is_no_deps_flag(word)


SPELLINGS = ("--no-deps", "--no-dependencies")


def test_is_no_deps_flag_matches_pips_own_option_parser() -> None:
    """Cross-check against the pip installed in the venv: every prefix of both spellings."""
    optparse = pytest.importorskip("optparse")
    commands = pytest.importorskip("pip._internal.commands")
    parser = commands.create_command("install").parser
    candidates = {word[:length] for word in SPELLINGS for length in range(3, len(word) + 1)}
    for candidate in sorted(candidates):
        try:
            option = parser._long_opt[parser._match_long_opt(candidate)]
            pip_accepts = option.dest == "ignore_dependencies"
        except optparse.OptParseError:
            pip_accepts = False
        assert is_no_deps_flag(candidate) == (pip_accepts or candidate == "--no-dep"), candidate
        assert is_rejected_abbreviation(candidate) == (candidate == "--no-dep"), candidate
    assert is_no_deps_flag("--no-depe")


# --- is_truthy_pip_env --------------------------------------------------------------------


@pytest.mark.parametrize("value", ["1", "true", "TRUE", "True", "yes", "YES", "on", "On", "y", "t"])
def test_truthy_pip_env_values(value: str) -> None:
    assert is_truthy_pip_env(value)


FALSY_OR_INVALID = ["0", "false", "FALSE", "no", "off", "n", "f", "", " 1", "2", "enable", "$X"]


@pytest.mark.parametrize("value", FALSY_OR_INVALID)
def test_falsy_or_invalid_pip_env_values(value: str) -> None:
    assert not is_truthy_pip_env(value)


def test_truthy_pip_env_agrees_with_pips_strtobool() -> None:
    misc = pytest.importorskip("pip._internal.utils.misc")
    for value in ["1", "0", "true", "false", "yes", "no", "on", "off", "y", "n", "t", "f", "On"]:
        assert is_truthy_pip_env(value) == bool(misc.strtobool(value)), value


# --- find_no_deps: the flag on pip install ------------------------------------------------


@pytest.mark.parametrize(
    "script",
    [
        "pip install --no-deps requests",
        "pip install requests --no-deps",
        "pip3 install --no-deps requests",
        "pip3.12 install --no-deps requests",
        "pip-3.12 install --no-deps requests",
        ".venv/bin/pip install --no-deps requests",
        "/usr/local/bin/pip3 install --no-deps requests",
        "python -m pip install --no-deps requests",
        "python3 -m pip install --no-deps requests",
        "python3.11 -m pip install --no-deps requests",
        "/usr/bin/python3 -m pip install --no-deps requests",
        "py -m pip install --no-deps requests",
        "py -3.12 -m pip install --no-deps requests",
        '"$PYTHON" -m pip install --no-deps requests',
        "$(PYTHON) -m pip install --no-deps requests",
        "${{ matrix.python }} -m pip install --no-deps requests",
        "{envpython} -m pip install --no-deps .",
        "python -mpip install --no-deps requests",
        "python -I -m pip install --no-deps requests",
        "python -W ignore -X dev -m pip install --no-deps requests",
        "python -Im pip install --no-deps requests",
        "'pip' install --no-deps requests",  # a quoted command word still runs
        "pip -q install --no-deps requests",
        "pip -qq -v install --no-deps requests",
        "pip --disable-pip-version-check install --no-deps requests",
        "pip --cache-dir /tmp/cache install --no-deps requests",
        "pip --cache /tmp/cache install --no-deps requests",  # abbreviated general option
        "pip --log=pip.log install --no-deps requests",
        "python -m pip -v install --no-deps requests",
        "python -m pip --python /usr/bin/python3 install --no-deps requests",
        "pip install -r requirements.txt --no-deps",
        "pip install -U --no-deps requests==2.0",
        "pip install a#b --no-deps",  # `#` inside a word starts no comment
    ],
)
def test_finds_no_deps_on_pip_install(script: str) -> None:
    single_flag_at_index(script, "--no-deps")


@pytest.mark.parametrize("flag", ["--no-dependencies", "--no-depe", "--no-depend"])
def test_finds_long_spelling_and_unambiguous_abbreviations(flag: str) -> None:
    single_flag_at_index(f"pip install {flag} requests", flag)


def test_rejected_abbreviation() -> None:
    # pip 26.3: "ambiguous option: --no-dep (--no-dependencies, --no-deps?)". The contract
    # names `--no-dep` as an abbreviation to report, so it is; shorter prefixes are not.
    single_flag_at_index("pip install --no-dep requests", "--no-dep")
    assert flags("python -m pip install --no-d requests") == []


@pytest.mark.parametrize(
    "script",
    [
        "uv pip install --no-deps requests",
        "uv pip install requests --no-deps",
        "uv --quiet pip install --no-deps requests",
        "uv --directory sub pip install --no-deps requests",
        "/root/.cargo/bin/uv pip install --no-deps requests",
        "python -m uv pip install --no-deps requests",
    ],
)
def test_finds_no_deps_on_uv_pip_install(script: str) -> None:
    assert find_no_deps(script) == [NoDepsUse(script.index("--no-deps"), "--no-deps", "uv pip")]


@pytest.mark.parametrize("flag", ["--no-depe", "--no-dependencies", "--no-dep"])
def test_uv_does_not_expand_abbreviations(flag: str) -> None:
    assert flags(f"uv pip install {flag} requests") == []


def test_tool_is_reported() -> None:
    script = "pip install --no-deps a && uv pip install --no-deps b"
    assert [use.tool for use in find_no_deps(script)] == ["pip", "uv pip"]


def test_quoted_flag_is_found_and_reported_as_written() -> None:
    script = 'pip install "--no-deps" requests'
    single_flag_at_index(script, '"--no-deps"')
    script = "pip install --no-'deps' requests"
    single_flag_at_index(script, "--no-'deps'")
    script = "pip install $'--no-deps' requests"
    single_flag_at_index(script, "$'--no-deps'")
    script = "pip install $'\\x2d-no-deps' requests"  # ANSI-C escapes are decoded
    single_flag_at_index(script, "$'\\x2d-no-deps'")


# --- command prefixes -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "prefix",
    [
        "sudo",
        "sudo -H",
        "sudo -u builder",
        "sudo -H -u builder",
        "sudo -E --",
        "env",
        "env -i",
        "env -i PATH=/usr/bin",
        "/usr/bin/env LANG=C",
        "time",
        "time -p",
        "nice",
        "nice -n 10",
        "exec",
        "command",
        "xargs",
        "xargs -n 1",
        "nohup",
        "timeout 600",
        "timeout -s KILL 10m",
        "FOO=bar",
        "FOO=bar BAZ='a b'",
        "!",
        "sudo -u builder env -i HOME=/root nice -n 5",
    ],
)
def test_sees_through_command_prefixes(prefix: str) -> None:
    single_flag_at_index(f"{prefix} pip install --no-deps requests", "--no-deps")


def test_command_v_only_looks_pip_up() -> None:
    assert iter_pip_invocations("command -v pip install --no-deps") == []


# --- separators, structure and continuations ----------------------------------------------


@pytest.mark.parametrize(
    "script",
    [
        "apt-get update\npip install --no-deps requests",
        "cd /app; pip install --no-deps requests",
        "cd /app && pip install --no-deps requests",
        "false || pip install --no-deps requests",
        "yes | pip install --no-deps requests",
        "sleep 1 & pip install --no-deps requests",
        "(cd /app && pip install --no-deps requests)",
        "{ pip install --no-deps requests; }",
        "if true; then pip install --no-deps requests; fi",
        "if false; then :; else pip install --no-deps requests; fi",
        "if false; then :; elif true; then pip install --no-deps requests; fi",
        "for p in a b; do pip install --no-deps requests; done",
        "while false; do :; done; pip install --no-deps requests",
        "install() { pip install --no-deps requests; }",
        "pip install --no-deps requests > /dev/null 2>&1",
        "pip install --no-deps requests 2>&1 | tee log",
        "pip install --no-deps requests\r\n",
        "apt-get update\r\npip install --no-deps requests\r\n",
    ],
)
def test_separators(script: str) -> None:
    single_flag_at_index(script, "--no-deps")


def test_backslash_newline_continues_the_command() -> None:
    script = "pip install \\\n    requests \\\n    --no-deps"
    [use] = find_no_deps(script)
    assert use.offset == script.index("--no-deps")
    assert script.count("\n", 0, use.offset) == 2  # the flag's own (third) line


def test_continuation_with_crlf() -> None:
    script = "pip install \\\r\n  requests \\\r\n  --no-deps\r\n"
    single_flag_at_index(script, "--no-deps")


def test_continuation_inside_a_word_joins_it() -> None:
    script = "pip install --no-\\\ndeps requests"
    assert flags(script) == [(script.index("--no-"), "--no-\\\ndeps")]


def test_several_findings_in_text_order() -> None:
    lines = [
        "pip install --no-deps a",
        "python -m pip install b --no-depe",
        "uv pip install --no-deps c",
    ]
    script = "\n".join(lines)
    assert flags(script) == [
        (script.index("--no-deps"), "--no-deps"),
        (script.index("--no-depe"), "--no-depe"),
        (script.rindex("--no-deps"), "--no-deps"),
    ]


# --- negatives ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "script",
    [
        "# pip install --no-deps requests",
        "    # pip install --no-deps requests",
        "pip install requests # --no-deps",
        "pip install requests #--no-deps",
        "pip install requests;# --no-deps",
        'echo "pip install --no-deps requests"',
        "echo 'pip install --no-deps requests'",
        'echo "# pip install --no-deps"',
        "echo pip install --no-deps requests",
        "printf '%s' 'pip install --no-deps'",
        "pip wheel --no-deps requests",
        "pip download --no-deps requests",
        "pip download -d wheels --no-deps requests",
        "python -m pip wheel --no-deps -w dist .",
        "uv pip compile --no-deps requirements.in",
        "pip lock --no-deps requests",
        "docker compose run --no-deps web pytest",
        "docker-compose up --no-deps web",
        "poetry install --no-deps",
        "pipenv install --no-deps",
        "pipx install --no-deps tool",
        "conda install --no-deps numpy",
        "cargo doc --no-deps",
        "pip --no-deps install requests",  # pip's main parser rejects it
        "pip install -- --no-deps",  # an operand after `--`
        "pip install requests --no-de",
        "pip install requests --no-deps=1",
        "pip install 'requests --no-deps'",
        "pip install requests '--no-deps x",  # unterminated quote: one word
        "pip show --no-deps requests",
        "pip",
        "git commit -m pip install --no-deps",
        "python script.py -m pip install --no-deps",
        "python -c 'import pip' --no-deps",
        "which pip install --no-deps",
        "cat <<EOF > requirements.sh\npip install --no-deps requests\nEOF\n",
        "python3 - <<'EOF'\nprint('pip install --no-deps')\nEOF\n",
        "",
        "   \n\t\n",
    ],
)
def test_finds_nothing(script: str) -> None:
    assert find_no_deps(script) == []


def test_unterminated_quotes_and_substitutions_do_not_raise() -> None:
    for script in ["echo 'abc", 'echo "abc', "echo $'abc", "echo $(abc", "echo `abc", "echo ${a"]:
        assert find_no_deps(script + " pip install --no-deps") == []
    assert flags("pip install --no-deps 'x") == [(12, "--no-deps")]


def test_text_after_a_quoted_apostrophe_heredoc_is_still_read() -> None:
    script = "cat <<EOF > README\nIt's fine\nEOF\npip install --no-deps requests\n"
    single_flag_at_index(script, "--no-deps")


# --- nested scripts: sh -c, eval, substitutions, heredocs -----------------------------------


@pytest.mark.parametrize(
    "script",
    [
        "sh -c 'pip install --no-deps requests'",
        'bash -c "pip install --no-deps requests"',
        "bash -lc 'cd /app && pip install --no-deps requests'",
        "bash -ec 'pip install --no-deps requests'",
        "bash -o pipefail -c 'pip install --no-deps requests'",
        "/bin/sh -c 'pip install --no-deps requests'",
        "sudo -u app sh -c 'pip install --no-deps requests'",
        "sh -c 'sh -c \"pip install --no-deps requests\"'",
        "eval 'pip install --no-deps requests'",
        "eval pip install --no-deps requests",
        "echo $(pip install --no-deps requests)",
        'echo "$(pip install --no-deps requests)"',
        "x=$(cd /app && pip install --no-deps requests)",
        "echo `pip install --no-deps requests`",
        "diff <(pip install --no-deps requests) expected",
        "bash <<EOF\npip install --no-deps requests\nEOF\n",
        "cat <<'EOF' | sh\npip install --no-deps requests\nEOF\n",
        "<<EOF\npip install --no-deps requests\nEOF\n",  # Dockerfile `RUN <<EOF`
        "bash <<-EOF\n\tpip install --no-deps requests\n\tEOF\n",
    ],
)
def test_nested_scripts(script: str) -> None:
    single_flag_at_index(script, "--no-deps")


def test_sh_c_offsets_point_into_the_original_text_through_escapes() -> None:
    script = 'bash -c "cd / && pip install \\"--no-deps\\" requests"'
    single_flag_at_index(script, '\\"--no-deps\\"')
    script = "sh -c $'pip install \\x2d-no-deps requests'"
    single_flag_at_index(script, "\\x2d-no-deps")


def test_sh_c_on_a_continued_line() -> None:
    script = "RUN_ME=1 \\\n  sh -c 'pip install \\\n    --no-deps requests'"
    [use] = find_no_deps(script)
    assert use.offset == script.index("--no-deps")
    assert script.count("\n", 0, use.offset) == 2


def test_shell_quoting_round_trips_through_several_levels() -> None:
    script = "pip install --no-deps requests"
    for _ in range(3):
        script = "sh -c " + shlex.quote(script)
    single_flag_at_index(script, "--no-deps")


def nested_sh_c(levels: int) -> str:
    script = "pip install --no-deps requests"
    for _ in range(levels):
        script = "sh -c " + shlex.quote(script)
    return script


def test_sh_c_recursion_is_depth_limited() -> None:
    single_flag_at_index(nested_sh_c(4), "--no-deps")
    assert find_no_deps(nested_sh_c(5)) == []
    assert find_no_deps(nested_sh_c(8)) == []
    # Linear in size: 3000 `sh -c` words each quoting the rest.
    assert find_no_deps("sh -c '" * 3000 + "pip install --no-deps x") == []


def test_substitution_nesting_is_bounded() -> None:
    shallow = "echo " + "$(" * 5 + "pip install --no-deps x" + ")" * 5
    single_flag_at_index(shallow, "--no-deps")
    deep = "echo " + "$(" * 500 + "pip install --no-deps x" + ")" * 500
    assert find_no_deps(deep) == []
    after = deep + "\npip install --no-deps y"
    assert find_no_deps(after) == [NoDepsUse(after.rindex("--no-deps"), "--no-deps", "pip")]


def test_pathological_inputs_finish() -> None:
    for script in [
        "$(" * 20_000,
        "`" * 20_000,
        "sh -c " * 20_000,
        "cat " + "<<A " * 2_000 + "\n" + "x\n" * 2_000,
        "X = a" + " " * 20_000 + "b",
        "'\"" * 20_000,
        "(" * 20_000 + ")" * 20_000,
        "eval " * 10_000,
    ]:
        assert find_no_deps(script) == []
        assert find_no_deps(script, make_syntax=True) == []


def test_long_runs_of_blanks_are_skipped_in_one_step() -> None:
    """2 MB of blanks before the command: one regex match, not one lexer step per blank."""
    script = " \t\f\v\r" * 400_000 + "pip install --no-deps x"
    start = time.perf_counter()
    found = find_no_deps(script)
    elapsed = time.perf_counter() - start
    assert found == [NoDepsUse(script.index("--no-deps"), "--no-deps", "pip")]
    assert elapsed < 2.0


@pytest.mark.parametrize(
    ("script", "flag"),
    [
        ("pip install \\\n  \\\n\t--no-deps x", "--no-deps"),  # continuations among blanks
        ("pip install \\\r\n   --no-deps x", "--no-deps"),
        ("true &&& pip install --no-deps x", "--no-deps"),  # a run of list operators
        ("true ;;|| pip install --no-deps x", "--no-deps"),
        ("true &&> log pip install --no-deps x", "--no-deps"),  # `&>` after `&&` redirects
        ("echo ${a{b}c} && pip install --no-deps x", "--no-deps"),  # nested braces
        ("pip install x 2>    err --no-deps", "--no-deps"),  # blanks after a redirection
    ],
)
def test_runs_the_lexer_jumps_over_keep_offsets(script: str, flag: str) -> None:
    single_flag_at_index(script, flag)


# --- PIP_NO_DEPS in the environment ---------------------------------------------------------


@pytest.mark.parametrize(
    ("script", "flag"),
    [
        ("PIP_NO_DEPS=1 pip install requests", "PIP_NO_DEPS=1"),
        ("PIP_NO_DEPS=true pip install requests", "PIP_NO_DEPS=true"),
        ("PIP_NO_DEPS=yes python -m pip install requests", "PIP_NO_DEPS=yes"),
        ("PIP_NO_DEPENDENCIES=on pip install requests", "PIP_NO_DEPENDENCIES=on"),
        ("PIP_no_deps=1 pip install requests", "PIP_no_deps=1"),  # pip lower-cases the rest
        ("PIP_NO_DEPS='1' pip install requests", "PIP_NO_DEPS='1'"),
        ("env PIP_NO_DEPS=1 pip install requests", "PIP_NO_DEPS=1"),
        ("env -i PIP_NO_DEPS=1 make install", "PIP_NO_DEPS=1"),
        ("sudo PIP_NO_DEPS=1 pip install requests", "PIP_NO_DEPS=1"),
        ("PIP_NO_DEPS=1 make install", "PIP_NO_DEPS=1"),
        ("export PIP_NO_DEPS=1", "PIP_NO_DEPS=1"),
        ("export PIP_NO_DEPS=TRUE PIP_INDEX_URL=x", "PIP_NO_DEPS=TRUE"),
        ("declare -x PIP_NO_DEPS=1", "PIP_NO_DEPS=1"),
        ("PIP_NO_DEPS=1\nexport PIP_NO_DEPS\npip install requests", "PIP_NO_DEPS=1"),
        ("PIP_NO_DEPS=1; export PIP_NO_DEPS", "PIP_NO_DEPS=1"),
        ('echo "PIP_NO_DEPS=1" >> "$GITHUB_ENV"', '"PIP_NO_DEPS=1"'),
        ("echo PIP_NO_DEPS=true >> $GITHUB_ENV", "PIP_NO_DEPS=true"),
        ("sh -c 'export PIP_NO_DEPS=1; pip install requests'", "PIP_NO_DEPS=1"),
    ],
)
def test_finds_no_deps_environment(script: str, flag: str) -> None:
    assert find_no_deps(script) == [NoDepsUse(script.index(flag), flag, "pip")]


@pytest.mark.parametrize(
    "script",
    [
        "PIP_NO_DEPS=0 pip install requests",
        "PIP_NO_DEPS=false pip install requests",
        "PIP_NO_DEPS=no pip install requests",
        "PIP_NO_DEPS=off pip install requests",
        "PIP_NO_DEPS= pip install requests",
        "PIP_NO_DEPS=$NO_DEPS pip install requests",
        "export PIP_NO_DEPS=0",
        "PIP_NO_DEPS=1",  # a shell variable, not exported
        "PIP_NO_DEPS=1; pip install requests",
        "PIP_NO_DEPS=1; PIP_NO_DEPS=0; export PIP_NO_DEPS",
        "readonly PIP_NO_DEPS=1",
        "export -n PIP_NO_DEPS=1",
        "PIP_NO_DEP=1 pip install requests",  # pip reads only exact option names
        "pip_no_deps=1 pip install requests",
        "NO_DEPS=1 pip install requests",
        "echo PIP_NO_DEPS=1",
        'echo "PIP_NO_DEPS=1" >> "$GITHUB_OUTPUT"',
        "# export PIP_NO_DEPS=1",
        "echo 'export PIP_NO_DEPS=1'",
    ],
)
def test_no_deps_environment_negatives(script: str) -> None:
    assert find_no_deps(script) == []


# --- Makefile recipes -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "script",
    [
        "install:\n\t$(PIP) install --no-deps .",
        "\t@$(PIP) install --no-deps .",
        "\t-${PIP} install --no-deps .",
        "\t+$PIP install --no-deps .",
        "\t@-$(VENV_PIP) install --no-deps .",
        "\t$(PIP3) install --no-deps .",
        "\t$(VENV)/bin/pip install --no-deps .",
        "\t@$(PYTHON) -m pip install --no-deps .",
        "\t@echo $$(pip install --no-deps x)",
        "deps:\n\t@pip install \\\n\t\t--no-deps .",
        "X := $(shell pip install --no-deps x)",
    ],
)
def test_make_recipes(script: str) -> None:
    single_flag_at_index(script, "--no-deps", make_syntax=True)


def test_make_prefixes_and_variables_need_make_syntax() -> None:
    assert find_no_deps("\t@pip install --no-deps .") == []
    assert find_no_deps("\t$(PIP) install --no-deps .") == []


@pytest.mark.parametrize(
    "script",
    [
        "\t$(PIPENV) install --no-deps",
        "\t$(PIPX) install --no-deps tool",
        "\t$(PIPELINE) install --no-deps",
        "\t@echo $(PIP) install --no-deps",
        "# $(PIP) install --no-deps",
    ],
)
def test_make_negatives(script: str) -> None:
    assert find_no_deps(script, make_syntax=True) == []


@pytest.mark.parametrize(
    ("script", "flag"),
    [
        ("export PIP_NO_DEPS = 1", "PIP_NO_DEPS = 1"),
        ("export PIP_NO_DEPS := true", "PIP_NO_DEPS := true"),
        ("export PIP_NO_DEPS=1", "PIP_NO_DEPS=1"),
        ("PIP_NO_DEPS ?= yes\nexport PIP_NO_DEPS\n", "PIP_NO_DEPS ?= yes"),
        ("test:\n\tPIP_NO_DEPS=1 $(PIP) install .", "PIP_NO_DEPS=1"),
    ],
)
def test_make_environment(script: str, flag: str) -> None:
    assert flags(script, make_syntax=True) == [(script.index(flag), flag)]


MAKE_ENV_NEGATIVES = ["export PIP_NO_DEPS = 0", "PIP_NO_DEPS = 1", "PIP_NO_DEPS = 1\nexport OTHER"]


@pytest.mark.parametrize("script", MAKE_ENV_NEGATIVES)
def test_make_environment_negatives(script: str) -> None:
    assert find_no_deps(script, make_syntax=True) == []


# --- iter_pip_invocations and no_deps_flag --------------------------------------------------


def test_invocation_fields() -> None:
    script = "PIP_INDEX_URL=u sudo -H pip -q install -r req.txt 'a==1' 2>&1 >log"
    [invocation] = iter_pip_invocations(script)
    assert invocation == PipInvocation(
        offset=0,
        tool="pip",
        subcommand="install",
        args=(
            Word("-r", script.index("-r"), "-r"),
            Word("req.txt", script.index("req.txt"), "req.txt"),
            Word("a==1", script.index("'a==1'"), "'a==1'"),
        ),
        env=(("PIP_INDEX_URL", "u"),),
    )
    assert no_deps_flag(invocation) is None


@pytest.mark.parametrize(
    ("script", "tool", "subcommand"),
    [
        ("pip install x", "pip", "install"),
        ("pip3 uninstall -y x", "pip", "uninstall"),
        ("python -m pip wheel -w dist .", "pip", "wheel"),
        ("python3 -m pip download x", "pip", "download"),
        ("pip --isolated freeze", "pip", "freeze"),
        ("uv pip sync requirements.txt", "uv pip", "sync"),
        ("uv pip install x", "uv pip", "install"),
        ("pip", "pip", None),
        ("pip -q", "pip", None),
    ],
)
def test_invocation_tool_and_subcommand(script: str, tool: str, subcommand: str | None) -> None:
    [invocation] = iter_pip_invocations(script)
    assert (invocation.tool, invocation.subcommand) == (tool, subcommand)


def test_invocation_offset_is_the_commands_first_word() -> None:
    script = "cd /app && FOO=1 pip install x; (uv pip install y)"
    assert [i.offset for i in iter_pip_invocations(script)] == [
        script.index("FOO"),
        script.index("uv"),
    ]


def test_invocation_env_includes_env_and_sudo_assignments() -> None:
    [invocation] = iter_pip_invocations("A=1 env B=2 sudo C=3 pip install x")
    assert invocation.env == (("A", "1"), ("B", "2"), ("C", "3"))


def test_invocations_inside_sh_c_have_original_offsets() -> None:
    script = "sh -c 'pip install \"a b\" c'"
    [invocation] = iter_pip_invocations(script)
    assert invocation.offset == script.index("pip")
    assert [(w.text, w.offset, w.raw) for w in invocation.args] == [
        ("a b", script.index('"a b"'), '"a b"'),
        ("c", script.index("c'"), "c"),
    ]


def test_make_invocations() -> None:
    [invocation] = iter_pip_invocations("\t@$(PIP) install -e .", make_syntax=True)
    assert (invocation.tool, invocation.subcommand, invocation.offset) == ("pip", "install", 2)
    assert [w.text for w in invocation.args] == ["-e", "."]


def test_no_deps_flag_only_for_installs() -> None:
    word = Word("--no-deps", 10, "--no-deps")
    install = PipInvocation(0, "pip", "install", (word,), ())
    assert no_deps_flag(install) == word
    for subcommand in ("wheel", "download", "sync", "uninstall", None):
        other = PipInvocation(0, "pip", subcommand, (word,), ())
        assert no_deps_flag(other) is None
    short = Word("--no-depe", 10, "--no-depe")
    assert no_deps_flag(PipInvocation(0, "pip", "install", (short,), ())) == short
    assert no_deps_flag(PipInvocation(0, "uv pip", "install", (short,), ())) is None
    after_dashes = (Word("--", 8, "--"), word)
    assert no_deps_flag(PipInvocation(0, "pip", "install", after_dashes, ())) is None


# --- find_no_deps_in_argv -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["pip", "install", "--no-deps", "x"], "--no-deps"),
        (["pip3", "install", "x", "--no-dependencies"], "--no-dependencies"),
        (["/usr/bin/python3", "-m", "pip", "install", "--no-depe", "x"], "--no-depe"),
        (["<python>", "-m", "pip", "install", "--no-deps", "x"], "--no-deps"),
        (["/opt/venv/bin/pip", "install", "--no-deps", "x"], "--no-deps"),
        (["uv", "pip", "install", "--no-deps", "x"], "--no-deps"),
        (["env", "PIP_NO_DEPS=1", "pip", "install", "x"], "PIP_NO_DEPS=1"),
        (["/bin/sh", "-c", "pip install --no-deps x"], "--no-deps"),
        (["bash", "-c", "pip install '--no-deps' x"], "'--no-deps'"),
        (["/usr/bin/python3", "-m", "pip", "install", "--no-dep", "x"], "--no-dep"),  # rejected by pip, reported
        (["uv", "pip", "install", "--no-depe", "x"], None),
        (["pip", "wheel", "--no-deps", "x"], None),
        (["pip", "download", "--no-deps", "x"], None),
        (["pip", "install", "--", "--no-deps"], None),
        (["pip", "install", "x"], None),
        (["echo", "--no-deps"], None),
        (["docker", "compose", "run", "--no-deps", "web"], None),
        (["sh", "-c", "echo 'pip install --no-deps'"], None),
        ([], None),
        ([""], None),
    ],
)
def test_find_no_deps_in_argv(argv: list[str], expected: str | None) -> None:
    assert find_no_deps_in_argv(argv) == expected


def test_find_no_deps_in_argv_tolerates_hostile_shapes() -> None:
    assert find_no_deps_in_argv("pip install --no-deps x") is None  # a string, not a list
    hostile: list[object] = ["pip", "install", 3, None, "--no-deps"]
    assert find_no_deps_in_argv(hostile) == "--no-deps"  # type: ignore[arg-type]


# --- properties -----------------------------------------------------------------------------

SHELL_PIECES = st.sampled_from(
    [
        *" \t\n\r\\'\"$`(){};&|<>#@-+=!",
        *("pip", "pip3", "install", "--no-deps", "--no-depe", "sh", "bash", "-c", "-lc", "eval"),
        *("export", "PIP_NO_DEPS=1", "PIP_NO_DEPS", "<<", "<<-", "EOF", "$(", "${", "$'", "$$"),
        *("python", "-m", "uv", "\\\n", "\\x", "\\x2d", "\\07", "echo", "GITHUB_ENV", "sudo"),
        *("env", "$(PIP)", "x", "then", "{", "}", "2>&1", ">>", " -- "),
    ]
)  # fmt: skip
SHELLISH_TEXT = st.lists(SHELL_PIECES, max_size=50).map("".join)
ANY_TEXT = st.one_of(st.text(max_size=200), SHELLISH_TEXT)
NAME_PATTERN = r"[A-Za-z][A-Za-z0-9._-]{0,15}(==[0-9]{1,3}(\.[0-9]{1,3}){0,2})?"
PACKAGE_NAME = st.from_regex(NAME_PATTERN, fullmatch=True)


@settings(max_examples=400)
@given(ANY_TEXT, st.booleans())
def test_property_never_raises_and_offsets_point_at_the_flag(script: str, make: bool) -> None:
    for use in find_no_deps(script, make_syntax=make):
        assert 0 <= use.offset < len(script)
        assert use.flag
        assert script.startswith(use.flag, use.offset)
    for invocation in iter_pip_invocations(script, make_syntax=make):
        assert 0 <= invocation.offset < len(script)
        for word in invocation.args:
            assert script.startswith(word.raw, word.offset)


@settings(max_examples=300)
@given(ANY_TEXT, st.booleans())
def test_property_commented_out_text_finds_nothing(script: str, make: bool) -> None:
    commented = "\n".join("# " + line for line in script.split("\n"))
    assert find_no_deps(commented, make_syntax=make) == []
    assert iter_pip_invocations(commented, make_syntax=make) == []


@settings(max_examples=300)
@given(
    st.sampled_from(["pip", "pip3", "python -m pip", "python3 -m pip", "uv pip", "sudo -H pip"]),
    st.lists(PACKAGE_NAME, max_size=6),
)
def test_property_install_with_no_deps_is_found_once(tool: str, names: list[str]) -> None:
    script = f"{tool} install {' '.join(names)} --no-deps"
    assert flags(script) == [(len(script) - len("--no-deps"), "--no-deps")]


@settings(max_examples=200)
@given(st.lists(PACKAGE_NAME, min_size=1, max_size=6), st.integers(min_value=0, max_value=6))
def test_property_flag_position_inside_sh_c(names: list[str], position: int) -> None:
    words = [*names]
    words.insert(min(position, len(words)), "--no-deps")
    script = "sh -c " + shlex.quote("pip install " + " ".join(words))
    single_flag_at_index(script, "--no-deps")


@settings(max_examples=200)
@given(st.lists(st.one_of(st.text(max_size=20), SHELLISH_TEXT), max_size=8))
def test_property_argv_never_raises(argv: list[str]) -> None:
    flag = find_no_deps_in_argv(argv)
    assert flag is None or any(flag in item for item in argv)
