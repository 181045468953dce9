"""Benchmarks of every litestar-storages backend against its peers: ``hatch run bench:all [--quick]``.

See ``benchmarks/README.md`` for what is measured and how, and ``docs/performance.md``
for the published results.
"""

import sys
from pathlib import Path

# Run as a script (``python benchmarks/run.py``): make ``benchmarks`` importable as a
# package so worker processes can import the same modules by name.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.harness.cli import main

if __name__ == "__main__":
    sys.exit(main())
