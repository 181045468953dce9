"""The one place where botocore, aiohttp and socket errors become storage errors.

:data:`errors` (an :class:`~litestar_storages.error_mapping.ErrorMapper`) is the S3
driver's error table: the engine applies it around every request and every streamed
body, so no SDK exception reaches user code. Service errors are classified by their S3 error code
first and by HTTP status second (HEAD answers carry no body, hence no code).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import aiohttp
from botocore import exceptions as boto

from litestar_storages.error_mapping import ErrorMapper
from litestar_storages.exceptions import (
    ConfigurationError,
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
    "CONNECTION_CODES",
    "EXISTS_CODES",
    "NOT_FOUND_CODES",
    "OWNED_ERRORS",
    "PERMISSION_CODES",
    "batch_delete_error",
    "error_code",
    "errors",
    "is_missing",
    "service_error",
    "translate_error",
    "upload_gone",
)

NOT_FOUND_CODES = frozenset({"NoSuchKey", "NotFound", "404", "NoSuchVersion"})
PERMISSION_CODES = frozenset(
    (  # noqa: SIM905 - a table of codes, wrapped
        "AccessDenied 403 AllAccessDisabled InvalidAccessKeyId SignatureDoesNotMatch InvalidToken "
        "ExpiredToken TokenRefreshRequired AccountProblem InvalidObjectState RequestTimeTooSkewed"
    ).split()
)
EXISTS_CODES = frozenset({"PreconditionFailed", "412", "ConditionalRequestConflict"})
CONNECTION_CODES = frozenset(
    (  # noqa: SIM905 - a table of codes, wrapped
        "SlowDown Throttling ThrottlingException ThrottledException RequestThrottled "
        "RequestThrottledException TooManyRequestsException ProvisionedThroughputExceededException "
        "TransactionInProgressException RequestLimitExceeded BandwidthLimitExceeded RequestTimeout "
        "RequestTimeoutException InternalError ServiceUnavailable PriorRequestNotComplete "
        "EC2ThrottledException OperationAborted"
    ).split()
)
CONFIGURATION_CODES = {
    "NoSuchBucket": "bucket",
    "InvalidBucketName": "bucket",
    "PermanentRedirect": "region",
    "AuthorizationHeaderMalformed": "region",
    "IllegalLocationConstraintException": "region",
    "InvalidRegion": "region",
}
VALIDATION_CODES = frozenset(
    {"InvalidArgument", "InvalidRequest", "EntityTooLarge", "EntityTooSmall", "MetadataTooLarge", "InvalidDigest"}
)


def error_code(error: boto.ClientError) -> tuple[str, int]:
    """Return the S3 error code and HTTP status of a service error.

    Args:
        error: An error answer from S3.

    Returns:
        ``(code, status)``; the code is ``""`` and the status ``0`` when absent.
    """
    response = error.response or {}
    code = str(response.get("Error", {}).get("Code", "") or "")
    status = int(response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
    return code, status


def _client_error(error: boto.ClientError, key: str | None) -> StorageError:
    code, status = error_code(error)
    message = str(error.response.get("Error", {}).get("Message", "") or "") or code or f"HTTP {status}"
    if code in CONFIGURATION_CODES:
        field = CONFIGURATION_CODES[code]
        return ConfigurationError(f"S3 refused the configured {field} ({code}): {message}", field=field, key=key)
    if code in NOT_FOUND_CODES or (not code and status == 404):
        return StorageFileNotFoundError(key)
    if code in PERMISSION_CODES or (not code and status == 403):
        return StoragePermissionError(f"S3 denied access ({code or status}): {message}", key=key)
    if code in EXISTS_CODES or (not code and status == 412):
        return StorageFileExistsError(key)
    if code in CONNECTION_CODES or status == 429 or status >= 500:
        return StorageConnectionError(f"S3 failed or throttled ({code or status}): {message}", key=key)
    if code == "KeyTooLongError":
        return InvalidKeyError(f"Key too long for S3: {key!r}", key=key)
    if code == "InvalidRange":
        return InvalidRangeError(f"Range not satisfiable for {key!r}", key=key)
    if code == "NoSuchUpload":
        return StorageError(f"The multipart upload of {key!r} no longer exists (completed or aborted)", key=key)
    if code in VALIDATION_CODES:
        return StorageValidationError(f"S3 rejected the request ({code}): {message}", key=key)
    return StorageError(f"S3 error ({code or status}): {message}", key=key)


def translate_error(error: Exception, key: str | None) -> StorageError | None:
    """Translate one error raised by aiobotocore (or the network under it).

    Args:
        error: The exception.
        key: The storage key of the failed operation, if any.

    Returns:
        The storage error standing for it, or ``None`` for an unknown error (the
        :class:`~litestar_storages.error_mapping.ErrorMapper` then raises a plain
        :class:`~litestar_storages.exceptions.StorageError`).
    """
    if isinstance(error, boto.ClientError):
        return _client_error(error, key)
    if isinstance(error, boto.NoCredentialsError | boto.PartialCredentialsError | boto.CredentialRetrievalError):
        return ConfigurationError(
            f"No usable AWS credentials ({error}): set S3Config.access_key_id/secret_access_key, "
            "a profile or the AWS_* environment variables",
            field="access_key_id",
            key=key,
        )
    if isinstance(error, boto.NoRegionError | boto.InvalidRegionError | boto.UnknownRegionError):
        return ConfigurationError(f"Invalid or missing region: {error}", field="region", key=key)
    if isinstance(error, boto.ProfileNotFound):
        return ConfigurationError(str(error), field="profile_name", key=key)
    if isinstance(error, boto.InvalidS3AddressingStyleError | boto.InvalidDNSNameError):
        return ConfigurationError(str(error), field="addressing_style", key=key)
    if isinstance(error, boto.UnknownEndpointError | boto.InvalidEndpointConfigurationError):
        return ConfigurationError(str(error), field="endpoint_url", key=key)
    if isinstance(error, boto.ParamValidationError):
        return StorageValidationError(f"Invalid request: {error}", key=key)
    if isinstance(
        error,
        boto.HTTPClientError | boto.ConnectionError | boto.IncompleteReadError | boto.ChecksumError,
    ):
        # HTTPClientError covers ConnectionClosedError, ReadTimeoutError and
        # ResponseStreamingError (a body cut mid-transfer); ConnectionError covers
        # EndpointConnectionError, ConnectTimeoutError and SSL/proxy failures.
        return StorageConnectionError(f"S3 connection failed: {error}", key=key)
    if isinstance(error, aiohttp.ClientError | asyncio.TimeoutError | OSError):
        # Raised by aiohttp under botocore, e.g. ClientPayloadError on a truncated body.
        return StorageConnectionError(f"S3 connection failed: {type(error).__name__}: {error}", key=key)
    return None


OWNED_ERRORS: tuple[type[BaseException], ...] = (
    boto.BotoCoreError,
    boto.ClientError,
    aiohttp.ClientError,
    asyncio.TimeoutError,
    OSError,
)
"""The exceptions the mapper translates: botocore's, and those of aiohttp and sockets
under it. Anything else is a bug and propagates as itself."""

errors = ErrorMapper(translate_error, backend="S3Storage", owns=OWNED_ERRORS)
"""The mapper applied around every request and streamed body of the S3 backend."""


def upload_gone(error: BaseException) -> bool:
    """Tell whether an error is S3's ``NoSuchUpload`` (an upload aborted or completed already).

    Args:
        error: An error raised by the client.

    Returns:
        ``True`` when S3 answered NoSuchUpload.
    """
    return isinstance(error, boto.ClientError) and error_code(error)[0] == "NoSuchUpload"


def is_missing(error: BaseException) -> bool:
    """Tell whether an error says the object does not exist (``NoSuchKey``, or a bare 404 of a HEAD).

    Args:
        error: An error raised by the client.

    Returns:
        ``True`` for a missing object.
    """
    if not isinstance(error, boto.ClientError):
        return False
    code, status = error_code(error)
    return code in NOT_FOUND_CODES or (not code and status == 404)


def service_error(code: str, operation: str, message: str = "") -> boto.ClientError:
    """Build the error S3 answers with ``code``, for an answer the driver works out itself.

    Raised from the driver, it is translated like the service's own (with the key of
    the operation): ``NoSuchKey`` for a missing object found by a HEAD,
    ``PreconditionFailed`` for an existing one when conditional writes are off.

    Args:
        code: The S3 error code.
        operation: The S3 operation it stands for.
        message: S3's message, if any.

    Returns:
        The error.
    """
    answer: Any = {"Error": {"Code": code, "Message": message or code}}
    return boto.ClientError(answer, operation)


def batch_delete_error(failure: Mapping[str, Any], key: str) -> StorageError:
    """Translate one per-key failure of a DeleteObjects answer, as the same error of a single request.

    Args:
        failure: An entry of the answer's ``Errors`` (``Key``, ``Code``, ``Message``).
        key: The storage key (without the configured prefix) that failed.

    Returns:
        The storage error, chained to a ``ClientError`` holding S3's code and message.
    """
    error = service_error(failure.get("Code", ""), "DeleteObjects", failure.get("Message", ""))
    return errors.translate(error, key)
