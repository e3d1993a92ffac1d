"""Where custom policy files come from, read as data (docs/design/policies.md, "Loading"):

- the audited repository's `[tool.udef-audit] policies = ["policies/"]`: folders or files
  inside the root. The repository is hostile input: each path is checked, reached without a
  symlink in any component (`safe_read`), listed without following links, bounded in
  number and size;
- the org policy (`--policy org.toml`, `policies = [...]` beside it) and the paths an
  `AuditRequest` names (`policy_paths`, what `udef-audit policy test` uses): files the user
  chose, read from the file system;
- installed packages: the folders a plugin's `udef_audit_policy_dirs` hook returns (the
  same entry point as rule plugins); a YAML file there with a `check:` is a policy.

In a folder, every `*.yaml` and `*.yml` file directly inside it is a policy, in name order.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from udef_audit.config import Config, ConfigError
from udef_audit.safe_read import UnreadableFile, read_regular_file, regular_files_in

if TYPE_CHECKING:
    from udef_audit.compat import Traversable

MAX_POLICY_BYTES = 1_000_000
MAX_FILES_PER_FOLDER = 500
SUFFIXES = (".yaml", ".yml")


class PolicyText(NamedTuple):
    """A policy file's bytes and how messages name it (`policies/acme.yaml`)."""

    source: str
    data: bytes


def gather(
    root: Path,
    config: Config,
    org_paths: Sequence[Path] = (),
    extra_paths: Sequence[Path] = (),
    plugin_dirs: Sequence[Traversable] = (),
) -> list[PolicyText]:
    """Every policy file, from every origin, in a fixed order: plugins, org, request, repository."""
    return [
        *plugin_policies(plugin_dirs),
        *file_policies(org_paths),
        *file_policies(extra_paths),
        *repository_policies(root, config),
    ]


def repository_policies(root: Path, config: Config) -> list[PolicyText]:
    """The policies `[tool.udef-audit] policies` names inside the audited repository."""
    texts = []
    for rel in config.policies:
        for name in _repository_files(root, rel, config.source):
            try:
                data = read_regular_file(root, name, MAX_POLICY_BYTES)
            except UnreadableFile as exc:
                raise ConfigError(f"{config.source}: 'policies': cannot read {name}: {exc}") from None
            texts.append(PolicyText(name, data))
    return texts


def _repository_files(root: Path, rel: str, source: str) -> list[str]:
    try:
        names = regular_files_in(root, rel, MAX_FILES_PER_FOLDER)
    except UnreadableFile as folder_problem:
        if str(folder_problem) == "not a folder":
            return [rel]  # a single policy file
        raise ConfigError(f"{source}: 'policies': {rel} is not a folder of the repository ({folder_problem})") from None
    chosen = [f"{rel}/{name}" for name in names if name.endswith(SUFFIXES)]
    if not chosen:
        raise ConfigError(f"{source}: 'policies': {rel} holds no policy file (*.yaml, *.yml)")
    return chosen


def file_policies(paths: Iterable[Path]) -> list[PolicyText]:
    """Policy files and folders the user names (the org policy's, a test run's)."""
    texts = []
    for path in paths:
        files = sorted(p for p in path.iterdir() if p.name.endswith(SUFFIXES) and p.is_file()) if path.is_dir() else [
            path
        ]
        for file in files:
            try:
                data = file.read_bytes()
            except OSError as exc:
                raise ConfigError(f"cannot read policy {file}: {exc.strerror or exc}") from None
            texts.append(PolicyText(str(file), data))
    return texts


def plugin_policies(folders: Iterable[Traversable]) -> list[PolicyText]:
    """The policy files (YAML with a `check:`) in plugins' policy folders."""
    texts = []
    for folder in folders:
        for entry in sorted(folder.iterdir(), key=lambda e: e.name):
            if not entry.name.endswith(SUFFIXES):
                continue
            data = entry.read_bytes()
            if _is_policy(data):
                texts.append(PolicyText(f"{folder}/{entry.name}", data))
    return texts


def _is_policy(data: bytes) -> bool:
    """Whether a plugin's YAML is a policy (it has a check) rather than a rule's metadata;
    a file that does not parse is compiled as a policy, so its error is reported."""
    if b"check" not in data:
        return False
    # Imported here: only a plugin that ships YAML pays for the YAML parser.
    from udef_audit.parsers.yaml_file import YamlError, load_yaml  # noqa: PLC0415

    try:
        parsed = load_yaml(data)
    except YamlError:
        return True
    return isinstance(parsed, dict) and "check" in parsed
