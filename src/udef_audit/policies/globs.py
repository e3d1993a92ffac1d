"""Path globs of the policy language, matched in linear time.

A glob names paths from the root it is read against (the repository's, or a project's for
a per-project policy): `pyproject.toml` is the root's own, `**/pyproject.toml` any of them.
`*` and `?` stay inside one path segment, `**` is a whole segment that spans any number of
them (`a/**/b`, `**/x`, `docs/**`), `[abc]`, `[a-z]` and `[!abc]` are character classes and
`{yml,yaml}` are alternatives. Matching is case-sensitive, as git is. In a list of globs, one
that starts with `!` excludes what it matches from what the others match (`["src/**/*.py",
"!src/**/cli.py"]`).

A glob is a regular expression written by someone else: it is translated for RE2 (linear
time, whatever the pattern) and run once over all the paths at a time (the paths joined by
NUL bytes, which no path holds), so a `**` over a tree of a hundred thousand files costs
one pass over their names, never a backtracking search per path.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import re2

MAX_GLOB = 300
MAX_WILDCARDS = 24
MAX_ALTERNATIVES = 24
_SPECIAL = frozenset("*?[]{}")
_OPTIONS = re2.Options()
_OPTIONS.log_errors = False
# Inside one segment, and never across the separator of the joined listing.
_ONE_CHAR = r"[^/\x00]"


class GlobError(ValueError):
    """A glob the language does not accept (the message says why)."""


@dataclass(frozen=True)
class Glob:
    """A compiled glob: `literal` is the path itself when the glob has no wildcard."""

    text: str
    literal: str | None
    regex: Any = field(compare=False, repr=False)  # a compiled re2 pattern over the joined listing
    excludes: bool = False  # written `!glob`: takes its matches out of a list's


def compile_glob(text: str) -> Glob:
    """Translate a glob for RE2; GlobError for an empty, oversized or malformed one."""
    excludes = text.strip().startswith("!")
    glob = text.strip().removeprefix("!").strip().removeprefix("./").lstrip("/")
    if not glob or len(glob) > MAX_GLOB:
        raise GlobError(f"a glob is a path pattern of 1 to {MAX_GLOB} characters")
    if any(part in (".", "..") for part in glob.split("/")):
        raise GlobError("a glob names paths inside the root: no '.' or '..' segments")
    if sum(glob.count(c) for c in "*?[{") > MAX_WILDCARDS:
        raise GlobError(f"at most {MAX_WILDCARDS} wildcards")
    if _SPECIAL.isdisjoint(glob):
        return Glob(text, glob.rstrip("/"), None, excludes)
    body = _translate_path(glob.rstrip("/"))
    try:
        regex = re2.compile(rb"\x00(" + body.encode("utf-8") + rb")\x00", _OPTIONS)
    except re2.error as exc:  # pragma: no cover - the translation only writes valid syntax
        raise GlobError(f"cannot be compiled: {exc}") from None
    return Glob(text, None, regex, excludes)


def _translate_path(glob: str) -> str:
    segments = glob.split("/")
    out: list[str] = []
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        if segment == "**":
            out.append(r"[^\x00]+" if last else r"(?:[^\x00]*/)?")
            continue
        if "**" in segment:
            raise GlobError("'**' must be a whole path segment (a/**/b, **/name, dir/**)")
        out.append(_translate_segment(segment) + ("" if last else "/"))
    return "".join(out)


def _translate_segment(segment: str) -> str:
    out: list[str] = []
    index = 0
    while index < len(segment):
        char = segment[index]
        if char == "*":
            out.append(_ONE_CHAR + "*")
        elif char == "?":
            out.append(_ONE_CHAR)
        elif char == "[":
            end = segment.find("]", index + 2)
            if end < 0:
                raise GlobError("an unclosed '[' (a class is [abc], [a-z] or [!abc])")
            out.append(_translate_class(segment[index + 1 : end]))
            index = end
        elif char == "{":
            end = segment.find("}", index)
            if end < 0:
                raise GlobError("an unclosed '{' (alternatives are {yml,yaml})")
            out.append(_translate_alternatives(segment[index + 1 : end]))
            index = end
        elif char in "]}":
            raise GlobError(f"an unmatched {char!r}")
        else:
            out.append(re2.escape(char))
        index += 1
    return "".join(out)


def _translate_class(content: str) -> str:
    negated = content.startswith("!")
    body = content[1:] if negated else content
    if not body or "[" in body or "\\" in body:
        raise GlobError("a character class is [abc], [a-z] or [!abc]")
    if "/" in body:
        raise GlobError("a character class never matches '/': a path's folders are written out")
    return f"[^/\\x00{_class_body(body)}]" if negated else f"[{_class_body(body)}]"


def _class_body(body: str) -> str:
    """A class's characters escaped for RE2, an inner `-` kept as a range."""
    last = len(body) - 1
    return "".join(c if c == "-" and 0 < i < last else re2.escape(c) for i, c in enumerate(body))


def _translate_alternatives(content: str) -> str:
    choices = content.split(",")
    if len(choices) > MAX_ALTERNATIVES or any(c in content for c in "{[*?/"):
        raise GlobError(f"alternatives are plain names, at most {MAX_ALTERNATIVES}: {{yml,yaml}}")
    return "(?:" + "|".join(re2.escape(choice) for choice in choices) + ")"


class PathListing:
    """A list of paths, joined once, that globs are matched against in one pass each."""

    def __init__(self, paths: Sequence[str]) -> None:
        """`paths` in the order results should come in (the inventory's sorted order)."""
        self.paths = tuple(paths)
        self._present = frozenset(self.paths)
        encoded = [p.encode("utf-8", "surrogateescape") for p in self.paths]
        self._starts: list[int] = []
        offset = 0
        for name in encoded:
            self._starts.append(offset)
            offset += len(name) + 2
        self._joined = b"".join(b"\x00" + name + b"\x00" for name in encoded)
        self._cache: dict[str, tuple[str, ...]] = {}

    def matching(self, glob: Glob) -> tuple[str, ...]:
        """The paths the glob matches, in listing order (remembered per glob)."""
        if glob.literal is not None:
            return (glob.literal,) if glob.literal in self._present else ()
        found = self._cache.get(glob.text)
        if found is None:
            found = tuple(self.paths[bisect.bisect_left(self._starts, m.start())] for m in
                          glob.regex.finditer(self._joined))
            self._cache[glob.text] = found
        return found

    def any_matching(self, globs: Sequence[Glob]) -> tuple[str, ...]:
        """The paths any of the globs match and no `!glob` does, in listing order, each once."""
        if len(globs) == 1 and not globs[0].excludes:
            return self.matching(globs[0])
        chosen = set().union(*(self.matching(glob) for glob in globs if not glob.excludes))
        chosen.difference_update(*(self.matching(glob) for glob in globs if glob.excludes))
        return tuple(path for path in self.paths if path in chosen)
