"""Every mistake in a policy file is one line naming the file, the line, the key and what
was expected (the loader in-process; test_loading.py shows the same through the CLI)."""

from __future__ import annotations

import pytest
from test_loading import SECURITY

from udef_audit.config import ConfigError
from udef_audit.policies.loader import PolicyText, compile_policy

CHECK = "  files: {exists: [SECURITY.md, .github/SECURITY.md]}\n"


def _check(body: str) -> str:
    return SECURITY.replace(CHECK, body)


CASES = [
    (SECURITY + "severity: high\n", "p.yaml:11: severity: unknown key (expected one of anchor, category, chapter, "
     "check, docs, example, examples, fix, foundation, gate, id, kinds, level, message, methodology, phase, "
     "precision, profile, scope, section, slug, summary, tags, title, what, when, why)"),
    (_check("  files: {exists: a}\n  text: {files: a, pattern: b}\n"), "p.yaml:10: check: expected a condition: one "
     "of files, data, text, docker, commands, all, any, not (exactly one key), found a mapping"),
    (_check("  files: {exists: a, missing: b}\n"),
     "p.yaml:10: check.files: expected exactly one of exists, missing, or glob (with min-size or max-size)"),
    (_check("  data: {path: a.b, exists: true}\n"),
     "p.yaml:10: check.data: expected exactly one of files (with an optional format) or tool"),
    (_check("  data: {files: a.toml, path: 'a..b', exists: true}\n"), "p.yaml:10: check.data.path: expected a data "
     "path such as project.requires-python or jobs.*.steps[*].uses: expected a key, a quoted key or '*' at "
     "character 3"),
    (_check("  data: {files: 'conf/*', path: a, exists: true}\n"),
     "p.yaml:10: check.data.files: cannot tell the format from 'conf/*': add format: toml, yaml, json or ini"),
    (_check("  data: {files: a.toml, path: a, exists: false, equals: 1}\n"),
     "p.yaml:10: check.data: exists: false says the value is absent; a value test cannot apply to it"),
    (_check("  data: {files: a.toml, path: a, equals: 1, flags: [ignore-case]}\n"),
     "p.yaml:10: check.data.flags: flags apply to matches"),
    (_check("  data: {files: a.toml, path: a, version: 'three'}\n"),
     "p.yaml:10: check.data.version: expected a version specifier such as >=3.11 (PEP 440), found 'three'"),
    (_check("  files: {glob: '*', max-size: 'huge'}\n"), "p.yaml:10: check.files.max-size: expected a size in "
     "bytes, or with a unit: 500 kB, 1 MiB, found a string ('huge')"),
    (_check("  docker: {instructions: {present: 'RUN apt'}}\n"), "p.yaml:10: check.docker.instructions.present: "
     "expected a Dockerfile instruction such as HEALTHCHECK, found 'RUN apt'"),
    (SECURITY.replace('"no security policy: add {expected}"', '"no {expected"'), "p.yaml:8: message: a lone '{' at "
     "character 4: placeholders are {name} (lower-case), literal braces are {{ and }}"),
    (SECURITY + "examples:\n  - {name: a, files: {x: ''}}\n  - {name: a, files: {y: ''}}\n",
     "p.yaml:13: examples[1].name: another example is named 'a'"),
    (SECURITY + "examples:\n  - {name: a, files: {'../x': ''}}\n", "p.yaml:12: examples[0].files.../x: an example "
     "file is a relative path inside the tree (a `..` component (it climbs out of the root))"),
    (_check("  files: {exists: ['!a']}\n"), "p.yaml:10: check.files.exists: a '!glob' takes files out of what the "
     "other globs of the list match: add one without '!'"),
    (_check("  text: {files: a, pattern: b, flags: [global]}\n"),
     "p.yaml:10: check.text.flags[0]: expected one of ignore-case, multiline, dot-all, found a string ('global')"),
    (_check("  text: {files: a, pattern: '(?P<Name>x)'}\n"),
     "p.yaml:10: check.text.pattern: a named group is a lower-case name a message can use ({Name} is not)"),
    (SECURITY + "anchor: project\n", "p.yaml:11: anchor: 'project' needs scope: project"),
    (SECURITY.replace("title: A SECURITY.md says how to report a vulnerability\n", ""),
     "p.yaml:1: missing key 'title'"),
    (SECURITY.replace("phase: 0", "phase: 9"),
     "p.yaml:5: phase: expected a methodology phase, 0 to 5, found a number (9)"),
    (SECURITY.replace("phase: 0", "phase: true"),
     "p.yaml:5: phase: expected a methodology phase, 0 to 5, found a boolean (True)"),
    (_check("  files: {exists: []}\n"), "p.yaml:10: check.files.exists: expected a glob or a list of globs with at "
     "least one item, found a list"),
    (_check("  files: {exists: {a: b}}\n"), "p.yaml:10: check.files.exists: expected a glob or a list of globs with "
     "at least one item, found a mapping"),
    (SECURITY.replace("title: A SECURITY.md says how to report a vulnerability", "title: [a, b]"),
     "p.yaml:3: title: expected a non-empty string, found a list"),
    (_check("  - files: {exists: a}\n"), "p.yaml:10: check: expected a condition: one of files, data, text, docker, "
     "commands, all, any, not, found a list"),
    (_check("  any: []\n"), "p.yaml:10: check.any: expected a list of conditions with at least one item, found a list"),
    (SECURITY + "examples: {a: b}\n",
     "p.yaml:11: examples: expected a list of examples with at least one item, found a mapping"),
    (SECURITY + "examples:\n  - {name: a, files: [x]}\n",
     "p.yaml:12: examples[0].files: expected a mapping of file path to its text, found a list"),
    (_check("  files: {glob: '*', max-size: true}\n"), "p.yaml:10: check.files.max-size: expected a size in bytes, "
     "or with a unit: 500 kB, 1 MiB, found a boolean (True)"),
    (_check("  data: {files: a.toml, path: a, greater-than: 'x'}\n"),
     "p.yaml:10: check.data.greater-than: expected a number, found a string ('x')"),
    (SECURITY + "kinds: {a: x, b: y}\n", "p.yaml:11: kinds: expected a mapping of one kind name to {summary, tags} "
     "(exactly one key), found a mapping"),
    (SECURITY + "when: {profile: cloud}\n",
     "p.yaml:11: when.profile: expected one of service, library, found a string ('cloud')"),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_one_line_per_mistake(text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as raised:
        compile_policy(PolicyText("p.yaml", text.encode()))
    assert str(raised.value) == expected
