"""Project name and version: the one place every distribution of the monorepo reads its version from.

Each ``pyproject.toml`` under ``packages/`` points ``[tool.hatch.version]`` at this file,
so ``litestar-storages``, ``litestar-storages-core`` and every backend are released
with the same version.
"""

__all__ = ("__project__", "__version__")

__project__ = "litestar-storages"
__version__ = "0.3.0"
