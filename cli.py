#!/usr/bin/env python3
"""Entry point: `python cli.py --help`."""

import sys

from assistant.interfaces.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
