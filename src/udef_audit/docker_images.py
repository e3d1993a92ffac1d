"""Dockerfiles as the methodology reads them: which files are Dockerfiles, which of their
stages test and which one runs, and which separate test Dockerfile goes with which runtime
Dockerfile. UDEF004, UDEF008 and UDEF009 read this one model (`ctx.docker_images`), built
once per audit over the parsed Dockerfiles; nothing here reads a file.

Decisions that every container rule shares:

- *Dockerfiles* are files named `Dockerfile`, `Dockerfile.*`, `*.Dockerfile`,
  `Containerfile`, `Containerfile.*` or `*.Containerfile`, in any case (Docker falls back to
  a lower-case `dockerfile`), anywhere in scope, except BuildKit's per-Dockerfile ignore
  files (`Dockerfile.dockerignore`): the same names that make a project a service.
- *A name matches* a word list when the name equals one of the words or has it as a
  `-`/`_`/`.`-separated token, case-insensitively: `test`, `unit-test`, `ci_check`,
  `py311-test` are test names; `contest` and `testdata` are not. Test words: the
  contract's test/tests/testing/ci/check/dev/lint, and the forms real Dockerfiles spell
  them in, development/unittest/unittests/pytest (DefectDojo's `development` and
  `django-unittests` stages); runtime words: runtime/prod/production/release/final/app. A
  name with both (`test-runtime`) is a test name.
- *The runtime stage* of a Dockerfile is one stage: the last runtime-named stage (the one
  nearest the default build target), else the last stage when it is not a test stage, else
  none.
- *A separate test Dockerfile* is one whose name, without `Dockerfile`/`Containerfile`,
  has a test token (`Dockerfile.test`, `test.Dockerfile`, `Dockerfile.ci`, `ci.Dockerfile`,
  `api-test.Dockerfile`), or that stands in a folder whose name is a test name
  (`docker/test/Dockerfile`, `docker/development/Dockerfile`, `ci/Dockerfile`). Its
  sibling is the non-test Dockerfile in the same folder with the same remaining name once
  test and runtime words are dropped (`Dockerfile` or `Containerfile` for
  `Dockerfile.test`; `api.Dockerfile` for `api-test.Dockerfile`), preferring a name
  without runtime words, then the same family, then path order, and skipping files that
  cannot be read. (A file in a test-named folder has no sibling: its neighbours are test
  files too.)
- *A project's Dockerfiles* are those it owns (a Dockerfile belongs to the nearest project
  root above it) outside its non-product and hidden folders: a test fixture's, an
  example's or a dev container's Dockerfile is not the product's image. Nor is one in a
  folder of another language's component between it and the project root (a folder with
  `package.json`, `go.mod`, `Cargo.toml`, `pom.xml`, ... and no Python manifest): the
  `frontend/` image of a Python service is the frontend's.
- *An image runs Python* when the stages of its runtime stage's chain (of the whole file,
  for a file without a runtime stage or a separate test Dockerfile) name a Python image or
  install or run Python: an interpreter, pip/uv/poetry/pdm/pipenv/conda, an application
  server, `manage.py`, a Python manifest, requirement file or wheel, a virtualenv,
  `PYTHON*` variables. A project's nginx, postgres or DNS sidecar image is not its Python
  service, even when a build stage collects its static files with Python.
- *The effective user* of a stage is the last `USER` of its chain (the stage, else the
  stage it is built FROM, and so on), its value resolved in the default build: ARG values
  of the same stage (an `ARG NAME` without a default takes the global ARG's default), ENV
  values of the stage and the stages before it in the chain, ENV winning over ARG as in
  Docker. The base image's own ENV is unknown, so a USER that needs it is unresolved.
  Without any USER, the root image's default user applies: root, except for images known
  to default to a non-root user.
"""

from __future__ import annotations

import bisect
import posixpath
import re
from collections import ChainMap
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property

from udef_audit.parsers.dockerfile import Dockerfile, Stage, StageStep, root_image, substitute
from udef_audit.profiles import is_container_file
from udef_audit.projects import MANIFESTS, Project, in_non_product_folder

