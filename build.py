#!/usr/bin/env python3
"""sitrep's command line: `python build.py` builds content/ into output/; `--help` lists the commands."""

import sys

from sitrep.cli import main

if __name__ == "__main__":
    sys.exit(main())
