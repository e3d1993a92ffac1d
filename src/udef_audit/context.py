"""The repository context: built once per audit, shared by every rule.

Rules see the repository only through this object. Each file is read at most once and each
artefact (TOML, YAML, Dockerfile, Python) parsed at most once per audit; a file that
cannot be read or parsed becomes one UDEF000 note, and the rules that wanted it skip it.
"""

from __future__ import annotations

import ast
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

from udef_audit.cache import FactsCache, content_key
from udef_audit.findings import Finding
from udef_audit.inventory import Inventory
from udef_audit.parsers.requirements import MAX_REQUIREMENT_LINES, RequirementsFile, parse_requirements
from udef_audit.parsers.toml_file import TomlError, load_toml
from udef_audit.profiles import Profile, configured, project_profile, repository_profile
from udef_audit.projects import Project, find_projects, is_test_file
from udef_audit.safe_read import NOT_REGULAR, UnreadableFile, read_regular_file, regular_file_size
from udef_audit.suppression import MARKER, InlineIgnore, find_suppressions

if TYPE_CHECKING:
    from udef_audit.commands import Commands
    from udef_audit.docker_images import DockerImages
    from udef_audit.documents import PathIndex, PathKind, SpecIndex
    from udef_audit.locks import Lock, LockIndex
    from udef_audit.parsers.dockerfile import Dockerfile
    from udef_audit.parsers.ini_file import IniDocument
    from udef_audit.parsers.json_file import JsonDocument
    from udef_audit.parsers.locks import LockContents
    from udef_audit.parsers.markdown_links import MarkdownDoc
    from udef_audit.parsers.python_facts import Complexity, FunctionComplexity, PythonFacts
    from udef_audit.parsers.python_lexer import Regions
    from udef_audit.parsers.requirement_refs import Reference
    from udef_audit.parsers.setup_files import Declaration
    from udef_audit.parsers.spec_docs import Requirement, Task
    from udef_audit.parsers.yaml_file import YamlDocument
    from udef_audit.tool_configs import ToolConfig, ToolConfigs

# Parsers with heavy imports (dockerfile-parse, the Python scanner) are imported where
# they are first used: a pre-commit run on three files should not pay for all of them.

UNPARSEABLE = "UDEF000"
T = TypeVar("T")


