"""Tests for the Python-source scanner behind UDEF006 (placeholders) and UDEF005 (pip calls).

The sources under test are string literals assigned to names, never docstrings or comments
of this file, so that the project's own audit does not read them as placeholders.
"""

from __future__ import annotations

import ast
import json
import multiprocessing
import multiprocessing.connection
import os
import subprocess
import sys
import sysconfig
import textwrap
import threading
import time
import warnings
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from udef_audit.parsers import _libcst_worker as worker
from udef_audit.parsers import python_chunks, python_newsyntax, python_pool, python_source, python_tree
from udef_audit.parsers.python_lexer import LineIndex, lex_regions, tokenize_regions
from udef_audit.parsers.python_source import (
    Marker,
    NotImplementedRaise,
    PipCall,
    PythonFacts,
    check_syntax,
    parse_module,
    scan_many,
    scan_python,
)


def scan(source: str, **options: object) -> PythonFacts:
    return scan_python(textwrap.dedent(source).encode("utf-8"), **options)  # type: ignore[arg-type]


def found(facts: PythonFacts) -> list[tuple[int, int, str, str]]:
    return [(marker.line, marker.column, marker.word, marker.kind) for marker in facts.markers]


def raised(facts: PythonFacts) -> list[tuple[int, int, str | None, str]]:
    return [(item.line, item.column, item.exempt_reason, item.scope) for item in facts.raises]


@pytest.fixture
def libcst_only() -> Iterator[None]:
    """Locate newer syntax with libcst only (not first from the lexer's spans)."""
    with mock.patch.object(python_source, "quick_locate", lambda text, regions: None):
        yield


@pytest.fixture
def no_libcst() -> Iterator[None]:
    """Pretend the libcst child crashed on everything (keeps property tests fast)."""
    with mock.patch.object(python_newsyntax, "run_libcst", lambda texts: [None] * len(texts)):
        yield


# --- markers ----------------------------------------------------------------------------------

KINDS_SOURCE = '''\
"""Module docstring: TODO write it."""
import os  # FIXME: drop this import

XXX_SIZE = 3
value = "TODO in a plain string"
data = b"TODO in bytes"
label = f"TODO in an f-string {value}"
MY_TODO = TODOS = todo = 1


def function():
    """XXX in a function docstring."""
    # TODO(bob): two markers, TODO again
    return "FIXME is not a docstring"


class Thing:
    """Class docstring.

    Second line with FIXME inside.
    """

    async def method(self):
        r"""Raw XXX docstring."""
'''


def test_comments_and_docstrings_are_found_other_strings_and_names_are_not() -> None:
    facts = scan(KINDS_SOURCE)
    assert found(facts) == [
        (1, 22, "TODO", "docstring"),
        (2, 14, "FIXME", "comment"),
        (12, 8, "XXX", "docstring"),
        (13, 7, "TODO", "comment"),
        (13, 31, "TODO", "comment"),
        (20, 22, "FIXME", "docstring"),
        (24, 17, "XXX", "docstring"),
    ]
    assert facts.error is None
    assert facts.parser == "ast"


def test_marker_text_is_the_stripped_comment_or_docstring_line() -> None:
    texts = [marker.text for marker in scan(KINDS_SOURCE).markers]
    assert texts == [
        "Module docstring: TODO write it.",
        "# FIXME: drop this import",
        "XXX in a function docstring.",
        "# TODO(bob): two markers, TODO again",
        "# TODO(bob): two markers, TODO again",
        "Second line with FIXME inside.",
        "Raw XXX docstring.",
    ]


@pytest.mark.parametrize(
    ("comment", "columns"),
    [
        ("# TODO", [3]),
        ("# TODO: soon", [3]),
        ("# TODO(bob) soon", [3]),
        ("#TODO", [2]),
        ("# todo and Todo", []),
        ("# TODOS and XXX_SIZE and MY_TODO and FIXMEs", []),
        ("# TODO-list, FIXME. XXX!", [3, 14, 21]),
        ("# éTODO and TODOé", []),
    ],
)
def test_markers_are_upper_case_whole_words(comment: str, columns: list[int]) -> None:
    facts = scan(f"x = 1\n{comment}\n")
    assert [marker.column for marker in facts.markers] == columns
    assert all(marker.line == 2 for marker in facts.markers)


def test_extra_words_are_configurable_and_replace_the_defaults() -> None:
    facts = scan("# HACK here, TODO there\n", words=("HACK", "TODO"))
    assert found(facts) == [(1, 3, "HACK", "comment"), (1, 14, "TODO", "comment")]
    assert scan("# TODO\n", words=("HACK",)).markers == ()
    assert scan("# TODO\n", words=()).markers == ()


def test_comment_only_hits_need_no_parser() -> None:
    facts = scan("x = 1  # XXX: later\n")
    assert found(facts) == [(1, 10, "XXX", "comment")]
    assert facts.parser == "tokens"


def test_files_without_any_candidate_are_not_parsed() -> None:
    facts = scan("def f(:\n    pass\n")
    assert facts == PythonFacts(parser="prefilter")


def test_docstring_forms() -> None:
    source = '''\
    def one_liner(): "TODO one-liner docstring"
    def concatenated():
        "first part " "TODO second part"
    def parenthesised():
        ("XXX parenthesised")
    def not_first():
        x = 1
        "TODO not a docstring: not the first statement"
    def bytes_doc():
        b"TODO bytes are not docstrings"
    def fstring_doc():
        f"TODO f-strings are not docstrings"
    if True:
        "FIXME a string under if is not a docstring"
    '''
    assert found(scan(source)) == [
        (1, 19, "TODO", "docstring"),
        (3, 20, "TODO", "docstring"),
        (5, 7, "XXX", "docstring"),
    ]


def test_multi_line_docstring_reports_each_occurrence_on_its_own_line() -> None:
    source = '''\
    def f():
        """Summary.

        TODO: first
          more text XXX
        """
    '''
    facts = scan(source)
    assert found(facts) == [(4, 5, "TODO", "docstring"), (5, 17, "XXX", "docstring")]
    assert [marker.text for marker in facts.markers] == ["TODO: first", "more text XXX"]


def test_marker_column_counts_characters_not_bytes() -> None:
    source = 'café = "ünïcode"  # TODO: naïve\ndef f():\n    """Ωmega XXX."""\n    é = 1; raise NotImplementedError\n'
    facts = scan_python(source.encode("utf-8"))
    assert found(facts) == [(1, 21, "TODO", "comment"), (3, 14, "XXX", "docstring")]
    assert raised(facts) == [(4, 12, None, "f")]


# --- raise NotImplementedError --------------------------------------------------------------

