"""Azure Blob Storage backend: ``AzureStorage`` and ``AzureConfig``.

Install with ``pip install litestar-storages-azure`` (``[identity]`` adds
azure-identity for ``DefaultAzureCredential`` and managed identities).
"""

from litestar_storages.backends.azure.config import AzureConfig
from litestar_storages.backends.azure.storage import AzureStorage
from litestar_storages.backends.azure.version import __version__

__all__ = ("AzureConfig", "AzureStorage", "__version__")
