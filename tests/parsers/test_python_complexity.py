"""McCabe complexity per function, from the one fact visitor, against radon's numbers.

radon 6 (``radon.complexity.cc_visit_ast``) is the reference the reset-vs-repair score used;
the count of our own must agree with it on every function radon reports, with one
deliberate difference: ``except*`` handlers are branches like ``except`` handlers (radon
forgets them).
"""

from __future__ import annotations

import ast
import textwrap
import warnings
from pathlib import Path
from typing import Any

from conftest import REPO
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from radon.complexity import cc_visit_ast

from udef_audit.parsers.python_facts import Complexity, FunctionComplexity
from udef_audit.parsers.python_source import complexity_many, measure_complexity


def radon_functions(source: str | bytes) -> dict[tuple[int, int], int]:
    """(line, column offset) -> complexity of every function radon reports, closures and
    methods of nested classes included."""
    found: dict[tuple[int, int], int] = {}
    pending: list[Any] = list(cc_visit_ast(ast.parse(source)))
    while pending:
        block = pending.pop()
        if hasattr(block, "methods"):  # a class
            pending.extend(block.methods)
            pending.extend(block.inner_classes)
        else:
            found[(block.lineno, block.col_offset)] = block.complexity
            pending.extend(block.closures)
    return found


def ours(source: str | bytes) -> dict[tuple[int, int], int]:
    data = source.encode() if isinstance(source, str) else source
    measured = measure_complexity(data)
    assert measured.error is None
    return {(f.line, f.column - 1): f.complexity for f in measured.functions}


def assert_parity(source: str | bytes) -> None:
    expected = radon_functions(source)
    mine = ours(source)
    assert {key: mine.get(key) for key in expected} == expected


SAMPLE = '''\
import asyncio


def plain(a, b=lambda: 1 if x else 2):
    return a


def branches(items, flag):
    total = 0
    for item in items:
        if item and flag or not item:
            total += 1
        elif item > 3:
            continue
        else:
            break
    else:
        total = -1
    while total > 10:
        total -= 1
    else:
        pass
    try:
        total = 1 / total
    except ZeroDivisionError:
        total = 0
    except (TypeError, ValueError):
        pass
    else:
        total += 1
    finally:
        total += 0
    assert total and flag, "bool operators inside assert are not counted"
    squares = [i * i for i in items if i if i > 1]
    table = {k: v for k, v in zip(items, items)}
    chooser = lambda v: v if v else -v
    with open("x") as handle, open("y"):
        total += 1 if handle else 2
    return total, squares, table, chooser


def matching(command):
    match command.split():
        case ["go", direction] if direction and command:
            return direction
        case ["stop"]:
            return None
        case _:
            return command


class Shape:
    sides = [n for n in range(3) if n]

    def area(self):
        if self.sides:
            return 1
        return 0

    class Inner:
        def deep(self, x):
            return x or self


def outer(x):
    def inner(y):
        return y and x

    class Local:
        def method(self):
            return 1 if x else 2

    return inner if x else Local


async def fetch(urls):
    async for url in urls:
        if url:
            await asyncio.sleep(0)
    async with urls:
        pass
    return [u async for u in urls if u]
'''


def test_a_sample_with_every_construct_agrees_with_radon() -> None:
    assert_parity(SAMPLE)
    assert ours(SAMPLE) == {
        (4, 0): 1, (8, 0): 19, (42, 0): 4, (55, 4): 2, (61, 8): 2,
        (65, 0): 2, (66, 4): 2, (70, 8): 2, (76, 0): 5,
    }


def test_names_are_qualified_as_python_does() -> None:
    names = [f.name for f in measure_complexity(SAMPLE.encode()).functions]
    assert names == ["plain", "branches", "matching", "Shape.area", "Shape.Inner.deep", "outer",
                     "outer.<locals>.inner", "outer.<locals>.Local.method", "fetch"]


def test_except_star_counts_like_except() -> None:
    source = textwrap.dedent("""\
        def handled(x):
            try:
                x()
            except* ValueError:
                pass
            except* TypeError:
                pass
    """)
    assert ours(source) == {(1, 0): 3}
    assert radon_functions(source) == {(1, 0): 1}  # radon 6 does not know except*


def test_a_number_running_into_a_keyword_still_branches() -> None:
    # `0x1for y` is `0x1f or y` and `1jif c else 2` an IfExp (valid, with a SyntaxWarning):
    # the keyword gate that spares the walk of branch-free lines must not miss them.
    source = textwrap.dedent("""\
        def hex_or(y):
            return 0x1for y

        def imaginary_if(c):
            return 1jif c else 2

        def comprehension(x):
            return [1for i in x if i]

        def spread(a, b):
            return (a
                    and
                    b)

        def only_in_names(vector, expand, for_, diff):
            return vector(expand, for_, diff, "if a and b or c")
    """)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)
        expected = radon_functions(source)
    assert expected == {(1, 0): 2, (4, 0): 2, (7, 0): 3, (10, 0): 2, (15, 0): 1}
    assert ours(source) == expected


