"""Running git inside a hostile repository: one set of options, one environment.

Git reads the repository's own config, and a checkout can name an fsmonitor hook, an
external diff program or fetch protocols there. Command-line `-c` settings outrank it, and
the environment drops every `GIT_*` variable the caller had (GIT_DIR,
GIT_CONFIG_PARAMETERS...). The user's own global config stays: it is theirs, and it holds
`safe.directory` (the Docker image relies on it) and their global excludes.
Cloning remote repositories (batch/clone.py) needs network protocols and has its own.
"""

from __future__ import annotations

import os
from pathlib import Path

SAFE_OPTIONS: tuple[str, ...] = (
    "--no-pager",
    "-c", "core.quotepath=off",
    "-c", "core.fsmonitor=false",
    "-c", "core.untrackedCache=false",
    "-c", "diff.external=",
    "-c", "log.showSignature=false",  # no gpg run on signed commits
    "-c", "protocol.allow=never",  # a partial clone must not fetch missing objects
)  # fmt: skip


def safe_env(ceiling: Path | None = None) -> dict[str, str]:
    """The caller's environment minus what lets git run or fetch what a repository names.

    `ceiling` stops repository discovery above that folder (GIT_CEILING_DIRECTORIES).
    """
    env = {name: value for name, value in os.environ.items() if not name.startswith("GIT_")}
    env.update(
        GIT_CONFIG_NOSYSTEM="1",
        GIT_ATTR_NOSYSTEM="1",
        GIT_TERMINAL_PROMPT="0",
        GIT_OPTIONAL_LOCKS="0",  # a read must not rewrite the index
        GIT_NO_REPLACE_OBJECTS="1",  # the commits as stored, not as replace refs say
        GIT_NO_LAZY_FETCH="1",  # git >= 2.44; protocol.allow=never covers older ones
        GIT_ALLOW_PROTOCOL="",  # overrides any protocol.<name>.allow the repository sets
        LC_ALL="C",  # English error messages, which callers match
    )
    env.pop("LANGUAGE", None)
    if ceiling is not None:
        env["GIT_CEILING_DIRECTORIES"] = str(ceiling)
    return env


def git_argv(*args: str) -> list[str]:
    """`git` with the safe options, then `args`."""
    return ["git", *SAFE_OPTIONS, *args]
