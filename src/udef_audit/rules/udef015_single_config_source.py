"""UDEF015 single-config-source: a tool configured in two files reads one of them."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

from udef_audit.context import RepoContext
from udef_audit.findings import Finding
from udef_audit.tool_configs import TOOLS, ToolConfig


class SingleConfigSource:
    """In each project root, for pytest, mypy, ruff, coverage, flake8 and isort: every
    configuration the tool never reads because another one comes first in its reading order
    (the context's tool-configuration model). One warning per ignored configuration, at its
    section's line, naming the configuration the tool reads instead."""

    id: ClassVar[str] = "UDEF015"

    def check(self, ctx: RepoContext, params: Mapping[str, Any]) -> Iterator[Finding]:
        tools = [t for t in TOOLS if t in set(params.get("tools", TOOLS))]
        for project in ctx.projects:
            for tool in tools:
                configs = ctx.tool_configs(project.path, tool)
                if configs.read is None:
                    continue
                for ignored in configs.ignored:
                    yield self._finding(ignored, configs.read)

    def _finding(self, ignored: ToolConfig, read: ToolConfig) -> Finding:
        return Finding(
            rule_id=self.id,
            path=ignored.path,
            line=ignored.line,
            message=_message(ignored, read),
            key=f"{ignored.tool} {ignored.file_name}",
            kind="ignored-config",
        )


def _message(ignored: ToolConfig, read: ToolConfig) -> str:
    tool = ignored.tool
    message = f"{ignored.label} is ignored: {tool} reads {read.label} ({read.path}:{read.line})."
    if not read.section and not read.settings:
        message += f" {read.path} sets nothing, yet {tool} stops looking there."
    return (
        f"{message} Keep one {tool} configuration: merge this one into {read.label}, or remove "
        f"{read.label} if this one should win."
    )
