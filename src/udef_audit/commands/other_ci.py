"""CircleCI, Azure Pipelines, Bitbucket Pipelines and Jenkinsfiles as jobs and steps.

CircleCI: `jobs:` with `docker:` images and `steps:` (`run:` scripts, `checkout`, orb
commands as references). Azure: `jobs:` (also inside `stages:`, or top-level `steps:` as
one job) with `container:`, `strategy.matrix` (named combinations of variables) and steps
(`script:`/`bash:` shell text, `pwsh:`/`powershell:` not, `task:` references with their
inputs, `template:` references). Bitbucket: every step of `pipelines:` is a job with its
`image:` (else the file's) and `script:` (strings, and `pipe:` references). Jenkins: one
job per file, by text (`parsers.jenkinsfile`).
"""

from __future__ import annotations

import yaml

from udef_audit.commands.ci import CI_FORMATS
from udef_audit.commands.model import Job, MatrixAxis, Origin, Pipeline, Positions, Script, Step, Value
from udef_audit.commands.yaml_nodes import LineTable, YamlFile, entries, get, items, sequence, text_of
from udef_audit.parsers.jenkinsfile import docker_images, shell_steps

CIRCLECI_RUN = CI_FORMATS["circleci"].script
AZURE_SCRIPT = Origin("azure-script", "Azure Pipelines script step")
BITBUCKET_SCRIPT = Origin("bitbucket-script", "Bitbucket Pipelines script")
JENKINS_SH = Origin("jenkins-sh", "Jenkinsfile sh step")
_AZURE_SHELL_KEYS = ("script", "bash")
_AZURE_OTHER_SHELLS = ("pwsh", "powershell")
_AZURE_REFERENCES = ("task", "template", "checkout", "download", "publish")
_MAX_COMMAND_NESTING = 8


# --- CircleCI --------------------------------------------------------------------------------


def circleci_pipeline(file: YamlFile) -> Pipeline:
    """The jobs of `.circleci/config.yml`; a step naming one of the file's reusable
    `commands:` stands for that command's steps."""
    commands = dict(items(get(file.root, "commands")))
    jobs = []
    for name, key, node in entries(get(file.root, "jobs")):
        docker = sequence(get(node, "docker"))
        image = file.value(get(docker[0], "image")) if docker else None
        steps = tuple(_circleci_steps(file, get(node, "steps"), commands, ()))
        jobs.append(Job(file.path, "circleci", name, file.line(key), steps=steps, image=image))
    return Pipeline(file.path, "circleci", tuple(jobs))


def _circleci_steps(
    file: YamlFile, node: yaml.Node | None, commands: dict[str, yaml.Node], expanding: tuple[str, ...]
) -> list[Step]:
    found: list[Step] = []
    for item in sequence(node):
        name = text_of(item) if isinstance(item, yaml.ScalarNode) else next((n for n, _ in items(item)), None)
        if name in commands and name not in expanding and len(expanding) < _MAX_COMMAND_NESTING:
            found.extend(_circleci_steps(file, get(commands[name], "steps"), commands, (*expanding, name)))
        else:
            found.append(_circleci_step(file, item))
    return found


def _circleci_step(file: YamlFile, node: yaml.Node) -> Step:
    if isinstance(node, yaml.ScalarNode):  # `- checkout`
        return Step(file.path, file.line(node), uses=file.value(node))
    ((name, key, value),) = entries(node)[:1] or ((None, node, None),)
    if name == "run":
        command = value if isinstance(value, yaml.ScalarNode) else get(value, "command")
        script = file.script(command, CIRCLECI_RUN)
        return Step(file.path, file.line(node), name=text_of(get(value, "name")), run=script)
    uses = Value(name, *file.table.place(key.start_mark.index)) if name else None
    inputs = tuple((k, v) for k, item in items(value) if (v := file.value(item)) is not None)
    return Step(file.path, file.line(node), uses=uses, inputs=inputs)


# --- Azure Pipelines -------------------------------------------------------------------------


def azure_pipeline(file: YamlFile) -> Pipeline:
    """The jobs of an Azure Pipelines file (top-level steps are one job, `pipeline`)."""
    root = file.root
    jobs = [_azure_job(file, node) for node in sequence(get(root, "jobs"))]
    for stage in sequence(get(root, "stages")):
        jobs.extend(_azure_job(file, node) for node in sequence(get(stage, "jobs")))
    if get(root, "steps") is not None and root is not None:
        jobs.insert(0, _azure_job(file, root, "pipeline"))
    return Pipeline(file.path, "azure", tuple(jobs))


