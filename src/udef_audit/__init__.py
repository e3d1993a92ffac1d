"""udef-audit: audit a Python repository against the UDEF build methodology."""

__version__ = "0.1.0"
