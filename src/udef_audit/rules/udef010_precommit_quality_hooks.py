"""UDEF010 precommit-quality-hooks: pre-commit blocks placeholders, lints with ruff and runs
mypy in strict mode."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, ClassVar

from udef_audit.context import RepoContext
from udef_audit.findings import Finding
from udef_audit.parsers.precommit import Hook, PrecommitConfig, precommit_config, pygrep_catches, tool_argv
from udef_audit.tool_settings import (
    config_file_option,
    mypy_strictness,
    option_values,
    ruff_command_selection,
    ruff_enables,
)

CONFIG_NAMES = (".pre-commit-config.yaml", ".pre-commit-config.yml")
# ruff's subcommands other than `check` (`ruff <paths>` is the old spelling of `ruff check`).
_RUFF_SUBCOMMANDS = frozenset(
    {"format", "rule", "config", "linter", "clean", "version", "help", "server", "analyze", "generate-shell-completion"}
)
_RUFF_HOOK_IDS = frozenset({"ruff", "ruff-check"})
_UDEF_AUDIT_HOOK_IDS = frozenset({"udef-audit", "udef-audit-files"})
# ruff's flake8-fixme rules, by the word each flags.
_FIX_CODES = {"FIXME": "FIX001", "TODO": "FIX002", "XXX": "FIX003", "HACK": "FIX004"}


class PrecommitQualityHooks:
    """Reads the repository's `.pre-commit-config.yaml` (or `.yml`) and looks for the three
    hooks the methodology's configuration has: a placeholder blocker (a `pygrep` hook whose
    pattern, run with RE2, catches the placeholder words; a udef-audit hook; or ruff with
    its FIX rules selected), ruff as a linter, and mypy in strict mode (`--strict` on its
    command line, or `strict = true` in the mypy configuration it reads from the root)."""

    id: ClassVar[str] = "UDEF010"

    def check(self, ctx: RepoContext, params: Mapping[str, Any]) -> Iterator[Finding]:
        if not ctx.is_python_repository:
            return
        path = next((name for name in CONFIG_NAMES if ctx.exists(name)), None)
        if path is None:
            yield from self._no_config(ctx)
            return
        document = ctx.yaml_document(path)
        config = None if document is None else precommit_config(document)
        if document is not None and config is None:
            ctx.unparseable(path, "not a pre-commit configuration (no mapping with `repos:`)")
        if config is not None:  # else a UDEF000 note says why
            yield from self._missing(ctx, path, config, params)

    def _no_config(self, ctx: RepoContext) -> Iterator[Finding]:
        linked = [name for name in CONFIG_NAMES if name in ctx.inventory.skipped_symlinks]
        if linked:
            ctx.unparseable(linked[0], "a symbolic link, never followed")
            return
        anchor = _repository_anchor(ctx)
        if anchor is not None:
            yield self._finding(anchor, 1, _NO_CONFIG, "no pre-commit configuration", "no-config")

    def _missing(
        self, ctx: RepoContext, path: str, config: PrecommitConfig, params: Mapping[str, Any]
    ) -> Iterator[Finding]:
        words = [str(w) for w in params.get("placeholder-words", ["TODO", "FIXME"])]
        if words:
            uncaught, notes = _placeholders_uncaught(ctx, config.hooks, words)
            if uncaught:
                message = _no_blocker_message(path, uncaught, notes)
                yield self._finding(
                    path, config.repos_line, message, "no placeholder blocker", "no-placeholder-blocker"
                )
        if params.get("require-linter", True) and not any(_lints(hook) for hook in config.hooks):
            yield self._finding(path, config.repos_line, _no_linter_message(path), "no linter", "no-linter")
        if params.get("require-strict-mypy", True):
            yield from self._mypy(ctx, path, config)

    def _mypy(self, ctx: RepoContext, path: str, config: PrecommitConfig) -> Iterator[Finding]:
        hooks = [hook for hook in config.hooks if _runs_mypy(hook)]
        if not hooks:
            yield self._finding(path, config.repos_line, _no_mypy_message(path), "no type checker", "no-type-checker")
            return
        verdicts = [(hook, _mypy_strictness(ctx, hook)) for hook in hooks]
        if any(strict for _, (strict, _) in verdicts):
            return
        for hook, (_, source) in verdicts:
            message = _not_strict_message(hook, source)
            yield self._finding(path, hook.line, message, f"mypy not strict {hook.id}", "mypy-not-strict")

    def _finding(self, path: str, line: int, message: str, key: str, kind: str) -> Finding:
        return Finding(rule_id=self.id, path=path, line=line, message=message, key=key, kind=kind)


def _repository_anchor(ctx: RepoContext) -> str | None:
    """The repository-wide anchor, else the first Python file of the root project."""
    if ctx.repository_anchor is not None:
        return ctx.repository_anchor
    return next((f for p in ctx.projects for f in p.own_python), None)


# --- 1. the placeholder blocker ---------------------------------------------------------------


def _placeholders_uncaught(
    ctx: RepoContext, hooks: Sequence[Hook], words: Sequence[str]
) -> tuple[list[str], list[str]]:
    """The words no hook blocks, and what the hooks that tried fall short of."""
    caught: set[str] = set()
    notes: list[str] = []
    for hook in hooks:
        found, note = _blocked_by(ctx, hook, words)
        caught |= found
        if note:
            notes.append(note)
    return [w for w in words if w not in caught], notes


def _blocked_by(ctx: RepoContext, hook: Hook, words: Sequence[str]) -> tuple[set[str], str]:
    """The words a hook blocks, and a note when it blocks fewer than asked."""
    if hook.language == "pygrep" and hook.entry is not None:
        return _pygrep_blocks(hook, hook.entry, words)
    if _runs_udef_audit(hook):
        return set(words), ""
    if not _lints(hook):
        return set(), ""
    selected = _ruff_fix_words(ctx, hook, words)
    missed = [w for w in words if w not in selected]
    # Only a ruff that selects some FIX rules came close; the others are no blockers.
    note = f"{_where(hook)} runs ruff, which selects no FIX rule for {', '.join(missed)}"
    return selected, note if selected and missed else ""


def _pygrep_blocks(hook: Hook, pattern: str, words: Sequence[str]) -> tuple[set[str], str]:
    verdict = pygrep_catches(pattern, hook.args, words)
    if verdict.error is not None:
        return set(), f"{_where(hook)}: its pattern could not be tested, {verdict.error}"
    missed = [w for w in words if w not in verdict.matched]
    # A pattern that matches none of the words is another check (a deprecation grep), not
    # a blocker that came close.
    partial = missed and verdict.matched
    return set(verdict.matched), f"{_where(hook)} does not match {', '.join(missed)}" if partial else ""


def _where(hook: Hook) -> str:
    return f"hook `{hook.id}` (line {hook.line})"


def _runs_udef_audit(hook: Hook) -> bool:
    """A udef-audit hook that runs UDEF006 (no-placeholders)."""
    argv = tool_argv(hook.words()) if hook.entry else [hook.id]
    if hook.id not in _UDEF_AUDIT_HOOK_IDS and (not argv or argv[0] != "udef-audit"):
        return False
    selected = option_values(hook.words(), "--select")
    ignored = option_values(hook.words(), "--ignore")
    wanted = {"UDEF006", "NO-PLACEHOLDERS"}
    return (not selected or bool(wanted & selected)) and not (wanted & ignored)


def _ruff_fix_words(ctx: RepoContext, hook: Hook, words: Sequence[str]) -> set[str]:
    """The words whose FIX rule ruff selects, by its root configuration and the hook's
    `--select`/`--extend-select`/`--ignore` options."""
    select, ignore = ruff_command_selection(ctx.tool_configs("", "ruff").read, hook.words())
    return {w for w in words if w.upper() in _FIX_CODES and ruff_enables(_FIX_CODES[w.upper()], select, ignore)}


# --- 2. the linter, 3. mypy ---------------------------------------------------------------------


def _lints(hook: Hook) -> bool:
    """A hook that runs `ruff check` (the hook ids of ruff-pre-commit, or a local command)."""
    if hook.entry is None:
        return hook.id in _RUFF_HOOK_IDS
    argv = tool_argv(hook.words())
    if not argv or argv[0] != "ruff":
        return False
    return len(argv) == 1 or argv[1] == "check" or argv[1] not in _RUFF_SUBCOMMANDS


def _runs_mypy(hook: Hook) -> bool:
    if hook.entry is None:
        return hook.id == "mypy"
    argv = tool_argv(hook.words())
    return bool(argv) and argv[0] in {"mypy", "dmypy"}


def _mypy_strictness(ctx: RepoContext, hook: Hook) -> tuple[bool, str]:
    """Whether the hook runs mypy strictly, and where the verdict comes from."""
    argv = hook.words()
    if "--strict" in argv:
        return True, "--strict"
    explicit = config_file_option(argv)
    config = ctx.tool_config_file(explicit, "mypy") if explicit else ctx.tool_configs("", "mypy").read
    if config is None:
        where = f"{explicit} (named by --config-file) has no mypy configuration" if explicit else ""
        return False, where or "no mypy configuration at the repository root"
    return mypy_strictness(config)


# --- messages ------------------------------------------------------------------------------------

_NO_CONFIG = (
    "no pre-commit configuration: add .pre-commit-config.yaml with a hook that blocks TODO and "
    "FIXME (a `pygrep` hook), ruff and mypy --strict hooks, then run `pre-commit install`."
)


def _no_blocker_message(path: str, uncaught: Sequence[str], notes: Sequence[str]) -> str:
    details = f" ({'; '.join(notes)})" if notes else ""
    return (
        f"{path} has no hook that blocks {' and '.join(uncaught)}{details}: add a `language: pygrep` hook "
        f"whose entry matches them (for example `entry: '\\b({'|'.join(uncaught)})\\b'`), a udef-audit hook, "
        "or select ruff's FIX rules."
    )


def _no_linter_message(path: str) -> str:
    return (
        f"{path} runs no ruff lint: add the `ruff-check` hook of astral-sh/ruff-pre-commit (or a local "
        "hook running `ruff check`)."
    )


def _no_mypy_message(path: str) -> str:
    return (
        f"{path} runs no mypy: add the `mypy` hook of pre-commit/mirrors-mypy with `args: [--strict]` (or a "
        "local hook running `mypy --strict`)."
    )


def _not_strict_message(hook: Hook, source: str) -> str:
    return (
        f"mypy hook `{hook.id}` runs without strict mode ({source}): add `--strict` to its args, or "
        "`strict = true` to the mypy configuration it reads."
    )
