"""validate_part: the upload_part arguments every backend checks the same way."""

from __future__ import annotations

import pytest

from litestar_storages.exceptions import InvalidDataError, StorageValidationError
from litestar_storages.parts import MAX_PART_NUMBER, validate_part
from litestar_storages.types import MultipartUpload

UPLOAD = MultipartUpload(upload_id="u", key="big.bin")


@pytest.mark.parametrize("data", [b"x", bytearray(b"x"), memoryview(b"x"), b""])
@pytest.mark.parametrize("part_number", [1, 2, MAX_PART_NUMBER])
def test_valid_parts(part_number: int, data: bytes) -> None:
    assert validate_part(UPLOAD, part_number, data) == part_number


@pytest.mark.parametrize("part_number", [0, -1, MAX_PART_NUMBER + 1, True, 1.0, "1", None])
def test_part_numbers_refused(part_number: object) -> None:
    with pytest.raises(StorageValidationError, match="part_number") as caught:
        validate_part(UPLOAD, part_number, b"x")
    assert caught.value.key == "big.bin"


@pytest.mark.parametrize("data", ["text", None, [b"x"], 3])
def test_data_refused(data: object) -> None:
    with pytest.raises(InvalidDataError, match="Parts must be bytes") as caught:
        validate_part(UPLOAD, 1, data)
    assert caught.value.key == "big.bin"
