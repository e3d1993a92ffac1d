"""The repository context's documents: the specification triad, the requirement references of
test files, Markdown links and anchors, and the index of every listed path.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

from udef_audit.cache import FactsCache
from udef_audit.context_files import FileReader
from udef_audit.projects import is_test_file

if TYPE_CHECKING:
    from udef_audit.documents import PathIndex, PathKind, SpecIndex
    from udef_audit.parsers.markdown_links import MarkdownDoc
    from udef_audit.parsers.requirement_refs import Reference
    from udef_audit.parsers.spec_docs import Requirement, Task

T = TypeVar("T")



class Documents(FileReader):
    """What the context knows about documents (specifications, Markdown, paths)."""

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


def _cached_references(cached: Any) -> tuple[Reference, ...] | None:
    """References from a cache entry; None when the entry is missing or malformed."""
    from udef_audit.parsers.requirement_refs import Reference  # noqa: PLC0415
    if not isinstance(cached, list):
        return None
    try:
        return tuple(Reference.from_dict(entry) for entry in cached)
    except (KeyError, TypeError, ValueError):
        return None
