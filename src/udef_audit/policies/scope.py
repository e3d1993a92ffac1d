"""Where a policy's check is read: the repository, or one project.

A per-repository policy reads its globs from the repository root over every file in scope;
a per-project policy (`scope: project`) runs once per project, its globs relative to the
project's root, over the files that project owns (not a nested project's). The listings
are built once per audit and shared by every policy (several policies asking for
`**/*.py` pay for one pass over the names).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from udef_audit.policies.globs import Glob, PathListing

if TYPE_CHECKING:
    from udef_audit.context import RepoContext
    from udef_audit.projects import Project

_LISTINGS: weakref.WeakKeyDictionary[RepoContext, dict[str, PathListing]] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class Scope:
    """The root a check reads (`folder`: "" for the repository root) and its files."""

    ctx: RepoContext
    folder: str
    listing: PathListing = field(compare=False)
    project: Project | None = None

    def files(self, globs: tuple[Glob, ...]) -> list[str]:
        """Repository paths of the files matching any of the globs, in path order."""
        return [self.to_repo(rel) for rel in self.listing.any_matching(globs)]

    def to_repo(self, rel: str) -> str:
        """A path relative to the scope's root as a repository path."""
        return f"{self.folder}/{rel}" if self.folder else rel

    @property
    def label(self) -> str:
        """How a message names the scope's root: the project folder, or "."."""
        return self.folder or "."


def repository_scope(ctx: RepoContext) -> Scope:
    """The whole repository."""
    return Scope(ctx, "", _listing(ctx, "", ctx.files))


def project_scopes(ctx: RepoContext) -> list[Scope]:
    """One scope per project, in project order."""
    return [Scope(ctx, p.path, _listing(ctx, p.path, [p.rel(f) for f in p.files]), p) for p in ctx.projects]


def _listing(ctx: RepoContext, key: str, paths: list[str] | tuple[str, ...]) -> PathListing:
    cached = _LISTINGS.setdefault(ctx, {})
    if key not in cached:
        cached[key] = PathListing(paths)
    return cached[key]
