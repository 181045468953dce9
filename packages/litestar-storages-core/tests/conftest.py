"""Test setup of the core package: its helper modules are importable by name."""

from __future__ import annotations

import sys
from pathlib import Path

# --import-mode=importlib puts no test folder on sys.path; the helper modules here have
# names no other package's tests use (engine_drivers).
sys.path.insert(0, str(Path(__file__).parent))
