"""Known GitHub Actions, as the command each one runs.

A step `uses: astral-sh/ruff-action@v3` runs ruff as surely as `run: ruff check` does; the
rules read both the same way. The words come from the action's documented inputs and
defaults; words taken from an input are placed at that input, the others at `uses:`.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable

from udef_audit.commands.model import PlacedWord, Step, Value

_Words = list[tuple[str, Value]]


class _Action:
    """A step using an action: its inputs, placed words."""

    def __init__(self, step: Step, uses: Value, name: str) -> None:
        self.step = step
        self.uses = uses
        self.name = name

    def split(self, name: str, default: str) -> _Words:
        """The words of input `name` (its default when unset), placed at the input."""
        value = self.step.input(name)
        place = value if value is not None else self.uses
        text = value.text if value is not None else default
        try:
            words = shlex.split(text)
        except ValueError:  # an unbalanced quote: the text is still the words
            words = text.split()
        return [(word, place) for word in words]

    def fixed(self, *words: str) -> _Words:
        """Words the action always runs, placed at `uses:`."""
        return [(word, self.uses) for word in words]


def action_words(step: Step) -> tuple[PlacedWord, ...] | None:
    """The command a known action runs, as words; None for an action this table does not
    know (or a step without `uses`)."""
    if step.uses is None:
        return None
    name = step.uses.text.split("@", 1)[0].strip().lower()
    for prefix, build in _ACTIONS:
        if name == prefix or name.startswith(prefix + "/"):
            words = build(_Action(step, step.uses, name))
            return tuple(PlacedWord(text, value.line, value.column) for text, value in words)
    return None


def _ruff(action: _Action) -> _Words:
    return action.fixed("ruff") + action.split("args", "check") + action.split("src", "")


def _pre_commit(action: _Action) -> _Words:
    fixed = action.fixed("pre-commit", "run", "--show-diff-on-failure", "--color=always")
    return fixed + action.split("extra_args", "--all-files")


def _trivy(action: _Action) -> _Words:
    target = action.split("image-ref", "") or action.split("scan-ref", "")
    return action.fixed("trivy") + action.split("scan-type", "image") + target


def _codeql(action: _Action) -> _Words:
    part = action.name.rsplit("/", 1)[-1] if action.name.count("/") > 1 else "analyze"
    return action.fixed("codeql", part)


def _build_push(action: _Action) -> _Words:
    words = action.fixed("docker", "buildx", "build")
    for option, name in (("--file", "file"), ("--target", "target")):
        value = action.split(name, "")
        if value:
            words += [(option, value[0][1]), *value]
    return words + (action.split("context", "") or action.fixed("."))


_ACTIONS: tuple[tuple[str, Callable[[_Action], _Words]], ...] = (
    ("astral-sh/ruff-action", _ruff),
    ("chartboost/ruff-action", _ruff),
    ("pre-commit/action", _pre_commit),
    ("j178/prek-action", lambda action: action.fixed("prek", "run") + action.split("extra-args", "--all-files")),
    ("aquasecurity/trivy-action", _trivy),
    ("github/codeql-action", _codeql),
    ("actions/dependency-review-action", lambda action: action.fixed("dependency-review")),
    ("docker/build-push-action", _build_push),
    ("pycqa/bandit-action", lambda action: action.fixed("bandit") + action.split("args", "-r .")),
    ("snyk/actions", lambda action: action.fixed("snyk") + action.split("command", "test")),
    ("pypa/gh-action-pip-audit", lambda action: action.fixed("pip-audit")),
    ("anchore/scan-action", lambda action: action.fixed("grype")),
    ("google/osv-scanner-action", lambda action: action.fixed("osv-scanner")),
)
