"""The Python versions a CI job runs on, as its definition declares them.

Sources, each kept with where it is written: `actions/setup-python`'s `python-version`
(several versions, one a line, allowed) or `python-version-file` (`.python-version`,
`.tool-versions`; a pyproject's `requires-python` is a range, so no version), the same
inputs of `astral-sh/setup-uv`, Azure's `UsePythonVersion` `versionSpec`, the image the
job runs in (`python:3.12-slim`, `cimg/python:3.12`, `ghcr.io/astral-sh/uv:python3.12-
bookworm`), and `uv python install X`, `uv venv/run/sync --python X` among the job's
commands. Matrix references are expanded (`${{ matrix.python }}` is each value of that
axis, placed where the matrix lists it); GitLab's and Azure's `$NAME`/`$(NAME)` are read
from the job's matrix too.

A version is "3.12" (major.minor); a value that names no minor version (`3.x`, `3`,
`latest`, `pypy3.10`, a range, an expression left unexpanded) is kept with version None:
the job's Python is then unknown.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from udef_audit.commands.model import Invocation, Job, PlacedWord, Step, Value
from udef_audit.commands.words import program

_VERSION = re.compile(r"(?:cpython-?)?(\d+)\.(\d+)(?:\.\d+)*(?:-?[a-z]+\d*)?t?")
_IMAGE_TAG = re.compile(r"(?:^|[-_])(?:python|py)-?(\d+)\.(\d+)(?![\d])")
_SETUP_ACTIONS = ("actions/setup-python", "astral-sh/setup-uv")
_AZURE_TASK = "usepythonversion"
_GITLAB_VARIABLE = re.compile(r"\$\{?([A-Za-z_]\w*)\}?")
_AZURE_VARIABLE = re.compile(r"\$\(([\w.]+)\)")
_UV_PYTHON_OPTIONS = ("--python", "-p")
_VERSION_FILES = (".python-version", ".tool-versions")


@dataclass(frozen=True)
class PythonVersion:
    """A Python version a job declares: as written (after matrix expansion), the
    major.minor it names (None: unknown), where (the file, line, column), and what
    declares it."""

    written: str
    version: str | None
    path: str
    line: int
    column: int | None
    source: str


def version_of(text: str) -> str | None:
    """The major.minor a version names: "3.11" for `3.11`, `3.11.4`, `3.11-dev`, `3.13t`;
    None for anything else."""
    match = _VERSION.fullmatch(text.strip())
    return None if match is None else f"{match.group(1)}.{match.group(2)}"


def image_python_version(image: str) -> str | None:
    """The Python an image reference names: `python:3.11-slim` (a Python image whose tag
    starts with a version), `cimg/python:3.12`, or a tag naming it (`uv:python3.12-
    bookworm`, `py3.11`); None when the reference does not say."""
    reference = image.partition("@")[0]
    colon = reference.rfind(":")
    if colon <= reference.rfind("/"):
        return None
    name, tag = reference[:colon].lower(), reference[colon + 1 :].lower()
    repository = name.rsplit("/", 1)[-1]
    leading = re.match(r"(\d+)\.(\d+)(?!\d)", tag)
    if leading is not None and "python" in repository and "pypy" not in repository:
        return f"{leading.group(1)}.{leading.group(2)}"
    named = _IMAGE_TAG.search(tag)
    return None if named is None else f"{named.group(1)}.{named.group(2)}"


def job_python_versions(
    job: Job, invocations: Iterable[Invocation], read_text: Callable[[str], str | None]
) -> list[PythonVersion]:
    """The versions `job` declares, in file order: its image, its steps' inputs, then its
    commands (`read_text` reads a version file named by setup-python)."""
    found: list[PythonVersion] = []
    if job.image is not None:
        for value in _expand(job, job.image):
            version = image_python_version(value.text)
            found.append(PythonVersion(value.text, version, job.path, value.line, value.column, "image"))
    for step in job.steps:
        found.extend(_step_versions(job, step, read_text))
    for invocation in invocations:
        found.extend(_uv_versions(job, invocation))
    return found


def _step_versions(job: Job, step: Step, read_text: Callable[[str], str | None]) -> Iterator[PythonVersion]:
    if step.uses is None:
        return
    name = step.uses.text.split("@", 1)[0].strip().lower()
    if name in _SETUP_ACTIONS:
        source = name.rsplit("/", 1)[-1]
        written = step.input("python-version")
        if written is not None:
            yield from _listed(job, step.path, written, f"{source} python-version")
        version_file = step.input("python-version-file")
        if written is None and version_file is not None:
            yield _from_file(step.path, version_file, read_text, source)
    elif name == _AZURE_TASK or name.startswith(_AZURE_TASK + "@"):
        spec = step.input("versionSpec")
        if spec is not None:
            yield from _listed(job, step.path, spec, "UsePythonVersion versionSpec")


def _listed(job: Job, path: str, written: Value, source: str) -> Iterator[PythonVersion]:
    """Each version of an input (one a line, or a YAML flow list written as text)."""
    for value in _expand(job, written):
        for item in re.split(r"[\n,]", value.text.strip().strip("[]")):
            text = item.strip().strip("'\"")
            if text:
                yield PythonVersion(text, version_of(text), path, value.line, value.column, source)


def _from_file(path_in: str, version_file: Value, read_text: Callable[[str], str | None], source: str) -> PythonVersion:
    """The version a `.python-version` (or asdf's `.tool-versions`) file pins."""
    path = version_file.text.strip()
    while path.startswith("./"):  # not lstrip("./"), which eats the dot of ".python-version"
        path = path[2:]
    text = read_text(path) if path.rsplit("/", 1)[-1] in _VERSION_FILES else None
    first = _first_version_line(text or "", tool_versions=path.endswith(".tool-versions"))
    version = version_of(first) if first else None
    return PythonVersion(first or path, version, path_in, version_file.line, version_file.column, f"{source} {path}")


def _first_version_line(text: str, *, tool_versions: bool) -> str:
    for line in text.split("\n"):
        words = line.split("#", 1)[0].split()
        if tool_versions and words[:1] == ["python"] and len(words) > 1:
            return words[1]
        if not tool_versions and words:
            return words[0]
    return ""


def _uv_versions(job: Job, invocation: Invocation) -> Iterator[PythonVersion]:
    """`uv python install 3.11 3.12`, `uv run|venv|sync --python 3.12` (also `-p`)."""
    name, args = program(invocation.argv)
    if name != "uv":
        return
    for word in _uv_python_words(invocation.words[args:]):
        text = word.text.removeprefix("--python=")
        for value in _expand(job, Value(text, word.line, word.column)):
            yield PythonVersion(value.text, version_of(value.text), invocation.path, value.line, value.column, "uv")


def _uv_python_words(words: Sequence[PlacedWord]) -> list[PlacedWord]:
    """The versions of `uv python install A B`, or the value of `--python`/`-p`."""
    texts = [word.text for word in words]
    if texts[:2] == ["python", "install"]:
        return [word for word in words[2:] if not word.text.startswith("-")]
    chosen = [words[i + 1] for i, text in enumerate(texts[:-1]) if text in _UV_PYTHON_OPTIONS]
    return chosen + [word for word in words if word.text.startswith("--python=")]


def _expand(job: Job, value: Value) -> tuple[Value, ...]:
    """The value with matrix references replaced: GitHub's `${{ matrix.x }}` by
    `Job.expand`, GitLab's `$X`/`${X}` and Azure's `$(x)` when `x` is a matrix axis."""
    expanded = job.expand(value)
    pattern = _AZURE_VARIABLE if job.system == "azure" else _GITLAB_VARIABLE if job.system == "gitlab" else None
    if pattern is None or not job.matrix:
        return expanded
    return tuple(dict.fromkeys(found for item in expanded for found in _expand_variable(job, item, pattern)))


def _expand_variable(job: Job, item: Value, pattern: re.Pattern[str]) -> list[Value]:
    """GitLab's `$X` or Azure's `$(x)` replaced by each value of the matrix axis it names."""
    names = pattern.findall(item.text)
    axis = job.axis(names[0]) if len(names) == 1 else None
    if axis is None or not axis.values:
        return [item]
    whole = pattern.fullmatch(item.text.strip()) is not None
    found = []
    for choice in axis.values:
        place = choice if whole else item
        found.append(Value(pattern.sub(choice.text.replace("\\", "\\\\"), item.text), place.line, place.column))
    return found
