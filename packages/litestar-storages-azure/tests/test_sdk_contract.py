"""What ``azure/_sdk.py`` relies on still exists in the installed azure-storage-blob.

Real SDK objects, no mocks and no network: a failure names the SDK version and the private
name that changed, so that widening the version bound (pyproject.toml) starts here.
"""

from __future__ import annotations

import importlib
import inspect
from typing import Any

import azure.storage.blob
import pytest
from azure.storage.blob.aio import ContainerClient

from litestar_storages.backends.azure._sdk import BlobOperationsFactory

SDK = f"azure-storage-blob {azure.storage.blob.__version__}"
OPERATIONS = "azure.storage.blob._generated.aio.operations"

# Every generated method _sdk.py calls, with the parameters it passes (``headers`` and
# ``cls`` travel in ``**kwargs``) and those it passes by position.
CALLS: dict[tuple[str, str], tuple[tuple[str, ...], tuple[str, ...]]] = {
    ("BlobOperations", "get_properties"): ((), ("cls",)),
    ("BlobOperations", "download"): ((), ("range", "cls", "decompress")),
    ("BlobOperations", "delete"): ((), ("delete_snapshots",)),
    ("BlockBlobOperations", "upload"): (("content_length", "body"), ("headers", "cls")),
}


def _broken(name: str, what: str) -> str:
    return f"{SDK}: {name} {what}; litestar_storages.backends.azure._sdk relies on it (see its docstring)"


def _operations_module() -> Any:
    try:
        return importlib.import_module(OPERATIONS)
    except ImportError as error:
        pytest.fail(_broken(OPERATIONS, f"cannot be imported ({error})"))


@pytest.fixture
def container() -> ContainerClient:
    return ContainerClient("https://acct.blob.core.windows.net", "box", credential=None)


@pytest.mark.parametrize("name", ["BlobOperations", "BlockBlobOperations"])
def test_generated_operation_classes_exist(name: str) -> None:
    assert isinstance(getattr(_operations_module(), name, None), type), _broken(f"{OPERATIONS}.{name}", "is gone")


@pytest.mark.parametrize(("owner", "method"), list(CALLS))
def test_generated_methods_accept_what_we_pass(owner: str, method: str) -> None:
    qualified = f"{OPERATIONS}.{owner}.{method}"
    function = getattr(getattr(_operations_module(), owner), method, None)
    assert callable(function), _broken(qualified, "is gone")
    positional, keywords = CALLS[owner, method]
    parameters = list(inspect.signature(function).parameters.values())[1:]  # without self
    leading = [parameter.name for parameter in parameters[: len(positional)]]
    assert leading == list(positional), _broken(qualified, f"takes {leading} first, not {list(positional)}")
    by_name = {parameter.name for parameter in parameters if parameter.kind is not parameter.VAR_KEYWORD}
    takes_any = any(parameter.kind is parameter.VAR_KEYWORD for parameter in parameters)
    for keyword in keywords:
        assert keyword in by_name or takes_any, _broken(qualified, f"no longer accepts {keyword}=")
    # headers= and cls= only work if the method still takes them out of **kwargs.
    source = inspect.getsource(function)
    for keyword in set(keywords) - by_name:
        assert f'kwargs.pop("{keyword}"' in source, _broken(qualified, f"no longer reads {keyword}= from **kwargs")


def test_blob_client_has_the_private_attributes_we_copy(container: ContainerClient) -> None:
    blob = container.get_blob_client("a/b.txt")
    generated = getattr(blob, "_client", None)
    assert generated is not None, _broken("BlobClient._client", "is gone")
    for attribute in ("_client", "_config", "_serialize", "_deserialize"):
        assert hasattr(generated, attribute), _broken(f"{type(generated).__qualname__}.{attribute}", "is gone")
    assert getattr(generated._config, "url", None) == blob.url, _broken(
        f"{type(generated._config).__qualname__}.url", "no longer holds the blob's URL"
    )


def test_operations_are_built_from_the_parts_in_our_order(container: ContainerClient) -> None:
    """``BlobOperations(client, config, serializer, deserializer)``: each part lands where the SDK reads it."""
    module = _operations_module()
    generated: Any = container.get_blob_client("a/b.txt")._client
    parts = (generated._client, generated._config, generated._serialize, generated._deserialize)
    for name in ("BlobOperations", "BlockBlobOperations"):
        built = getattr(module, name)(*parts)
        seen = tuple(
            getattr(built, attribute, None) for attribute in ("_client", "_config", "_serialize", "_deserialize")
        )
        assert all(got is part for got, part in zip(seen, parts, strict=True)), _broken(
            f"{OPERATIONS}.{name}.__init__", "no longer takes (client, config, serializer, deserializer)"
        )


def test_factory_builds_requests_for_the_blob_url(container: ContainerClient) -> None:
    factory = BlobOperationsFactory(container)
    requests: Any = factory("dir/x y.txt")
    expected = container.get_blob_client("dir/x y.txt").url
    for group in (requests._blob, requests._block_blob):
        assert group._config.url == expected, _broken("the generated configuration's url", "is not the one requested")