RAISES_SOURCE = '''\
import abc
import typing
import typing_extensions
from abc import ABC, abstractmethod
from typing import Generic, Protocol, TypeVar, overload

T = TypeVar("T")


class Base(ABC):
    @abstractmethod
    def named(self):
        raise NotImplementedError

    @abc.abstractmethod
    def dotted(self):
        raise NotImplementedError("subclasses do this")

    @property
    @abstractmethod
    def stacked(self):
        raise NotImplementedError

    def plain(self):
        raise NotImplementedError("a placeholder")

    def nested(self):
        def helper():
            raise NotImplementedError
        return helper


@overload
def over(x: int) -> int: ...
@typing.overload
def over(x: str) -> str:
    raise NotImplementedError
@typing_extensions.overload
def over(x: bytes) -> bytes:
    raise NotImplementedError


class Proto(Protocol):
    def method(self):
        raise NotImplementedError


class GenericProto(typing.Protocol[T]):
    def method(self):
        raise NotImplementedError

    class Inner:
        def method(self):
            raise NotImplementedError


class NotProto(Generic[T]):
    def method(self):
        raise NotImplementedError


def handled():
    try:
        pass
    except NotImplementedError:
        pass
    return NotImplemented


raise NotImplementedError
'''


def test_not_implemented_raises_and_their_exemptions() -> None:
    assert raised(scan(RAISES_SOURCE)) == [
        (13, 9, "abstractmethod", "Base.named"),
        (17, 9, "abstractmethod", "Base.dotted"),
        (22, 9, "abstractmethod", "Base.stacked"),
        (25, 9, None, "Base.plain"),
        (29, 13, None, "Base.nested.<locals>.helper"),
        (37, 5, "overload", "over"),
        (40, 5, "overload", "over"),
        (45, 9, "protocol", "Proto.method"),
        (50, 9, "protocol", "GenericProto.method"),
        (54, 13, None, "GenericProto.Inner.method"),
        (59, 9, None, "NotProto.method"),
        (70, 1, None, "<module>"),
    ]


def test_raise_forms_that_count() -> None:
    source = """\
    def a():
        raise NotImplementedError()
    def b():
        raise NotImplementedError from None
    def c():
        raise (NotImplementedError)
    def d():
        raise \\
            NotImplementedError
    def e():
        raise ValueError("NotImplementedError")  # raise NotImplementedError
    def f():
        x = "raise NotImplementedError"
    """
    assert raised(scan(source)) == [
        (2, 5, None, "a"),
        (4, 5, None, "b"),
        (6, 5, None, "c"),
        (8, 5, None, "d"),
    ]


def test_a_raise_in_a_class_body_is_not_exempt_even_in_a_protocol() -> None:
    source = """\
    from typing import Protocol
    class P(Protocol):
        raise NotImplementedError
    """
    assert raised(scan(source)) == [(3, 5, None, "P")]


# --- big files: only the statements around the hits are parsed ------------------------------


def _big_module() -> str:
    filler = "".join(f"    def method_{n}(self):\n        return {n}\n\n" for n in range(300))
    return (
        '"""Module XXX docstring."""\n'
        "import abc\n\n\n"
        "@decorator(\n"
        "    option=1,\n"
        ")\n"
        "class Big(abc.ABC):\n"
        '    """Class TODO docstring."""\n\n'
        + filler
        + "    @abc.abstractmethod\n"
        "    def abstract(self):\n"
        "        raise NotImplementedError\n\n"
        "    def concrete(self):\n"
        '        """Method FIXME docstring."""\n'
        "        text = '''\n"
        "def not_code(): raise NotImplementedError\n"
        "'''\n"
        "        return (1 +\n"
        "2)\n\n"
        "    def last(self): raise NotImplementedError\n\n\n"
        "total = 1 + \\\n"
        "    2\n"
        "def after(): raise NotImplementedError\n"
    )


def test_chunked_parsing_equals_whole_file_parsing() -> None:
    data = _big_module().encode()
    chunked = scan_python(data)
    with mock.patch.object(python_chunks, "_WHOLE_FILE_CHARS", 10**9):
        whole = scan_python(data)
    assert chunked == whole
    assert found(chunked) == [
        (1, 11, "XXX", "docstring"),
        (9, 14, "TODO", "docstring"),
        (916, 19, "FIXME", "docstring"),
    ]
    assert raised(chunked) == [
        (913, 9, "abstractmethod", "Big.abstract"),
        (923, 21, None, "Big.last"),
        (928, 14, None, "after"),
    ]


@pytest.mark.parametrize("name", ["ast.py", "typing.py", "argparse.py", "inspect.py", "abc.py"])
def test_chunked_parsing_equals_whole_file_parsing_on_the_standard_library(name: str) -> None:
    data = (Path(sysconfig.get_paths()["stdlib"]) / name).read_bytes()
    with mock.patch.object(python_chunks, "_SPLIT_STATEMENT_CHARS", 0):
        chunked = scan_python(data)
    with mock.patch.object(python_chunks, "_WHOLE_FILE_CHARS", 10**9):
        whole = scan_python(data)
    assert chunked == whole
    assert chunked.error is None


def test_a_syntax_error_outside_the_parsed_statements_goes_unnoticed_in_big_files() -> None:
    data = (_big_module() + "def broken(:\n    pass\n").encode()
    facts = scan_python(data)
    assert facts.error is None
    assert len(facts.raises) == 3


# --- syntax newer than the interpreter, and real syntax errors --------------------------------

NEW_SYNTAX = {
    "type statement (3.12)": "type Alias = list[int]\n",
    "generic function (3.12)": "def first[T](items: list[T]) -> T:\n    return items[0]\n",
    "generic class (3.12)": "class Box[T: int, *Ts, **P]:\n    pass\n",
    "nested f-string quotes (3.12)": "name = f\"{'-'.join([\"a\", \"b\"])} {f\"{1}\"}\"\n",
    "unparenthesised except (3.14)": "try:\n    pass\nexcept ValueError, TypeError:\n    pass\n",
}


@pytest.mark.parametrize("locator", ["lexer", "libcst"])
@pytest.mark.parametrize("snippet", list(NEW_SYNTAX.values()), ids=list(NEW_SYNTAX))
def test_newer_syntax_is_not_unparseable_and_its_facts_are_found(snippet: str, locator: str) -> None:
    source = (
        '"""Module TODO."""\n'
        + snippet
        + "# FIXME: after the new syntax\n"
        "def f():\n"
        '    """XXX doc."""\n'
        "    raise NotImplementedError\n"
    )
    if locator == "libcst":
        with mock.patch.object(python_source, "quick_locate", lambda text, regions: None):
            facts = scan_python(source.encode())
    else:
        facts = scan_python(source.encode())
    lines = snippet.count("\n")
    assert facts.error is None
    # f-strings that reuse their quotes: the lexer is unsure, libcst locates them
    expected = "libcst" if locator == "libcst" or "nested" in snippet or '\"a\"' in snippet else "blanked"
    assert facts.parser in ("ast", expected)
    assert found(facts) == [
        (1, 11, "TODO", "docstring"),
        (2 + lines, 3, "FIXME", "comment"),
        (4 + lines, 8, "XXX", "docstring"),
    ]
    assert raised(facts) == [(5 + lines, 5, None, "f")]


@pytest.mark.skipif(sys.version_info >= (3, 14), reason="the running parser knows this syntax")
@pytest.mark.usefixtures("libcst_only")
def test_libcst_decides_exemptions_for_syntax_ast_rejects() -> None:
    source = """\
    from abc import abstractmethod
    from typing import Protocol
    type Alias = int
    class P(Protocol):
        def method(self):
            raise NotImplementedError
    class C:
        @abstractmethod
        def method(self):
            # TODO: in a comment
            raise NotImplementedError
        def plain(self):
            def inner():
                raise NotImplementedError
    try:
        pass
    except ValueError, TypeError:
        raise NotImplementedError
    """
    facts = scan(source)
    assert facts.parser == "libcst"
    assert raised(facts) == [
        (6, 9, "protocol", "P.method"),
        (11, 9, "abstractmethod", "C.method"),
        (14, 13, None, "C.plain.<locals>.inner"),
        (18, 5, None, "<module>"),
    ]
    assert found(facts) == [(10, 11, "TODO", "comment")]