def test_our_own_sources_agree_with_radon() -> None:
    for path in sorted((REPO / "src").rglob("*.py")):
        assert_parity(path.read_bytes())


EXPRESSIONS = st.sampled_from([
    "x", "a and b", "a or b or c", "p if q else r", "[i for i in x if i]",
    "{k: v for k, v in d if k if v}", "(lambda: a if b else c)", "not a", "f(a and b)",
    "(i for i in x for j in i)", 'f"{a if b else c}"', "x0 if x1 else x2", "'or' if q else 'and'",
    "vector(expand, diff)", "(a\\\n and b)",
])


@st.composite
def blocks(draw: st.DrawFn, depth: int = 0) -> list[str]:
    """A random block of statements (lines, indented relative to the block)."""
    lines: list[str] = []
    for _ in range(draw(st.integers(1, 3))):
        lines.extend(draw(statements(depth)))
    return lines


def _indent(lines: list[str]) -> list[str]:
    return ["    " + line for line in lines]


@st.composite
def statements(draw: st.DrawFn, depth: int) -> list[str]:
    expr = draw(EXPRESSIONS)
    simple = [f"y = {expr}", f"return {expr}", f"assert {expr}", "pass", f"raise ValueError({expr})"]
    if depth >= 2:
        return [draw(st.sampled_from(simple))]
    kind = draw(st.sampled_from(["simple", "if", "for", "while", "try", "with", "match", "def", "class"]))
    inner = lambda: _indent(draw(blocks(depth + 1)))  # noqa: E731 - a short local helper
    shapes = {
        "simple": lambda: [draw(st.sampled_from(simple))],
        "if": lambda: [f"if {expr}:", *inner(), "elif b:", *inner(), "else:", *inner()],
        "for": lambda: [f"for i in {expr}:", *inner(), "else:", *inner()],
        "while": lambda: [f"while {expr}:", *inner()],
        "try": lambda: ["try:", *inner(), "except ValueError:", *inner(), "except (A, B):",
                        *inner(), "else:", *inner(), "finally:", *inner()],
        "with": lambda: [f"with {expr} as w:", *inner()],
        "match": lambda: [f"match {expr}:", "    case 1:", *_indent(inner()),
                          f"    case [a] if {expr}:", *_indent(inner()), "    case _:", *_indent(inner())],
        "def": lambda: [f"def f{depth}(a=lambda: {expr}):", *inner()],
        "class": lambda: [f"class C{depth}:", f"    attr = {expr}", f"    def m{depth}(self):",
                          *_indent(inner())],
    }
    return shapes[kind]()


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(blocks())
def test_generated_functions_agree_with_radon(body: list[str]) -> None:
    source = "\n".join(["def generated(a, b, c, x, d, p, q, r):", *_indent(body)]) + "\n"
    assert_parity(source)


def test_many_files_in_worker_processes_and_unparseable_ones() -> None:
    items = [(f"m{n}.py", SAMPLE.encode()) for n in range(40)]
    items += [("broken.py", b"def f(:\n"), ("binary.py", b"\x00"),
              ("new.py", b"def first[T](pair: list[T]) -> T:\n    return pair[0] if pair else None\n")]
    measured = complexity_many(items, workers=2)
    assert list(measured) == [name for name, _ in items]
    assert {measured[f"m{n}.py"] for n in range(40)} == {measure_complexity(SAMPLE.encode())}
    assert measured["broken.py"] == Complexity(error="syntax error line 1: invalid syntax")
    assert measured["binary.py"] == Complexity(error="binary file")
    assert measured["new.py"] == Complexity((FunctionComplexity("first", 1, 1, 2),))


def test_complexity_round_trips_and_rejects_malformed_data() -> None:
    measured = measure_complexity(SAMPLE.encode())
    assert Complexity.from_dict(measured.to_dict()) == measured
    for bad in ({"functions": "x", "error": None}, {"functions": [["f", 1, 1]], "error": None},
                {"functions": [["f", "1", 1, 1]], "error": None}, {"error": None}):
        try:
            Complexity.from_dict(bad)
        except (KeyError, TypeError, ValueError):
            continue
        raise AssertionError(f"accepted {bad}")


def test_parity_holds_for_files_in_the_repository_tests(tmp_path: Path) -> None:
    # Real files of another shape than src/: the tests themselves.
    for path in sorted((REPO / "tests").rglob("*.py")):
        assert_parity(path.read_bytes())
