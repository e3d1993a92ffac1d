"""What the repository runs: one model of its commands, built once per audit by the context
(`ctx.commands`) and read by every rule that asks what CI, scripts, Makefiles, tox, nox,
Dockerfiles or install instructions run. See docs/adr/0008-the-commands-model.md.

The names below are imported on first use (PEP 562): a pre-commit run on one Python file
that never says `--no-deps` asks for `Commands` and nothing else, and pays for neither the
model's records nor the shell lexer (about 20 ms of its 120 ms budget).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from udef_audit.commands.builder import Commands
    from udef_audit.commands.model import (
        ArgvCommand,
        EnvSetting,
        FileCommands,
        Hop,
        Invocation,
        Job,
        MatrixAxis,
        Origin,
        Pipeline,
        PlacedWord,
        Positions,
        Script,
        Step,
        Unfollowed,
        Value,
    )
    from udef_audit.commands.queries import runs_tests
    from udef_audit.commands.repository import RepositoryFiles

__all__ = [
    "ArgvCommand",
    "Commands",
    "EnvSetting",
    "FileCommands",
    "Hop",
    "Invocation",
    "Job",
    "MatrixAxis",
    "Origin",
    "Pipeline",
    "PlacedWord",
    "Positions",
    "RepositoryFiles",
    "Script",
    "Step",
    "Unfollowed",
    "Value",
    "runs_tests",
]

# Where each name is defined; the rest of __all__ is the model's.
_HOME = {"Commands": "builder", "runs_tests": "queries", "RepositoryFiles": "repository"}


def __getattr__(name: str) -> Any:
    """The exported name, from the module that defines it (imported now if it was not)."""
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_HOME.get(name, 'model')}"), name)
