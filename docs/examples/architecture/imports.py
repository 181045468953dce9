"""Both import paths give the same class: one package, several distributions."""

import litestar_storages
from litestar_storages import FileSystemStorage  # the top-level package's lazy __getattr__
from litestar_storages.backends.filesystem import FileSystemStorage as FromBackend

assert FileSystemStorage is FromBackend

# The backends' folders sit in the core's package, whichever src folder (editable
# install) or wheel they came from: pkgutil.extend_path merged them into one __path__.
print(litestar_storages.backends.__path__)