TEST_WORDS = frozenset(
    {"test", "tests", "testing", "ci", "check", "dev", "lint"} | {"development", "unittest", "unittests", "pytest"}
)
RUNTIME_WORDS = frozenset({"runtime", "prod", "production", "release", "final", "app"})
FAMILIES = ("Dockerfile", "Containerfile")
_TOKEN_SEPARATORS = re.compile(r"[-_.]")
# Manifests of other languages' components: a Dockerfile in such a folder builds that
# component's image (a JavaScript frontend, a Go sidecar), not the Python project's.
FOREIGN_MANIFESTS = frozenset(
    {"package.json", "deno.json", "go.mod", "Cargo.toml", "pom.xml", "build.gradle", "build.gradle.kts"}
    | {"Gemfile", "composer.json", "mix.exs"}
)
# What shows that a stage builds or runs Python (case-insensitive, whole words) in a
# command, a copied file's name or an image reference.
_PYTHON_EVIDENCE = re.compile(
    r"(?i)\b(?:python\w*|pip[\d.]*|pipx|uvx?|poetry|pdm|pipenv|hatch|conda|mamba|micromamba|virtualenv|venv"
    r"|gunicorn|uvicorn|hypercorn|daphne|granian|waitress|uwsgi|celery|django-admin)\b"
    r"|manage\.py|pyproject\.toml|setup\.py|requirements[\w.-]*\.(?:txt|in|lock)\b|\.whl\b|site-packages"
)
# In ENV and ARG values only Python's own variables and paths count: `DD_UWSGI_HOST=uwsgi`
# in an nginx image names the server it proxies to, not one it runs.
_PYTHON_VARIABLES = re.compile(r"(?i)(?:^|\s)PYTHON\w*|\bvenv\b|site-packages")
_EVIDENCE_BY_KEYWORD = {
    **dict.fromkeys(("RUN", "CMD", "ENTRYPOINT", "COPY", "ADD", "HEALTHCHECK", "SHELL"), _PYTHON_EVIDENCE),
    **dict.fromkeys(("ENV", "ARG"), _PYTHON_VARIABLES),
}
# Characters of variable values one chain of stages may hold while its USER is resolved; a
# hostile file of 100,000 ENV lines each expanding to kilobytes gets no verdict instead.
_MAX_RESOLVED = 1_000_000


def _tokens(name: str) -> list[str]:
    return _TOKEN_SEPARATORS.split(name.lower())


def is_test_name(name: str | None) -> bool:
    """Whether a stage or file name has a test token (`unit-test`, `ci_check`)."""
    return name is not None and not TEST_WORDS.isdisjoint(_tokens(name))


def is_runtime_name(name: str | None) -> bool:
    """Whether a name has a runtime token and no test token (test wins)."""
    return name is not None and not RUNTIME_WORDS.isdisjoint(_tokens(name)) and not is_test_name(name)


@dataclass(frozen=True)
class DockerfileName:
    """A Dockerfile's name split into its family and the rest (`api-test.Dockerfile` ->
    `Dockerfile`, `api-test`; `Dockerfile` -> `Dockerfile`, ``), and its folder's name."""

    family: str
    stem: str
    folder: str = ""

    @property
    def is_test_file(self) -> bool:
        """Whether the name, or the folder's, makes the whole file a separate test Dockerfile."""
        return (bool(self.stem) and is_test_name(self.stem)) or (bool(self.folder) and is_test_name(self.folder))

    def core(self) -> tuple[str, ...]:
        """The stem's tokens without test and runtime words: what pairs a test file
        with its production sibling."""
        words = TEST_WORDS | RUNTIME_WORDS
        return tuple(token for token in _tokens(self.stem) if token and token not in words)


