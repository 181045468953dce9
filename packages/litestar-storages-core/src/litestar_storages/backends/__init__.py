"""Storage backends. Each lives in its own distribution but this one package.

``memory`` ships with ``litestar-storages-core``; ``filesystem``, ``s3``, ``gcs`` and
``azure`` come from ``litestar-storages-fs``, ``-s3``, ``-gcs`` and ``-azure``.
"""

from pkgutil import extend_path

# Backends installed from other distributions (or other src folders, in editable
# installs) add their modules to this package: see docs/architecture.
__path__ = extend_path(__path__, __name__)
