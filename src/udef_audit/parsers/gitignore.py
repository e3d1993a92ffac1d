"""Whether git ignores a path, as a repository's own `.gitignore` files say.

Patterns are compiled by `pathspec`'s gitignore spec (git's wildmatch: anchoring, `**`,
negation, directory-only patterns). This module adds what one spec cannot know: several
`.gitignore` files, each relative to its own folder, the deeper one overriding the higher
one, and git's rule that a file inside an excluded directory cannot be re-included (git
never looks inside that directory). Pure: the caller hands over the texts.

Bounds: a file with more than MAX_PATTERNS patterns is refused (GitignoreError); a pattern
git would reject or that does not compile is skipped, as git skips it. Matching uses
pathspec's plain `re` backend: paths are short, and the re2 backend fails (loudly, on
stderr) on large pattern sets.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathspec import GitIgnoreSpec

# pathspec is imported where a .gitignore is first parsed: it costs ~50 ms to import, and
# an audit of a repository without one (or a pre-commit run) should not pay for it.

# A real .gitignore holds tens to hundreds of patterns; compiling one costs ~0.3 ms.
MAX_PATTERNS = 5_000
# The pattern that ignores each of UDEF011's default sample paths (its message and its fix).
SUGGESTED_PATTERNS = {
    "__pycache__/m.cpython-312.pyc": "__pycache__/",
    "pkg/m.pyc": "*.py[cod]",
    ".pytest_cache/v/x": ".pytest_cache/",
    ".mypy_cache/x": ".mypy_cache/",
    ".ruff_cache/x": ".ruff_cache/",
    ".coverage": ".coverage",
    "htmlcov/index.html": "htmlcov/",
    "pkg.egg-info/PKG-INFO": "*.egg-info/",
    ".venv/bin/python": ".venv/",
    "dist/p.whl": "dist/",
    "build/lib/m.py": "build/",
}


class GitignoreError(Exception):
    """The file is not read (too many patterns)."""


def parse_gitignore(text: str) -> GitIgnoreSpec:
    """The patterns of one `.gitignore` text; raise GitignoreError past MAX_PATTERNS."""
    # A CR before the LF is no part of the pattern (a file written on Windows).
    lines = [line for line in text.replace("\r\n", "\n").split("\n") if line.strip() and not line.startswith("#")]
    if len(lines) > MAX_PATTERNS:
        raise GitignoreError(f"too many patterns ({len(lines)}; at most {MAX_PATTERNS} are read)")
    from pathspec import GitIgnoreSpec  # noqa: PLC0415 (see above)

    try:
        return GitIgnoreSpec.from_lines(lines, backend="simple")
    except (ValueError, re.error):
        return GitIgnoreSpec.from_lines(_valid_lines(lines), backend="simple")


def _valid_lines(lines: Iterable[str]) -> list[str]:
    """The lines that compile on their own (git ignores a pattern it cannot read)."""
    from pathspec import GitIgnoreSpec  # noqa: PLC0415

    valid = []
    for line in lines:
        try:
            GitIgnoreSpec.from_lines([line], backend="simple")
        except (ValueError, re.error):
            continue
        valid.append(line)
    return valid


def is_ignored(path: str, ignore_files: Mapping[str, GitIgnoreSpec], *, directory: bool = False) -> bool:
    """Whether git ignores `path` (posix, relative to the repository root; `directory` when
    it names a folder), given the specs of the `.gitignore` files by their folder ("" for
    the root's)."""
    parts = path.strip("/").split("/")
    for depth in range(1, len(parts) + 1):
        candidate = "/".join(parts[:depth])
        is_folder = directory or depth < len(parts)
        if _excluded(candidate, is_folder, ignore_files):
            return True  # nothing inside an excluded folder can be re-included
    return False


def _excluded(candidate: str, is_folder: bool, ignore_files: Mapping[str, GitIgnoreSpec]) -> bool:
    """The verdict of the deepest `.gitignore` with a pattern matching `candidate`."""
    folder = posixpath.dirname(candidate)
    while True:
        spec = ignore_files.get(folder)
        if spec is not None:
            relative = candidate[len(folder) + 1 :] if folder else candidate
            verdict = spec.check_file(relative + "/" if is_folder else relative).include
            if verdict is not None:
                return bool(verdict)
        if not folder:
            return False
        folder = posixpath.dirname(folder)


def folders_of(paths: Iterable[str]) -> set[str]:
    """Every folder whose `.gitignore` can have a say about these paths ("" for the root)."""
    folders = {""}
    for path in paths:
        parts = path.strip("/").split("/")[:-1]
        folders.update("/".join(parts[:depth]) for depth in range(1, len(parts) + 1))
    return folders


def suggested_pattern(sample: str) -> str:
    """The pattern to add to the root .gitignore so that git ignores a sample path: the
    usual one for a known cache, else the path itself, anchored."""
    return SUGGESTED_PATTERNS.get(sample, "/" + sample)