def test_f_string_contents_are_not_markers_but_comments_inside_their_fields_are() -> None:
    source = (
        "def f(x):\n"
        '    s = f"{x["key"]} TODO in the f-string # XXX too"\n'
        '    t = f"""{\n'
        "        x  # FIXME: a comment inside a replacement field\n"
        '    }"""\n'
        "    return s  # TODO: real\n"
    )
    facts = scan_python(source.encode())
    assert facts.error is None
    assert found(facts) == [(4, 14, "FIXME", "comment"), (6, 17, "TODO", "comment")]


def test_a_real_syntax_error_is_reported_and_comments_are_still_found() -> None:
    source = """\
    # TODO: fix the signature
    def broken(:
        '''XXX unknowable: the parser gave up'''
        raise NotImplementedError  # FIXME
    """
    facts = scan(source)
    assert facts.error == "syntax error line 2: invalid syntax"
    assert facts.parser == "tokens"
    assert found(facts) == [(1, 3, "TODO", "comment"), (4, 34, "FIXME", "comment")]
    assert facts.raises == ()


def test_an_unterminated_string_is_a_syntax_error_with_comments_before_and_after() -> None:
    facts = scan("# TODO: before\nx = 'open\n# FIXME: after\n")
    assert facts.error is not None
    assert facts.error.startswith("syntax error line 2: ")
    assert found(facts) == [(1, 3, "TODO", "comment"), (3, 3, "FIXME", "comment")]


def test_an_expression_too_deep_for_both_parsers_only_costs_that_file() -> None:
    # ast refuses more than 200 nested parentheses; libcst's native parser overflows its
    # stack on 20,000 and kills its process.
    deep = "(" * 20_000 + "1" + ")" * 20_000
    line = f"x = {deep}; raise NotImplementedError  # XXX"
    facts = scan_python(f"# TODO: x\n{line}\n".encode())
    assert facts.parser == "tokens"
    assert facts.error == "syntax error line 2: too many nested parentheses"
    assert found(facts) == [(1, 3, "TODO", "comment"), (2, line.index("XXX") + 1, "XXX", "comment")]
    assert facts.raises == ()


def test_the_libcst_child_survives_a_crash_and_a_timeout() -> None:
    crash = "x = " + "(" * 20_000 + "1" + ")" * 20_000 + "\n"
    good = "# TODO: x\nraise NotImplementedError\n"
    answers = python_newsyntax.run_libcst([good, crash, good, "def f(:\n"])
    assert answers[0] == {"ok": True, "comments": [[1, 0, 1, 9]], "blanks": []}
    assert answers[1] is None
    assert answers[2] == answers[0]
    assert answers[3] is not None
    assert answers[3]["ok"] is False
    slow = "x = [\n" + "    1,\n" * 100_000 + "]\n"
    with mock.patch.object(python_newsyntax, "_SECONDS_PER_FILE", 0.01):
        assert python_newsyntax.run_libcst([slow, good]) == [None, answers[0]]
    with mock.patch.object(python_newsyntax, "_TOTAL_SECONDS", 0):
        assert python_newsyntax.run_libcst([good, good]) == [None, None]


@pytest.mark.usefixtures("libcst_only")
def test_libcst_is_skipped_for_big_files() -> None:
    source = "# FIXME: new syntax\ndef f[T](x: T) -> T:\n    raise NotImplementedError\n"
    # One long comment: over libcst's size bound, well under ast's node bound.
    facts = scan_python((source + "# " + "x" * 600_000 + "\n").encode())
    assert found(facts) == [(1, 3, "FIXME", "comment")]
    if sys.version_info >= (3, 12):
        assert raised(facts) == [(3, 5, None, "f")]
    else:
        assert facts.parser == "tokens"
        assert facts.error == (
            "syntax error line 2: expected '(' (not checked with libcst: over 500000 bytes)"
        )


# --- reading ----------------------------------------------------------------------------------


def test_binary_files() -> None:
    assert scan_python(b"# TODO\x00\n") == PythonFacts(error="binary file")


def test_files_that_are_not_utf8() -> None:
    facts = scan_python(b"# TODO\nx = '\xe9'\n")
    assert facts == PythonFacts(error="not UTF-8 (byte 12)")


def test_latin1_with_a_coding_cookie_is_read() -> None:
    data = "# -*- coding: latin-1 -*-\n# café TODO\ns = 'é'\n".encode("latin-1")
    facts = scan_python(data)
    assert facts.error is None
    assert found(facts) == [(2, 8, "TODO", "comment")]


def test_cookie_on_the_second_line_and_utf8_byte_order_mark() -> None:
    data = "#!/usr/bin/env python\n# coding: cp1252\n# €uro TODO\n".encode("cp1252")
    assert found(scan_python(data)) == [(3, 8, "TODO", "comment")]
    assert found(scan_python(b"\xef\xbb\xbf# TODO\n")) == [(1, 3, "TODO", "comment")]


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"# coding: no-such-codec\n# TODO\n", "unknown encoding (no-such-codec)"),
        (b"# coding: utf-16\n# TODO\n", "unsupported encoding (utf-16)"),
        (b"# coding: rot13\n# TODO\n", "unsupported encoding (rot13)"),
        (b"\xef\xbb\xbf# coding: latin-1\n# TODO\n",
         "encoding mismatch (UTF-8 byte-order mark, declared latin-1)"),
        (b"# coding: ascii\n# TODO \xe9\n", "not valid in its declared encoding (ascii, byte 23)"),
    ],
)
def test_unusable_encodings(data: bytes, error: str) -> None:
    assert scan_python(data) == PythonFacts(error=error)


def test_files_over_the_size_limit_are_not_read() -> None:
    assert scan_python(b"# TODO\n" * 10, max_bytes=50) == PythonFacts(error="too large (70 bytes)")


def test_windows_and_old_mac_line_endings() -> None:
    data = b"x = 1\r\n# TODO: a\r\ndef f():\r    '''XXX'''\r"
    assert found(scan_python(data)) == [(2, 3, "TODO", "comment"), (4, 8, "XXX", "docstring")]


# --- pip calls --------------------------------------------------------------------------------


def test_subprocess_calls_with_a_literal_argv() -> None:
    source = """\
    import subprocess
    import subprocess as sp
    import sys
    from subprocess import check_call as cc

    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "."], check=True)
    sp.check_output(("pip", "install", "--no-deps", "x"))
    cc(args=["pip", "install", "--no-deps", "y"])
    subprocess.run(["pip", "install", package, "--no-deps"])
    subprocess.run("pip install --no-deps z", shell=True)
    os.system("pip install --no-deps")
    """
    assert scan(source).pip_calls == (
        PipCall(6, 1, ("<python>", "-m", "pip", "install", "--no-deps", "."), "subprocess"),
        PipCall(7, 1, ("pip", "install", "--no-deps", "x"), "subprocess"),
        PipCall(8, 1, ("pip", "install", "--no-deps", "y"), "subprocess"),
    )


