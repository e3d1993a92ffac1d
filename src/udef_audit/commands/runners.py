"""Commands that run definitions of the project: tox environments, nox sessions,
pre-commit hooks, and hatch/pdm/poe tasks (a `hatch run`/`pdm run` of anything else runs
that command, as `uv run` does)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from udef_audit.commands.frames import Call, Command, Frame, resolve, skip_options
from udef_audit.commands.model import Hop, Origin, PlacedWord

if TYPE_CHECKING:
    from udef_audit.commands.tasks import Task
    from udef_audit.parsers.noxfile import Noxfile

NOX = Origin("nox", "nox session")
PRE_COMMIT = Origin("pre-commit", "pre-commit hook")
_TOX_LISTING = frozenset({"list", "l", "config", "c", "depends", "d", "quickstart", "q", "devenv", "schema"})
_TOX_VALUES = frozenset({"-e", "--env", "-c", "--conf", "--root", "--workdir", "-m", "-f", "--override", "-x"})
_NOX_VALUES = frozenset({"-f", "--noxfile", "-p", "--python", "-k", "--keywords", "-t", "--tags", "--envdir"})
_PRE_COMMIT_VALUES = frozenset(
    {"-c", "--config", "--hook-stage", "--from-ref", "-s", "--to-ref", "-o", "--commit-msg-filename"}
)
_HATCH_VALUES = frozenset({"-e", "--env", "-p", "--project", "--data-dir", "--cache-dir", "--config"})
_POE_VALUES = frozenset({"-C", "--directory", "--root", "-e", "--executor"})
_PIXI_VALUES = frozenset({"-e", "--environment", "--manifest-path", "-m"})


def _tox(call: Call) -> None:
    """`tox`, `tox -e a,b`, `tox run -e a`, `tox -p`: the environments' commands."""
    if not _tox_runs_commands(call):
        return
    envs, config = _tox_arguments(call)
    tox = call.follower.definitions.tox(config, call.frame.folder)
    if tox is None:
        call.skip("no tox configuration")
        return
    for env in _chosen_envs(call, envs, tox.all, tox.default):
        inner = call.enter(f"tox:{env}")
        if inner is not None:
            for script in tox.commands(env):
                call.follower.script(script, inner)


def _chosen_envs(call: Call, envs: list[str], every: Sequence[str], default: Sequence[str]) -> list[str]:
    """The environments a tox command runs: `-e`, else the step's `TOXENV`, else the
    default `env_list` (`ALL`: every one; none listed: `py`)."""
    envs = envs or _names(call.frame.variable("TOXENV") or "")
    chosen = list(every) if envs == ["ALL"] else envs or list(default)
    return chosen or ["py"]


def _tox_runs_commands(call: Call) -> bool:
    """Not `tox list`/`config`, nor `--notest`, which only installs the environments (the
    words after `--` are the environments' posargs, not tox's)."""
    options = list(call.words[call.args :])
    options = options[: options.index("--")] if "--" in options else options
    return call.word(call.args) not in _TOX_LISTING and "-n" not in options and "--notest" not in options


def _tox_arguments(call: Call) -> tuple[list[str], str | None]:
    """(environments, configuration file) of a tox command line."""
    words = call.words
    envs: list[str] = []
    config = None
    index = call.args
    while index < len(words) and words[index] != "--":
        word = words[index]
        if word in ("-e", "--env") or word.startswith(("-e=", "--env=")):
            envs.extend(_names(call.word(index + 1) if word in ("-e", "--env") else word.partition("=")[2]))
        elif word in ("-c", "--conf"):
            config = resolve(call.frame.folder, call.word(index + 1))
        index += 2 if word in _TOX_VALUES else 1
    return envs, config


def _names(listed: str) -> list[str]:
    return [name.strip() for name in listed.split(",") if name.strip()]


def _nox(call: Call) -> None:
    """`nox`, `nox -s a b`, `nox --session a`: the sessions' commands, and the sessions
    they notify."""
    sessions, path = _nox_arguments(call)
    path = resolve(call.frame.folder, path) or path
    noxfile = call.follower.definitions.noxfile(path)
    if noxfile is None:
        call.skip(f"no {path}")
        return
    sessions = sessions or _names(call.frame.variable("NOXSESSION") or "")
    for name in sessions or list(noxfile.default or (session.name for session in noxfile.sessions)):
        _session(call, call.frame, (path, noxfile), name)


