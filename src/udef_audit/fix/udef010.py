"""UDEF010's fix (safe): the missing quality hooks added to `.pre-commit-config.yaml` with
ruamel.yaml's round trip, so its comments, key order, quotes and flow style stay as written;
new repositories are pinned to the revs the rule's parameters name.

ruamel.yaml writes a whole document back with one indentation for mappings and one for
sequences. The fix finds the setting that writes the file back byte for byte, and refuses a
file none reproduces (a file that indents its lists two ways), rather than reformat it; it
also refuses any result that is more than lines added.
"""

from __future__ import annotations

import difflib
import io
import itertools
from collections.abc import Mapping
from typing import Any

from udef_audit.findings import Finding
from udef_audit.fix.registry import Fixed
from udef_audit.fix.tree import FixRefused, FixTree

CONFIG_NAMES = (".pre-commit-config.yaml", ".pre-commit-config.yml")
RUFF_REPO = "https://github.com/astral-sh/ruff-pre-commit"
MYPY_REPO = "https://github.com/pre-commit/mirrors-mypy"
# The methodology's placeholder blocker ("Day 3: Quality Enforcement Setup").
BLOCKER_WORDS = ("TODO", "FIXME", "XXX", "NotImplementedError")
_INDENTS = tuple(itertools.product((2, 4), ((4, 2), (2, 0), (2, 2), (3, 1), (4, 4))))


def add_hook(finding: Finding, tree: FixTree, params: Mapping[str, Any]) -> Fixed:
    """Add the hook the finding's kind says is missing (all three when there is no file)."""
    path = next((name for name in CONFIG_NAMES if tree.exists(name)), None)
    if path is None:
        tree.write_text(CONFIG_NAMES[0], _new_config(params))
        return Fixed(
            f"create {CONFIG_NAMES[0]} with the methodology's hooks",
            ("pre-commit install  # once per clone, so the hooks run on each commit",),
        )
    current = tree.read_text(path)
    assert current is not None  # noqa: S101 - exists() said so
    text, form = current
    yaml, document = _load(text, path)
    added = _ADDERS[finding.kind](document, params)
    buffer = io.StringIO()
    yaml.dump(document, buffer)
    tree.write_text(path, _additions(text, buffer.getvalue(), path), form)
    return Fixed(f"add {added} to {path}")


def _new_config(params: Mapping[str, Any]) -> str:
    return (
        "# Quality hooks of the UDEF methodology (udef-audit fix, UDEF010): run `pre-commit install`.\n"
        "repos:\n"
        f"{_local_repo(params)}"
        f"  - repo: {RUFF_REPO}\n    rev: {params.get('ruff-pre-commit-rev', 'v0.17.6')}\n"
        "    hooks:\n      - id: ruff-check\n"
        f"  - repo: {MYPY_REPO}\n    rev: {params.get('mirrors-mypy-rev', 'v2.4.1')}\n"
        "    hooks:\n      - id: mypy\n        args: [--strict]\n"
    )


def _blocker_entry(params: Mapping[str, Any]) -> str:
    words = dict.fromkeys([*BLOCKER_WORDS, *(str(w) for w in params.get("placeholder-words") or ())])
    return "|".join(words)


def _blocker_yaml(params: Mapping[str, Any], indent: str) -> str:
    return (
        f"{indent}- id: no-placeholders\n"
        f"{indent}  name: Block TODOs and incomplete code\n"
        f'{indent}  entry: "{_blocker_entry(params)}"\n'
        f"{indent}  language: pygrep\n"
        f"{indent}  types: [python]\n"
    )


def _local_repo(params: Mapping[str, Any]) -> str:
    return "  - repo: local\n    hooks:\n" + _blocker_yaml(params, "      ")


