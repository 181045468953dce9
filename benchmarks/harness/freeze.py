"""Imported last by the fork server: moves every preloaded object out of the collector's reach.

Without it, the first ``gc.collect()`` in each worker walks (and so writes to) every
object inherited from the server, copying the whole preloaded heap page by page.
"""

import gc

gc.collect()
gc.freeze()