def test_nox_session_install_and_run() -> None:
    source = """\
    import nox

    @nox.session
    def tests(session):
        session.install("--no-deps", ".")
        session.run("pip", "install", "--no-deps", "-e", ".")
        session.install(*DEPS, "--no-deps")
        session.run("pytest")
    """
    assert scan(source).pip_calls == (
        PipCall(5, 5, ("pip", "install", "--no-deps", "."), "nox"),
        PipCall(6, 5, ("pip", "install", "--no-deps", "-e", "."), "nox"),
        PipCall(8, 5, ("pytest",), "nox"),
    )


def test_pip_calls_are_only_collected_where_no_deps_is_mentioned() -> None:
    assert scan('import subprocess\nsubprocess.run(["pip", "install", "x"])\n').pip_calls == ()
    facts = scan('import os\nos.environ["PIP_NO_DEPS"] = "1"\nsession.install("x")\n')
    assert facts.pip_calls == (PipCall(3, 1, ("pip", "install", "x"), "nox"),)


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="needs syntax the running ast rejects")
@pytest.mark.usefixtures("libcst_only")
def test_pip_calls_in_a_file_only_libcst_parses() -> None:
    source = """\
    import subprocess
    type X = int
    subprocess.run(["pip", "install", "--no-deps", "é"])
    session.install("--no-deps", ".")
    """
    facts = scan(source)
    assert facts.parser == "libcst"
    assert facts.pip_calls == (
        PipCall(3, 1, ("pip", "install", "--no-deps", "é"), "subprocess"),
        PipCall(4, 1, ("pip", "install", "--no-deps", "."), "nox"),
    )


# --- serialisation, other entry points ------------------------------------------------------


def test_facts_round_trip_through_json() -> None:
    facts = PythonFacts(
        markers=(Marker(1, 3, "TODO", "comment", "# TODO"),),
        raises=(NotImplementedRaise(2, 5, "protocol", "P.m"), NotImplementedRaise(3, 1, None, "<module>")),
        pip_calls=(PipCall(4, 1, ("pip", "install", "--no-deps"), "nox"),),
        error="syntax error line 9: invalid syntax",
        parser="tokens",
    )
    assert PythonFacts.from_dict(json.loads(json.dumps(facts.to_dict()))) == facts
    scanned = scan(RAISES_SOURCE)
    assert PythonFacts.from_dict(json.loads(json.dumps(scanned.to_dict()))) == scanned


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"markers": "x", "raises": [], "pip_calls": [], "error": None, "parser": "ast"},
        {"markers": [{"line": "1", "column": 1, "word": "W", "kind": "comment", "text": ""}],
         "raises": [], "pip_calls": [], "error": None, "parser": "ast"},
        {"markers": [], "raises": [], "pip_calls": [{"line": 1, "column": 1, "argv": "pip",
                                                      "via": "nox"}], "error": None, "parser": "ast"},
    ],
)
def test_malformed_cached_facts_are_rejected(data: dict[str, object]) -> None:
    with pytest.raises((KeyError, TypeError)):
        PythonFacts.from_dict(data)


def test_parse_module() -> None:
    module = parse_module(b"import os\nx = 1\n")
    assert isinstance(module, ast.Module)
    assert len(module.body) == 2
    assert parse_module(b"def f(:\n") is None
    assert parse_module(b"\x00") is None
    assert parse_module(b"x = '\xff'\n") is None
    assert parse_module(b"x = 1\n" * 10, max_bytes=10) is None


def test_check_syntax() -> None:
    assert check_syntax(b"x = 1\n") is None
    assert check_syntax(b"type X = int\n") is None
    assert check_syntax(b"def f(:\n") == "syntax error line 1: invalid syntax"
    assert check_syntax(b"\x00") == "binary file"


# --- many files -------------------------------------------------------------------------------

MANY = {
    "kinds.py": KINDS_SOURCE.encode(),
    "raises.py": RAISES_SOURCE.encode(),
    "big.py": _big_module().encode(),
    "new.py": b"type X = int  # TODO\n",
    "broken.py": b"def f(:\n# FIXME\n",
    "binary.py": b"\x00",
    "latin.py": "# coding: latin-1\n# é XXX\n".encode("latin-1"),
    "plain.py": b"x = 1\n",
    "pip.py": b'session.install("--no-deps", ".")\n',
}


def test_scan_many_equals_scan_python_per_file() -> None:
    expected = {name: scan_python(data) for name, data in MANY.items()}
    assert scan_many(list(MANY.items()), workers=1) == expected
    assert list(scan_many(list(MANY.items()))) == list(MANY)


def test_scan_many_in_worker_processes_equals_scan_python() -> None:
    expected = {name: scan_python(data) for name, data in MANY.items()}
    with mock.patch.object(python_pool, "_PARALLEL_MIN_CHARS", 0):
        assert scan_many(list(MANY.items()), workers=2) == expected


def test_forked_workers_get_names_only_and_the_files_are_let_go() -> None:
    # The bytes reach forked workers through the memory they inherit: a batch is names.
    expected = {name: scan_python(data) for name, data in MANY.items()}
    submitted: list[tuple[object, ...]] = []
    real_submit = ProcessPoolExecutor.submit

    def spy(pool: ProcessPoolExecutor, fn: object, /, *args: object) -> object:
        submitted.append(args)
        return real_submit(pool, fn, *args)  # type: ignore[arg-type]

    with mock.patch.object(python_pool, "_PARALLEL_MIN_CHARS", 0), \
            mock.patch.object(ProcessPoolExecutor, "submit", spy):
        assert scan_many(list(MANY.items()), workers=2) == expected
    batches = [args[-1] for args in submitted]
    assert sorted(name for batch in batches for name in batch) == sorted(f"f:{name}" for name in MANY)
    assert python_pool._INHERITED == {}


def test_started_batches_can_be_stopped_and_still_answer_here() -> None:
    items = [(name, data) for name, data in MANY.items()]
    work = partial(python_source._mixed_batch, words=("TODO",), max_bytes=1_000_000)
    batches = python_pool.Batches(work, [(f"f:{name}", data) for name, data in items], 2)
    assert batches.pool is not None and python_pool._INHERITED
    batches.cancel()
    assert batches.pool is None and python_pool._INHERITED == {}
    done = batches.results()  # nothing from the workers: all of it here
    assert sorted(done) == sorted(f"f:{name}" for name in MANY)


def _ended(processes: list[multiprocessing.Process], timeout: float = 10.0) -> bool:
    """Whether every process ended within `timeout`. Their sentinels say so without a
    `join`: the pool's own thread reaps them too, and a `join` that loses that race to
    `waitpid` sees a process that is gone as still alive."""
    deadline = time.monotonic() + timeout
    waiting = [process.sentinel for process in processes]
    while waiting and time.monotonic() < deadline:
        ready = multiprocessing.connection.wait(waiting, timeout=max(0.0, deadline - time.monotonic()))
        waiting = [sentinel for sentinel in waiting if sentinel not in ready]
    return not waiting


