"""Service or library: which of the methodology's practices apply to a project.

The methodology is written for services (a container, a health endpoint, staging). A library
that adopts it has no container. A project is a *service* when it has a Dockerfile or
Containerfile, a compose file, a `manage.py` at its root, or a main (non-optional)
dependency on an application server; otherwise a *library*. `profile = "service" |
"library"` in the config overrides the inference. The repository is a service when any of
its projects is one. Every verdict carries its reason, so a report can say "service:
Dockerfile at backend/Dockerfile".
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from udef_audit.projects import Project, in_non_product_folder

SERVICE, LIBRARY = "service", "library"
APP_SERVERS = frozenset({"uvicorn", "gunicorn", "hypercorn", "daphne", "granian", "waitress", "uwsgi"})
_COMPOSE = re.compile(r"^(?:compose|docker-compose[^/]*)\.ya?ml$")
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
# `Dockerfile.<variant>` names a build variant; with these extensions the file is code, a
# document or a template about a Dockerfile, which Docker cannot build as it is.
_NOT_A_VARIANT = frozenset(
    {"py", "pyi", "pyc", "md", "rst", "txt", "adoc", "html", "sh", "bash", "ps1", "json", "yml", "yaml", "toml"}
    | {"ini", "cfg", "j2", "jinja", "jinja2", "tmpl", "tpl", "template", "orig", "bak", "swp"}
)


@dataclass(frozen=True)
class Profile:
    """A profile and why: `source` is "config" or "inferred"; `reason` names the evidence."""

    kind: str
    reason: str
    source: str = "inferred"

    @property
    def is_service(self) -> bool:
        """Whether service-only practices (containers, health, staging) apply."""
        return self.kind == SERVICE

    def to_dict(self) -> dict[str, str]:
        """The JSON/SARIF form: `properties["udef/profile"]`."""
        return {"profile": self.kind, "source": self.source, "reason": self.reason}

    def describe(self) -> str:
        """"service: Dockerfile at backend/Dockerfile"."""
        return f"{self.kind}: {self.reason}"


def is_container_file(name: str) -> bool:
    """`Dockerfile`, `Dockerfile.*`, `*.Dockerfile`, `Containerfile` (any case), not
    `.dockerignore`, and not a file about Dockerfiles whose extension says what it is
    (`dockerfile.py`, `Dockerfile.md`, `Dockerfile.j2`)."""
    lower = name.lower()
    if lower.endswith(".dockerignore"):
        return False
    for base in ("dockerfile", "containerfile"):
        if lower == base or lower.endswith("." + base):
            return True
        if lower.startswith(base + "."):
            return lower.rpartition(".")[2] not in _NOT_A_VARIANT
    return False


def configured(kind: str, source: str) -> Profile:
    """The profile the config sets."""
    return Profile(kind, f"set by `profile` in {source}", source="config")


def project_profile(project: Project, toml: Callable[[str], Mapping[str, Any] | None]) -> Profile:
    """Infer one project's profile from its own files (`toml` reads a parsed TOML file)."""
    for path in project.files:
        rel = project.rel(path)
        # A Dockerfile among test fixtures or examples, or a dev container's (`.devcontainer/`),
        # does not make the project a service.
        if in_non_product_folder(rel):
            continue
        name = posixpath.basename(rel)
        if is_container_file(name):
            return Profile(SERVICE, f"{_container_word(name)} at {path}")
        if _COMPOSE.match(name):
            return Profile(SERVICE, f"compose file at {path}")
        if rel == "manage.py":
            return Profile(SERVICE, f"Django manage.py at {path}")
    server = _app_server(project, toml)
    if server is not None:
        return Profile(SERVICE, f"depends on the application server {server} ({project.join('pyproject.toml')})")
    return Profile(LIBRARY, f"no Dockerfile, compose file, manage.py or application server in {project.label}")


def repository_profile(profiles: Iterable[Profile]) -> Profile:
    """A service when any project is one (the first, in path order, gives the reason)."""
    found = list(profiles)
    service = next((p for p in found if p.is_service), None)
    if service is not None:
        return service
    return Profile(LIBRARY, "no project has a Dockerfile, compose file, manage.py or application server")


def _container_word(name: str) -> str:
    return "Containerfile" if "containerfile" in name.lower() else "Dockerfile"


def _app_server(project: Project, toml: Callable[[str], Mapping[str, Any] | None]) -> str | None:
    """The first application server among the project's main pyproject dependencies."""
    path = project.join("pyproject.toml")
    if path not in project.files:
        return None
    data = toml(path) or {}
    for name in _main_dependency_names(data):
        if name in APP_SERVERS:
            return name
    return None


def _main_dependency_names(data: Mapping[str, Any]) -> list[str]:
    """Canonical names of `[project].dependencies` and poetry's main dependencies."""
    project = data.get("project")
    declared = project.get("dependencies") if isinstance(project, dict) else None
    specs = declared if isinstance(declared, list) else []
    names = [m.group(1) for spec in specs if isinstance(spec, str) and (m := _NAME.match(spec))]
    names += list(_poetry_dependencies(data))
    return [re.sub(r"[-_.]+", "-", name).lower() for name in names]


def _poetry_dependencies(data: Mapping[str, Any]) -> list[str]:
    tool = data.get("tool")
    poetry = tool.get("poetry") if isinstance(tool, dict) else None
    declared = poetry.get("dependencies") if isinstance(poetry, dict) else None
    return [str(name) for name in declared] if isinstance(declared, dict) else []
