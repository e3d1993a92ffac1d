"""Path globs with gitignore-like meaning, for `--exclude` and config `exclude`.

`*` and `?` stay inside one path segment, `**` spans any number of them, a pattern with no
slash matches a name at any depth, and a pattern that names a directory excludes
everything below it. (fnmatch's `*` crosses `/`, which makes `tests/*.py` match deep files.)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache


@lru_cache(maxsize=512)
def glob_to_regex(pattern: str) -> re.Pattern[str]:
    """Compile one glob to a regex that matches a posix relative path or any of its parents."""
    return re.compile(_glob_source(pattern), re.DOTALL)


def _glob_source(pattern: str) -> str:
    pattern = pattern.strip().lstrip("./") if pattern.startswith("./") else pattern.strip()
    anchored = "/" in pattern.rstrip("/")
    pattern = pattern.strip("/")
    body = _translate(pattern)
    prefix = "" if anchored else "(?:.*/)?"
    return f"^{prefix}{body}(?:/.*)?$"


def _translate(pattern: str) -> str:
    out = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        else:
            out.append(_translate_char(pattern[i]))
            i += 1
    return "".join(out)


def _translate_char(char: str) -> str:
    return {"*": "[^/]*", "?": "[^/]"}.get(char, re.escape(char))


def path_matcher(patterns: Iterable[str]) -> Callable[[str], bool]:
    """A predicate: does a posix relative path match any of the globs? (One regex for all of
    them: a compile each costs more than the matching, in a process that lives 0.1 s.)"""
    sources = [_glob_source(p) for p in patterns if p.strip()]
    if not sources:
        return lambda _path: False
    compiled = re.compile("|".join(f"(?:{source})" for source in sources), re.DOTALL)
    return lambda path: compiled.match(path) is not None