def test_an_interrupt_while_waiting_stops_the_workers_at_once() -> None:
    # Ctrl-C must not wait for every queued batch: the workers are stopped, the interrupt goes on.
    work = partial(python_source._mixed_batch, words=("TODO",), max_bytes=1_000_000)
    batches = python_pool.Batches(work, [(f"f:{name}", data) for name, data in MANY.items()], 2)
    pool = batches.pool
    assert pool is not None
    processes = list(pool._processes.values())  # type: ignore[union-attr]
    with mock.patch.object(batches.futures[0], "result", side_effect=KeyboardInterrupt), \
            pytest.raises(KeyboardInterrupt):
        batches.results()
    assert _ended(processes)
    assert python_pool._INHERITED == {}


def test_an_interrupt_while_the_batches_are_sent_stops_the_workers() -> None:
    # The workers start at the first submit: an interrupt before the Batches exist for
    # anyone to cancel must not leave them waiting for work, orphaned, once the audit exits.
    processes: list[multiprocessing.Process] = []
    pools: list[ProcessPoolExecutor] = []  # held, as a process that exits at once does
    real_submit = ProcessPoolExecutor.submit

    def interrupted(pool: ProcessPoolExecutor, fn: object, /, *args: object) -> object:
        if processes:
            raise KeyboardInterrupt
        future = real_submit(pool, fn, *args)  # type: ignore[arg-type]
        pools.append(pool)
        processes.extend(pool._processes.values())  # type: ignore[union-attr]
        return future

    work = partial(python_source._mixed_batch, words=("TODO",), max_bytes=1_000_000)
    items = [(f"f:{name}", data) for name, data in MANY.items()]
    with mock.patch.object(ProcessPoolExecutor, "submit", interrupted), pytest.raises(KeyboardInterrupt):
        python_pool.Batches(work, items * 40, 2)  # more than one batch
    assert processes
    assert _ended(processes)
    assert python_pool._INHERITED == {}
    pools.clear()


def test_scan_many_falls_back_to_this_process_when_workers_cannot_start() -> None:
    expected = {name: scan_python(data) for name, data in MANY.items()}
    broken = mock.Mock(side_effect=OSError("no processes here"))
    with mock.patch.object(python_pool, "_PARALLEL_MIN_CHARS", 0), \
            mock.patch.object(python_pool, "_pool_context", broken):
        assert scan_many(list(MANY.items()), workers=2) == expected


def test_scan_many_with_a_name_given_twice_keeps_the_last() -> None:
    results = scan_many([("a.py", b"# TODO\n"), ("a.py", b"x = 1\n")])
    assert results == {"a.py": PythonFacts()}


# --- hostile input ----------------------------------------------------------------------------

FRAGMENTS = [
    "TODO", " XXX ", "FIXME:", "raise NotImplementedError", "NotImplementedError", "\n",
    "    ", "\t", "'", '"', "'''", '"""', "#", "\\", "(", ")", "[", "]", "{", "}", ":",
    "def f():", "class A(Protocol):", "@abstractmethod", "@overload", "f'", "rb'", "é",
    "\r", "\x0c", "else:", "x = 1", "session.install(", "--no-deps", "subprocess.run([",
    "type X = int", "except A, B:", "async def g(self):", "lambda:", ";", "\u2028",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=60))
def test_scan_python_never_raises_on_python_like_text(parts: list[str]) -> None:
    with mock.patch.object(python_newsyntax, "run_libcst", lambda texts: [None] * len(texts)):
        facts = scan_python("".join(parts).encode("utf-8"))
    assert isinstance(facts, PythonFacts)
    assert PythonFacts.from_dict(json.loads(json.dumps(facts.to_dict()))) == facts


@pytest.mark.requirement("engine:NFR-04")
@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_scan_python_never_raises_on_random_bytes(data: bytes) -> None:
    with mock.patch.object(python_newsyntax, "run_libcst", lambda texts: [None] * len(texts)):
        assert isinstance(scan_python(b"# TODO\n" + data), PythonFacts)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_scan_python_never_raises_on_random_text(text: str) -> None:
    with mock.patch.object(python_newsyntax, "run_libcst", lambda texts: [None] * len(texts)):
        facts = scan_python(("'''TODO'''\n" + text + "\nraise NotImplementedError\n").encode("utf-8", "surrogatepass"))
    assert isinstance(facts, PythonFacts)


@settings(max_examples=15, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=30))
def test_scan_python_never_raises_with_the_real_libcst_child(parts: list[str]) -> None:
    assert isinstance(scan_python(("TODO\n" + "".join(parts)).encode("utf-8")), PythonFacts)


def test_pathological_inputs_stay_linear() -> None:
    assert scan_python(b"X" * 3_000_000) == PythonFacts()
    markers = scan_python(b"# TODO " * 200_000).markers
    assert len(markers) == 10_000
    assert max(len(marker.text) for marker in markers) <= 400
    assert scan_python(b"raise" + b" " * 2_000_000 + b"x\n# TODO\n").error is None
    assert scan_python(b"'''" + b"\\'" * 500_000 + b"\n# TODO\n").parser == "tokens"


# --- more statement forms, and the less travelled paths ------------------------------------


def test_raises_inside_compound_statements_keep_their_scope() -> None:
    source = """\
    def f(x):
        try:
            raise NotImplementedError
        except* ValueError:
            raise NotImplementedError
        finally:
            raise NotImplementedError
        with open(x) as handle:
            raise NotImplementedError
        for item in x:
            pass
        else:
            raise NotImplementedError
        match x:
            case [1, *rest]:
                raise NotImplementedError
        raise NotImplementedError if x else ValueError
    """
    assert raised(scan(source)) == [
        (3, 9, None, "f"),
        (5, 9, None, "f"),
        (7, 9, None, "f"),
        (9, 9, None, "f"),
        (13, 9, None, "f"),
        (16, 13, None, "f"),
    ]


def test_a_nested_format_spec_is_not_mistaken_for_newer_syntax() -> None:
    source = 'width = 3\nlabel = f"{width:{width}}{{}}}}"  # TODO\n"""XXX"""\n'
    assert not lex_regions(source).anomalous
    assert found(scan(source)) == [(2, 37, "TODO", "comment")]  # the string is not first


def test_a_brace_inside_a_string_inside_an_f_string_field() -> None:
    # The lexer miscounts this brace, so the file takes the exact (tokenize) path.
    source = "def f():\n    '''Doc TODO.'''\n    return f\"{'{'}\"  # FIXME\n"
    facts = scan_python(source.encode())
    assert facts.parser == "ast"
    assert found(facts) == [(2, 12, "TODO", "docstring"), (3, 24, "FIXME", "comment")]


def test_utf8_cookie_and_names_ending_in_a_string_prefix_letter() -> None:
    source = '# -*- coding: utf-8 -*-\nif x: pass\nelif"{": pass  # TODO\n'
    assert found(scan(source)) == [(3, 18, "TODO", "comment")]


def test_pip_argv_with_an_imported_executable_and_other_session_methods() -> None:
    source = """\
    from sys import executable as python
    from subprocess import Popen
    Popen([python, "-m", "pip", "install", "--no-deps", "."])
    session.notify("--no-deps")
    other.install("--no-deps")
    subprocess.run([*base, "--no-deps"])
    """
    assert scan(source).pip_calls == (
        PipCall(3, 1, ("<python>", "-m", "pip", "install", "--no-deps", "."), "subprocess"),
    )