def _nox_arguments(call: Call) -> tuple[list[str], str]:
    """(sessions, noxfile) of a nox command line."""
    words = call.words
    sessions: list[str] = []
    path = "noxfile.py"
    index = call.args
    while index < len(words) and words[index] != "--":
        word = words[index]
        if word in ("-s", "-e", "--session", "--sessions"):
            index += 1
            while index < len(words) and not words[index].startswith("-"):
                sessions.append(words[index])
                index += 1
            continue
        if word in ("-f", "--noxfile"):
            path = call.word(index + 1)
        index += 2 if word in _NOX_VALUES else 1
    return sessions, path


def _session(call: Call, frame: Frame, noxfile: tuple[str, Noxfile], name: str, by: Hop | None = None) -> None:
    """A session's commands, then the sessions it notifies (`by` says who notified it)."""
    path, model = noxfile
    session = model.session(name)
    if session is None:
        call.skip(f"no session {name!r} in {path}", frame)
        return
    inner = call.follower.enter(call.command, frame, f"nox:{session.name}", by)
    if inner is None:
        return
    for found in session.calls:
        words = tuple(PlacedWord(word.text, word.line, word.column) for word in found.words)
        if words:
            call.follower.command(Command(words, path, NOX), inner)
    for notified in session.notifies:
        hop = Hop(path, session.line, None, f"session {notified} (notified by {session.name})")
        _session(call, inner, noxfile, notified, hop)


def _pre_commit(call: Call) -> None:
    """`pre-commit run [hook] [--all-files] [--hook-stage S]` (and `prek run`)."""
    if call.word(call.args) != "run":
        return
    options = _pre_commit_options(call)
    config = options.get("config", ".pre-commit-config.yaml")
    hooks = call.follower.definitions.hooks(config)
    if not hooks:
        call.skip(f"no hooks in {config}")
    for hook in hooks:
        if options.get("hook", hook.id) == hook.id and hook.runs_on(options.get("stage")):
            inner = call.enter(f"hook:{hook.id}")
            if inner is not None and hook.words:
                call.follower.command(Command(hook.words, hook.path, PRE_COMMIT), inner)


def _pre_commit_options(call: Call) -> dict[str, str]:
    """`config`, `stage` and `hook` (the hook id) of a `pre-commit run` command line."""
    words = call.words
    options: dict[str, str] = {}
    index = call.args + 1
    while index < len(words) and words[index] != "--files":
        word = words[index]
        if word in ("-c", "--config", "--hook-stage"):
            options["config" if word != "--hook-stage" else "stage"] = call.word(index + 1)
        elif not word.startswith("-"):
            options.setdefault("hook", word)
        index += 2 if word in _PRE_COMMIT_VALUES else 1
    return options


def _task_runner(tool: str, subcommand: str | None, values: frozenset[str]) -> Callable[[Call], None]:
    """`hatch run NAME`, `pdm run NAME`, `poe NAME`: a task by name, else (hatch, pdm) the
    command itself."""

    def handler(call: Call) -> None:
        index = skip_options(call.words, call.args, values)
        if subcommand is not None:
            if call.word(index) != subcommand:
                return
            index = skip_options(call.words, index + 1, values)
        if index >= len(call.words):
            return
        tasks = call.follower.definitions.tasks(tool)
        name = call.word(index)
        task = tasks.get(name) or tasks.get(name.removeprefix("default:"))
        if task is not None:
            _task(call, call.frame, (tool, tasks), task)
        elif tool != "poe":
            call.wrapped(index + 1 if call.word(index) == "--" else index)

    return handler


def _task(call: Call, frame: Frame, runner: tuple[str, dict[str, Task]], task: Task, by: Hop | None = None) -> None:
    """A task's commands, then the tasks it runs by name (`by` says which task ran it)."""
    tool, tasks = runner
    inner = call.follower.enter(call.command, frame, f"{tool}:{task.name}", by)
    if inner is None:
        return
    for script in task.scripts:
        call.follower.script(script, inner)
    for name in task.runs:
        if name in tasks:
            _task(
                call,
                inner,
                runner,
                tasks[name],
                Hop(task.path, task.line, None, f"{name} (in {tool} task {task.name})"),
            )


RUNNERS: dict[str, Callable[[Call], None]] = {
    "tox": _tox,
    "nox": _nox,
    "pre-commit": _pre_commit,
    "pre_commit": _pre_commit,
    "prek": _pre_commit,
    "hatch": _task_runner("hatch", "run", _HATCH_VALUES),
    "pdm": _task_runner("pdm", "run", frozenset()),
    "poe": _task_runner("poe", None, _POE_VALUES),
    "pixi": _task_runner("pixi", "run", _PIXI_VALUES),
}
