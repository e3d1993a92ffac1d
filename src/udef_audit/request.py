"""What to audit and how: the one input of an audit, built by the CLI or by a batch task."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from udef_audit.inventory import Inventory


@dataclass(frozen=True)
class AuditRequest:
    """The path, command-line overrides, the file mode and the adoption files."""

    path: Path
    config_file: Path | None = None
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    fail_on: str | None = None
    files: tuple[str, ...] | None = None  # --files: only these files, only per-file rules
    use_cache: bool = True
    workers: int | None = None
    disable_plugins: tuple[str, ...] = ()
    baseline: Path | None = None
    write_baseline: Path | None = None
    prune_baseline: bool = False
    policy_file: Path | None = None
    policy_paths: tuple[Path, ...] = ()  # custom policy files or folders to load too (policy test)
    today: dt.date | None = None  # waiver expiry is real time; tests may pin it
    score: bool = True  # the reset-vs-repair score (never in --files mode: it is about a whole repository)
    fixes: bool = False  # compute each result's fix (what the reports say is fixable; SARIF's fixes[])
    # The repository as listed moments ago with nothing excluded (the replay key's listing):
    # the audit uses it instead of listing again when its config excludes nothing.
    listing: Inventory | None = None

    @property
    def whole_repository(self) -> bool:
        """Whether every rule looks at every file (not the pre-commit `--files` mode)."""
        return self.files is None
