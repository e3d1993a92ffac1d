"""The commands model of one repository, built lazily, one file at a time, once per audit.

The context owns one `Commands` and hands it to every rule (`ctx.commands`). Files are
chosen by name (`sources.file_format`); a file is read and parsed the first time a query
needs it, through the context (so excludes, size limits and UDEF000 notes are the
context's), and its model is kept for every later query.

A query may pass `mentioning`, a test on the file's bytes: a file whose bytes fail it is
neither decoded nor parsed for that query. A rule looking for `--no-deps` thereby never pays
for parsing the YAML of a repository that never writes it. Python files are the exception:
their facts come from the Python scanner, which every rule shares and which is computed
(and cached on disk) for all Python files at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import cached_property
from typing import TYPE_CHECKING

from udef_audit.commands.repository import RepositoryFiles, YamlFiles
from udef_audit.commands.sources import file_format, has_shell_shebang

if TYPE_CHECKING:
    from udef_audit.commands.definitions import Definitions
    from udef_audit.commands.images import ImageBuild
    from udef_audit.commands.model import (
        ArgvCommand,
        EnvSetting,
        FileCommands,
        Invocation,
        Job,
        Pipeline,
        Script,
        Unfollowed,
    )
    from udef_audit.commands.pipelines import Runs
    from udef_audit.commands.python_versions import PythonVersion

BytesTest = Callable[[bytes], bool]


class Commands:
    """What the repository runs: scripts, argv commands and environment settings by file."""

    def __init__(self, repository: RepositoryFiles) -> None:
        self._repository = repository
        self._yaml = YamlFiles(repository)
        self._formats = {path: kind for path in repository.files if (kind := file_format(path)) is not None}
        self._files: dict[str, FileCommands | None] = {}
        self._python: list[FileCommands] | None = None

    @property
    def paths(self) -> list[str]:
        """Files that may hold commands (chosen by name), in path order."""
        return list(self._formats)

    def format_of(self, path: str) -> str | None:
        """The format a file is read in (`github`, `dockerfile`, `tox`, `markdown`...)."""
        return self._formats.get(path)

    def files(self, mentioning: BytesTest | None = None) -> Iterator[FileCommands]:
        """Each file's commands, in path order, then Python files with command calls."""
        for path in self._formats:
            found = self.file(path, mentioning)
            if found is not None:
                yield found
        yield from self._python_files()

    def scripts(self, mentioning: BytesTest | None = None) -> Iterator[Script]:
        """Every shell script, run or documented."""
        for found in self.files(mentioning):
            yield from found.scripts

    def argv_commands(self, mentioning: BytesTest | None = None) -> Iterator[ArgvCommand]:
        """Every command given as a word list."""
        for found in self.files(mentioning):
            yield from found.argv

    def environment(self, mentioning: BytesTest | None = None) -> Iterator[EnvSetting]:
        """Every environment setting."""
        for found in self.files(mentioning):
            yield from found.env

    def file(self, path: str, mentioning: BytesTest | None = None) -> FileCommands | None:
        """The commands of one file (None: not a command file, unreadable, or its bytes fail
        `mentioning`)."""
        kind = self._formats.get(path)
        if kind is None:
            return None
        data = self._repository.read_bytes(path)  # read once by the context, then cached
        if data is None or (mentioning is not None and not mentioning(data)):
            return None
        if path not in self._files:
            self._files[path] = self._build(path, kind, data)
        return self._files[path]

    # Each format's reader is imported when a file of that format is read: a pre-commit run
    # on one Python file pays for none of them (the CI readers bring PyYAML: 20 ms).
    def _build(self, path: str, kind: str, data: bytes) -> FileCommands | None:
        if kind == "shebang" and not has_shell_shebang(data):
            return None
        if kind == "dockerfile":
            from udef_audit.commands.dockerfile import dockerfile_commands  # noqa: PLC0415

            model, text = self._repository.dockerfile(path), self._repository.text(path)
            return None if model is None or text is None else dockerfile_commands(path, model, text)
        text = self._repository.text(path)
        if text is None:
            return None
        return self._from_text(path, kind, text)

    def _from_text(self, path: str, kind: str, text: str) -> FileCommands | None:
        from udef_audit.commands.text_files import docs_commands, shell_file_commands  # noqa: PLC0415

        if kind in ("shell", "shebang", "make"):
            return shell_file_commands(path, text, make=kind == "make")
        if kind in ("markdown", "rst"):
            return docs_commands(path, text, kind)
        if kind == "tox":
            from udef_audit.commands.tox import tox_commands  # noqa: PLC0415

            document = self._repository.ini(path)  # the context's reading, and its note
            return None if document is None else tox_commands(path, document, text)
        return self._ci(path, kind, text)

    def _ci(self, path: str, kind: str, text: str) -> FileCommands | None:
        from udef_audit.commands.ci import CI_FORMATS, ci_commands  # noqa: PLC0415

        file = self._yaml.get(path)
        return None if file is None else ci_commands(path, text, file.root, CI_FORMATS[kind])

    def _python_files(self) -> list[FileCommands]:
        if self._python is None:
            self._python = []
            for path, facts in self._repository.python_facts().items():
                if facts.pip_calls:
                    # Imported here, with the model's records: most Python files call no pip.
                    from udef_audit.commands.python_calls import python_commands  # noqa: PLC0415

                    # Only for word places: a file in another encoding keeps its lines.
                    text = (self._repository.read_bytes(path) or b"").decode("utf-8", "replace")
                    self._python.append(python_commands(path, text, facts.pip_calls))
        return self._python

    # -- what CI runs, followed into the repository ----------------------------------------

    @cached_property
    def definitions(self) -> Definitions:
        """The files commands lead into (Makefiles, tox, nox, hooks, tasks...), parsed once."""
        # Imported here: a rule that only reads scripts (UDEF005 in a pre-commit run on a
        # few files) does not pay for the CI readers and the follower.
        from udef_audit.commands.definitions import Definitions  # noqa: PLC0415

        return Definitions(self._repository, self._yaml)

    @cached_property
    def _runs(self) -> Runs:
        from udef_audit.commands.pipelines import read_runs  # noqa: PLC0415 -- see `definitions`

        return read_runs(self.definitions, list(self._repository.files))

    def pipelines(self) -> tuple[Pipeline, ...]:
        """Every CI definition as jobs and steps, in path order."""
        return self._runs.pipelines

    def invocations(self) -> tuple[Invocation, ...]:
        """Every simple command CI runs, followed into scripts, Makefiles, justfiles, tox,
        nox, pre-commit hooks and pyproject tasks (four levels at most), each with its file,
        words, job and chain, in the order CI runs them."""
        return self._runs.invocations

    def main_pipeline(self) -> Pipeline | None:
        """The *main CI file* (contract rev 3, UDEF020): the CI definition that runs the
        tests, else the first CI definition. When several run tests (a docs build running
        pytest beside the test suite, an emscripten or third-party job), the one named as
        the main one wins (`ci`, `test(s)`, `main`...; then a name holding `test` or `ci`),
        then the one running the most test commands, then path order."""
        pipelines = self.pipelines()
        testing: dict[str, set[tuple[str, int, tuple[str, ...]]]] = {}
        for invocation in self.test_invocations():
            testing.setdefault(invocation.pipeline, set()).add((invocation.path, invocation.line, invocation.argv))
        candidates = [(index, p) for index, p in enumerate(pipelines) if p.path in testing]
        if not candidates:
            return pipelines[0] if pipelines else None
        _, chosen = min(
            candidates, key=lambda item: (_main_name_rank(item[1].path), -len(testing[item[1].path]), item[0])
        )
        return chosen

    def unfollowed(self) -> tuple[Unfollowed, ...]:
        """What CI runs that could not be followed (remote workflows and includes, missing
        files, cycles, levels past the limit)."""
        return self._runs.unfollowed

    def test_invocations(self) -> tuple[Invocation, ...]:
        """The invocations that run the tests (pytest, unittest, manage.py test, hatch test)."""
        from udef_audit.commands.queries import runs_tests  # noqa: PLC0415 -- see `definitions`

        return tuple(invocation for invocation in self.invocations() if runs_tests(invocation.argv))

    def tests_reached_from(self, invocation: Invocation) -> tuple[Invocation, ...]:
        """The test runs reached through `invocation` (`tox -e py` reaching pytest), itself
        included when it runs the tests."""
        here = (invocation.path, invocation.line, invocation.text)
        return tuple(
            test
            for test in self.test_invocations()
            if test == invocation or any((hop.path, hop.line, hop.text) == here for hop in test.chain)
        )

    # -- what pre-commit runs, what CI builds, which Python a job uses ----------------------

    @cached_property
    def _hook_runs(self) -> tuple[Invocation, ...]:
        from udef_audit.commands.pipelines import read_hook_runs  # noqa: PLC0415 -- see `definitions`

        return read_hook_runs(self.definitions)

    def hook_invocations(self) -> tuple[Invocation, ...]:
        """What pre-commit runs at commit or push: each hook of `.pre-commit-config.yaml`
        (else `.yml`) not limited to the manual stage, as its command (a remote hook's id
        mapped to its tool), followed like CI's commands; their `pipeline` is ""."""
        return self._hook_runs

    @cached_property
    def _image_builds(self) -> tuple[ImageBuild, ...]:
        from udef_audit.commands.images import image_builds  # noqa: PLC0415 -- see `definitions`

        definitions = self.definitions
        return tuple(image_builds(self.invocations(), definitions.yaml, definitions.exists))

    def image_builds(self) -> tuple[ImageBuild, ...]:
        """The container images CI builds (`docker build`, `buildx`, `build-push-action`,
        compose services), each with its Dockerfile and target stage (`commands/images.py`)."""
        return self._image_builds

    def python_versions(self, job: Job) -> tuple[PythonVersion, ...]:
        """The Python versions a CI job declares (setup-python with its matrix expanded,
        its image, `uv python install`, `uv run --python`; `commands/python_versions.py`)."""
        from udef_audit.commands.python_versions import job_python_versions  # noqa: PLC0415

        commands = [invocation for invocation in self.invocations() if invocation.job is job]
        return tuple(job_python_versions(job, commands, self._repository.text))


# CI file names that say "this is the pipeline" (`.github/workflows/ci.yml`, `tests.yaml`).
_MAIN_NAMES = frozenset({"ci", "test", "tests", "main", "build", "checks", "python", "pipeline", ".gitlab-ci"})


def _main_name_rank(path: str) -> int:
    """0 for a main pipeline's usual name (and for the one file of GitLab, CircleCI, Azure,
    Bitbucket and Jenkins), 1 for a name holding `test` or `ci`, else 2."""
    if not path.startswith(".github/workflows/"):
        return 0
    stem = path.rsplit("/", 1)[-1].rsplit(".", 1)[0].lower()
    if stem in _MAIN_NAMES:
        return 0
    words = set(stem.replace("_", "-").split("-"))
    return 1 if "test" in stem or "ci" in words else 2
