"""The hooks of `.pre-commit-config.yaml`, as the commands `pre-commit run` (or `prek
run`) runs.

A local hook runs its `entry`; a hook from a hook repository runs what that repository
declares, which is not here: well-known hook ids map to their tool's command (`ruff` is
`ruff check`, `mypy` is `mypy`), any other runs as its id. `args:` follow either way.
Hooks limited to other stages (`stages: [manual]`, `[pre-push]`) do not run on `pre-commit
run` without `--hook-stage`.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

import yaml

from udef_audit.commands.model import PlacedWord, Value
from udef_audit.commands.yaml_nodes import YamlFile, get, sequence, strings, text_of

_KNOWN_HOOKS = {
    "ruff": ("ruff", "check"),
    "ruff-check": ("ruff", "check"),
    "ruff-format": ("ruff", "format"),
    "mypy": ("mypy",),
    "flake8": ("flake8",),
    "black": ("black",),
    "isort": ("isort",),
    "bandit": ("bandit",),
    "pylint": ("pylint",),
    "xenon": ("xenon",),
    "pip-audit": ("pip-audit",),
    "python-safety-dependencies-check": ("safety", "check"),
    "osv-scanner": ("osv-scanner",),
    "pyupgrade": ("pyupgrade",),
    "codespell": ("codespell",),
    "semgrep": ("semgrep",),
    "gitleaks": ("gitleaks", "protect"),
    "detect-secrets": ("detect-secrets-hook",),
}
_COMMIT_STAGES = frozenset({"pre-commit", "commit"})
_PATTERN_LANGUAGES = frozenset({"pygrep", "fail"})


@dataclass(frozen=True)
class Hook:
    """A hook: its id, where it is declared, the words it runs, and its stages."""

    id: str
    path: str
    line: int
    words: tuple[PlacedWord, ...]
    stages: tuple[str, ...] = ()

    @property
    def runs_automatically(self) -> bool:
        """Whether git runs the hook (at commit, push...): not a hook of the manual stage only."""
        return any(stage != "manual" for stage in self.stages) or not self.stages

    def runs_on(self, stage: str | None) -> bool:
        """Whether `pre-commit run` (at `stage`, None: the default) runs the hook."""
        if stage is not None:
            return not self.stages or stage in self.stages
        return not self.stages or bool(_COMMIT_STAGES.intersection(self.stages))


def hooks(file: YamlFile) -> tuple[Hook, ...]:
    """Every hook of the configuration, in file order."""
    found: list[Hook] = []
    for repo in sequence(get(file.root, "repos")):
        for node in sequence(get(repo, "hooks")):
            hook_id = file.value(get(node, "id"))
            if hook_id is not None:
                stages = tuple(text_of(stage) or "" for stage in strings(get(node, "stages")))
                found.append(Hook(hook_id.text, file.path, hook_id.line, _hook_words(file, node, hook_id), stages))
    return tuple(found)


def _hook_words(file: YamlFile, node: yaml.Node, hook_id: Value) -> tuple[PlacedWord, ...]:
    """The command a hook runs: its entry (or its id's tool), then its `args`."""
    words = _entry_words(file, node, hook_id)
    if not words:
        return ()
    args = [_word(text_of(arg) or "", file.value(arg) or hook_id) for arg in strings(get(node, "args"))]
    return (*words, *args)


def _entry_words(file: YamlFile, node: yaml.Node, hook_id: Value) -> list[PlacedWord]:
    if text_of(get(node, "language")) in _PATTERN_LANGUAGES:
        return []  # the entry is a regular expression (or a message), not a command
    entry = file.value(get(node, "entry"))
    if entry is not None:
        try:
            texts = shlex.split(entry.text)
        except ValueError:
            texts = entry.text.split()
        return [_word(text, entry) for text in texts]
    return [_word(text, hook_id) for text in _KNOWN_HOOKS.get(hook_id.text, (hook_id.text,))]


def _word(text: str, place: Value) -> PlacedWord:
    return PlacedWord(text, place.line, place.column)
