"""UDEF016's fix (safe): the first ADR, recording the adoption of the methodology, in the
methodology's template (Status, Date, Context, Decision, Consequences; "Decision
Frameworks: Architecture Decision Records"). It goes into the first ADR folder that exists
(the rule's `folders` parameter), else `docs/adr/`, numbered after the records already
there (with as many digits as they use: four by default, as adr-tools writes them)."""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from collections.abc import Mapping, Sequence
from typing import Any

from udef_audit.findings import Finding
from udef_audit.fix.registry import Fixed
from udef_audit.fix.tree import FixTree

DEFAULT_FOLDERS = ("docs/adr", "doc/adr", "docs/decisions", "docs/architecture/decisions")
SLUG = "adopt-the-udef-methodology"
_NUMBERED = re.compile(r"^(\d+)-")

TEMPLATE = """\
# {number}. Adopt the UDEF build methodology

## Status: Accepted

## Date: {date}

## Context

The project needs one way of building that every contributor follows: how the code is laid
out, where dependencies are declared, what is checked before a commit and in CI, and how
decisions are recorded. Without it, each of these is re-decided by whoever touches it.

## Decision

Follow the UDEF build methodology: a src layout, dependencies in pyproject.toml only with a
lockfile, tests before code, pre-commit hooks that block placeholders and run ruff and mypy
--strict, containers for runtime and tests, and design specifications kept apart from
implementation reports. `udef-audit` checks the repository against it; significant
decisions are recorded here as Architecture Decision Records, one file each, with Status,
Date, Context, Decision and Consequences.

## Consequences

- Positive: the methodology's phase gates say what "done" means for each phase, and the
  audit shows what is missing.
- Negative: existing code may need moving (src layout) and dependencies consolidating.
- Mitigation: `udef-audit fix` repairs what can be repaired mechanically; the rest is
  listed by the audit.
"""


def first_adr(finding: Finding, tree: FixTree, params: Mapping[str, Any]) -> Fixed:
    """Create the ADR recording the adoption of the methodology."""
    folders: Sequence[str] = params.get("folders") or DEFAULT_FOLDERS
    files = tree.files
    folder = next((_spelled(files, f) for f in folders if _spelled(files, f)), None) or folders[0].strip("/")
    number, width = _next_number([posixpath.basename(f) for f in files if posixpath.dirname(f) == folder])
    path = f"{folder}/{number:0{width}d}-{SLUG}.md"
    tree.write_text(path, TEMPLATE.format(number=number, date=dt.date.today().isoformat()))
    return Fixed(f"create {path}, the first ADR: the adoption of the methodology")


def _next_number(names: Sequence[str]) -> tuple[int, int]:
    """The next record's number, and how many digits the folder's records use."""
    numbers = [m.group(1) for n in names if (m := _NUMBERED.match(n))]
    width = max((len(n) for n in numbers), default=4)
    return max((int(n) for n in numbers), default=0) + 1, width


def _spelled(files: Sequence[str], folder: str) -> str | None:
    """The folder as the repository spells it (matched case-insensitively), when it has files."""
    prefix = folder.strip("/").lower() + "/"
    found = next((f for f in files if f.lower().startswith(prefix)), None)
    return found[: len(prefix) - 1] if found else None
