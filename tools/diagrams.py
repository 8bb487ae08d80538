#!/usr/bin/env python3
"""Regenerate the deck's figures: `python tools/diagrams.py` rewrites media/; `--out DIR` writes into DIR.

The drawing code lives in the package tools/diagrams/ (imported here: a package wins over this file of the
same name on sys.path). Output is byte-identical from run to run with the pinned matplotlib.
"""

import sys

from diagrams import main

if __name__ == "__main__":
    sys.exit(main())