def test_files_too_big_to_parse_whole() -> None:
    source = 'import subprocess  # --no-deps\n"""XXX"""\n'
    with mock.patch.object(python_chunks, "MAX_WHOLE_PARSE_CHARS", 10), \
            mock.patch.object(python_source, "LIBCST_MAX_BYTES", 10):
        facts = scan(source)
    assert facts.error == f"too large to parse ({len(source)} characters)"
    assert facts.parser == "tokens"


def test_a_class_whose_header_and_body_are_not_where_they_seem() -> None:
    filler = "".join(f"    x{n} = {n}\n" for n in range(400))
    sources = [
        # the body line is preceded by a decorator line ending with a colon
        "@deco(lambda: 1,\n    key=2)\nclass A:\n    '''TODO'''\n" + filler
        + "    def f(self): raise NotImplementedError\n",
        # the class body is on the header line: no indented body
        "class B: x = 1\n" + filler.replace("    ", "") + "def g(): raise NotImplementedError\n",
        # a raise in the class header itself
        "class C(base(lambda: (yield))):\n    '''XXX'''\n" + filler,
        # a body statement continued at column 0 inside brackets
        "class D:\n    x = [\n1]\n" + filler + "    def f(self):\n        raise NotImplementedError\n",
    ]
    for source in sources:
        data = source.encode()
        with mock.patch.object(python_chunks, "_SPLIT_STATEMENT_CHARS", 0):
            chunked = scan_python(data)
        with mock.patch.object(python_chunks, "_WHOLE_FILE_CHARS", 10**9):
            assert chunked == scan_python(data)


def test_a_libcst_child_that_times_out_or_answers_garbage() -> None:
    good = {"ok": True, "comments": [], "blanks": []}
    partial = (json.dumps(good) + "\n" + "{not json").encode()
    timeout = mock.Mock(side_effect=subprocess.TimeoutExpired("x", 1, output=partial))
    with mock.patch.object(subprocess, "run", timeout):
        assert python_newsyntax.run_libcst(["a", "b", "c"]) == [good, None, good]
    garbage = mock.Mock(return_value=mock.Mock(stdout=b"[1, 2]\n"))
    with mock.patch.object(subprocess, "run", garbage):
        assert python_newsyntax.run_libcst(["a"]) == [None]
    missing = mock.Mock(side_effect=OSError("no interpreter"))
    with mock.patch.object(subprocess, "run", missing):
        assert python_newsyntax.run_libcst(["a", "b"]) == [None, None]


@pytest.mark.parametrize(
    "answer",
    [
        {"ok": True, "comments": [[1, 0]], "blanks": []},
        {"ok": True, "comments": [], "blanks": [["alias", 1, "0", 1, 3]]},
        {"ok": True, "comments": [], "blanks": [["rewrite", 1, 0, 1, 3]]},
        {"ok": True, "comments": [[1, 0, 9, 0]], "blanks": []},
        {"ok": True, "comments": [[1, 5, 1, 2]], "blanks": []},
        {"ok": True},
        {"ok": "yes"},
    ],
)
def test_malformed_libcst_answers_count_as_rejections(answer: dict[str, object]) -> None:
    assert python_newsyntax.located(answer, LineIndex("x = 1\n")) is None


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="needs syntax the running ast rejects")
@pytest.mark.usefixtures("libcst_only")
def test_libcst_docstrings_with_prefixes_and_one_line_bodies() -> None:
    source = '''\
    type X = int
    r"""Raw TODO."""
    def f(): "XXX one-liner"
    class C:
        "FIXME " 'concatenated TODO'
    def g():
        b"TODO not a docstring"
    def h():
        x = "TODO not first"
    '''
    facts = scan(source)
    assert facts.parser == "libcst"
    assert found(facts) == [  # the raw string is not the module docstring: `type` is first
        (3, 11, "XXX", "docstring"),
        (5, 6, "FIXME", "docstring"),
        (5, 28, "TODO", "docstring"),
    ]
    facts = scan(textwrap.dedent(source).replace("type X = int\n", "", 1) + "type X = int\n")
    assert found(facts) == [
        (1, 9, "TODO", "docstring"),
        (2, 11, "XXX", "docstring"),
        (4, 6, "FIXME", "docstring"),
        (4, 28, "TODO", "docstring"),
    ]
    assert [marker.text for marker in facts.markers] == [
        "Raw TODO.", "XXX one-liner", "FIXME", "concatenated TODO"]


NEWER_SYNTAX = """\
type Pair[T] = tuple[  # TODO: triples
    T, T]
def first[T: (int, str) = int](pair: Pair[T]) -> T: raise NotImplementedError
class Box[T](Base, metaclass=M):
    '''XXX doc.'''
class Empty[
    T,
]:
    pass
try:
    pass
except* ValueError, TypeError:
    pass
label = f"{pair["key"]:>{width}}" "tail"  # FIXME
plain = f"{x}" + t"{y}"
"""


def test_the_libcst_worker_locates_the_newer_syntax() -> None:
    answer = worker.analyse(NEWER_SYNTAX)
    assert answer == {
        "ok": True,
        "comments": [[1, 23, 1, 38], [14, 42, 14, 49]],
        "blanks": [
            ["alias", 1, 0, 2, 9], ["params", 1, 9, 1, 12], ["params", 3, 9, 3, 30],
            ["params", 4, 9, 4, 12], ["params", 6, 11, 8, 1], ["except", 12, 8, 12, 29],
            ["string", 14, 8, 14, 40], ["string", 15, 8, 15, 14], ["string", 15, 17, 15, 23],
        ],
    }
    assert worker.analyse("def f(:\n")["ok"] is False
    assert worker._answer(b'"x = 1\\n"\n')["ok"] is True
    assert worker._answer(b"[1]\n") == {"ok": False, "error": "not a source text"}
    assert worker._answer(b"{broken\n")["ok"] is False


def test_the_newer_syntax_is_blanked_character_for_character() -> None:
    where = python_newsyntax.located(worker.analyse(NEWER_SYNTAX), LineIndex(NEWER_SYNTAX))
    assert where is not None
    plain = python_newsyntax.desugar(NEWER_SYNTAX, where)
    assert plain.split("\n") == [
        "(                      # TODO: triples",
        "        )",
        "def first(                     pair: Pair[T]) -> T: raise NotImplementedError",
        "class Box(   Base, metaclass=M):",
        "    '''XXX doc.'''",
        "class Empty(",
        "      ",
        "):",
        "    pass",
        "try:",
        "    pass",
        "except* (                   ):",
        "    pass",
        "label = (                              )  # FIXME",
        'plain = f"{x}" + (    )',
        "",
    ]
    assert len(plain) == len(NEWER_SYNTAX)
    assert isinstance(ast.parse(plain), ast.Module)


def test_newer_syntax_gives_the_facts_of_its_older_twin() -> None:
    facts = scan(NEWER_SYNTAX)
    assert facts.parser == "libcst"
    assert found(facts) == [(1, 26, "TODO", "comment"), (5, 8, "XXX", "docstring"),
                            (14, 45, "FIXME", "comment")]
    assert raised(facts) == [(3, 53, None, "first")]
    assert [item.kind for item in facts.raises] == ["stub"]


