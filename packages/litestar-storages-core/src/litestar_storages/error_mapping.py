"""Translating SDK errors into :mod:`litestar_storages.exceptions` at one boundary.

Each backend writes one translation function (SDK error in, storage error out), names
the exception types it owns (its SDK's and its transport's), and wraps every SDK call,
and every streamed body, with the :class:`ErrorMapper` built from them. Nothing raised
by an SDK reaches user code untranslated, including errors raised halfway through a
download; anything else (an ``AttributeError``, a ``KeyError``: a bug) propagates
unchanged, so that ``except StorageError`` never hides it and the Litestar plugin
never turns it into an HTTP answer.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from typing import TypeAlias, Union

from litestar_storages.exceptions import StorageError

__all__ = ("ErrorMapper", "ErrorTranslator")

ErrorTranslator: TypeAlias = Callable[[Exception, Union[str, None]], Union[StorageError, None]]
"""A backend's translation, which returns the storage error for an SDK error, or ``None``
when the error is one of the owned types but not one it knows (it then becomes a plain
:class:`StorageError`)."""


class ErrorMapper:
    """Applies one backend's error translation around calls and streams."""

    __slots__ = ("_translate", "backend", "owns")

    def __init__(self, translate: ErrorTranslator, *, backend: str, owns: tuple[type[BaseException], ...]) -> None:
        """Create a mapper.

        Args:
            translate: The backend's translation function.
            backend: The backend's name, used in messages of untranslated errors.
            owns: The exception types of the backend's SDK and transport (for example
                ``botocore.exceptions.BotoCoreError``, ``aiohttp.ClientError``,
                ``OSError``); only these are translated, any other exception propagates.
        """
        self._translate = translate
        self.backend = backend
        self.owns = owns

    def translate(self, error: Exception, key: str | None = None) -> StorageError:
        """Return the storage error that stands for ``error``.

        Args:
            error: An exception raised by the SDK (or the network under it).
            key: The key of the operation that failed, if any.

        Returns:
            ``error`` itself when it is already a :class:`StorageError`, else the
            translated error (not yet raised; its cause is set). Callers pass only
            errors of the owned types, as :meth:`guard` does.
        """
        if isinstance(error, StorageError):
            return error
        mapped = self._translate(error, key)
        if mapped is None:
            mapped = StorageError(f"{self.backend}: unexpected {type(error).__name__}: {error}", key=key)
        mapped.__cause__ = error
        return mapped

    @contextmanager
    def guard(self, key: str | None = None) -> Iterator[None]:
        """Translate the SDK and transport exceptions raised inside the block.

        Exceptions of other types propagate unchanged.

        Args:
            key: The key of the operation, attached to the raised error.

        Yields:
            Nothing; the block runs inside the guard.

        Raises:
            StorageError: Any translated error, chained to the original.
        """
        try:
            yield
        except StorageError:
            raise
        except Exception as error:
            if not isinstance(error, self.owns):
                raise  # not the SDK's: a bug, which must stay visible as itself
            raise self.translate(error, key) from error

    async def guard_stream(self, chunks: AsyncIterable[bytes], key: str | None = None) -> AsyncIterator[bytes]:
        """Iterate ``chunks``, translating errors raised while fetching each one.

        Only the fetch is guarded: exceptions thrown into the consumer's loop body are
        the consumer's own.

        Args:
            chunks: A streamed body from the SDK.
            key: The key being read.

        Yields:
            The chunks, unchanged.
        """
        iterator = aiter(chunks)
        while True:
            with self.guard(key):
                try:
                    chunk = await anext(iterator)
                except StopAsyncIteration:
                    return
            yield chunk
