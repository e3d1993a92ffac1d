"""Findings are plain data: every rule yields them, every reporter reads only them.

Defined once here; nothing in this module knows about rules, outputs or the CLI.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, fields
from typing import Any

# Set in a finding's properties when its rule belongs to a later methodology phase than the
# one the team declares (`phase = N`): reported as a note, never failing the run.
AHEAD_OF_PHASE = "udef/aheadOfPhase"
# Set by a rule whose one result covers several things (UDEF024's missing test categories):
# the list of what it is about, so a gate can be decided by some of them only.
CATEGORIES = "udef/categories"


class Level(str, enum.Enum):
    """SARIF result levels, ordered by how much they break the methodology."""

    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"

    @property
    def rank(self) -> int:
        """Higher is more severe: used for --fail-on and sorting."""
        return {"note": 1, "warning": 2, "error": 3}[self.value]


@dataclass(frozen=True)
class Suppression:
    """Why a result is not counted against the repository (SARIF `suppressions`)."""

    kind: str  # "inSource" (an inline comment) | "external" (baseline, waiver, config)
    justification: str = ""
    origin: str = ""  # "inline" | "waiver" | "baseline": what the terminal report counts apart

    @property
    def baselined(self) -> bool:
        """Whether a baseline (adoption, not a decision about this result) suppresses it."""
        return self.origin == "baseline"


@dataclass(frozen=True)
class Finding:
    """One result: a rule, a place, a message.

    `key` is the rule's semantic key for the fingerprint: what the finding is about,
    independent of line numbers and wording, so moving code does not make it new.
    `kind` says which of the rule's declared kinds of result this is (`mixed-layout`,
    `stub`): the rule's YAML declares its kinds and what they mean to the score and the
    gates, so nothing downstream ever reads the message text.
    `level` is None until the engine applies the policy (a rule may set it when one rule
    has results of different levels, as UDEF005 does for docs).
    """

    rule_id: str
    message: str
    path: str
    line: int = 1
    column: int | None = None
    key: str = ""
    kind: str = ""
    level: Level | None = None
    suppressions: tuple[Suppression, ...] = ()
    fingerprint: str = ""
    properties: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def suppressed(self) -> bool:
        """True when any suppression applies."""
        return bool(self.suppressions)

    @property
    def ahead_of_phase(self) -> bool:
        """Whether the rule belongs to a later phase than the declared one (never fails a run)."""
        return AHEAD_OF_PHASE in self.properties

    def with_changes(self, **changes: Any) -> Finding:
        """A copy with some fields replaced (findings are immutable). Copied as a whole
        rather than through `dataclasses.replace`, which looks every field up again on each
        call: 8 µs a finding, about 20 ms for sympy's 2,000 at the end of an audit, on one
        core. Nothing is computed from the fields when a Finding is made, so the copy is
        the finding `replace` would make."""
        unknown = changes.keys() - _FINDING_FIELDS
        if unknown:
            raise TypeError(f"Finding has no field {', '.join(sorted(unknown))}")
        copy = object.__new__(type(self))
        copy.__dict__.update(self.__dict__, **changes)
        return copy

    def sort_key(self) -> tuple[str, int, int, str]:
        """Stable report order: by file, line, column, rule."""
        return (self.path, self.line, self.column or 0, self.rule_id)


_FINDING_FIELDS = frozenset(item.name for item in fields(Finding))


@dataclass(frozen=True)
class Notification:
    """A tool execution notification: the tool, not the repository, had a problem."""

    message: str
    rule_id: str | None = None
    level: Level = Level.ERROR
    exception: str | None = None