def dockerfile_name(path: str) -> DockerfileName | None:
    """The parts of a Dockerfile's name, or None when the path is no Dockerfile. Which names
    are Dockerfiles is the profile's definition (`is_container_file`, any case), so a file
    that makes a project a service is the file the container rules read."""
    parent, _, name = path.rpartition("/")
    if not is_container_file(name):
        return None
    folder = parent.rpartition("/")[2]
    lower = name.lower()
    for family in FAMILIES:
        key = family.lower()
        if lower == key or lower.startswith(key + "."):
            return DockerfileName(family, name[len(key) + 1 :], folder)
    for family in FAMILIES:
        if lower.endswith("." + family.lower()):
            return DockerfileName(family, name[: -len(family) - 1], folder)
    return None


def test_named_stages(dockerfile: Dockerfile) -> list[Stage]:
    """Stages with a test name, in file order."""
    return [stage for stage in dockerfile.stages if is_test_name(stage.name)]


def runtime_stage(dockerfile: Dockerfile) -> Stage | None:
    """The last runtime-named stage, else the last stage unless it is a test stage."""
    named = [stage for stage in dockerfile.stages if is_runtime_name(stage.name)]
    if named:
        return named[-1]
    if dockerfile.stages and not is_test_name(dockerfile.stages[-1].name):
        return dockerfile.stages[-1]
    return None


def stage_chain(dockerfile: Dockerfile, stage: Stage) -> list[Stage]:
    """`stage`, the stage it is built FROM, and so on up to the stage whose FROM names an
    external image (or an unresolved one). A loop, which only a hand-built model can hold,
    ends the chain; so the work is bounded by the number of stages."""
    chain = [stage]
    seen = {stage.index}
    while stage.parent is not None and 0 <= stage.parent < len(dockerfile.stages) and stage.parent not in seen:
        stage = dockerfile.stages[stage.parent]
        seen.add(stage.index)
        chain.append(stage)
    return chain


def origin_stage(dockerfile: Dockerfile, stage: Stage) -> Stage:
    """The stage whose FROM names the external image `stage` is built on."""
    return stage_chain(dockerfile, stage)[-1]


def stage_label(stage: Stage, limit: int = 100) -> str:
    """`name` in backticks, or `#index` for an unnamed stage (as `COPY --from=0`); a name
    longer than `limit` characters is cut (hostile files hold megabyte-long names)."""
    if not stage.name:
        return f"#{stage.index}"
    name = stage.name if len(stage.name) <= limit else stage.name[: limit - 3] + "..."
    return f"`{name}`"


def stage_key(stage: Stage) -> str:
    """What a fingerprint calls a stage: its name, else its index."""
    return stage.name or str(stage.index)


@dataclass(frozen=True)
class ImageFile:
    """One readable Dockerfile, its name and its parsed model."""

    path: str
    name: DockerfileName
    dockerfile: Dockerfile

    @cached_property
    def test_named(self) -> list[Stage]:
        """Its test-named stages, in file order."""
        return test_named_stages(self.dockerfile)

    @cached_property
    def runtime(self) -> Stage | None:
        """Its runtime stage, classified on the file alone."""
        return runtime_stage(self.dockerfile)

    @cached_property
    def runs_python(self) -> bool:
        """Whether the image it builds runs Python (see the module's decisions)."""
        runtime = None if self.name.is_test_file else self.runtime
        stages = list(self.dockerfile.stages) if runtime is None else stage_chain(self.dockerfile, runtime)
        if any(_PYTHON_EVIDENCE.search(stage.image or stage.image_raw) for stage in stages):
            return True
        return any(pattern.search(text) for pattern, text in _stage_texts(self.dockerfile, {s.index for s in stages}))


