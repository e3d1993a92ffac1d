"""Where a command leads: script files, make and just targets, and commands that wrap
another command (`uv run`, `poetry run`, `docker run IMAGE CMD`...). tox, nox, pre-commit
and pyproject tasks are in `runners`.

Each handler gets the command with the index of its program's first argument (prefixes
such as `sudo` and `VAR=1` set aside) and calls back into the follower for what it finds.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from udef_audit.commands.definitions import JUSTFILE_NAMES, MAKEFILE_NAMES, first_existing
from udef_audit.commands.frames import Call, Command, Frame, resolve, skip_options
from udef_audit.commands.model import Hop, Origin, Positions, Script
from udef_audit.commands.runners import RUNNERS
from udef_audit.commands.words import command_start, program
from udef_audit.parsers.justfile import Justfile
from udef_audit.parsers.makefile import Makefile, Rule, parse_makefile

if TYPE_CHECKING:
    from udef_audit.commands.follow import Follower

MAKE = Origin("make", "Makefile")
JUST = Origin("just", "justfile")
_SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ash", "ksh", "mksh"})
_MAKE_VALUE_OPTIONS = frozenset({"-C", "--directory", "-f", "--file", "--makefile", "-I", "-o", "-W", "-l"})
_JUST_VALUE_OPTIONS = frozenset({"-f", "--justfile", "-d", "--working-directory", "--set", "--shell"})
_MAX_MAKE_INCLUDES = 20
_MAKE_VARIABLES = (["$(MAKE)"], ["${MAKE}"], ["$MAKE"])


def follow(follower: Follower, command: Command, frame: Frame) -> None:
    """Follow `command` wherever its program leads (nothing happens for a plain program)."""
    texts = command.texts()
    name, args = program(texts)
    start = command_start(texts)
    call = Call(follower, command, frame, args)
    handler = _HANDLERS.get(name) or RUNNERS.get(name)
    if handler is not None:
        handler(call)
    elif name in _SHELLS or name in ("source", "."):
        _shell_file(call)
    elif texts[start : start + 1] in _MAKE_VARIABLES:
        _make(Call(follower, command, frame, start + 1))
    elif start < len(texts) and ("/" in texts[start] or texts[start].endswith((".sh", ".bash"))):
        _script_path(call, texts[start])


# --- script files ----------------------------------------------------------------------------


def _shell_file(call: Call) -> None:
    """`bash scripts/test.sh`, `sh -e x`, `source env.sh`: the first operand is the script."""
    words = call.words
    index = call.args
    while index < len(words) and words[index].startswith(("-", "+")) and words[index] != "-":
        if words[index] in ("-c", "--rcfile", "--init-file", "-o", "-O"):
            return  # a `-c` script is lexed where it stands; the others take a value
        index += 1
    if index < len(words):
        _script_path(call, words[index])


def _script_path(call: Call, written: str) -> None:
    definitions = call.follower.definitions
    path = _script_file(call, written)
    if path is None:
        return
    script = definitions.shell_script(path)
    if script is None:
        if written.endswith((".sh", ".bash")) and not definitions.exists(path) and not call.frame.container:
            call.skip(f"{path} is not in the repository")
        return
    inner = call.enter(f"file:{path}")
    if inner is not None:
        words = call.command.words
        named = next((i for i in range(max(call.args - 1, 0), len(words)) if words[i].text == written), len(words))
        call.follower.script(script, replace(inner, arguments=words[named + 1 :]))


def _script_file(call: Call, written: str) -> str | None:
    """The repository path of a script a command names (in a container: see `_in_image`)."""
    path = resolve(call.frame.folder, written)
    if path is not None and call.frame.container and not call.follower.definitions.exists(path):
        return _in_image(call.follower.definitions.paths, path)  # the image's folder is not known
    return path


def _in_image(paths: frozenset[str], path: str) -> str | None:
    """A script a container runs, found as the one repository file ending with its path
    (an image usually copies one folder of the repository: `backend/scripts/x.sh`)."""
    found = [candidate for candidate in paths if candidate.endswith("/" + path)]
    return found[0] if len(found) == 1 else None


# --- make ------------------------------------------------------------------------------------


@dataclass
class _MakeRun:
    """One `make` run: its Makefile (with includes), the targets already run."""

    call: Call
    path: str
    model: Makefile
    folder: str
    visited: set[str] = field(default_factory=set)


def _make(call: Call) -> None:
    """`make [-C dir] [-f file] [VAR=x] [targets]`: the targets' prerequisites, then recipes."""
    folder, makefile, goals = _make_arguments(call)
    if folder is None:
        return
    path = _makefile(call, folder, makefile)
    if path is None:
        call.skip(f"no Makefile in {folder or 'the root'}")
        return
    run = _MakeRun(call, path, _with_includes(call.follower, path), folder)
    for goal in goals or [run.model.default_goal or ""]:
        inner = call.enter(f"make:{path}:{goal}")
        if inner is not None:
            _target(run, replace(inner, folder=folder), goal)


