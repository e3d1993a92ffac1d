"""GitHub Actions workflow commands (`--format github`): one annotation per result, shown on
the pull request's changed lines and in the run's summary, without code scanning.

`::error file=src/a.py,line=3,col=5,title=UDEF006 no-placeholders::message`; warnings are
`::warning`, notes `::notice`. Suppressed and baselined results are not printed. Values are
escaped as GitHub's toolkit escapes them (`%`, CR and LF in the message; also `:` and `,` in
a property), after `escape_text` has made every other control character visible: a hostile
file name can neither end the command early nor start another one.
"""

from __future__ import annotations

from udef_audit.findings import Finding, Level
from udef_audit.report.rules_listing import help_uri
from udef_audit.result import AuditResult
from udef_audit.safe_text import escape_text

COMMANDS = {Level.ERROR: "error", Level.WARNING: "warning", Level.NOTE: "notice"}


def escape_data(value: str) -> str:
    """A command's message: `%`, CR and LF escaped (then nothing else can break the line)."""
    return escape_text(value).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """A property value: as the message, and `:` and `,` too."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def render_github(result: AuditResult) -> str:
    """The workflow commands, one per line (nothing at all for a clean run)."""
    lines = [_annotation(f, result) for f in result.active]
    for note in result.notifications:
        command = "error" if note.level is Level.ERROR else "warning"
        lines.append(f"::{command} title={escape_property('udef-audit')}::{escape_data(note.message)}")
    return "\n".join(lines)


def _annotation(finding: Finding, result: AuditResult) -> str:
    meta = result.policy.rules.get(finding.rule_id)
    title = f"{finding.rule_id} {meta.slug}" if meta else finding.rule_id
    properties = [f"file={escape_property(finding.path)}", f"line={finding.line}"]
    if finding.column:
        properties.append(f"col={finding.column}")
    properties.append(f"title={escape_property(title)}")
    message = finding.message + (f" ({help_uri(meta)})" if meta else "")
    return f"::{COMMANDS[finding.level or Level.NOTE]} {','.join(properties)}::{escape_data(message)}"
