"""The repository context: built once per audit, shared by every rule.

Rules see the repository only through this object. Each file is read at most once and each
artefact (TOML, YAML, Dockerfile, Python) parsed at most once per audit; a file that
cannot be read or parsed becomes one UDEF000 note, and the rules that wanted it skip it.

One class in four modules, one concern each: context_files.py reads (the inventory, bytes
and text once each, the UDEF000 notes); context_python.py knows Python files (the
scanner's facts, complexity, suppressions); context_documents.py knows documents
(specifications, Markdown links, paths); this module holds projects, profiles and the
parsed configuration artefacts (TOML, INI, YAML, JSON, locks, Dockerfiles, setup files)
and the commands model.
"""

from __future__ import annotations

import weakref
from functools import cached_property
from typing import TYPE_CHECKING, Any

from udef_audit.context_documents import Documents
from udef_audit.context_files import UNPARSEABLE
from udef_audit.context_python import PythonFiles
from udef_audit.parsers.requirements import MAX_REQUIREMENT_LINES, RequirementsFile, parse_requirements
from udef_audit.parsers.toml_file import TomlError, load_toml
from udef_audit.profiles import Profile, configured, project_profile, repository_profile
from udef_audit.projects import Project, find_projects

if TYPE_CHECKING:
    from udef_audit.commands import Commands
    from udef_audit.docker_images import DockerImages
    from udef_audit.locks import Lock, LockIndex
    from udef_audit.parsers.dockerfile import Dockerfile
    from udef_audit.parsers.ini_file import IniDocument
    from udef_audit.parsers.json_file import JsonDocument
    from udef_audit.parsers.locks import LockContents
    from udef_audit.parsers.setup_files import Declaration
    from udef_audit.parsers.yaml_file import YamlDocument
    from udef_audit.tool_configs import ToolConfig, ToolConfigs

# Parsers with heavy imports (dockerfile-parse, the Python scanner) are imported where
# they are first used: a pre-commit run on three files should not pay for all of them.

__all__ = ["UNPARSEABLE", "RepoContext"]


