"""GitLab CI as jobs: local `include`s, `extends`, `default:`, `!reference` and `image`.

A job is a top-level mapping whose name is no keyword and does not start with a dot (a
hidden job is a template). Its commands are `before_script`, `script` and `after_script`,
from the job, else the templates it `extends` (nearest first), else `default:` and the
top level. Included local files are read as if written in the including file; remote,
project and template includes cannot be followed and are said to be so. Includes and
`extends` chains are bounded (GitLab allows 150 includes and 11 levels of `extends`):
a cycle is cut.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import yaml

from udef_audit.commands.ci import CI_FORMATS
from udef_audit.commands.model import Job, MatrixAxis, Pipeline, Step, Unfollowed, Value
from udef_audit.commands.yaml_nodes import YamlFile, entries, get, items, sequence, text_of

SCRIPT = CI_FORMATS["gitlab"].script
_KEYWORDS = frozenset(
    {"stages", "variables", "default", "include", "workflow", "image", "services", "before_script",
     "after_script", "cache", "types", "spec", "pages:deploy"}
)  # fmt: skip
_SCRIPT_KEYS = ("before_script", "script", "after_script")
_INHERITED = ("image", "before_script", "after_script")
MAX_INCLUDES = 150
MAX_EXTENDS = 11
_REFERENCE_TAG = "!reference"

Loader = Callable[[str], "YamlFile | None"]
# A job's configuration: each key with the file and node that set it.
_Config = dict[str, tuple[YamlFile, yaml.Node]]


@dataclass
class _Reader:
    """State while reading one pipeline: the files read, the job definitions, notes."""

    load: Loader
    paths: Sequence[str]
    definitions: dict[str, tuple[YamlFile, yaml.Node, yaml.Node]] = field(default_factory=dict)
    globals: _Config = field(default_factory=dict)
    unfollowed: list[Unfollowed] = field(default_factory=list)
    files: list[YamlFile] = field(default_factory=list)
    cycles: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class GitlabRead:
    """A pipeline, what it runs that cannot be followed, and include cycles (file, target)."""

    pipeline: Pipeline
    unfollowed: tuple[Unfollowed, ...]
    cycles: tuple[tuple[str, str], ...]


def gitlab_pipeline(main: YamlFile, load: Loader, paths: Sequence[str]) -> GitlabRead:
    """The jobs of `.gitlab-ci.yml` with its local includes."""
    reader = _Reader(load, paths)
    _read_includes(reader, main)
    for file in reader.files:  # included files first, so the including file wins
        _collect(reader, file)
    jobs = [_job(reader, name) for name in reader.definitions if not name.startswith(".")]
    pipeline = Pipeline(main.path, "gitlab", tuple(job for job in jobs if job is not None))
    return GitlabRead(pipeline, tuple(reader.unfollowed), tuple(reader.cycles))


def _read_includes(reader: _Reader, main: YamlFile) -> None:
    """Every file the main file includes, transitively, depth-first, included ones first."""
    stack: list[tuple[YamlFile, list[YamlFile]]] = [(main, _include_targets(reader, main))]
    seen = {main.path}
    order: list[YamlFile] = []
    while stack:
        file, targets = stack[-1]
        if not targets:
            stack.pop()
            order.append(file)
            continue
        target = targets.pop(0)
        if any(target.path == open_file.path for open_file, _ in stack):
            reader.cycles.append((file.path, target.path))  # GitLab refuses this; read it once
        if target.path not in seen and len(seen) <= MAX_INCLUDES:  # each file once, 150 included
            seen.add(target.path)
            stack.append((target, _include_targets(reader, target)))
    reader.files = order


def _include_targets(reader: _Reader, file: YamlFile) -> list[YamlFile]:
    found: list[YamlFile] = []
    for node in _include_entries(get(file.root, "include")):
        local = text_of(node) if isinstance(node, yaml.ScalarNode) else text_of(get(node, "local"))
        if local is None or local.startswith(("http://", "https://")):
            place = file.value(node) or Value("include", file.line(node))
            reader.unfollowed.append(
                Unfollowed(file.path, place.line, _describe(node), "a remote, project or template include")
            )
            continue
        for path in _local_paths(local, reader.paths):
            target = reader.load(path)
            if target is None:
                reader.unfollowed.append(Unfollowed(file.path, file.line(node), local, "an include that is not here"))
            else:
                found.append(target)
    return found


def _include_entries(node: yaml.Node | None) -> list[yaml.Node]:
    if node is None:
        return []
    return sequence(node) if isinstance(node, yaml.SequenceNode) else [node]


def _describe(node: yaml.Node) -> str:
    if isinstance(node, yaml.ScalarNode):
        return str(node.value)
    return ", ".join(f"{name}: {text}" for name, value in items(node) if (text := text_of(value)))


def _local_paths(local: str, paths: Sequence[str]) -> list[str]:
    """The repository paths a local include names (`/ci/*.yml` may name several)."""
    wanted = local.lstrip("/")
    if "*" not in wanted:
        return [wanted]
    return [path for path in paths if fnmatch.fnmatchcase(path, wanted) and path.endswith((".yml", ".yaml"))]


def _collect(reader: _Reader, file: YamlFile) -> None:
    for name, key, value in entries(file.root):
        if name == "default":
            reader.globals.update({k: (file, v) for k, v in items(value) if k in _INHERITED})
        elif name in _INHERITED:
            reader.globals[name] = (file, value)
        elif name not in _KEYWORDS and isinstance(value, yaml.MappingNode):
            reader.definitions[name] = (file, key, value)


def _config(reader: _Reader, name: str, depth: int = 0, seen: frozenset[str] = frozenset()) -> _Config:
    """A job's keys with `extends` resolved: the templates' keys, overridden by its own."""
    definition = reader.definitions.get(name)
    if definition is None or name in seen or depth > MAX_EXTENDS:
        return {}
    file, _, node = definition
    merged: _Config = {}
    for parent in _extends(node):
        merged.update(_config(reader, parent, depth + 1, seen | {name}))
    merged.update({key: (file, value) for key, value in items(node) if key != "extends"})
    return merged


def _extends(node: yaml.Node) -> list[str]:
    value = get(node, "extends")
    names = [value] if isinstance(value, yaml.ScalarNode) else sequence(value)
    return [text for item in names if (text := text_of(item))]


def _job(reader: _Reader, name: str) -> Job | None:
    file, key, _ = reader.definitions[name]
    config = _config(reader, name)
    if "trigger" in config:
        trigger_file, trigger = config["trigger"]
        target = trigger_file.value(trigger) or Value(_describe(trigger), trigger_file.line(trigger))
        return Job(file.path, "gitlab", name, file.line(key), uses=Value(f"trigger: {target.text}", target.line))
    steps: list[Step] = []
    for script_key in _SCRIPT_KEYS:
        where, node = _setting(reader, config, script_key, file)
        steps.extend(_steps(reader, where, node))
    image_file, image = _setting(reader, config, "image", file)
    parallel_file, parallel = config.get("parallel") or (file, None)
    return Job(
        path=file.path,
        system="gitlab",
        name=name,
        line=file.line(key),
        steps=tuple(steps),
        image=image_file.value(image) or image_file.value(get(image, "name")),
        matrix=_matrix(parallel_file, get(parallel, "matrix")),
    )


def _setting(reader: _Reader, config: _Config, key: str, file: YamlFile) -> tuple[YamlFile, yaml.Node | None]:
    """A job's own setting, else the one from `default:` or the top level."""
    found = config.get(key) or reader.globals.get(key)
    return found if found is not None else (file, None)


