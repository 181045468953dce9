import importlib
import subprocess
import sys

import pytest

import litestar_storages
from litestar_storages import Storage
from litestar_storages.backends.memory import MemoryConfig, MemoryStorage
from litestar_storages.exceptions import ConfigurationError


def test_every_public_name_resolves() -> None:
    core_names = [name for name in litestar_storages.__all__ if name not in litestar_storages._LAZY]
    for name in core_names:
        assert getattr(litestar_storages, name) is not None


def test_import_loads_no_sdk() -> None:
    code = (
        "import sys, litestar_storages\n"
        "sdks = ('aiobotocore', 'botocore', 'azure', 'gcloud', 'aiohttp', 'aiofiles', 'obstore', 'litestar.app')\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in sdks or m in sdks)\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_unknown_attribute_is_attribute_error() -> None:
    with pytest.raises(AttributeError):
        _ = litestar_storages.NoSuchThing


def test_lazy_names_point_at_their_distribution() -> None:
    for name, (module, distribution) in litestar_storages._LAZY.items():
        assert distribution.startswith("litestar-storages-")
        assert module.startswith("litestar_storages.")
        try:
            importlib.import_module(module)
        except ImportError:
            with pytest.raises(ImportError, match=distribution):
                getattr(litestar_storages, name)


def test_memory_storage_satisfies_protocol() -> None:
    assert isinstance(MemoryStorage(), Storage)


def test_memory_config_validated() -> None:
    with pytest.raises(ConfigurationError) as caught:
        MemoryConfig(max_size=-1)
    assert caught.value.field == "max_size"