class RepoContext:
    """What rules read: the inventory, projects, and lazily parsed artefacts."""

    def __init__(
        self,
        inventory: Inventory,
        *,
        max_file_size: int = 5_000_000,
        project_roots: Sequence[str] = (),
        use_cache: bool = True,
        workers: int | None = None,
        profile: str | None = None,
        phase: int | None = None,
        preread: Mapping[str, bytes] | None = None,
        config_source: str = "defaults",
    ) -> None:
        """Everything is fixed here, once: the files in scope (excludes already applied by
        the inventory), the size limit, project roots, and the profile and phase the config
        declares. `preread` hands over bytes read before the context existed (the config's
        pyproject.toml), so no file is read twice."""
        self.inventory = inventory
        self.root = inventory.root
        self.files = inventory.files
        self.file_set = frozenset(inventory.files)
        self.max_file_size = max_file_size
        self.project_roots = tuple(project_roots)
        self.use_cache = use_cache
        self.workers = workers
        self.declared_profile = profile
        self.phase = phase
        self.config_source = config_source
        self.diagnostics: list[Finding] = []
        self._preread = {k: v for k, v in (preread or {}).items() if k in self.file_set}
        self._bytes: dict[str, bytes | None] = {}
        self._parsed: dict[tuple[str, str], Any] = {}
        self._reported: set[str] = set()
        self._suppression_hint: dict[str, bool] = {}
        # Every path whose content something asked for (bytes, size or content key), in
        # first-asked order: the rule cache (rule_cache.py) keys a rule's results by the
        # content of the files read up to its end, so no memoised artefact escapes it.
        self.read_log: dict[str, None] = {}
        self._markdown_keys: set[str] = set()

    # -- the inventory -----------------------------------------------------------------
    @property
    def is_git(self) -> bool:
        """Whether the files came from a git work tree."""
        return self.inventory.is_git

    @property
    def tracked_files(self) -> tuple[str, ...]:
        """Every path in the git index (sorted), whatever the skip list and excludes say:
        for rules about what should never be tracked. Empty outside a git work tree."""
        return self.inventory.tracked

    def exists(self, path: str) -> bool:
        """Whether a posix relative path is in scope."""
        return path in self.file_set

    def matching(self, predicate: Callable[[str], bool]) -> list[str]:
        """In-scope paths for which the predicate holds, in order."""
        return [f for f in self.files if predicate(f)]

    def named(self, *names: str) -> list[str]:
        """In-scope paths whose file name is one of `names`."""
        wanted = set(names)
        return [f for f in self.files if f.rpartition("/")[2] in wanted]

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

    # -- reading -----------------------------------------------------------------------
    def read_bytes(self, path: str) -> bytes | None:
        """The file's bytes, read once; None (and a UDEF000 note) when unreadable."""
        self.read_log[path] = None
        if path not in self._bytes:
            self._bytes[path] = self._read(path)
        return self._bytes[path]

    def _read(self, path: str) -> bytes | None:
        if path in self._preread:
            return self._preread.pop(path)
        try:
            return read_regular_file(self.root, path, self.max_file_size)
        except UnreadableFile as exc:
            if str(exc) != NOT_REGULAR:  # a fifo or socket: nothing to say
                self.unparseable(path, str(exc))
            return None

    def file_size(self, path: str) -> int | None:
        """The size of an in-scope regular file (from the bytes when already read), reached
        without a symlink in any component; None when it is not one."""
        self.read_log[path] = None
        if self._bytes.get(path) is not None:
            return len(self._bytes[path] or b"")
        return regular_file_size(self.root, path) if path in self.file_set else None

    def text(self, path: str) -> str | None:
        """The file decoded as UTF-8 (BOM allowed); None and a UDEF000 note otherwise."""
        return self._once("text", path, self._decode)

    def _decode(self, path: str) -> str | None:
        data = self.read_bytes(path)
        if data is None:
            return None
        if b"\0" in data:
            self.unparseable(path, "binary file (NUL bytes)")
            return None
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            self.unparseable(path, f"not UTF-8 (byte {exc.start})")
            return None

    def lines(self, path: str) -> list[str]:
        """The file's lines (empty when unreadable), split once."""
        return self._once("lines", path, self._split_lines)

    def _split_lines(self, path: str) -> list[str]:
        # Split on "\n" only: str.splitlines() also breaks at \f, \v, \x85, \u2028..., which
        # would make our line numbers disagree with git, GitHub and the parsers.
        text = self.text(path) or ""
        lines = [line.removesuffix("\r") for line in text.split("\n")]
        return lines[:-1] if lines and lines[-1] == "" else lines

    # -- parsed artefacts --------------------------------------------------------------
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

    def python_regions(self, path: str) -> Regions | None:
        """Where a Python file's comments and strings are (character offsets into
        `text(path)`), from the scanner's lexer, or from `tokenize` where the lexer cannot
        follow the file; None when the file cannot be decoded."""
        return self._once("regions", path, self._lex)

    def _lex(self, path: str) -> Regions | None:
        from udef_audit.parsers.python_lexer import LineIndex, lex_regions, tokenize_regions  # noqa: PLC0415

        text = self.text(path)
        if text is None:
            return None
        regions = lex_regions(text)
        return (tokenize_regions(text, LineIndex(text)) or regions) if regions.anomalous else regions

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

    def python_module(self, path: str) -> ast.Module | None:
        """The `ast` of a Python file, for rules that read declarations (setup.py)."""
        return self._once("ast", path, self._load_module)

    def _load_module(self, path: str) -> ast.Module | None:
        from udef_audit.parsers.python_source import check_syntax, parse_module  # noqa: PLC0415

        data = self.read_bytes(path)
        if data is None:
            return None
        module = parse_module(data)
        if module is None:
            # Newer syntax that libcst accepts is no error; check_syntax says which it is.
            reason = check_syntax(data)
            if reason is not None:
                self.unparseable(path, reason)
        return module

    def python_facts(
        self, paths: Iterable[str] | None = None, words: Sequence[str] = ("TODO", "FIXME", "XXX")
    ) -> dict[str, PythonFacts]:
        """Placeholder, NotImplementedError and pip-call facts for Python files.

        All Python files in scope by default. Facts are cached on disk by file content and
        tool version, computed in parallel for the files the cache does not know, and
        reported once as UDEF000 when a file is unparseable.
        """
        wanted = [p for p in (self.python_files if paths is None else paths)]
        key = ("facts", "|".join(words))
        known: dict[str, PythonFacts] = self._parsed.setdefault(key, {})
        missing = [p for p in wanted if p not in known]
        if missing:
            known.update(self._compute_facts(missing, tuple(words)))
        return {p: known[p] for p in wanted if p in known}

    @cached_property
    def python_files(self) -> list[str]:
        """In-scope `*.py` (and `*.pyi`) files."""
        return [f for f in self.files if f.endswith((".py", ".pyi"))]

    def _compute_facts(self, paths: list[str], words: tuple[str, ...]) -> dict[str, PythonFacts]:
        from udef_audit.parsers.python_source import scan_many  # noqa: PLC0415

        settings = f"{'|'.join(words)}|{self.max_file_size}"
        cache = FactsCache(self.root, "python-facts-v4", settings, enabled=self.use_cache)
        keys = {path: key for path in paths if (key := self._cache_key(path)) is not None}
        result, todo = self._from_cache(keys, cache)
        for path, facts in scan_many(todo, words=words, workers=self.workers).items():
            result[path] = facts
            cache.put(keys[path], {"f": facts.to_dict(), "u": self.mentions_suppression(path)})
        cache.save(set(cache.entries) if len(paths) < len(self.python_files) else set(keys.values()))
        for path, facts in result.items():
            if facts.error:
                self.unparseable(path, facts.error)
        return result

    def complexity(self, paths: Iterable[str]) -> dict[str, tuple[FunctionComplexity, ...]]:
        """The McCabe complexity of every function (methods and nested functions included,
        in source order) of the given Python files, counted from their `ast` as radon does.

        Cached on disk by file content like the facts, computed in worker processes for the
        files the cache does not know; a file that cannot be read or parsed gets a UDEF000
        note and no entry.
        """
        wanted = list(paths)
        known: dict[str, tuple[FunctionComplexity, ...]] = self._parsed.setdefault(("complexity", ""), {})
        missing = [p for p in dict.fromkeys(wanted) if p not in known]
        if missing:
            known.update(self._compute_complexity(missing))
        return {p: known[p] for p in wanted if p in known}

    def _compute_complexity(self, paths: list[str]) -> dict[str, tuple[FunctionComplexity, ...]]:
        cache = FactsCache(self.root, "python-complexity-v1", str(self.max_file_size), enabled=self.use_cache)
        keys = {path: key for path in paths if (key := self._cache_key(path)) is not None}
        measured, todo = self._complexity_from_cache(keys, cache)
        if todo:
            measured.update(self._measure_complexity(todo, keys, cache))
        cache.save(set(cache.entries) if len(paths) < len(self.python_files) else set(keys.values()))
        for path, found in measured.items():
            if found.error is not None:
                self.unparseable(path, found.error)
        return {path: found.functions for path, found in measured.items() if found.error is None}

    def _measure_complexity(
        self, todo: list[tuple[str, bytes]], keys: dict[str, str], cache: FactsCache
    ) -> dict[str, Complexity]:
        """Measure the files the cache does not know (in worker processes), and remember them."""
        from udef_audit.parsers.python_source import complexity_many  # noqa: PLC0415

        fresh = complexity_many(todo, workers=self.workers)
        for path, found in fresh.items():
            cache.put(keys[path], found.to_dict())
        return fresh

    def _complexity_from_cache(
        self, keys: dict[str, str], cache: FactsCache
    ) -> tuple[dict[str, Complexity], list[tuple[str, bytes]]]:
        """Complexity the cache knows, and the (path, bytes) still to measure."""
        from udef_audit.parsers.python_facts import Complexity  # noqa: PLC0415

        known: dict[str, Complexity] = {}
        todo: list[tuple[str, bytes]] = []
        for path, key in keys.items():
            try:
                known[path] = Complexity.from_dict(cache.get(key))
            except (KeyError, TypeError, ValueError):  # not cached, or malformed
                data = self.read_bytes(path)
                if data is not None:
                    todo.append((path, data))
        return known, todo

    def _from_cache(
        self, keys: dict[str, str], cache: FactsCache
    ) -> tuple[dict[str, PythonFacts], list[tuple[str, bytes]]]:
        """Facts the cache knows, and the (path, bytes) still to scan."""
        from udef_audit.parsers.python_facts import PythonFacts  # noqa: PLC0415

        known: dict[str, PythonFacts] = {}
        todo: list[tuple[str, bytes]] = []
        for path, key in keys.items():
            cached = cache.get(key)
            if isinstance(cached, dict) and "f" in cached:
                known[path] = PythonFacts.from_dict(cached["f"])
                self._suppression_hint[path] = bool(cached.get("u", True))
            elif (data := self.read_bytes(path)) is not None:
                todo.append((path, data))
        return known, todo

    def _cache_key(self, path: str) -> str | None:
        """The content key: git's blob id for a clean tracked file (no read needed), else a
        digest of the bytes; None when the file cannot be read."""
        self.read_log[path] = None
        blob = self.inventory.blob_ids.get(path)
        if blob is not None:
            return f"git:{blob}"
        data = self.read_bytes(path)
        return None if data is None else content_key(data)

    def mentions_suppression(self, path: str) -> bool:
        """Whether the file contains `udef:` at all (cheap, and cached with the facts). Asking
        never adds a UDEF000 note: a file too large or unreadable holds no suppression."""
        if path not in self._suppression_hint:
            self._suppression_hint[path] = self._hint(path)
        return self._suppression_hint[path]

    # -- documents: specifications, test references, Markdown links -------------------
    @cached_property
    def docs_folder(self) -> str | None:
        """`docs` when it holds a file, else `doc`, else None."""
        from udef_audit.documents import docs_folder  # noqa: PLC0415
        return docs_folder(self.files)

    @cached_property
    def spec_index(self) -> SpecIndex:
        """The specification documents of `<docs folder>/design/` (names only)."""
        from udef_audit.documents import build_spec_index  # noqa: PLC0415
        return build_spec_index(self.files, self.docs_folder)

    def requirements_in(self, path: str) -> tuple[Requirement, ...] | None:
        """The requirement definitions of a requirements document; None when unreadable."""
        from udef_audit.parsers.spec_docs import parse_requirement_definitions  # noqa: PLC0415
        return self._once("requirement-ids", path, lambda p: self._spec_entries(p, parse_requirement_definitions))

    def tasks_in(self, path: str) -> tuple[Task, ...] | None:
        """The task entries of a tasks document; None when unreadable."""
        from udef_audit.parsers.spec_docs import parse_task_entries  # noqa: PLC0415
        return self._once("task-ids", path, lambda p: self._spec_entries(p, parse_task_entries))

    def _spec_entries(self, path: str, parse: Callable[[Sequence[str], str], tuple[T, ...]]) -> tuple[T, ...] | None:
        return None if self.text(path) is None else parse(self.lines(path), path.rpartition("/")[2])

    @cached_property
    def test_files(self) -> list[str]:
        """UDEF012's test files, in path order."""
        return [f for f in self.files if is_test_file(f)]

    def requirement_references(self) -> dict[str, tuple[Reference, ...]]:
        """Test file -> the requirement IDs it mentions (files mentioning none are left out).

        Cached on disk by file content like the Python facts, behind a byte prefilter; a
        rule asks only when requirement documents define IDs, so other repositories pay
        nothing."""
        return self._once("requirement-references", "", lambda _: self._scan_references())

    def _scan_references(self) -> dict[str, tuple[Reference, ...]]:
        from udef_audit.parsers.requirement_refs import find_references  # noqa: PLC0415
        cache = FactsCache(self.root, "requirement-refs-v1", str(self.max_file_size), enabled=self.use_cache)
        keys = {path: key for path in self.test_files if (key := self._cache_key(path)) is not None}
        found: dict[str, tuple[Reference, ...]] = {}
        for path, key in keys.items():
            references = _cached_references(cache.get(key))
            if references is None:
                data = self.read_bytes(path)
                references = () if data is None else find_references(data)
                cache.put(key, [r.to_dict() for r in references])
            if references:
                found[path] = references
        cache.save(set(keys.values()))
        return found

    def markdown(self, path: str) -> MarkdownDoc | None:
        """A Markdown file's links and anchors; None (and a UDEF000 note) when unreadable
        or too large. A file whose link parsing ran out of budget is returned (what was
        found before is right) with a note that the rest was not checked."""
        return self._once("markdown", path, self._load_markdown)

    def _load_markdown(self, path: str) -> MarkdownDoc | None:
        from udef_audit.parsers.markdown_links import MarkdownDoc, MarkdownTooLarge, parse_markdown  # noqa: PLC0415

        key = self._cache_key(path)
        try:
            doc = MarkdownDoc.from_dict(self._markdown_cache.get(key)) if key is not None else None
        except (KeyError, TypeError, ValueError):  # not cached, or malformed
            doc = None
        if doc is None:
            text = self.text(path)
            if text is None:
                return None
            try:
                doc = parse_markdown(text)
            except MarkdownTooLarge as exc:
                self.unparseable(path, f"too large for the Markdown parser ({exc})")
                return None
            if key is not None:
                self._markdown_cache.put(key, doc.to_dict())
        if key is not None:
            self._markdown_keys.add(key)
        if doc.truncated:
            self.unparseable(path, "pathological Markdown (link parsing stopped early; the rest is not checked)")
        return doc

    @cached_property
    def _markdown_cache(self) -> FactsCache:
        """Markdown links and anchors by content (markdown-it costs 20 ms a file)."""
        return FactsCache(self.root, "markdown-v1", str(self.max_file_size), enabled=self.use_cache)

    @cached_property
    def path_index(self) -> PathIndex:
        """Every path the repository lists, in scope or left out, and their folders."""
        from udef_audit.documents import PathIndex  # noqa: PLC0415
        return PathIndex(self.files, self.inventory.left_out, self.inventory.skipped_symlinks)

    def path_kind(self, path: str) -> PathKind | None:
        """Whether a repository-relative path names a listed file, a folder, or nothing
        (files left out of the audit's scope count: they exist; none is ever read)."""
        return self.path_index.kind(path)

    @cached_property
    def commands(self) -> Commands:
        """What the repository runs (CI steps, scripts, Makefiles, tox, nox, Dockerfiles,
        install instructions): one model for every rule, each file parsed on first use."""
        from udef_audit.commands import Commands  # noqa: PLC0415

        return Commands(self)

    def _quiet_bytes(self, path: str) -> bytes | None:
        """The bytes of a file no rule may have needed: read once and kept like any other,
        but a file over the size limit or unreadable is None without a note (the rules that
        need it report it when they ask). Not a read a rule made: not in `read_log`."""
        if path in self._bytes:
            return self._bytes[path]
        if path in self._preread:
            data = self._preread.pop(path)
            self._bytes[path] = data
            return data
        size = regular_file_size(self.root, path) if path in self.file_set else None
        if size is None or size > self.max_file_size:
            return None
        try:
            data = read_regular_file(self.root, path, self.max_file_size)
        except UnreadableFile:
            return None
        self._bytes[path] = data
        return data

    def current_content_key(self, path: str) -> str:
        """What a path holds now, as the rule cache compares it: git's blob id for a clean
        tracked file, else a digest of its bytes, else why it cannot be read. Quiet: asking
        adds no UDEF000 note (a rule that reads the file reports it)."""
        blob = self.inventory.blob_ids.get(path)
        if blob is not None:
            return f"git:{blob}"
        data = self._bytes.get(path)
        if data is None:
            try:
                data = read_regular_file(self.root, path, self.max_file_size)
            except UnreadableFile as exc:
                return f"!{exc}"
        return content_key(data)

    @cached_property
    def _hint_cache(self) -> FactsCache:
        return FactsCache(self.root, "suppression-hints-v1", "", enabled=self.use_cache)

    def _hint(self, path: str) -> bool:
        """Whether the bytes hold `udef:`: from the cache for a clean tracked file (its blob
        id names the content, so nothing is read), else from the bytes."""
        blob = self.inventory.blob_ids.get(path)
        cached = self._hint_cache.get(blob) if blob is not None else None
        if isinstance(cached, bool):
            return cached
        data = self._quiet_bytes(path)
        found = data is not None and MARKER in data
        if blob is not None:
            self._hint_cache.put(blob, found)
        return found

    def save_caches(self) -> None:
        """Write what this audit learnt about suppression markers (entries of blobs still
        in the tree are kept)."""
        if "_hint_cache" in self.__dict__:
            self._hint_cache.save(set(self.inventory.blob_ids.values()))
        if "_markdown_cache" in self.__dict__:
            self._markdown_cache.save(self._markdown_keys)

    def suppressions(self, path: str) -> Mapping[int, InlineIgnore]:
        """Line -> the inline `udef: ignore[...]` comment on it (suppression.py): empty for
        every file without `udef:` in its bytes, which is almost every file."""
        return self._once("suppressions", path, self._load_suppressions)

    def _load_suppressions(self, path: str) -> Mapping[int, InlineIgnore]:
        if not self.exists(path) or not self.mentions_suppression(path):
            return {}
        data = self._quiet_bytes(path)
        if data is None or b"\0" in data:
            return {}
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return {}
        return find_suppressions(path, text)

    # -- diagnostics -------------------------------------------------------------------
    def unparseable(self, path: str, reason: str, line: int = 1) -> None:
        """Record a UDEF000 note for a file (once per file)."""
        if path in self._reported:
            return
        self._reported.add(path)
        self.diagnostics.append(
            Finding(
                rule_id=UNPARSEABLE,
                path=path,
                line=line,
                message=f"{path} could not be read or parsed: {reason}; results that needed it are missing.",
                key=reason.split(" (", maxsplit=1)[0],
            )
        )

    def replay_diagnostics(self, notes: Iterable[Finding]) -> None:
        """UDEF000 notes a cached rule reported last time, added as if it had just run
        (still once per file)."""
        for note in notes:
            if note.path not in self._reported:
                self._reported.add(note.path)
                self.diagnostics.append(note)

    def _once(self, kind: str, path: str, load: Callable[[str], T]) -> T:
        """Memoise one artefact per (kind, path): the at-most-once guarantee lives here."""
        key = (kind, path)
        if key not in self._parsed:
            self._parsed[key] = load(path)
        value: T = self._parsed[key]
        return value


def _cached_references(cached: Any) -> tuple[Reference, ...] | None:
    """References from a cache entry; None when the entry is missing or malformed."""
    from udef_audit.parsers.requirement_refs import Reference  # noqa: PLC0415
    if not isinstance(cached, list):
        return None
    try:
        return tuple(Reference.from_dict(entry) for entry in cached)
    except (KeyError, TypeError, ValueError):
        return None