def _steps(reader: _Reader, file: YamlFile, node: yaml.Node | None, depth: int = 0) -> list[Step]:
    """Each command of a script value: a string, a list, `!reference [job, key]` lists."""
    if node is None or depth > 10:
        return []
    if node.tag == _REFERENCE_TAG:
        return _reference(reader, node, depth)
    if isinstance(node, yaml.ScalarNode):
        script = file.script(node, SCRIPT)
        return [] if script is None else [Step(file.path, file.line(node), run=script)]
    found: list[Step] = []
    for item in sequence(node):
        found.extend(_steps(reader, file, item, depth + 1))
    return found


def _reference(reader: _Reader, node: yaml.Node, depth: int) -> list[Step]:
    """`!reference [.setup, script]`: the steps of another job's key."""
    names = [text_of(item) for item in sequence(node)]
    if len(names) < 2 or names[0] is None or names[1] is None:
        return []
    where, value = _config(reader, names[0]).get(names[1]) or (None, None)
    if where is None:
        return []
    return _steps(reader, where, value, depth + 1)


def _matrix(file: YamlFile, node: yaml.Node | None) -> tuple[MatrixAxis, ...]:
    """`parallel: matrix:` is a list of mappings of variables to a value or a list."""
    axes: dict[str, tuple[int, list[Value]]] = {}
    for entry in sequence(node):
        for name, key, value in entries(entry):
            listed = [value] if isinstance(value, yaml.ScalarNode) else sequence(value)
            found = [file.value(item) for item in listed]
            axes.setdefault(name, (file.line(key), []))[1].extend(v for v in found if v is not None)
    return tuple(MatrixAxis(name, tuple(dict.fromkeys(values)), line) for name, (line, values) in axes.items())
