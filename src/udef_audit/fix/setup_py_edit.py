"""Removing keyword arguments from a setup.py's `setup(...)` call with libcst, which keeps
every other byte of the file (comments, quotes, layout) as written.

When the last argument goes, the argument before it takes its comma's trailing whitespace,
so the closing parenthesis stays where it was."""

from __future__ import annotations

import libcst as cst

from udef_audit.fix.tree import FixRefused


class _Remover(cst.CSTTransformer):
    def __init__(self, keys: set[str]) -> None:
        super().__init__()
        self.keys = keys
        self.removed = 0

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        if _callee(updated_node.func) != "setup":
            return updated_node
        args = list(updated_node.args)
        kept = [a for a in args if not (a.keyword is not None and a.keyword.value in self.keys)]
        self.removed += len(args) - len(kept)
        if kept and args and kept[-1] is not args[-1]:
            kept[-1] = kept[-1].with_changes(comma=_last_comma(kept[-1], args[-1]))
        return updated_node.with_changes(args=kept)


def _callee(func: cst.BaseExpression) -> str:
    if isinstance(func, cst.Name):
        return func.value
    return func.attr.value if isinstance(func, cst.Attribute) else ""


def _last_comma(new_last: cst.Arg, old_last: cst.Arg) -> cst.Comma | cst.MaybeSentinel:
    """The comma the new last argument ends with: the removed last one's (its trailing
    comma and the line break before `)`), or none when it had none."""
    if isinstance(old_last.comma, cst.Comma):
        return old_last.comma
    return cst.MaybeSentinel.DEFAULT if isinstance(new_last.comma, cst.Comma) else new_last.comma


def without_setup_arguments(text: str, keys: set[str]) -> str:
    """The module with the `keys` arguments of its setup() call removed."""
    try:
        module = cst.parse_module(text)
    except Exception as exc:  # libcst raises more than its ParserSyntaxError (LibCST #1061)
        raise FixRefused(f"libcst cannot read the file: {type(exc).__name__}") from None
    remover = _Remover(keys)
    result = module.visit(remover)
    if remover.removed != len(keys):
        raise FixRefused("the setup() arguments could not all be found")
    return result.code
