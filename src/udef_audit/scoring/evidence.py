"""Evidence for a score criterion: a file (with a line) or a commit (hash, date, subject)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from udef_audit.parsers.gitlog import Commit


@dataclass(frozen=True)
class Evidence:
    """One piece of evidence; `text` is what reports print."""

    text: str
    path: str | None = None
    line: int | None = None
    commit: str | None = None
    date: str | None = None
    subject: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Only the fields that are set."""
        return {k: v for k, v in self.__dict__.items() if v is not None}

    def __str__(self) -> str:
        return self.text


def file_evidence(path: str, detail: str, line: int | None = None) -> Evidence:
    """Evidence pointing at a file."""
    where = f"{path}:{line}" if line else path
    return Evidence(text=f"{where}: {detail}", path=path, line=line)


def commit_evidence(commit: Commit) -> Evidence:
    """Evidence naming a commit."""
    day = commit.date.strftime("%Y-%m-%d")
    return Evidence(
        text=f"{commit.sha[:10]} {day} {commit.subject}", commit=commit.sha, date=day, subject=commit.subject
    )
