"""UDEF005 no-pip-no-deps: `pip install --no-deps` (or PIP_NO_DEPS) wherever installs run."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

from udef_audit.findings import Finding, Level

if TYPE_CHECKING:
    from udef_audit.commands import ArgvCommand, EnvSetting, FileCommands, Origin, Script
    from udef_audit.context import RepoContext

# The commands model and the pip parser are imported when a file mentions turning
# dependencies off (`_file_hits`): a pre-commit run on files that do not (nearly every run)
# pays for neither (about 20 ms of its 120 ms budget).

# Every way to turn dependencies off contains one of these (`--no-deps`, `--no-depe...`,
# `PIP_NO_DEPS`, `PIP_no_dependencies`): files without them are never decoded or parsed.
_FLAG_BYTES = b"no-d"
_ENV_BYTES = re.compile(rb"(?i)no_dep")
_NO_DEPS_OPTIONS = frozenset({"no-deps", "no-dependencies"})


class _Hit(NamedTuple):  # not a dataclass: defining one costs a pre-commit run 0.8 ms
    """One place that turns dependencies off: the flag (or assignment) as written, and the
    command around it (for the fingerprint)."""

    path: str
    origin: Origin
    line: int
    column: int | None
    written: str
    tool: str
    command: str


def _mentions_no_deps(data: bytes) -> bool:
    return _FLAG_BYTES in data or _ENV_BYTES.search(data) is not None


def _is_no_deps_name(name: str) -> bool:
    """Whether pip reads the variable as its --no-deps option (`PIP_` + any case, `_` = `-`)."""
    return name.startswith("PIP_") and name[4:].lower().replace("_", "-") in _NO_DEPS_OPTIONS


def _script_hits(script: Script) -> Iterator[_Hit]:
    from udef_audit.parsers.pip_commands import find_no_deps  # noqa: PLC0415 - see the imports

    for use in find_no_deps(script.text, make_syntax=script.make_syntax):
        line, column = script.position(use.offset)
        yield _Hit(script.path, script.origin, line, column, use.flag, use.tool, script.command_at(use.offset))


def _argv_hit(command: ArgvCommand) -> _Hit | None:
    from udef_audit.commands.model import one_line  # noqa: PLC0415 - see the imports
    from udef_audit.parsers.pip_commands import find_no_deps_in_argv  # noqa: PLC0415

    flag = find_no_deps_in_argv(command.argv)
    if flag is None:
        return None
    line, column = command.position_of(flag)
    tool = "uv pip" if any(word.replace("\\", "/").rsplit("/", 1)[-1] == "uv" for word in command.argv) else "pip"
    return _Hit(command.path, command.origin, line, column, flag, tool, one_line(" ".join(command.argv)))


def _env_hit(setting: EnvSetting) -> _Hit | None:
    from udef_audit.parsers.pip_commands import is_truthy_pip_env  # noqa: PLC0415 - see the imports

    if not (_is_no_deps_name(setting.name) and is_truthy_pip_env(setting.value)):
        return None
    written = f"{setting.name}={setting.value}"
    return _Hit(setting.path, setting.origin, setting.line, setting.column, written, "pip", written)


def _file_hits(found: FileCommands) -> Iterator[_Hit]:
    for script in found.scripts:
        yield from _script_hits(script)
    for hit in (*map(_argv_hit, found.argv), *map(_env_hit, found.env)):
        if hit is not None:
            yield hit


def _finding(hit: _Hit) -> Finding:
    from udef_audit.parsers.pip_commands import is_rejected_abbreviation  # noqa: PLC0415 - see the imports

    shown = " ".join(re.sub(r"[\"'\\]", "", hit.written).split())
    if shown.startswith("-"):
        subject, what, fix, flag = f"{hit.tool} install {shown}", "it installs", "drop the flag", shown
        if is_rejected_abbreviation(shown):
            what = (
                "it asks pip to skip dependencies (pip rejects this abbreviation as ambiguous, "
                "so the line also fails); it installs"
            )
    else:
        subject, what, fix = shown, "it makes pip install", "remove it"
        flag = re.split(r"[\s:?+!]*=", shown, maxsplit=1)[0]
    docs = not hit.origin.executable
    if docs:
        message = (
            f"{subject} in install instructions: readers who copy it install packages without their "
            f"dependencies; {fix} and document installing from the lock."
        )
    else:
        message = (
            f"{subject} in {hit.origin.place}: {what} packages without their dependencies; "
            f"{fix} and install from the lock."
        )
    return Finding(
        rule_id=NoPipNoDeps.id,
        path=hit.path,
        line=hit.line,
        column=hit.column,
        message=message,
        key=f"{hit.origin.kind}|{flag}|{hit.command}",
        level=Level.WARNING if docs else None,
        kind="documentation" if docs else "executable",
    )


class NoPipNoDeps:
    """`pip install --no-deps` installs a package without what it needs. Every place the
    commands model knows is searched: Dockerfiles (RUN in both forms, heredocs, ENV/ARG),
    shell scripts, Makefiles, tox/setup.cfg, nox and subprocess calls, GitHub Actions,
    GitLab CI and CircleCI, plus shell snippets in Markdown/RST docs (warnings). Only files
    whose bytes mention `no-d`/`no_dep` are parsed; the shell lexing is the pip_commands
    parser's, the positions are the model's."""

    id: ClassVar[str] = "UDEF005"

    def check(self, ctx: RepoContext, params: Mapping[str, Any]) -> Iterator[Finding]:
        seen: set[tuple[str, int, int | None, str]] = set()
        for found in ctx.commands.files(mentioning=_mentions_no_deps):
            for hit in _file_hits(found):
                finding = _finding(hit)
                identity = (finding.path, finding.line, finding.column, finding.key)
                if identity not in seen:  # `sh -c` can reach one place twice
                    seen.add(identity)
                    yield finding
