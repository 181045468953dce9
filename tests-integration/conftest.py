"""The integration suite's harness (services, backends, per-backend summary)."""

from __future__ import annotations

import sys
from pathlib import Path

# The suite's support package lives beside this file; with --import-mode=importlib
# nothing puts this folder on sys.path for us.
sys.path.insert(0, str(Path(__file__).parent))
