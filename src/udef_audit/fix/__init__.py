"""`udef-audit fix`: findings with edits, then diffs, then safe writes inside the root.

A rule never writes a file. After an audit, `planner` hands each result whose rule has a fix
(`fix-safety` in its YAML, a fixer in `registry`) to that fixer, with the plain result and a
`FixTree`: the repository read again, safely (no symlink in any component, inside the root,
never `.git`), with every change staged in memory. `diff` shows the staged changes;
`writer` applies them atomically, refusing a file that changed since it was read.
Nothing from the repository is ever executed. See docs/adr/0013-fixes.md.
"""
