"""What a bad policy file is told: the file, the line, the key and what was expected."""

from __future__ import annotations

from udef_audit.config import ConfigError


class PolicyFileError(ConfigError):
    """A policy file that cannot be loaded: a usage error (exit 2), said in one line as
    `acme.yaml:12: check.any[1].path: expected a data path such as project.requires-python`."""

    def __init__(self, source: str, line: int, key: str, problem: str) -> None:
        self.source = source
        self.line = line
        self.key = key
        self.problem = problem
        where = f"{source}:{line}" + (f": {key}" if key else "")
        super().__init__(f"{where}: {problem}")