def _azure_job(file: YamlFile, node: yaml.Node, default_name: str = "job") -> Job:
    name = text_of(get(node, "job")) or text_of(get(node, "deployment")) or default_name
    container = get(node, "container")
    return Job(
        path=file.path,
        system="azure",
        name=name,
        line=file.line(node),
        steps=tuple(_azure_step(file, item) for item in sequence(get(node, "steps"))),
        image=file.value(container) or file.value(get(container, "image")),
        matrix=_azure_matrix(file, get(get(node, "strategy"), "matrix")),
        uses=file.value(get(node, "template")),
    )


def _azure_step(file: YamlFile, node: yaml.Node) -> Step:
    line = file.line(node)
    name = text_of(get(node, "displayName"))
    for key in _AZURE_SHELL_KEYS:
        script = file.script(get(node, key), AZURE_SCRIPT)
        if script is not None:
            return Step(file.path, line, name=name, run=script, workdir=text_of(get(node, "workingDirectory")))
    for key in _AZURE_OTHER_SHELLS:
        if get(node, key) is not None:
            return Step(file.path, line, name=name, shell=key)
    reference = next((value for key in _AZURE_REFERENCES if (value := file.value(get(node, key)))), None)
    inputs = tuple((k, v) for k, item in items(get(node, "inputs")) if (v := file.value(item)) is not None)
    return Step(file.path, line, name=name, uses=reference, inputs=inputs)


def _azure_matrix(file: YamlFile, node: yaml.Node | None) -> tuple[MatrixAxis, ...]:
    """`matrix: {py311: {python.version: "3.11"}, ...}`: each variable is an axis."""
    axes: dict[str, tuple[int, list[Value]]] = {}
    for _, combination in items(node):
        for variable, key, value in entries(combination):
            found = file.value(value)
            if found is not None:
                axes.setdefault(variable, (file.line(key), []))[1].append(found)
    return tuple(MatrixAxis(name, tuple(dict.fromkeys(values)), line) for name, (line, values) in axes.items())


# --- Bitbucket Pipelines ---------------------------------------------------------------------


def bitbucket_pipeline(file: YamlFile) -> Pipeline:
    """Every step of `pipelines:` as a job."""
    root = file.root
    image = _bitbucket_image(file, get(root, "image"))
    jobs: list[Job] = []
    for section, value in items(get(root, "pipelines")):
        groups = [value] if section == "default" else [group for _, group in items(value)]
        for group in groups:
            for step in _bitbucket_steps(group):
                jobs.append(_bitbucket_job(file, step, image, f"{section} step {len(jobs) + 1}"))
    return Pipeline(file.path, "bitbucket", tuple(jobs))


def _bitbucket_steps(node: yaml.Node | None) -> list[yaml.Node]:
    """The step mappings of a list of `step`, `parallel` and `stage` items."""
    found: list[yaml.Node] = []
    pending = list(reversed(sequence(node)))
    while pending:
        item = pending.pop()
        step = get(item, "step")
        if step is not None:
            found.append(step)
            continue
        nested = get(item, "parallel")
        nested = get(nested, "steps") if get(nested, "steps") is not None else nested
        nested = nested if nested is not None else get(get(item, "stage"), "steps")
        pending.extend(reversed(sequence(nested)))
    return found


def _bitbucket_job(file: YamlFile, step: yaml.Node, image: Value | None, default_name: str) -> Job:
    steps = []
    for key in ("script", "after-script"):
        for item in sequence(get(step, key)):
            script = file.script(item, BITBUCKET_SCRIPT)
            pipe = file.value(get(item, "pipe"))
            if script is not None or pipe is not None:
                steps.append(Step(file.path, file.line(item), run=script, uses=pipe))
    name = text_of(get(step, "name")) or default_name
    own = _bitbucket_image(file, get(step, "image"))
    return Job(file.path, "bitbucket", name, file.line(step), steps=tuple(steps), image=own or image)


def _bitbucket_image(file: YamlFile, node: yaml.Node | None) -> Value | None:
    return file.value(node) or file.value(get(node, "name"))


# --- Jenkins ---------------------------------------------------------------------------------


def jenkins_pipeline(path: str, text: str) -> Pipeline:
    """A Jenkinsfile as one job: its `sh` steps and the first agent image it names."""
    table = LineTable.of(text)
    steps = []
    for found in shell_steps(text):
        line, column = table.place(found.offset)
        positions = Positions.of_lines(found.script, line, column)
        steps.append(Step(path, line, run=Script(path, JENKINS_SH, found.script, positions)))
    images = docker_images(text)
    image = Value(images[0][1], *table.place(images[0][0])) if images else None
    return Pipeline(path, "jenkins", (Job(path, "jenkins", "Jenkinsfile", 1, steps=tuple(steps), image=image),))
