"""`python -m udef_audit` runs the command line."""

import sys

from udef_audit.cli import main

sys.exit(main())
