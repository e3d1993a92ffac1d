"""What the repository runs: one model of its commands, built once per audit by the context
(`ctx.commands`) and read by every rule that asks what CI, scripts, Makefiles, tox, nox,
Dockerfiles or install instructions run. See docs/adr/0008-the-commands-model.md."""

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