def _load(text: str, path: str) -> tuple[Any, Any]:
    """A round-trip loader and the document, with the indentation that writes it back as
    it is; FixRefused when none does."""
    from ruamel.yaml import YAML  # noqa: PLC0415 - imported only when a hook is added
    from ruamel.yaml.error import YAMLError  # noqa: PLC0415

    for mapping, (sequence, offset) in _INDENTS:
        yaml = YAML(typ="rt")
        yaml.preserve_quotes = True
        yaml.width = 4096
        yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
        try:
            document = yaml.load(text)
        except YAMLError as exc:
            raise FixRefused(f"{path} is not YAML ruamel.yaml reads: {str(exc).splitlines()[0]}") from None
        buffer = io.StringIO()
        yaml.dump(document, buffer)
        if buffer.getvalue() == text:
            return yaml, document
    raise FixRefused(
        f"{path} indents its lists in more than one way; add the hook by hand (a rewrite would reformat it)"
    )


def _additions(before: str, after: str, path: str) -> str:
    """`after`, which must be `before` with lines added; each added block goes above the
    blank lines before it (ruamel.yaml keeps a blank line with the item it follows, which
    would put the blank line between the old last item and the new one)."""
    old, new = before.split("\n"), after.split("\n")
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    out: list[str] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out.extend(old[i1:i2])
        elif tag == "insert":
            blanks = 0
            while blanks < len(out) and out[len(out) - 1 - blanks] == "":
                blanks += 1
            out[len(out) - blanks : len(out) - blanks] = new[j1:j2]
        else:
            raise FixRefused(f"adding the hook would change other lines of {path}; add it by hand")
    return "\n".join(out)


def _repos(document: Any) -> Any:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq  # noqa: PLC0415

    if not isinstance(document, CommentedMap) or not isinstance(document.get("repos"), CommentedSeq):
        raise FixRefused("the pre-commit configuration has no `repos:` list")
    return document["repos"]


def _snippet(text: str) -> Any:
    from ruamel.yaml import YAML  # noqa: PLC0415

    return YAML(typ="rt").load(text)


def _repo_entry(repos: Any, url: str) -> Any | None:
    return next(
        (r for r in repos if isinstance(r, dict) and r.get("repo") == url and isinstance(r.get("hooks"), list)), None
    )


def _add_blocker(document: Any, params: Mapping[str, Any]) -> str:
    repos = _repos(document)
    hook = _snippet(_blocker_yaml(params, ""))[0]
    local = _repo_entry(repos, "local")
    if local is not None:
        local["hooks"].append(hook)
    else:
        repos.insert(0, _snippet(_local_repo(params).replace("  - ", "- ", 1).replace("\n    ", "\n  "))[0])
    return "a pygrep hook blocking " + _blocker_entry(params).replace("|", ", ")


def _add_linter(document: Any, params: Mapping[str, Any]) -> str:
    repos = _repos(document)
    existing = _repo_entry(repos, RUFF_REPO)
    if existing is not None:  # keep its rev; `ruff` is the id every rev has
        existing["hooks"].append(_snippet("id: ruff\n"))
        return f"the `ruff` hook to {RUFF_REPO}"
    rev = params.get("ruff-pre-commit-rev", "v0.17.6")
    repos.append(_snippet(f"repo: {RUFF_REPO}\nrev: {rev}\nhooks:\n  - id: ruff-check\n"))
    return f"the `ruff-check` hook of {RUFF_REPO} at {rev}"


def _add_type_checker(document: Any, params: Mapping[str, Any]) -> str:
    repos = _repos(document)
    existing = _repo_entry(repos, MYPY_REPO)
    if existing is not None:
        existing["hooks"].append(_snippet("id: mypy\nargs: [--strict]\n"))
        return f"the `mypy --strict` hook to {MYPY_REPO}"
    rev = params.get("mirrors-mypy-rev", "v2.4.1")
    repos.append(_snippet(f"repo: {MYPY_REPO}\nrev: {rev}\nhooks:\n  - id: mypy\n    args: [--strict]\n"))
    return f"the `mypy --strict` hook of {MYPY_REPO} at {rev}"


_ADDERS = {
    "no-placeholder-blocker": _add_blocker,
    "no-linter": _add_linter,
    "no-type-checker": _add_type_checker,
}