class RepoContext(PythonFiles, Documents):
    """What rules read: the inventory, projects, and lazily parsed artefacts."""

    @cached_property
    def projects(self) -> list[Project]:
        """Project roots (monorepos have several), each with the files it owns."""
        return find_projects(self.files, self.project_roots)

    @cached_property
    def is_python_repository(self) -> bool:
        """Whether any project holds Python code of its own or a Python manifest (every
        rule of contract rev 3 applies only then)."""
        return bool(self.projects)

    @cached_property
    def repository_anchor(self) -> str | None:
        """Where a result about something missing repository-wide points (line 1): the root
        README (`README.md`, `.rst`, `.txt`, `README`, else the first `README*` in any case), else the
        first project's manifest; None for a repository with neither."""
        preferred = [n for n in ("README.md", "README.rst", "README.txt", "README") if n in self.file_set]
        # GitHub shows readme.md or Readme.rst as the README too: any case, after the exact names.
        others = [f for f in self.files if "/" not in f and f.upper().startswith("README")]
        manifests = [p.anchor for p in self.projects if p.anchor]
        return next(iter([*preferred, *others, *manifests]), None)

    @cached_property
    def _lock_index(self) -> LockIndex:
        from udef_audit.locks import LockIndex  # noqa: PLC0415
        return LockIndex(self.files, self.projects, self.requirements)

    def locks(self, project: Project) -> tuple[Lock, ...]:
        """The locks serving a project (UDEF003's: in its folder or a folder above, or a
        generated requirement file of its own), nearest first."""
        return self._lock_index.locks(project)

    def hand_written_requirements(self, project: Project) -> list[str]:
        """The project's hand-written requirement files a user may take for a lock."""
        return self._lock_index.hand_written(project)

    def project_profile(self, project: Project) -> Profile:
        """Service or library, for one project (the config's `profile` wins)."""
        if self.declared_profile is not None:
            return configured(self.declared_profile, self.config_source)
        return self._once("profile", project.path, lambda _: project_profile(project, self.toml))

    @cached_property
    def profile(self) -> Profile:
        """The repository's profile: a service when any project is one."""
        if self.declared_profile is not None:
            return configured(self.declared_profile, self.config_source)
        return repository_profile(self.project_profile(p) for p in self.projects)

    def toml(self, path: str) -> dict[str, Any] | None:
        """Parsed TOML (tomli); None and a UDEF000 note when malformed."""
        return self._once("toml", path, self._load_toml)

    def _load_toml(self, path: str) -> dict[str, Any] | None:
        data = self.read_bytes(path)
        if data is None:
            return None
        try:
            return load_toml(data)
        except TomlError as exc:
            self.unparseable(path, f"invalid TOML: {exc}")
            return None

    def toml_lines(self, path: str) -> dict[tuple[str, ...], int]:
        """The first line defining each table and key path of a TOML file (parsers/toml_lines.py;
        empty when unreadable)."""
        from udef_audit.parsers.toml_lines import toml_line_index  # noqa: PLC0415
        return self._once("toml-lines", path, lambda p: toml_line_index(self.text(p) or ""))

    def ini(self, path: str) -> IniDocument | None:
        """An INI file read as configparser reads it, with its lines; None and a UDEF000
        note when configparser would reject it."""
        return self._once("ini", path, self._load_ini)

    def _load_ini(self, path: str) -> IniDocument | None:
        from udef_audit.parsers.ini_file import IniError, parse_ini  # noqa: PLC0415
        text = self.text(path)
        if text is None:
            return None
        try:
            return parse_ini(text)
        except IniError as exc:
            self.unparseable(path, f"invalid INI syntax: {exc}")
            return None

    def tool_configs(self, folder: str, tool: str) -> ToolConfigs:
        """The configurations of a tool (pytest, mypy, ruff, coverage, flake8, isort) in a
        folder ("" for the root), in the order the tool reads them: `.read` is the one it
        uses, `.ignored` those it never reads (tool_configs.py)."""
        from udef_audit.tool_configs import tool_configs  # noqa: PLC0415
        return self._once("tool-configs", f"{folder}\0{tool}", lambda _: tool_configs(self, folder, tool))

    def tool_config_at(self, folder: str, tool: str) -> ToolConfig | None:
        """The configuration a tool run in `folder` reads: the folder's own (`tool_configs`),
        else for pytest, mypy, ruff and flake8, which search upward, the nearest one above."""
        from udef_audit.tool_configs import nearest_config  # noqa: PLC0415

        return nearest_config(lambda where: self.tool_configs(where, tool), folder, tool)

    def tool_config_file(self, path: str, tool: str) -> ToolConfig | None:
        """The configuration of a tool in a file its command line names (`mypy
        --config-file=PATH`, `coverage run --rcfile=PATH`); None when the file holds none
        (mypy and coverage are supported)."""
        from udef_audit.tool_configs import config_in_file  # noqa: PLC0415
        return self._once("tool-config-file", f"{path}\0{tool}", lambda _: config_in_file(self, tool, path))

    def requirements(self, path: str) -> RequirementsFile | None:
        """A parsed requirement file (lock or source); None when unreadable."""
        return self._once("requirements", path, self._load_requirements)

    def _load_requirements(self, path: str) -> RequirementsFile | None:
        data = self.read_bytes(path)
        if data is None:
            return None
        parsed = parse_requirements(data)
        if parsed.truncated:
            self.unparseable(path, f"more than {MAX_REQUIREMENT_LINES} requirement lines; only those were read")
        return parsed

    def lock_contents(self, path: str) -> LockContents | None:
        """What a lock pins (any format UDEF013 reads); None for a lock that cannot be read
        (a UDEF000 note says why) or whose format no parser reads (`conda-lock.yml`)."""
        return self._once("lock", path, self._load_lock)

    def _load_lock(self, path: str) -> LockContents | None:
        from udef_audit.parsers.locks import lock_format  # noqa: PLC0415
        contents = self._parse_lock(path, lock_format(path))
        if contents is not None and contents.problem is not None:
            self.unparseable(path, contents.problem)
            return None
        return contents

    def _parse_lock(self, path: str, form: str | None) -> LockContents | None:
        """The lock parsed by its format, from the view the context already holds."""
        from udef_audit.parsers.locks import pipfile_lock, requirements_lock, table_lock, uv_lock  # noqa: PLC0415
        if form == "requirements":
            parsed = self.requirements(path)
            # A truncated lock would name false absences: it is a UDEF000 note instead.
            return None if parsed is None or parsed.truncated else requirements_lock(parsed)
        if form == "Pipfile.lock":
            text = self.text(path)
            return None if text is None else pipfile_lock(text)
        data = self.toml(path) if form is not None else None
        if data is None:
            return None
        return uv_lock(data) if form == "uv.lock" else table_lock(data, str(form))

    def yaml(self, path: str) -> Any:
        """Parsed YAML (safe C loader, YAML 1.2 booleans); None and a note when malformed."""
        document = self.yaml_document(path)
        return None if document is None else document.data

    def yaml_document(self, path: str) -> YamlDocument | None:
        """The parsed YAML with its node tree (for line numbers); None and a note when
        malformed. The same parse as `yaml(path)`: a file is parsed once."""
        return self._once("yaml", path, self._load_yaml)

    def _load_yaml(self, path: str) -> YamlDocument | None:
        from udef_audit.parsers.yaml_file import YamlError, load_yaml_document  # noqa: PLC0415

        text = self.text(path)
        if text is None:
            return None
        try:
            return load_yaml_document(text)
        except YamlError as exc:
            self.unparseable(path, f"invalid YAML: {exc}")
            return None

    def json_document(self, path: str) -> JsonDocument | None:
        """Parsed JSON with the line of each value; None and a UDEF000 note when malformed."""
        return self._once("json", path, self._load_json)

    def _load_json(self, path: str) -> JsonDocument | None:
        from udef_audit.parsers.json_file import JsonError, load_json  # noqa: PLC0415

        data = self.read_bytes(path)
        if data is None:
            return None
        try:
            return load_json(data)
        except JsonError as exc:
            self.unparseable(path, f"invalid JSON: {exc}")
            return None

    def dockerfile(self, path: str) -> Dockerfile | None:
        """The Dockerfile model with its stage graph (parsing never fails)."""
        return self._once("dockerfile", path, self._load_dockerfile)

    def _load_dockerfile(self, path: str) -> Dockerfile | None:
        from udef_audit.parsers.dockerfile import parse_dockerfile  # noqa: PLC0415

        text = self.text(path)
        return None if text is None else parse_dockerfile(text.encode("utf-8"))

    @cached_property
    def docker_images(self) -> DockerImages:
        """The Dockerfiles in scope with their test and runtime stages and the pairing of a
        separate test Dockerfile with its sibling (UDEF004's classification, shared by the
        container rules). Listing them reads nothing; each file is parsed when first asked."""
        from udef_audit.docker_images import DockerImages  # noqa: PLC0415

        # A weak reference: were the model to hold the context, the cycle would keep every
        # parsed file (ASTs included) alive until a full collection, which costs 0.6 s of
        # garbage collection on sympy. (`context.dockerfile` itself would be a bound method
        # of the real context, hence the lambda.)
        context = weakref.proxy(self)
        return DockerImages(self.files, lambda path: context.dockerfile(path))  # noqa: PLW0108

    def setup_declarations(self, path: str) -> tuple[Declaration, ...] | None:
        """Dependency declarations of a `setup.py` (from its ast) or `setup.cfg` (INI); None
        when the file cannot be read or parsed (a UDEF000 note says why)."""
        return self._once("setup", path, self._load_setup)

    def _load_setup(self, path: str) -> tuple[Declaration, ...] | None:
        from udef_audit.parsers.setup_files import declarations_in_ini, declarations_in_module  # noqa: PLC0415
        if path.endswith(".py"):
            module = self.python_module(path)
            return None if module is None else declarations_in_module(module)
        document = self.ini(path)
        return None if document is None else declarations_in_ini(document)

    @cached_property
    def commands(self) -> Commands:
        """What the repository runs (CI steps, scripts, Makefiles, tox, nox, Dockerfiles,
        install instructions): one model for every rule, each file parsed on first use."""
        from udef_audit.commands import Commands  # noqa: PLC0415

        return Commands(self)

    def save_caches(self) -> None:
        """Write what this audit learnt about suppression markers (entries of blobs still
        in the tree are kept)."""
        if "_hint_cache" in self.__dict__:
            self._hint_cache.save(set(self.inventory.blob_ids.values()))
        if "_markdown_cache" in self.__dict__:
            self._markdown_cache.save(self._markdown_keys)
