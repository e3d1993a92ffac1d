"""The container images CI builds: `docker build` (also `docker buildx build`, `docker
image build`, `podman build`, `buildah bud`, and `docker/build-push-action`, which the
actions table turns into `docker buildx build`) and `docker compose build`/`up`/`run`/
`create` of services whose `build:` the compose files declare.

Each build names the Dockerfile it reads (`-f`, else `Dockerfile` in the build context)
and the stage it builds (`--target`; None: the last stage). Paths are repository paths
resolved from the folder the command runs in; a path that is not written literally
(`$DIR/Dockerfile`, `-f -`) builds an unknown Dockerfile. Compose files are read as
Docker Compose reads them: `-f` files in order, else `compose.yaml`/`compose.yml`/
`docker-compose.yaml`/`docker-compose.yml` in the folder with its `.override` file, later
files overriding a service's `build` keys; `${VAR:-default}` takes its default.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import yaml

from udef_audit.commands.frames import resolve, skip_options
from udef_audit.commands.model import Invocation, PlacedWord, Value
from udef_audit.commands.words import program
from udef_audit.commands.yaml_nodes import YamlFile, entries, get, text_of

_BUILD_VALUES = frozenset(
    {"-t", "--tag", "--build-arg", "--platform", "--label", "--cache-from", "--cache-to", "--secret", "--ssh",
     "-o", "--output", "--progress", "--network", "--build-context", "--iidfile", "--metadata-file",
     "--add-host", "--shm-size", "--ulimit", "--cgroup-parent", "--allow", "--attest", "--builder", "-m",
     "--memory", "--isolation", "--security-opt", "--annotation", "--call", "--cpuset-cpus", "--cpu-shares"}
)  # fmt: skip
_COMPOSE_VALUES = frozenset({"-f", "--file", "-p", "--project-name", "--profile", "--env-file", "--project-directory"})
_COMPOSE_BUILDS = frozenset({"build", "up", "run", "create"})
_COMPOSE_SUBCOMMAND_VALUES = frozenset(
    {"-e", "--env", "-v", "--volume", "-w", "--workdir", "--name", "-p", "--publish", "--entrypoint", "-u", "--user",
     "-l", "--label", "--build-arg", "--builder", "--progress", "--ssh", "--scale", "-t", "--timeout", "--wait-timeout",
     "--exit-code-from", "--attach", "--no-attach", "--pull", "-m", "--memory"}
)  # fmt: skip
COMPOSE_NAMES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")
_DEFAULT_VALUE = re.compile(r"\$\{[A-Za-z_]\w*:?-([^}]*)\}")
_VARIABLE = re.compile(r"\$(?:\{[^}]*\}|[A-Za-z_]\w*)")


@dataclass(frozen=True)
class ImageBuild:
    """One image CI builds: the Dockerfile (None: not known), the stage (None: the last
    one), where the build is asked for (the target's word when given), and the command."""

    dockerfile: str | None
    target: str | None
    line: int
    column: int | None
    invocation: Invocation


@dataclass(frozen=True)
class ComposeBuild:
    """A compose service's `build:`: its Dockerfile (None: not literal) and target."""

    service: str
    dockerfile: str | None
    target: Value | None


YamlLoader = Callable[[str], "YamlFile | None"]


def image_builds(
    invocations: Sequence[Invocation], load: YamlLoader, exists: Callable[[str], bool]
) -> list[ImageBuild]:
    """Every image build among `invocations`, in their order."""
    found: list[ImageBuild] = []
    for invocation in invocations:
        name, args = program(invocation.argv)
        words = list(invocation.words)
        if name in ("docker", "podman", "buildah"):
            found.extend(_builds(invocation, words, args, load, exists))
        elif name == "docker-compose":
            found.extend(_compose(invocation, words, args, load, exists))
    return found


def _builds(
    invocation: Invocation, words: list[PlacedWord], args: int, load: YamlLoader, exists: Callable[[str], bool]
) -> Iterator[ImageBuild]:
    texts = [word.text for word in words]
    if texts[args : args + 1] == ["compose"]:
        yield from _compose(invocation, words, args + 1, load, exists)
        return
    start = _build_start(texts, args)
    if start is not None:
        yield _docker_build(invocation, words, start)


def _build_start(texts: list[str], args: int) -> int | None:
    """The index after `build` in `docker build`, `docker buildx build`, `docker image
    build`, `podman build`, `buildah bud`; None for other subcommands."""
    first = texts[args : args + 1]
    if first in (["build"], ["bud"]):
        return args + 1
    if first in (["buildx"], ["image"]) and texts[args + 1 : args + 2] == ["build"]:
        return args + 2
    return None


def _docker_build(invocation: Invocation, words: list[PlacedWord], index: int) -> ImageBuild:
    """`docker build [-f FILE] [--target T] CONTEXT`: -f is read from the current folder."""
    written, target, context = _build_options(words, index)
    folder = invocation.folder
    dockerfile = _context_dockerfile(folder, context) if written is None else _named_dockerfile(folder, written)
    place = target or words[0]
    return ImageBuild(dockerfile, target.text if target else None, place.line, place.column, invocation)


def _build_options(words: list[PlacedWord], index: int) -> tuple[str | None, PlacedWord | None, str | None]:
    """(the `-f` file as written, the `--target` word, the context) of a build's words."""
    written: str | None = None
    target: PlacedWord | None = None
    context: str | None = None
    while index < len(words):
        option, value, size = _build_option(words, index)
        if option in ("-f", "--file"):
            written = value.text if value is not None else "-"
        elif option == "--target":
            target = value
        elif option is None and context is None:
            context = words[index].text
        index += size
    return written, target, context


def _build_option(words: list[PlacedWord], index: int) -> tuple[str | None, PlacedWord | None, int]:
    """(option, its value, how many words it takes) at `index`; None: an operand."""
    word = words[index]
    if not word.text.startswith("-"):
        return None, None, 1
    option, equals, value = word.text.partition("=")
    if equals and option.startswith("--"):
        return option, PlacedWord(value, word.line, word.column), 1
    takes_value = option in _BUILD_VALUES or option in ("-f", "--file", "--target")
    given = words[index + 1] if takes_value and index + 1 < len(words) else None
    return option, given, 2 if takes_value else 1


def _named_dockerfile(folder: str, written: str) -> str | None:
    """The Dockerfile `-f` names (None: stdin, or not a literal path)."""
    return None if written == "-" else resolve(folder, written)


def _context_dockerfile(folder: str, context: str | None) -> str | None:
    """`Dockerfile` in the build context (None: a URL, stdin, or not a literal path)."""
    literal = context is not None and "://" not in context and context != "-"
    base = resolve(folder, context) if literal and context is not None else None
    if base is None:
        return None
    return posixpath.join(base, "Dockerfile") if base else "Dockerfile"


def _compose(
    invocation: Invocation, words: list[PlacedWord], args: int, load: YamlLoader, exists: Callable[[str], bool]
) -> Iterator[ImageBuild]:
    """`docker compose [-f F]... [--project-directory D] build|up|run|create [SERVICE...]`."""
    texts = [word.text for word in words]
    files, folder = _compose_files(texts, args, invocation.folder)
    index = skip_options(texts, args, _COMPOSE_VALUES)
    if index >= len(texts) or texts[index] not in _COMPOSE_BUILDS:
        return
    named = _services_named(texts, index + 1, one=texts[index] == "run")
    builds = compose_builds(files or _default_compose_files(folder, exists), load)
    subcommand = Value(texts[index], words[index].line, words[index].column)
    for build in _selected(builds, named):
        place = build.target or subcommand
        target = build.target.text if build.target else None
        yield ImageBuild(build.dockerfile, target, place.line, place.column, invocation)


def _selected(builds: list[ComposeBuild], named: set[str]) -> list[ComposeBuild]:
    """The services a command names (all of them when it names none)."""
    return [build for build in builds if build.service in named] if named else builds


def _compose_files(texts: list[str], start: int, folder: str) -> tuple[list[str], str]:
    """The `-f` files (repository paths) and the project folder of a compose command."""
    files: list[str] = []
    project = folder
    index = start
    while index < len(texts) and texts[index].startswith("-"):
        option, value, size = _compose_option(texts, index)
        path = resolve(folder, value)
        if option in ("-f", "--file") and path is not None:
            files.append(path)
        elif option == "--project-directory":
            project = path or project
        index += size
    return files, project


def _compose_option(texts: list[str], index: int) -> tuple[str, str, int]:
    """(option, its value, how many words it takes) of a compose option at `index`."""
    option, equals, value = texts[index].partition("=")
    if equals:
        return option, value, 1
    if option not in _COMPOSE_VALUES:
        return option, "", 1
    return option, texts[index + 1] if index + 1 < len(texts) else "", 2


def _services_named(texts: list[str], start: int, *, one: bool) -> set[str]:
    """The services a compose subcommand names (`run` names one, then its command)."""
    index = skip_options(texts, start, _COMPOSE_SUBCOMMAND_VALUES)
    if one:
        return {texts[index]} if index < len(texts) else set()
    return {text for text in texts[index:] if not text.startswith("-")}


def _default_compose_files(folder: str, exists: Callable[[str], bool]) -> list[str]:
    """The file Compose finds in `folder`, then its override file."""
    for name in COMPOSE_NAMES:
        path = posixpath.join(folder, name) if folder else name
        if exists(path):
            stem, suffix = path.rsplit(".", 1)
            override = f"{stem}.override.{suffix}"
            return [path, override] if exists(override) else [path]
    return []


def compose_builds(paths: Sequence[str], load: YamlLoader) -> list[ComposeBuild]:
    """The services with a `build:` across compose files (later files override keys)."""
    merged: dict[str, dict[str, tuple[YamlFile, yaml.Node]]] = {}
    for path in paths:
        file = load(path)
        if file is None:
            continue
        for name, _, service in entries(get(file.root, "services")):
            build = get(service, "build")
            if build is None:
                continue
            keys = merged.setdefault(name, {})
            if text_of(build) is not None:
                keys["context"] = (file, build)
                continue
            for key, _, value in entries(build):
                keys[key] = (file, value)
    return [_compose_build(name, keys) for name, keys in merged.items()]


def _compose_build(service: str, keys: dict[str, tuple[YamlFile, yaml.Node]]) -> ComposeBuild:
    """A service's Dockerfile (relative to its context, the context relative to the file
    that sets it) and target."""
    return ComposeBuild(service, _compose_dockerfile(keys), _compose_target(keys))


def _compose_dockerfile(keys: dict[str, tuple[YamlFile, yaml.Node]]) -> str | None:
    """The Dockerfile of a service's `build:` (None: not written literally, or a URL)."""
    context = keys.get("context")
    folder = posixpath.dirname(context[0].path) if context else ""
    written_context = _literal(text_of(context[1])) if context else "."
    base = resolve(folder, written_context) if written_context and "://" not in written_context else None
    named = keys.get("dockerfile")
    written = _literal(text_of(named[1])) if named else "Dockerfile"
    return None if base is None or written is None else resolve(base, written)


def _compose_target(keys: dict[str, tuple[YamlFile, yaml.Node]]) -> Value | None:
    """The `build.target` of a service, at its place (None: unset or not literal)."""
    target_key = keys.get("target")
    target = target_key[0].value(target_key[1]) if target_key else None
    literal = _literal(target.text) if target is not None else None
    return None if target is None or literal is None else Value(literal, target.line, target.column)


def _literal(text: str | None) -> str | None:
    """A compose value with `${VAR:-default}` taken at its default; None when a variable
    without a default is left."""
    if text is None:
        return None
    value = _DEFAULT_VALUE.sub(lambda match: match.group(1), text)
    return None if _VARIABLE.search(value) else value
