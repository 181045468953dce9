"""Imported last by the fork server: a clean, compact starting heap for every worker.

``gc.freeze()`` moves every preloaded object out of the collector's reach: otherwise the
first ``gc.collect()`` in each worker walks (and so writes to) every inherited object,
copying the whole preloaded heap page by page. ``malloc_trim`` then hands the memory
freed while importing back to the system, so a worker that reuses it shows up in its
RSS growth instead of hiding in pages the server left resident.
"""

import ctypes
import ctypes.util
import gc

gc.collect()
gc.freeze()

_libc_name = ctypes.util.find_library("c")
if _libc_name:
    _trim = getattr(ctypes.CDLL(_libc_name), "malloc_trim", None)
    if _trim is not None:
        _trim(0)