class DockerImages:
    """Every Dockerfile in scope, parsed on demand through `load` (the context's memoised
    parser: None for a file that cannot be read), with sibling pairing."""

    def __init__(self, paths: Iterable[str], load: Callable[[str], Dockerfile | None]) -> None:
        """`paths` are the files in scope; only Dockerfile names and the folders holding a
        manifest are kept (no read)."""
        self.names: dict[str, DockerfileName] = {}
        self._foreign: set[str] = set()
        self._python: set[str] = set()
        for path in paths:
            folder, _, base = path.rpartition("/")
            if base in FOREIGN_MANIFESTS:
                self._foreign.add(folder)
            elif base in MANIFESTS:
                self._python.add(folder)
            elif (name := dockerfile_name(path)) is not None:
                self.names[path] = name
        self._load = load
        self._files: dict[str, ImageFile | None] = {}
        self._siblings: dict[str, ImageFile | None] = {}

    @property
    def paths(self) -> list[str]:
        """Dockerfile paths, in scope order."""
        return list(self.names)

    def get(self, path: str) -> ImageFile | None:
        """The parsed Dockerfile at `path`; None when it is no Dockerfile or unreadable."""
        if path not in self._files:
            name = self.names.get(path)
            dockerfile = None if name is None else self._load(path)
            self._files[path] = None if name is None or dockerfile is None else ImageFile(path, name, dockerfile)
        return self._files[path]

    def sibling(self, path: str) -> ImageFile | None:
        """The readable production Dockerfile a separate test Dockerfile goes with (None for
        a file that is no separate test Dockerfile, or has no such sibling)."""
        if path not in self._siblings:
            self._siblings[path] = self._find_sibling(path)
        return self._siblings[path]

    @cached_property
    def _by_folder(self) -> dict[str, list[str]]:
        folders: dict[str, list[str]] = {}
        for path in self.names:
            folders.setdefault(posixpath.dirname(path), []).append(path)
        return folders

    def _find_sibling(self, path: str) -> ImageFile | None:
        name = self.names.get(path)
        if name is None or not name.is_test_file:
            return None
        candidates: list[tuple[tuple[bool, bool, str], str]] = []
        for other in self._by_folder.get(posixpath.dirname(path), ()):
            other_name = self.names[other]
            if other_name.is_test_file or other_name.core() != name.core():
                continue
            # A plain name before `Dockerfile.prod`, the same family before the other one.
            rank = (is_runtime_name(other_name.stem), other_name.family != name.family, other)
            candidates.append((rank, other))
        for _, other in sorted(candidates):
            found = self.get(other)
            if found is not None:
                return found
        return None

    def of_project(self, project: Project) -> list[str]:
        """The project's own Dockerfiles (not those of nested projects, nor those in its
        non-product, hidden or other-language folders), in scope order."""
        if not self.names:
            return []
        owned = set(project.files)
        return [path for path in self.names if path in owned and self._is_product(project, path)]

    def in_tree(self, project: Project) -> list[str]:
        """The product Dockerfiles anywhere below the project root, nested projects'
        included: a workspace root whose compose file builds its members' images has them."""
        prefix = f"{project.path}/" if project.path else ""
        return [path for path in self.names if path.startswith(prefix) and self._is_product(project, path)]

    def _is_product(self, project: Project, path: str) -> bool:
        if in_non_product_folder(project.rel(path)):
            return False
        folder = posixpath.dirname(path)
        while folder != project.path and folder not in self._python:
            if folder in self._foreign:
                return False  # another language's component
            folder = posixpath.dirname(folder)
        return True

    def separate_tests(self, path: str) -> list[ImageFile]:
        """The readable separate test Dockerfiles whose sibling is `path`."""
        found = []
        for other in self._by_folder.get(posixpath.dirname(path), ()):
            sibling = self.sibling(other) if self.names[other].is_test_file else None
            test_file = self.get(other) if sibling is not None and sibling.path == path else None
            if test_file is not None:
                found.append(test_file)
        return found


def _stage_texts(dockerfile: Dockerfile, wanted: set[int]) -> Iterator[tuple[re.Pattern[str], str]]:
    """The texts of the wanted stages that can show Python, each with the pattern to read it
    with: commands and copied files, ENV and ARG values, RUN heredoc bodies."""
    stage = -1
    for instruction in dockerfile.instructions:
        stage += instruction.keyword == "FROM"
        pattern = _EVIDENCE_BY_KEYWORD.get(instruction.keyword)
        if pattern is not None and stage in wanted:
            yield pattern, instruction.value
    for run in dockerfile.runs:
        if run.stage in wanted:
            yield from ((_PYTHON_EVIDENCE, heredoc.body) for heredoc in run.heredocs)


