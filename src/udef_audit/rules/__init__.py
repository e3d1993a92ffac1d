"""The built-in rules, one module per rule ID (`udef001_src_layout.py` for UDEF001).

Each module is registered under the `udef_audit.rules` entry-point group in
pyproject.toml, exactly as a third-party rule package would register its own; nothing
imports these modules by name. A rule reads the repository only through the context.
"""
