"""`python -m udef_audit` runs the command line (as the console script does: console.py)."""

import sys

from udef_audit.console import main

sys.exit(main())
