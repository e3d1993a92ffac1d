"""GitHub Actions workflows as jobs and steps.

A job has `steps` (`run:` scripts, `uses:` actions with their `with:` inputs), a
`container:` its steps run in, a `strategy.matrix` (its `include:` entries add values),
or, instead of steps, `uses:` a reusable workflow. A step's shell is the step's `shell:`,
else the job's and then the workflow's `defaults.run.shell`; only POSIX shells make a
`run:` shell text.
"""

from __future__ import annotations

import yaml

from udef_audit.commands.ci import CI_FORMATS
from udef_audit.commands.model import Job, MatrixAxis, Pipeline, Step, Value
from udef_audit.commands.yaml_nodes import YamlFile, entries, get, items, sequence, text_of

RUN = CI_FORMATS["github"].script
_POSIX_SHELLS = ("bash", "sh")


def github_pipeline(file: YamlFile) -> Pipeline:
    """The jobs of one workflow file."""
    workflow_defaults = _defaults(file.root)
    jobs = tuple(_job(file, name, key, node, workflow_defaults) for name, key, node in entries(get(file.root, "jobs")))
    return Pipeline(file.path, "github", jobs, called_only=_triggers(get(file.root, "on")) == {"workflow_call"})


def _triggers(node: yaml.Node | None) -> set[str]:
    """The events of `on:` (a name, a list of names, or a mapping of names)."""
    if isinstance(node, yaml.ScalarNode):
        return {str(node.value)}
    return {name for name, _ in items(node)} or {text for item in sequence(node) if (text := text_of(item))}


def _defaults(node: yaml.Node | None) -> dict[str, str]:
    """`defaults.run` (`shell`, `working-directory`) as strings."""
    return {name: text for name, value in items(get(get(node, "defaults"), "run")) if (text := text_of(value))}


def _job(file: YamlFile, name: str, key: yaml.Node, node: yaml.Node, workflow: dict[str, str]) -> Job:
    defaults = {**workflow, **_defaults(node)}
    job_env = _env(file, get(node, "env"))
    steps = tuple(_step(file, item, defaults, job_env) for item in sequence(get(node, "steps")))
    return Job(
        path=file.path,
        system="github",
        name=name,
        line=file.line(key),
        steps=steps,
        image=_container(file, get(node, "container")),
        matrix=matrix_axes(file, get(get(node, "strategy"), "matrix")),
        uses=file.value(get(node, "uses")),
    )


def _env(file: YamlFile, node: yaml.Node | None) -> dict[str, Value]:
    """An `env:` mapping's variables and their values."""
    return {name: value for name, item in items(node) if (value := file.value(item)) is not None}


def _step(file: YamlFile, node: yaml.Node, defaults: dict[str, str], job_env: dict[str, Value]) -> Step:
    keys = dict(items(node))  # one pass over the step's keys
    shell = text_of(keys.get("shell")) or defaults.get("shell")
    posix = shell is None or shell.split()[0].rsplit("/", 1)[-1] in _POSIX_SHELLS
    inputs = tuple((name, value) for name, item in items(keys.get("with")) if (value := file.value(item)) is not None)
    return Step(
        path=file.path,
        line=file.line(node),
        name=text_of(keys.get("name")),
        run=file.script(keys.get("run"), RUN),
        uses=file.value(keys.get("uses")),
        inputs=inputs,
        shell=None if posix else shell,
        workdir=text_of(keys.get("working-directory")) or defaults.get("working-directory"),
        env=tuple({**job_env, **_env(file, keys.get("env"))}.items()),
    )


def _container(file: YamlFile, node: yaml.Node | None) -> Value | None:
    """`container: python:3.12` or `container: {image: python:3.12}`."""
    return file.value(node) or file.value(get(node, "image"))


def matrix_axes(file: YamlFile, node: yaml.Node | None) -> tuple[MatrixAxis, ...]:
    """The axes of a matrix mapping, with the values `include:` entries add; a matrix
    computed by an expression (`${{ fromJSON(...) }}`) has none that can be read."""
    axes: dict[str, tuple[int, list[Value]]] = {}
    for name, key, value in entries(node):
        if name in ("include", "exclude"):
            continue
        axes[name] = (file.line(key), [found for item in sequence(value) if (found := file.value(item))])
    for entry in sequence(get(node, "include")):
        for name, key, value in entries(entry):
            found = file.value(value)
            if found is not None:
                axes.setdefault(name, (file.line(key), []))[1].append(found)
    return tuple(MatrixAxis(name, tuple(dict.fromkeys(values)), line) for name, (line, values) in axes.items())