# --------------------------------------------------------------------------- who a stage runs as


@dataclass(frozen=True)
class EffectiveUser:
    """Who a stage's container runs as. `step` is the last USER of the stage's chain (None:
    no USER anywhere in it), `stage` the stage that holds it, `user` its value in the
    default build (None: it needs a variable without a default, or is empty). Without a
    USER the root image's default applies: `image` is that image (None: unresolved)."""

    step: StageStep | None
    stage: Stage | None
    user: str | None
    image: str | None


def effective_user(dockerfile: Dockerfile, stage: Stage) -> EffectiveUser | None:
    """Who `stage` runs as (see the module's decisions); None when the values in scope
    outgrow a bound (hostile input), so no verdict can be given."""
    walk = _ChainWalk(dockerfile)
    for current in reversed(stage_chain(dockerfile, stage)):
        if not walk.read(current):
            return None
    return walk.last or EffectiveUser(None, None, None, root_image(dockerfile, stage.index))


class _ChainWalk:
    """The variables in scope, and the last USER, while a chain of stages is read in build
    order: ENV values carry into the stages built FROM a stage, ARG values do not."""

    def __init__(self, dockerfile: Dockerfile) -> None:
        self.dockerfile = dockerfile
        self.env: dict[str, str | None] = {}
        self.held = 0
        self.last: EffectiveUser | None = None

    def read(self, stage: Stage) -> bool:
        """Read one stage's steps; False when the values held outgrow the bound."""
        args: dict[str, str | None] = {}
        scope = ChainMap(self.env, args)  # an ENV overrides an ARG of the same name
        for step in _steps_of(self.dockerfile, stage.index):
            if step.keyword == "USER":
                user = substitute(step.raw or "", scope, self.dockerfile.escape)
                self.last = EffectiveUser(step, stage, user or None, None)
                continue
            value = _step_value(self.dockerfile, step, scope)
            (self.env if step.keyword == "ENV" else args)[step.name] = value
            self.held += len(value or "")
            if self.held > _MAX_RESOLVED:
                return False
        return True


def _step_stage(step: StageStep) -> int:
    return step.stage


def _steps_of(dockerfile: Dockerfile, index: int) -> tuple[StageStep, ...]:
    """The ARG, ENV and USER steps of one stage (the parser keeps them in stage order)."""
    steps = dockerfile.steps
    start = bisect.bisect_left(steps, index, key=_step_stage)
    end = bisect.bisect_right(steps, index, key=_step_stage)
    return steps[start:end]


def _step_value(dockerfile: Dockerfile, step: StageStep, scope: Mapping[str, str | None]) -> str | None:
    if step.raw is None:  # `ARG NAME` takes the global ARG's default, if there is one
        return dockerfile.global_values.get(step.name)
    return substitute(step.raw, scope, dockerfile.escape)


def is_root_user(user: str) -> bool:
    """Whether a USER value names root: `root` or user id 0 (`0`, `000`), with or without
    a `:group`."""
    name = user.partition(":")[0].strip()
    return name == "root" or (bool(name) and not name.strip("0"))


def defaults_to_non_root(image: str) -> bool:
    """Whether a normalised image reference runs as a non-root user when no USER is set: a
    tag `nonroot` or ending in `-nonroot`, `gcr.io/distroless/*:nonroot*`, or Chainguard's
    `cgr.dev/chainguard/*` except its `-dev` variants (which run as root)."""
    reference = image.partition("@")[0]
    colon = reference.rfind(":")
    name, tag = (reference[:colon], reference[colon + 1 :]) if colon > reference.rfind("/") else (reference, "")
    if tag == "nonroot" or tag.endswith("-nonroot"):
        return True
    if name.startswith("gcr.io/distroless/") and tag.startswith("nonroot"):
        return True
    return name.startswith("cgr.dev/chainguard/") and "dev" not in tag.split("-")
