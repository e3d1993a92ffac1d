"""The facts the Python scanner reports about one file: plain, frozen, JSON round-trippable.

They travel from worker processes and through the on-disk facts cache, so each has a
``to_dict``/``from_dict`` pair that trusts nothing it reads back. Positions are 1-based
lines and 1-based columns counted in characters.
"""

from __future__ import annotations

from typing import Any, NamedTuple

__all__ = [
    "STUB",
    "UNSUPPORTED_CASE",
    "Complexity",
    "Fixture",
    "FunctionComplexity",
    "Marker",
    "NotImplementedRaise",
    "PipCall",
    "PythonFacts",
]

# The two kinds of `raise NotImplementedError` (contract rev 3, UDEF006).
STUB = "stub"
UNSUPPORTED_CASE = "unsupported-case"


def _int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected an integer, got {value!r}")
    return value


def _str(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {value!r}")
    return value


def _optional_str(value: object) -> str | None:
    return None if value is None else _str(value)


def _records(value: object) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise TypeError(f"expected a list of objects, got {value!r}")
    return value


class Marker(NamedTuple):
    """A placeholder word in a comment or a docstring.

    ``column`` is that of the word itself; ``text`` is the stripped comment, or the
    stripped docstring line holding the word (a stable fingerprint key).
    """

    line: int
    column: int
    word: str
    kind: str  # "comment" | "docstring"
    text: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form."""
        return {"line": self.line, "column": self.column, "word": self.word,
                "kind": self.kind, "text": self.text}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Marker:
        """Inverse of :meth:`to_dict`; raises KeyError/TypeError on malformed data."""
        return cls(_int(data["line"]), _int(data["column"]), _str(data["word"]),
                   _str(data["kind"]), _str(data["text"]))


class NotImplementedRaise(NamedTuple):
    """A ``raise NotImplementedError`` statement; ``column`` is that of ``raise``.

    ``exempt_reason`` is "abstractmethod", "overload" or "protocol" when the innermost
    enclosing function is decorated so, or is a method of a Protocol class. ``scope`` is the
    ``__qualname__`` of the enclosing function or class, or "<module>". ``kind`` is
    :data:`STUB` when the raise is the whole body of its function (or module, or class)
    apart from a docstring, ``pass`` and ``...``; else :data:`UNSUPPORTED_CASE` (the
    function does other work and raises for a case it does not handle).
    """

    line: int
    column: int
    exempt_reason: str | None
    scope: str
    kind: str = STUB

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form."""
        return {"line": self.line, "column": self.column,
                "exempt_reason": self.exempt_reason, "scope": self.scope, "kind": self.kind}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> NotImplementedRaise:
        """Inverse of :meth:`to_dict`; raises KeyError/TypeError on malformed data."""
        kind = _str(data["kind"])
        if kind not in (STUB, UNSUPPORTED_CASE):
            raise TypeError(f"unknown kind {kind!r}")
        return cls(_int(data["line"]), _int(data["column"]),
                   _optional_str(data["exempt_reason"]), _str(data["scope"]), kind)


class PipCall(NamedTuple):
    """The literal argv of a call that may run pip; position is that of the call.

    ``via`` "subprocess": ``subprocess.run/call/check_call/check_output/Popen`` with a
    list or tuple of string constants (``sys.executable`` becomes "<python>"). ``via`` "nox":
    ``session.install(...)`` as ``("pip", "install", ...)``, ``session.run(...)`` as given.
    """

    line: int
    column: int
    argv: tuple[str, ...]
    via: str  # "subprocess" | "nox"

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form."""
        return {"line": self.line, "column": self.column, "argv": list(self.argv),
                "via": self.via}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PipCall:
        """Inverse of :meth:`to_dict`; raises KeyError/TypeError on malformed data."""
        argv = data["argv"]
        if not isinstance(argv, list):
            raise TypeError(f"expected a list, got {argv!r}")
        return cls(_int(data["line"]), _int(data["column"]),
                   tuple(_str(item) for item in argv), _str(data["via"]))


class Fixture(NamedTuple):
    """A pytest fixture the file defines: a function decorated ``@pytest.fixture``,
    ``@pytest.fixture(...)`` or ``@fixture``/``@fixture(...)`` imported from pytest (or the
    same from pytest-asyncio: ``@pytest_asyncio.fixture``).

    ``line``/``column`` are those of the ``def``; ``name`` is the fixture's name as pytest
    knows it (the literal ``name=`` of the decorator when given, else the function's).
    """

    line: int
    column: int
    name: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form."""
        return {"line": self.line, "column": self.column, "name": self.name}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Fixture:
        """Inverse of :meth:`to_dict`; raises KeyError/TypeError on malformed data."""
        return cls(_int(data["line"]), _int(data["column"]), _str(data["name"]))


class FunctionComplexity(NamedTuple):
    """The McCabe complexity of one function (methods and nested functions included).

    ``name`` is its ``__qualname__`` (``Class.method``, ``outer.<locals>.inner``);
    ``line``/``column`` are those of the ``def``. Counted as radon 6 counts it, except that
    ``except*`` handlers count like ``except`` handlers (radon forgets them).
    """

    name: str
    line: int
    column: int
    complexity: int

    def to_list(self) -> list[Any]:
        """Compact JSON-serialisable form (a file can hold thousands)."""
        return [self.name, self.line, self.column, self.complexity]

    @classmethod
    def from_list(cls, data: object) -> FunctionComplexity:
        """Inverse of :meth:`to_list`; raises TypeError/ValueError on malformed data."""
        if not isinstance(data, list) or len(data) != 4:
            raise TypeError(f"expected [name, line, column, complexity], got {data!r}")
        name, line, column, complexity = data
        return cls(_str(name), _int(line), _int(column), _int(complexity))


class PythonFacts(NamedTuple):
    """Everything the rules need from one Python file (UDEF005, UDEF006, UDEF012).

    ``error`` says why the file is unreadable or unparseable ("binary file", "not UTF-8
    (byte N)", "too large (N bytes)", "syntax error line N: ..."); syntax is only checked
    in files that needed parsing, so ``parser == "prefilter"`` means "not checked", not
    "valid". ``parser`` is "prefilter", "tokens", "ast", "blanked" or "libcst" (the last two:
    ``ast`` on the text once the syntax newer than the running interpreter was located, by
    the lexer or by libcst, and blanked).
    ``pip_calls`` are collected only in files that mention ``no-d`` or ``NO_DEP``.
    """

    markers: tuple[Marker, ...] = ()
    raises: tuple[NotImplementedRaise, ...] = ()
    pip_calls: tuple[PipCall, ...] = ()
    fixtures: tuple[Fixture, ...] = ()
    error: str | None = None
    parser: str = "prefilter"

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form."""
        return {
            "markers": [marker.to_dict() for marker in self.markers],
            "raises": [found.to_dict() for found in self.raises],
            "pip_calls": [call.to_dict() for call in self.pip_calls],
            "fixtures": [fixture.to_dict() for fixture in self.fixtures],
            "error": self.error,
            "parser": self.parser,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PythonFacts:
        """Inverse of :meth:`to_dict`; raises KeyError/TypeError on malformed data."""
        return cls(
            markers=tuple(Marker.from_dict(item) for item in _records(data["markers"])),
            raises=tuple(NotImplementedRaise.from_dict(item) for item in _records(data["raises"])),
            pip_calls=tuple(PipCall.from_dict(item) for item in _records(data["pip_calls"])),
            fixtures=tuple(Fixture.from_dict(item) for item in _records(data["fixtures"])),
            error=_optional_str(data["error"]),
            parser=_str(data["parser"]),
        )


class Complexity(NamedTuple):
    """The complexity of every function of one file, in source order; ``error`` as in
    :class:`PythonFacts` when the file cannot be read or parsed (then no functions)."""

    functions: tuple[FunctionComplexity, ...] = ()
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form."""
        return {"functions": [function.to_list() for function in self.functions], "error": self.error}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Complexity:
        """Inverse of :meth:`to_dict`; raises KeyError/TypeError/ValueError on malformed data."""
        functions = data["functions"]
        if not isinstance(functions, list):
            raise TypeError(f"expected a list, got {functions!r}")
        return cls(tuple(FunctionComplexity.from_list(item) for item in functions),
                   _optional_str(data["error"]))
