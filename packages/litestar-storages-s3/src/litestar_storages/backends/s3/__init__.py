"""Amazon S3 and S3-compatible storage (Cloudflare R2, MinIO, Backblaze B2, DigitalOcean Spaces).

Built on aiobotocore; install the ``litestar-storages-s3`` distribution. Both names are
also importable from :mod:`litestar_storages`::

    from litestar_storages import S3Config, S3Storage

    storage = S3Storage(S3Config(bucket="uploads", region="eu-west-1"))
"""

from litestar_storages.backends.s3.config import S3Config
from litestar_storages.backends.s3.storage import S3Storage
from litestar_storages.backends.s3.version import __version__
from litestar_storages.types import UploadForm

__all__ = ("S3Config", "S3Storage", "UploadForm", "__version__")