def _makefile(call: Call, folder: str, named: str | None) -> str | None:
    """The Makefile `-f` names, else the one make finds in the folder."""
    definitions = call.follower.definitions
    if named and definitions.exists(named):
        return named
    return first_existing(definitions, folder, MAKEFILE_NAMES)


def _make_arguments(call: Call) -> tuple[str | None, str | None, list[str]]:
    """(folder, makefile, goals) of a make command line; folder None: not a literal one."""
    words = call.words
    folder: str | None = call.frame.folder
    makefile: str | None = None
    goals: list[str] = []
    index = call.args
    while index < len(words) and folder is not None:
        word, value = words[index], call.word(index + 1)
        if word in ("-C", "--directory"):
            folder = resolve(folder, value)
        elif word in ("-f", "--file", "--makefile"):
            makefile = resolve(folder, value)
        elif not word.startswith("-") and "=" not in word:
            goals.append(word)
        index += 2 if word in _MAKE_VALUE_OPTIONS else 1
    return folder, makefile, goals


def _with_includes(follower: Follower, path: str) -> Makefile:
    """The Makefile with the rules of the files it includes, each file once (a Makefile
    that includes itself is read once, and the cycle noted as UDEF000)."""
    folder = posixpath.dirname(path)
    seen = {path}
    pending = [path]
    rules: list[Rule] = []
    goal = None
    while pending and len(seen) <= _MAX_MAKE_INCLUDES:
        current = pending.pop(0)
        model = follower.definitions.makefile(current) or parse_makefile("")
        rules.extend(model.rules)
        goal = goal or model.default_goal
        for line, name in model.includes:
            included = resolve(folder, name)
            if included in seen:
                reason = f"a Makefile include cycle ({name} is included again)"
                follower.definitions.repository.unparseable(current, reason, line)
            elif included and follower.definitions.exists(included):
                seen.add(included)
                pending.append(included)
    return Makefile(tuple(rules), (), goal)


def _target(run: _MakeRun, frame: Frame, goal: str) -> None:
    """A target: its prerequisites (each target once per make run), then its recipe."""
    run.visited.add(goal)
    found = run.model.target(goal)
    if found is None:
        run.call.skip(f"no target {goal!r} in {run.path}", frame)
        return
    prerequisites, recipe, line = found
    for prerequisite in prerequisites:
        if prerequisite == goal or f"make:{run.path}:{prerequisite}" in frame.entered:
            reason = f"a Makefile target depends on itself ({goal} needs {prerequisite})"
            run.call.follower.definitions.repository.unparseable(run.path, reason, line)
        elif prerequisite not in run.visited and run.model.target(prerequisite) is not None:
            hop = Hop(run.path, line, None, f"{prerequisite} (prerequisite of {goal})")
            _target(run, frame.wrapped(hop), prerequisite)
    for recipe_line in recipe:
        positions = Positions.of_lines(recipe_line.text, recipe_line.line, recipe_line.column)
        script = Script(run.path, MAKE, recipe_line.text, positions, make_syntax=True)
        run.call.follower.script(script, frame)


# --- just ------------------------------------------------------------------------------------


def _just(call: Call) -> None:
    """`just [-f file] [-d dir] [recipe args...]`: the recipe's dependencies, then its body."""
    folder, justfile, recipe = _just_arguments(call)
    path = justfile or first_existing(call.follower.definitions, folder, JUSTFILE_NAMES)
    model = call.follower.definitions.justfile(path) if path else None
    if path is None or model is None:
        call.skip("no justfile")
        return
    name = recipe or model.default or ""
    inner = call.enter(f"just:{path}:{name}")
    if inner is not None:  # just runs recipes in the justfile's folder unless told otherwise
        recipes_folder = folder if folder != call.frame.folder else posixpath.dirname(path)
        _recipe(call, replace(inner, folder=recipes_folder), (path, model), name, set())


def _just_arguments(call: Call) -> tuple[str, str | None, str | None]:
    """(folder, justfile, recipe) of a just command line."""
    words = call.words
    folder, justfile, recipe = call.frame.folder, None, None
    index = call.args
    while index < len(words) and recipe is None:
        word, value = words[index], call.word(index + 1)
        if word in ("-f", "--justfile"):
            justfile = resolve(folder, value)
        elif word in ("-d", "--working-directory"):
            folder = resolve(folder, value) or folder
        elif not word.startswith("-"):
            recipe = word
        index += 2 if word in _JUST_VALUE_OPTIONS else 1
    return folder, justfile, recipe


