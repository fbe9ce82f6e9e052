"""Entry point of `python -m policies.secrecy`."""

import sys

from policies.secrecy.cli import main

sys.exit(main())
