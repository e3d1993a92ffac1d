"""What the repository runs: one model of its commands, built once per audit by the context
(`ctx.commands`) and read by every rule that asks what CI, scripts, Makefiles, tox, nox,
Dockerfiles or install instructions run. See docs/adr/0008-the-commands-model.md."""

from udef_audit.commands.builder import Commands, RepositoryFiles
from udef_audit.commands.model import ArgvCommand, EnvSetting, FileCommands, Origin, Positions, Script

__all__ = ["ArgvCommand", "Commands", "EnvSetting", "FileCommands", "Origin", "Positions", "RepositoryFiles", "Script"]
