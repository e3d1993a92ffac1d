"""The CI definitions of a repository, read as pipelines, and everything they run,
followed into the repository.

Entry points are the CI definitions (GitHub workflows, `.gitlab-ci.yml` with its local
includes, `.circleci/config.yml`, Azure Pipelines, `bitbucket-pipelines.yml`,
`Jenkinsfile`). Each job's steps are followed: shell steps command by command, known
actions as their command, local composite actions and local reusable workflows into
their steps. Remote reusable workflows and includes are said to be unfollowed.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, replace

from udef_audit.commands.actions import action_words
from udef_audit.commands.definitions import Definitions
from udef_audit.commands.follow import Follower
from udef_audit.commands.frames import Command, Frame, resolve
from udef_audit.commands.github import github_pipeline
from udef_audit.commands.gitlab import gitlab_pipeline
from udef_audit.commands.model import Invocation, Job, Origin, Pipeline, PlacedWord, Step, Unfollowed, Value
from udef_audit.commands.other_ci import azure_pipeline, bitbucket_pipeline, circleci_pipeline, jenkins_pipeline
from udef_audit.commands.runners import PRE_COMMIT
from udef_audit.commands.yaml_nodes import get, sequence

USES = Origin("github-uses", "GitHub Actions step")
_YAML_SUFFIXES = (".yml", ".yaml")
_READERS = {
    "github": github_pipeline,
    "circleci": circleci_pipeline,
    "azure": azure_pipeline,
    "bitbucket": bitbucket_pipeline,
}


def ci_format(path: str) -> str | None:
    """The CI system whose definition `path` is (None: not a CI entry point)."""
    folder, _, name = path.rpartition("/")
    if folder == ".github/workflows" and name.endswith(_YAML_SUFFIXES):
        return "github"
    if folder == ".azure-pipelines" and name.endswith(_YAML_SUFFIXES):
        return "azure"
    if path == ".circleci/config.yml":
        return "circleci"
    if folder:
        return "jenkins" if name == "Jenkinsfile" else None
    root_files = {
        ".gitlab-ci.yml": "gitlab",
        "azure-pipelines.yml": "azure",
        "azure-pipelines.yaml": "azure",
        "bitbucket-pipelines.yml": "bitbucket",
        "Jenkinsfile": "jenkins",
    }
    return root_files.get(name)


@dataclass(frozen=True)
class Runs:
    """The pipelines, every invocation they lead to, and what could not be followed."""

    pipelines: tuple[Pipeline, ...]
    invocations: tuple[Invocation, ...]
    unfollowed: tuple[Unfollowed, ...]


def read_runs(definitions: Definitions, paths: list[str]) -> Runs:
    """Read every CI definition among `paths` and follow what it runs."""
    pipelines: list[Pipeline] = []
    unfollowed: list[Unfollowed] = []
    for path in paths:
        kind = ci_format(path)
        pipeline = _pipeline(definitions, path, kind, unfollowed) if kind else None
        if pipeline is not None:
            pipelines.append(pipeline)
    follower = Follower(definitions)
    for pipeline in pipelines:
        if pipeline.called_only:
            continue  # it runs when a workflow calls it, with that caller's chain
        for job in pipeline.jobs:
            _job(follower, job, Frame(job=job, pipeline=pipeline.path))
    return Runs(tuple(pipelines), tuple(follower.invocations), tuple(unfollowed + follower.unfollowed))


PRECOMMIT_CONFIGS = (".pre-commit-config.yaml", ".pre-commit-config.yml")


def read_hook_runs(definitions: Definitions) -> tuple[Invocation, ...]:
    """What pre-commit runs at commit or push: every hook of the repository's pre-commit
    configuration not limited to the manual stage, as its command, followed like a CI
    step's (a local hook's script, a `uv run` wrapper)."""
    path = next((name for name in PRECOMMIT_CONFIGS if definitions.exists(name)), None)
    follower = Follower(definitions)
    for hook in definitions.hooks(path) if path else ():
        if hook.words and hook.runs_automatically:
            follower.command(Command(hook.words, hook.path, PRE_COMMIT), Frame())
    return tuple(follower.invocations)


def _pipeline(definitions: Definitions, path: str, kind: str, unfollowed: list[Unfollowed]) -> Pipeline | None:
    if kind == "jenkins":
        text = definitions.repository.text(path)
        return None if text is None else jenkins_pipeline(path, text)
    file = definitions.yaml(path)
    if file is None:
        return None
    if kind == "gitlab":
        read = gitlab_pipeline(file, definitions.yaml, sorted(definitions.paths))
        unfollowed.extend(read.unfollowed)
        for including, included in read.cycles:
            definitions.repository.unparseable(including, f"a GitLab include cycle ({included} is included again)")
        return read.pipeline
    return _READERS[kind](file)


def _job(follower: Follower, job: Job, frame: Frame) -> None:
    if job.uses is not None and job.system == "github":
        _reusable_workflow(follower, job, frame)
    elif job.uses is not None:  # a GitLab downstream pipeline, an Azure job template
        command = Command((PlacedWord(job.uses.text, job.uses.line, job.uses.column),), job.path, USES)
        follower.skip(command, frame, "a pipeline or template this model does not follow")
    for step in job.steps:
        _step(follower, step, frame)


def _step(follower: Follower, step: Step, frame: Frame) -> None:
    folder = resolve("", step.workdir) if step.workdir else ""
    here = replace(frame, folder=folder or "", env=_selecting_env(step, frame.job))
    if step.run is not None and step.shell is None:
        follower.script(step.run, here)
    if step.uses is None:
        return
    words = action_words(step)
    if words:
        follower.command(Command(words, step.path, USES), here)
    elif step.uses.text.startswith("./"):
        _local_action(follower, step, here)


# Environment variables that choose what a runner runs: tox's environments, nox's sessions.
_SELECTING = ("TOXENV", "NOXSESSION")


def _selecting_env(step: Step, job: Job | None) -> tuple[tuple[str, str], ...]:
    """The step's `TOXENV`/`NOXSESSION`, with matrix references expanded (all values,
    comma-joined, as both tools read a list); an expression left unexpanded is dropped."""
    found = []
    for name, value in step.env:
        if name in _SELECTING:
            texts = dict.fromkeys(v.text for v in (job.expand(value) if job is not None else (value,)))
            known = [text for text in texts if "${{" not in text]
            if known:
                found.append((name, ",".join(known)))
    return tuple(found)


def _local_action(follower: Follower, step: Step, frame: Frame) -> None:
    """`uses: ./.github/actions/setup`: the `run` steps of a composite action."""
    if step.uses is None:
        return
    folder = resolve("", step.uses.text.split("@", 1)[0]) or ""
    command = Command((_uses_word(step.uses),), step.path, USES)
    path = _action_file(follower, folder)
    file = follower.definitions.yaml(path) if path else None
    if file is None:
        follower.skip(command, frame, f"no action.yml in {folder}")
        return
    inner = follower.enter(command, frame, f"action:{path}")
    if inner is not None:
        for node in sequence(get(get(file.root, "runs"), "steps")):
            script = file.script(get(node, "run"), USES)
            if script is not None:
                follower.script(script, inner)


def _action_file(follower: Follower, folder: str) -> str | None:
    candidates = (posixpath.join(folder, name) for name in ("action.yml", "action.yaml"))
    return next((candidate for candidate in candidates if follower.definitions.exists(candidate)), None)


def _reusable_workflow(follower: Follower, job: Job, frame: Frame) -> None:
    """`jobs.x.uses: ./.github/workflows/test.yml`: that workflow's jobs; another
    repository's workflow cannot be followed."""
    if job.uses is None:
        return
    command = Command((_uses_word(job.uses),), job.path, USES)
    written = job.uses.text.split("@", 1)[0]
    path = resolve("", written) if written.startswith("./") else None
    file = follower.definitions.yaml(path) if path else None
    if file is None:
        reason = "a reusable workflow from another repository" if path is None else f"{path} is not in the repository"
        follower.skip(command, frame, reason)
        return
    inner = follower.enter(command, frame, f"workflow:{path}")
    if inner is not None:
        for called in github_pipeline(file).jobs:
            _job(follower, called, replace(inner, job=called))


def _uses_word(uses: Value) -> PlacedWord:
    """A `uses:` reference as the one word of the command that leads into it."""
    return PlacedWord(f"uses: {uses.text}", uses.line, uses.column)