def test_pip_argv_bindings_and_arguments() -> None:
    source = """\
        from subprocess import run as r, getoutput, Popen
        from sys import path, executable as python
        from os import system as call
        r(["a"], args=["b"])
        r(["c"], *rest)
        r(*rest, args=("d",))
        getoutput(["e"])
        Popen([python, path])
        call(["f"])
        session.run_install("pip", "install", "g")
        session.install("h", silent=True)
        session.install(**options)
        nox.session.install("i")
        r(("x" "y",))  # no-deps
    """
    assert [(call.line, call.argv, call.via) for call in scan(source).pip_calls] == [
        (4, ("b",), "subprocess"),  # args= wins over the positional argv
        (5, ("c",), "subprocess"),
        (6, ("d",), "subprocess"),
        (10, ("pip", "install", "g"), "nox"),
        (11, ("pip", "install", "h"), "nox"),  # keyword arguments are not argv
        (14, ("xy",), "subprocess"),
    ]


def test_lexer_and_tokenize_agree_on_valid_files() -> None:
    for name in ("ast.py", "tokenize.py", "argparse.py", "string.py"):
        text = (Path(sysconfig.get_paths()["stdlib"]) / name).read_text("utf-8")
        lexed = lex_regions(text)
        tokenized = tokenize_regions(text, LineIndex(text))
        assert tokenized is not None
        assert not lexed.anomalous
        assert (lexed.starts, lexed.ends, lexed.kinds) == (
            tokenized.starts, tokenized.ends, tokenized.kinds)
    assert tokenize_regions("x = (\n", LineIndex("x = (\n")) is None


def test_scan_many_in_clean_worker_processes_while_threads_run() -> None:
    expected = {name: scan_python(data) for name, data in MANY.items()}
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert python_pool._pool_context().get_start_method() != "fork"
        with mock.patch.object(python_pool, "_PARALLEL_MIN_CHARS", 0), \
                mock.patch.object(python_pool, "_BATCH_CHARS", 1):
            assert scan_many(list(MANY.items()), workers=2) == expected
    finally:
        stop.set()
        thread.join()


COMPOUND_SOURCE = """\
import subprocess
from sys import executable, path
from typing import Protocol
class P(Protocol):
    '''P TODO.'''
    if True:
        def m(self):
            '''m XXX'''
            raise NotImplementedError
    raise NotImplementedError
def f(x):
    async def g():  # FIXME: nested
        class Local:
            def h(self): raise NotImplementedError
    for item in x:
        raise NotImplementedError
subprocess.check_call([executable, "-m", "pip", "install", "--no-deps", "."])
session.run_always("pip", "install", "--no-deps", "x")
'''Not a docstring: TODO'''
"""


@pytest.mark.parametrize(
    "source",
    [KINDS_SOURCE, RAISES_SOURCE, COMPOUND_SOURCE, _big_module()],
    ids=["kinds", "raises", "compound", "big"],
)
def test_the_libcst_analysis_agrees_with_the_ast_analysis(source: str) -> None:
    data = source.encode()
    expected = scan_python(data)
    assert expected.parser == "ast"
    # ast "rejects" the file once: the fallback locates nothing new, and the one visitor
    # reads the same text again: the same facts, whichever path.
    rejected = mock.Mock(return_value=python_tree.Rejected("syntax error line 1: forced"))
    in_process = mock.Mock(side_effect=lambda texts: [worker.analyse(text) for text in texts])
    with mock.patch.object(python_source, "tree_facts", rejected), \
            mock.patch.object(python_source, "quick_locate", lambda text, regions: None), \
            mock.patch.object(python_newsyntax, "run_libcst", in_process):
        assert scan_python(data) == PythonFacts(
            expected.markers, expected.raises, expected.pip_calls, expected.fixtures, None, "libcst")
    with mock.patch.object(python_source, "tree_facts", rejected), \
            mock.patch.object(python_source, "quick_locate", lambda text, regions: None):
        assert scan_python(data).parser == "libcst"  # the same through the real child
    with mock.patch.object(python_source, "tree_facts", rejected):  # and through the lexer
        assert scan_python(data) == PythonFacts(
            expected.markers, expected.raises, expected.pip_calls, expected.fixtures, None, "blanked")


def test_chunks_that_never_parse_fall_back_to_the_whole_file() -> None:
    filler = "".join(f"def filler_{n}():\n    return {n}\n\n" for n in range(200))
    sources = [
        # more column-0 continuation lines than merges
        "def f():\n    x = [\n1,\n2,\n3,\n4,\n5]\n    raise NotImplementedError\n" + filler,
        # a big top-level block that is neither def nor class
        "if True:\n" + filler.replace("\n", "\n    ").replace("def", "    def", 1)
        + "raise NotImplementedError\n",
        # a decorator whose lambda colon looks like the end of the header
        "@deco(lambda:\n    1)\nclass A:\n    '''TODO'''\n" + filler.replace("def", "    def")
        .replace("    return", "        return") + "    def last(self): raise NotImplementedError\n",
        # a string hit in a class header, and two raises in one method
        'class H(Base, doc="""\nXXX\n"""):\n' + filler.replace("def", "    def")
        .replace("    return", "        return")
        + "    def two(self):\n        raise NotImplementedError\n        raise NotImplementedError\n",
        # from sys import something else; a docstring at the end without a newline
        "from sys import path\nimport subprocess  # no-deps\n" + filler + 'def z():\n    """TODO"""',
    ]
    for source in sources:
        data = source.encode()
        with mock.patch.object(python_chunks, "_SPLIT_STATEMENT_CHARS", 0):
            chunked = scan_python(data)
        with mock.patch.object(python_chunks, "_WHOLE_FILE_CHARS", 10**9):
            assert chunked == scan_python(data)
        assert chunked.parser == "ast"


def test_the_parser_of_last_resort_messages() -> None:
    for error, message in ((RecursionError(), "too complex to parse (RecursionError)"),
                           (MemoryError(), "too complex to parse (MemoryError)"),
                           (ValueError("null"), "syntax error line 0: null")):
        with mock.patch.object(ast, "parse", side_effect=error):
            assert python_tree.parse_source("x = 1\n") == python_tree.Rejected(message)


def test_cpu_count() -> None:
    with mock.patch.object(os, "process_cpu_count", create=True, new=lambda: 3):
        assert python_pool.cpu_count() == 3
    with mock.patch.object(os, "process_cpu_count", create=True, new=lambda: None):
        assert python_pool.cpu_count() == 1
    assert python_pool.cpu_count() >= 1


def test_parser_warnings_do_not_turn_into_errors() -> None:
    source = 'def f():\n    """Regex \\d TODO"""\n    return f"{\'{\'}\\d"  # XXX\n'
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        facts = scan_python(source.encode())
    assert facts.error is None
    assert found(facts) == [(2, 17, "TODO", "docstring"), (3, 26, "XXX", "comment")]


# --- pytest fixtures (UDEF012) ----------------------------------------------------------------