def _recipe(call: Call, frame: Frame, justfile: tuple[str, Justfile], name: str, visited: set[str]) -> None:
    path, model = justfile
    visited.add(name)
    recipe = model.recipe(name)
    if recipe is None:
        call.skip(f"no recipe {name!r} in {path}", frame)
        return
    for dependency in recipe.dependencies:
        if dependency not in visited:
            hop = Hop(path, recipe.line, None, f"{dependency} (dependency of {name})")
            _recipe(call, frame.wrapped(hop), justfile, dependency, visited)
    lines = recipe.body[1:] if recipe.shebang else recipe.body
    if recipe.shebang and not (lines and recipe.body[0].text.split()[-1].rsplit("/", 1)[-1] in _SHELLS):
        return  # a recipe in another language
    for line in lines:
        call.follower.script(
            Script(path, JUST, line.text, Positions.of_lines(line.text, line.line, line.column)), frame
        )


# --- wrappers: the command they run ------------------------------------------------------------

_UV_RUN_VALUES = frozenset(
    {"--with", "--with-editable", "--with-requirements", "--python", "-p", "--extra", "--group", "--only-group",
     "--no-group", "--package", "--directory", "--project", "--env-file", "--index", "--index-url",
     "--extra-index-url", "-w", "--find-links", "-f", "--config-file", "--cache-dir", "--color", "--from"}
)  # fmt: skip
_DOCKER_RUN_VALUES = frozenset(
    {"-e", "--env", "-v", "--volume", "-w", "--workdir", "--name", "--network", "--net", "-p", "--publish",
     "--entrypoint", "-u", "--user", "--env-file", "--mount", "--platform", "-l", "--label", "--add-host",
     "--cpus", "-m", "--memory", "--shm-size", "--ipc", "--pid", "--gpus", "--device", "--cap-add", "--cap-drop",
     "--security-opt", "--hostname", "-h", "--dns", "--tmpfs", "--ulimit", "--runtime", "--pull", "--cidfile",
     "--log-driver", "--restart", "--stop-signal", "--volumes-from", "--link", "--expose", "--group-add"}
)  # fmt: skip
_COMPOSE_VALUES = frozenset({"-f", "--file", "-p", "--project-name", "--profile", "--env-file", "--project-directory"})
_COMPOSE_RUN_VALUES = frozenset(
    {"-e", "--env", "-v", "--volume", "-w", "--workdir", "--name", "-p", "--publish", "--entrypoint", "-u",
     "--user", "-l", "--label", "--cap-add", "--cap-drop", "--pull"}
)  # fmt: skip


def _uv(call: Call) -> None:
    """`uv run [options] CMD` and `uv tool run CMD`."""
    index = call.args + 1 if call.word(call.args) == "tool" else call.args
    if call.word(index) == "run":
        call.wrapped(skip_options(call.words, index + 1, _UV_RUN_VALUES))


def _uvx(call: Call) -> None:
    call.wrapped(skip_options(call.words, call.args, _UV_RUN_VALUES))


def _run_subcommand(values: frozenset[str]) -> Callable[[Call], None]:
    """`poetry run CMD`, `pipenv run CMD`, `conda run -n env CMD`."""

    def handler(call: Call) -> None:
        if call.word(call.args) == "run":
            call.wrapped(skip_options(call.words, call.args + 1, values))

    return handler


def _docker(call: Call) -> None:
    """`docker run [options] IMAGE CMD...`, `docker compose run [options] SERVICE CMD...`."""
    if call.word(call.args) == "compose":
        _compose(Call(call.follower, call.command, call.frame, call.args + 1))
    elif call.word(call.args) in ("run", "exec"):
        call.wrapped(skip_options(call.words, call.args + 1, _DOCKER_RUN_VALUES) + 1, container=True)


def _compose(call: Call) -> None:
    index = skip_options(call.words, call.args, _COMPOSE_VALUES)
    if call.word(index) in ("run", "exec"):
        call.wrapped(skip_options(call.words, index + 1, _COMPOSE_RUN_VALUES) + 1, container=True)


_HANDLERS: dict[str, Callable[[Call], None]] = {
    "make": _make,
    "gmake": _make,
    "just": _just,
    "uv": _uv,
    "uvx": _uvx,
    "poetry": _run_subcommand(frozenset()),
    "pipenv": _run_subcommand(frozenset()),
    "conda": _run_subcommand(frozenset({"-n", "--name", "-p", "--prefix", "--cwd"})),
    "pipx": _run_subcommand(frozenset({"--spec", "--python", "--index-url", "-i", "--pip-args"})),
    "docker": _docker,
    "docker-compose": _compose,
}
