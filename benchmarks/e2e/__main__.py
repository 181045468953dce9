"""``python -m benchmarks.e2e [--quick]``: see :mod:`benchmarks.e2e.runner`."""

import sys

from benchmarks.e2e.runner import main

sys.exit(main())
