"""``NameStorage``: the Storage API over :class:`~.driver.NameDriver`, provided by the engine."""

from __future__ import annotations

from litestar_storages.backends.NAME.config import NameConfig
from litestar_storages.backends.NAME.driver import NameDriver
from litestar_storages.engine import DriverStorage

__all__ = ("NameStorage",)


class NameStorage(DriverStorage):
    """Files kept by the NAME service (here: in a ``dict``)."""

    __slots__ = ("config",)

    def __init__(self, config: NameConfig | None = None) -> None:
        """Create a storage; nothing is contacted until the first operation.

        Args:
            config: The configuration; the defaults when omitted.
        """
        self.config = config or NameConfig()
        super().__init__(NameDriver(self.config), prefix=self.config.prefix)