FIXTURES_SOURCE = """\
import pytest
import pytest as pt
from pytest import fixture, fixture as fx
from other import fixture as not_pytest


@pytest.fixture
def plain():
    return 1


@pytest.fixture(scope="session", name="database")
def make_db():
    return 2


@fixture
async def from_import():
    return 3


@fx()
def aliased():
    return 4


@pt.fixture
def module_alias():
    return 5


@not_pytest
@pytest.mark.parametrize("x", [1])
def test_not_a_fixture(x):
    assert x


@other.fixture
def also_not():
    return 6


def fixture_in_name_only():
    return "fixture"
"""


def fixtures(facts: PythonFacts) -> list[tuple[int, int, str]]:
    return [(item.line, item.column, item.name) for item in facts.fixtures]


def test_pytest_fixtures_are_found_by_their_decorator() -> None:
    facts = scan(FIXTURES_SOURCE)
    assert fixtures(facts) == [(8, 1, "plain"), (13, 1, "database"), (18, 1, "from_import"),
                               (23, 1, "aliased"), (28, 1, "module_alias")]
    assert facts.parser == "ast"
    assert PythonFacts.from_dict(json.loads(json.dumps(facts.to_dict()))) == facts


def test_fixtures_in_a_big_file_parsed_in_chunks_equal_the_whole_file() -> None:
    filler = "".join(f"def helper_{n}():\n    return {n}\n\n\n" for n in range(300))
    data = (FIXTURES_SOURCE.replace("\n\n\n@pytest.fixture\n", "\n\n\n" + filler + "@pytest.fixture\n", 1)).encode()
    chunked = scan_python(data)
    with mock.patch.object(python_chunks, "_WHOLE_FILE_CHARS", 10**9):
        assert chunked == scan_python(data)
    assert [name for _, _, name in fixtures(chunked)] == [
        "plain", "database", "from_import", "aliased", "module_alias"]


def test_the_word_fixture_elsewhere_is_no_fixture() -> None:
    assert scan('"""A fixture of the test suite."""\n# fixture\nx = "fixture"\n').fixtures == ()
    assert scan("from mylib import fixture\n@fixture\ndef f(): pass\n").fixtures == ()
    assert scan("@pytest.fixtures\ndef f(): pass\n").fixtures == ()


def test_a_libcst_span_short_of_its_closing_quote_is_completed() -> None:
    # libcst regenerates `f"{x!r  }"` without the blanks before `}`: its span stops short.
    source = 'value = f"{x["k"]!r  }"  # TODO\n'
    answer = worker.analyse(source)
    where = python_newsyntax.located(answer, LineIndex(source))
    assert where is not None
    assert python_newsyntax.desugar(source, where) == "value = (             )  # TODO\n"
    assert found(scan(source)) == [(1, 28, "TODO", "comment")]


# --- newer syntax located from the lexer's spans, without libcst ------------------------------

LEXER_SYNTAX = """\
type Pair[T] = tuple[  # TODO: triples
    T, T]; LIMIT = 3
def first[T: (int, str) = int](pair: Pair[T]) -> T: raise NotImplementedError
class Box[T](Base, metaclass=M):
    '''XXX doc.'''
    async def get[U](self, key: "dict[str, U]") -> U:
        pass
class Empty[
    T,
]:
    pass
try:
    pass
except* ValueError, TypeError:
    pass
try:
    pass
except (KeyError, IndexError) as error:
    pass
except OSError as error:
    pass
label = t"{first}" + f"{x}" + rb"raw"  # FIXME
ok = not"x"
"""


def test_the_lexer_locates_what_libcst_locates() -> None:
    lines = LineIndex(LEXER_SYNTAX)
    quick = python_newsyntax.quick_locate(LEXER_SYNTAX, lex_regions(LEXER_SYNTAX))
    libcst = python_newsyntax.located(worker.analyse(LEXER_SYNTAX), lines)
    assert quick is not None
    assert libcst is not None
    plain = python_newsyntax.desugar(LEXER_SYNTAX, quick)
    assert plain == python_newsyntax.desugar(LEXER_SYNTAX, libcst)
    assert plain.split("\n")[:4] == [
        "(                      # TODO: triples",
        "        ); LIMIT = 3",
        "def first(                     pair: Pair[T]) -> T: raise NotImplementedError",
        "class Box(   Base, metaclass=M):",
    ]
    assert plain.split("\n")[13:] == [
        "except* (                   ):",
        "    pass",
        "try:",
        "    pass",
        "except (KeyError, IndexError) as error:",
        "    pass",
        "except OSError as error:",
        "    pass",
        'label = (        ) + f"{x}" + rb"raw"  # FIXME',
        'ok = not"x"',
        "",
    ]


def test_newer_syntax_the_lexer_settles_needs_no_libcst() -> None:
    refuse = mock.Mock(side_effect=AssertionError("libcst was run"))
    with mock.patch.object(python_newsyntax, "run_libcst", refuse):
        facts = scan(LEXER_SYNTAX)
        measured = python_source.measure_complexity(LEXER_SYNTAX.encode())
    assert facts.parser == "blanked"
    assert found(facts) == [(1, 26, "TODO", "comment"), (5, 8, "XXX", "docstring"),
                            (22, 42, "FIXME", "comment")]
    assert raised(facts) == [(3, 53, None, "first")]
    assert [(f.name, f.line, f.complexity) for f in measured.functions] == [
        ("first", 3, 1), ("Box.get", 6, 1)]


LIBCST_CASES = [
    # a t-string concatenated with a plain string: blanking the t-string alone does not
    # parse, libcst blanks the whole concatenation
    ('label = t"{x}" "tail"\n', "libcst"),
    # an f-string reusing its quotes: the lexer is unsure of everything after it
    ('label = f"{x["k"]}"\n', "libcst"),
    # a `type` statement after another on its line: not at the start of a line
    ("x = 1; type A = int\n", "libcst"),
    ("if True: type A = int\n", "libcst"),
    ("type A = int\n", "blanked"),
]


@pytest.mark.parametrize(("source", "parser"), LIBCST_CASES)
def test_what_the_lexer_cannot_settle_goes_to_libcst(source: str, parser: str) -> None:
    facts = scan(source + "def f():\n    '''TODO: one.'''\n    raise NotImplementedError\n")
    assert facts.parser == parser
    assert found(facts) == [(3, 8, "TODO", "docstring")]
    assert raised(facts) == [(4, 5, None, "f")]
    assert facts.error is None


def test_pytest_asyncio_fixtures_are_fixtures() -> None:
    source = (
        "import pytest_asyncio\nimport pytest_asyncio as pa\nfrom pytest_asyncio import fixture as afx\n\n\n"
        "@pytest_asyncio.fixture\nasync def one():\n    return 1\n\n\n"
        "@pa.fixture(loop_scope='module')\nasync def two():\n    return 2\n\n\n"
        "@afx\nasync def three():\n    return 3\n"
    )
    assert [name for _, _, name in fixtures(scan(source))] == ["one", "two", "three"]


def test_a_lowered_threshold_really_starts_worker_processes() -> None:
    # The two tests above lower the threshold; it must be read when called, or they would
    # pass without a pool ever starting.
    items = [(name, data) for name, data in MANY.items()]
    with mock.patch.object(python_pool, "_PARALLEL_MIN_CHARS", 0):
        assert python_pool.worker_count(2, items) == 2
    assert python_pool.worker_count(2, items) == 1
