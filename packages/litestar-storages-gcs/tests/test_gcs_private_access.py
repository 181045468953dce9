"""No private name of the SDK is used outside ``_sdk.py`` (see litestar_storages.testing.private_access)."""

from __future__ import annotations

from pathlib import Path

import litestar_storages.backends.gcs as package
from litestar_storages.testing.private_access import private_uses


def test_private_sdk_names_only_in_the_sdk_module() -> None:
    found = private_uses(Path(package.__file__).parent, ("gcloud", "aiohttp"))
    assert not found, "private SDK names outside _sdk.py:\n" + "\n".join(map(str, found))
