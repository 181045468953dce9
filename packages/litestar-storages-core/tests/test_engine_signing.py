"""Signed URLs and upload forms through the engine: arguments checked, defaults, then signed."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

import pytest
from engine_drivers import PartsDriver, StreamingDriver

from litestar_storages.disposition import content_disposition
from litestar_storages.engine import DriverStorage
from litestar_storages.exceptions import StorageValidationError
from litestar_storages.protocol import HttpMethod
from litestar_storages.types import UploadForm


async def test_signed_url_gets_the_one_disposition_and_default_expiry() -> None:
    driver = PartsDriver()
    url = await DriverStorage(driver, prefix="p").url("file.txt", filename="Résumé final.txt")
    assert url == "https://signed.example/p/file.txt?m=GET"
    assert driver.signed == [
        {"method": "GET", "expires_in": timedelta(hours=1), "disposition": content_disposition("Résumé final.txt")}
    ]


async def test_upload_form_arguments_checked_then_signed() -> None:
    storage = DriverStorage(StreamingDriver(), prefix="p")
    form = await storage.upload_form("a.txt", metadata={"User": "Ada"})
    assert form.url == "https://forms.example/p/a.txt"
    assert form.fields == {"key": "p/a.txt", "user": "Ada"}
    with pytest.raises(StorageValidationError, match="expires_in"):
        await storage.upload_form("a.txt", expires_in=timedelta(days=8))


async def test_upload_form_size_bounds_checked_then_passed() -> None:
    driver = StreamingDriver()
    storage = DriverStorage(driver)
    await storage.upload_form("a.txt", max_size=10, min_size=2)
    await storage.upload_form("b.txt")
    assert [(form["min_size"], form["max_size"]) for form in driver.forms] == [(2, 10), (0, None)]
    for bounds in (
        {"max_size": -1},
        {"min_size": -1},
        {"max_size": True},
        {"min_size": 1.5},
        {"max_size": 10, "min_size": 11},
    ):
        with pytest.raises(StorageValidationError, match="size"):
            await storage.upload_form("x.txt", **bounds)
    assert len(driver.forms) == 2  # nothing signed for a refused form


class SigningStreamingDriver(StreamingDriver):
    """Also signs URLs, with its own default validity."""

    url_methods: frozenset[HttpMethod] = frozenset({"GET"})
    default_url_expiry = timedelta(minutes=15)

    async def sign_url(
        self,
        name: str,
        *,
        method: HttpMethod,
        expires_in: timedelta,
        content_disposition: str | None,
        content_type: str | None,
    ) -> str:
        return f"https://signed.example/{name}"


async def test_upload_form_default_validity_is_the_drivers_url_default() -> None:
    signing, plain = SigningStreamingDriver(), StreamingDriver()
    await DriverStorage(signing).upload_form("a.txt")
    await DriverStorage(plain).upload_form("a.txt")
    await DriverStorage(signing).upload_form("a.txt", expires_in=timedelta(minutes=2))
    assert signing.forms[0]["expires_in"] == timedelta(minutes=15)
    assert plain.forms[0]["expires_in"] == timedelta(hours=1)
    assert signing.forms[1]["expires_in"] == timedelta(minutes=2)


class SizedFormDriver(StreamingDriver):
    """Upload forms with a size range; the URL default validity of a signing driver."""

    url_methods: frozenset[HttpMethod] = frozenset({"GET"})
    default_url_expiry = timedelta(minutes=7)

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, object]] = []

    async def sign_url(
        self,
        name: str,
        *,
        method: HttpMethod,
        expires_in: timedelta,
        content_disposition: str | None,
        content_type: str | None,
    ) -> str:
        return f"https://signed.example/{name}"

    async def sign_upload_form(
        self,
        name: str,
        *,
        expires_in: timedelta,
        content_type: str | None,
        metadata: Mapping[str, str],
        max_size: int | None,
        min_size: int = 0,
    ) -> UploadForm:
        self.forms.append({"expires_in": expires_in, "min_size": min_size, "max_size": max_size})
        return UploadForm(url=f"https://forms.example/{name}", fields={})


async def test_upload_form_size_range_and_default_validity() -> None:
    driver = SizedFormDriver()
    storage = DriverStorage(driver)
    await storage.upload_form("a.bin", max_size=10, min_size=2)
    await storage.upload_form("b.bin")
    assert driver.forms == [
        {"expires_in": timedelta(minutes=7), "min_size": 2, "max_size": 10},
        {"expires_in": timedelta(minutes=7), "min_size": 0, "max_size": None},
    ]
    for min_size, max_size in [(0, -1), (11, 10), (-1, 5), (True, 5), (0, 2.5), ("1", None)]:
        with pytest.raises(StorageValidationError, match="_size"):
            await storage.upload_form("a.bin", max_size=max_size, min_size=min_size)  # type: ignore[arg-type]
    assert len(driver.forms) == 2
    # A driver written before min_size existed still signs forms without a minimum.
    old = DriverStorage(StreamingDriver())
    await old.upload_form("c.bin", max_size=5)
