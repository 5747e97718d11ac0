"""``python -m wsisanalysis``: the command line (see :mod:`wsisanalysis.cli`)."""

from __future__ import annotations

import sys

from wsisanalysis.cli import main

if __name__ == "__main__":
    sys.exit(main())
