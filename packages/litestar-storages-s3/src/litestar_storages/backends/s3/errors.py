"""The S3 driver's error table: botocore, aiohttp and socket errors as storage errors.

The engine applies :data:`errors` around every request and streamed body. Here is what
is S3's own: reading a ``ClientError``, the codes that mean more than their status, and
botocore's configuration errors (statuses mean what they mean everywhere).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import aiohttp
from botocore import exceptions as boto

from litestar_storages.error_table import Answer, ErrorTable, Misconfigured, Outcome
from litestar_storages.exceptions import (
    InvalidKeyError,
    InvalidRangeError,
    StorageConnectionError,
    StorageError,
    StorageFileExistsError,
    StorageFileNotFoundError,
    StoragePermissionError,
    StorageValidationError,
)

__all__ = (
    "OWNED_ERRORS",
    "TABLE",
    "batch_delete_error",
    "errors",
    "service_error",
    "translate_error",
    "upload_gone",
)


def _codes(words: str, outcome: Outcome) -> dict[str, Outcome]:
    return dict.fromkeys(words.split(), outcome)


CODES: Mapping[str, Outcome] = {
    **_codes("NoSuchKey NotFound 404 NoSuchVersion", StorageFileNotFoundError),
    **_codes(
        "AccessDenied 403 AllAccessDisabled InvalidAccessKeyId SignatureDoesNotMatch InvalidToken ExpiredToken "
        "TokenRefreshRequired AccountProblem InvalidObjectState RequestTimeTooSkewed",
        StoragePermissionError,
    ),
    **_codes("PreconditionFailed 412 ConditionalRequestConflict", StorageFileExistsError),
    **_codes(
        "SlowDown Throttling ThrottlingException ThrottledException RequestThrottled RequestThrottledException "
        "TooManyRequestsException ProvisionedThroughputExceededException TransactionInProgressException "
        "RequestLimitExceeded BandwidthLimitExceeded RequestTimeout RequestTimeoutException InternalError "
        "ServiceUnavailable PriorRequestNotComplete EC2ThrottledException OperationAborted",
        StorageConnectionError,
    ),
    **_codes("NoSuchBucket InvalidBucketName", Misconfigured("bucket")),
    **_codes(
        "PermanentRedirect AuthorizationHeaderMalformed IllegalLocationConstraintException InvalidRegion",
        Misconfigured("region"),
    ),
    **_codes(
        "InvalidArgument InvalidRequest EntityTooLarge EntityTooSmall MetadataTooLarge InvalidDigest",
        StorageValidationError,
    ),
    "KeyTooLongError": InvalidKeyError,
    "InvalidRange": InvalidRangeError,
    "NoSuchUpload": StorageError,  # an upload completed or aborted: not a missing object
}
"""S3 error codes whose meaning wins over the HTTP status."""

_CREDENTIALS = "set S3Config.access_key_id/secret_access_key, a profile or the AWS_* environment variables"

TYPES: Mapping[type[BaseException], Outcome] = {
    boto.NoCredentialsError: Misconfigured("access_key_id", _CREDENTIALS),
    boto.PartialCredentialsError: Misconfigured("access_key_id", _CREDENTIALS),
    boto.CredentialRetrievalError: Misconfigured("access_key_id", _CREDENTIALS),
    **dict.fromkeys((boto.NoRegionError, boto.InvalidRegionError, boto.UnknownRegionError), Misconfigured("region")),
    boto.ProfileNotFound: Misconfigured("profile_name"),
    boto.InvalidS3AddressingStyleError: Misconfigured("addressing_style"),
    boto.InvalidDNSNameError: Misconfigured("addressing_style"),
    boto.UnknownEndpointError: Misconfigured("endpoint_url"),
    boto.InvalidEndpointConfigurationError: Misconfigured("endpoint_url"),
    boto.ParamValidationError: StorageValidationError,
    # HTTPClientError covers ConnectionClosedError, ReadTimeoutError and
    # ResponseStreamingError (a body cut mid-transfer); ConnectionError covers
    # EndpointConnectionError, ConnectTimeoutError and SSL/proxy failures; aiohttp's
    # come from under botocore (ClientPayloadError: a truncated body).
    **dict.fromkeys(
        (
            boto.HTTPClientError,
            boto.ConnectionError,
            boto.IncompleteReadError,
            boto.ChecksumError,
            aiohttp.ClientError,
            asyncio.TimeoutError,
            OSError,
        ),
        StorageConnectionError,
    ),
}
"""botocore's (and the transport's) exceptions that mean something without an answer."""


def _answer(error: Exception) -> Answer | None:
    if not isinstance(error, boto.ClientError):
        return None
    response = error.response or {}
    status = int(response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
    error_body = response.get("Error", {})
    return Answer(status or None, str(error_body.get("Code", "") or ""), str(error_body.get("Message", "") or ""))


TABLE = ErrorTable("S3Storage", read=_answer, codes=CODES, types=TYPES)
translate_error = TABLE.translate

OWNED_ERRORS: tuple[type[BaseException], ...] = (
    boto.BotoCoreError,
    boto.ClientError,
    aiohttp.ClientError,
    asyncio.TimeoutError,
    OSError,
)
"""The exceptions the mapper translates: botocore's, and those of aiohttp and sockets
under it. Anything else is a bug and propagates as itself."""

errors = TABLE.mapper(OWNED_ERRORS)
"""The mapper applied around every request and streamed body of the S3 backend."""


def upload_gone(error: BaseException) -> bool:
    """Tell whether S3 answered ``NoSuchUpload`` (an upload aborted or completed already)."""
    return isinstance(error, boto.ClientError) and (error.response or {}).get("Error", {}).get("Code") == "NoSuchUpload"


def service_error(code: str, operation: str, message: str = "") -> boto.ClientError:
    """Build the ``ClientError`` S3 answers with ``code``, for an answer the driver works out itself."""
    answer: Any = {"Error": {"Code": code, "Message": message or code}}
    return boto.ClientError(answer, operation)


def batch_delete_error(failure: Mapping[str, Any], key: str) -> StorageError:
    """Translate one ``Errors`` entry of a DeleteObjects answer as the same error of a single request."""
    return errors.translate(service_error(failure.get("Code", ""), "DeleteObjects", failure.get("Message", "")), key)
