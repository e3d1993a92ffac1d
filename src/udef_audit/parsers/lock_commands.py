"""Whether a text names a lock-generating command (UDEF014), read as bytes.

Commands: `pip-compile`, `pip-compile-multi`, `python -m piptools compile`, `uv pip compile`,
`uv lock`, `uv export`, `poetry lock`, `pdm lock`, `pipenv lock`, `conda-lock`, `pip lock`.
Words, not substrings: `uv lock --upgrade`, "run `uv lock`." and a noxfile's
`session.run("uv", "lock")` name one; "uv locking",
"poetry lockfile", `poetry.lock` and `conda-lock.yml` (a file name) do not. Commands are
ASCII, so the search runs on bytes: no file is decoded, and a byte prefilter skips most
files before the expression runs. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# pre-commit hooks that (re)generate or check a lock: astral-sh/uv-pre-commit, python-poetry,
# jazzband/pip-tools, pdm-project/pdm.
LOCK_HOOK_IDS = frozenset({"uv-lock", "uv-export", "poetry-lock", "pip-compile", "pdm-lock-check"})

_PREFILTER = (b"lock", b"compile", b"export")
# Between the words of a command: blanks, or the quotes and comma of an argument list
# (`session.run("uv", "lock")` in a noxfile).
_SEP = rb"""(?:[ \t]+|['"][ \t]*,[ \t]*['"])"""
_COMMAND_RE = re.compile(
    rb"(?<![\w.-])(?:"
    rb"pip-compile(?:-multi)?|piptools" + _SEP + rb"compile|uv" + _SEP + rb"pip" + _SEP + rb"compile"
    rb"|uv" + _SEP + rb"(?:lock|export)|(?:poetry|pdm|pipenv|pip)" + _SEP + rb"lock|conda-lock"
    rb")(?![\w-]|\.\w)"
)


def lock_command(data: bytes) -> str | None:
    """The first lock-generating command the bytes name, or None."""
    if not any(word in data for word in _PREFILTER):
        return None
    match = _COMMAND_RE.search(data)
    return None if match is None else " ".join(re.split(r"""['", \t]+""", match.group().decode("ascii")))


def lock_hook(config: object) -> str | None:
    """The id of a lock hook in a parsed `.pre-commit-config.yaml`, or None."""
    repos = config.get("repos") if isinstance(config, dict) else None
    for repo in repos if isinstance(repos, list) else ():
        hooks = repo.get("hooks") if isinstance(repo, dict) else None
        for hook_id in _hook_ids(hooks if isinstance(hooks, list) else ()):
            if hook_id in LOCK_HOOK_IDS:
                return hook_id
    return None


def _hook_ids(hooks: Iterable[object]) -> Iterable[str]:
    for hook in hooks:
        hook_id = hook.get("id") if isinstance(hook, dict) else None
        if isinstance(hook_id, str):
            yield hook_id
