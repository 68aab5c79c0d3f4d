#!/usr/bin/env python3
"""Thin entry point: `python build.py build` is the same program as `careledger build`."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from careledger.cli import main  # noqa: E402

if __name__ == "__main__":
    main()
