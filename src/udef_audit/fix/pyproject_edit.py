"""pyproject.toml edited with tomlkit, which keeps every comment, blank line, quote style
and key order it does not touch: the helpers the fixes share."""

from __future__ import annotations

from typing import Any

from udef_audit.fix.text import TextForm
from udef_audit.fix.tree import FixRefused, FixTree


class Pyproject:
    """A project's pyproject.toml as a tomlkit document, written back in its own form."""

    def __init__(self, tree: FixTree, path: str) -> None:
        import tomlkit  # noqa: PLC0415 - only fixes that edit TOML need it
        from tomlkit.exceptions import TOMLKitError  # noqa: PLC0415

        self.tree, self.path = tree, path
        current = tree.read_text(path)
        self.exists = current is not None
        self.original, self.form = current if current is not None else ("", TextForm())
        try:
            self.document = tomlkit.parse(self.original)
        except TOMLKitError as exc:
            raise FixRefused(f"{path} is not TOML tomlkit reads: {exc}") from None
        if tomlkit.dumps(self.document) != self.original:
            raise FixRefused(f"{path} would not be written back as it is; edit it by hand")

    def table(self, *keys: str, create: bool = False) -> Any | None:
        """The (super-)table at `keys` (created, as a normal table, with `create`)."""
        import tomlkit  # noqa: PLC0415

        node: Any = self.document
        for key in keys:
            child = node.get(key)
            if child is None:
                if not create:
                    return None
                child = tomlkit.table(is_super_table=key != keys[-1])
                node[key] = child
            if not isinstance(child, dict):
                raise FixRefused(f"{self.path}: {'.'.join(keys)} is not a table")
            node = child
        return node

    @property
    def backend(self) -> str:
        """The build backend's module (`setuptools.build_meta` when none is declared)."""
        system = self.table("build-system")
        value = system.get("build-backend") if system is not None else None
        return str(value) if isinstance(value, str) else "setuptools.build_meta"

    def save(self) -> bool:
        """Stage the edited file; whether it changed."""
        import tomlkit  # noqa: PLC0415

        text = tomlkit.dumps(self.document)
        if text == self.original:
            return False
        self.tree.write_text(self.path, text, self.form)
        return True
