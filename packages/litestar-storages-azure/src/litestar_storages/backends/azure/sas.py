"""Shared access signature (SAS) query strings for one blob, signed locally.

Signed with the account key (given, or the client's) when there is one; with a token
credential, with a *user delegation key* asked of Azure (one request, valid up to 7
days), cached until it is about to expire.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from azure.storage.blob import BlobSasPermissions, generate_blob_sas
from azure.storage.blob.aio import BlobServiceClient
from litestar_storages.backends.azure.errors import BACKEND
from litestar_storages.exceptions import ConfigurationError
from litestar_storages.timestamps import parse_rfc3339

if TYPE_CHECKING:
    from azure.storage.blob import UserDelegationKey
    from azure.storage.blob.aio import ContainerClient
    from litestar_storages.protocol import HttpMethod

__all__ = ("MAX_DELEGATION", "SasSigner")

MAX_DELEGATION = timedelta(days=7)  # the longest validity of a user delegation key, and of the engine's URLs

_REFRESH_MARGIN = timedelta(minutes=5)


class SasSigner:
    """Makes SAS query strings for blobs of one container."""

    __slots__ = ("_account_key", "_delegation")

    def __init__(self, account_key: str | None = None) -> None:
        """Create a signer with the configured account key (``None``: the client's key, else its token credential)."""
        self._account_key = account_key
        self._delegation: UserDelegationKey | None = None

    async def sign(
        self,
        container: ContainerClient,
        blob_name: str,
        *,
        method: HttpMethod,
        expiry: datetime,
        content_disposition: str | None,
    ) -> str:
        """Return the SAS query string (without ``?``) for one blob.

        Args:
            container: The container client (its account and credential).
            blob_name: The blob's full name in the container.
            method: ``"GET"`` grants read; ``"PUT"`` grants create and write.
            expiry: When the signature stops working (aware, at most 7 days ahead).
            content_disposition: For GET, the response header to sign, or ``None``.

        Returns:
            The query string.

        Raises:
            ConfigurationError: If neither an account key nor a token credential is available.
        """
        permission = BlobSasPermissions(read=True) if method == "GET" else BlobSasPermissions(create=True, write=True)
        options: dict[str, Any] = {"permission": permission, "expiry": expiry}
        if content_disposition is not None and method == "GET":
            options["content_disposition"] = content_disposition
        account, name = container.account_name or "", container.container_name
        account_key = self._account_key or getattr(container.credential, "account_key", None)
        if account_key:
            return generate_blob_sas(account, name, blob_name, account_key=account_key, **options)
        if hasattr(container.credential, "get_token"):
            delegation = await self._delegation_key(container, expiry)
            return generate_blob_sas(account, name, blob_name, user_delegation_key=delegation, **options)
        raise ConfigurationError(
            f"{BACKEND} cannot sign URLs without the account key or a token credential: set AzureConfig.account_key, "
            "use a connection string with AccountKey, or AzureConfig.credential",
            field="account_key",
        )

    async def _delegation_key(self, container: ContainerClient, expiry: datetime) -> UserDelegationKey:
        cached = self._delegation
        if cached is not None and (parse_rfc3339(cached.signed_expiry) or expiry) >= expiry + _REFRESH_MARGIN:
            return cached  # (a key without a readable expiry is asked again)
        # Ask for the longest key allowed so that one request serves many URLs.
        now = datetime.now(timezone.utc)
        start, until = now - _REFRESH_MARGIN, now + MAX_DELEGATION - _REFRESH_MARGIN
        account_url = f"{container.scheme}://{container.primary_hostname}"
        async with BlobServiceClient(account_url, credential=container.credential) as service:
            delegation = await service.get_user_delegation_key(start, until)
        self._delegation = delegation
        return delegation
