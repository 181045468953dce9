"""The emulator launchers import without pytest; the conformance kit still loads lazily."""

import subprocess
import sys
import textwrap

import pytest

# A meta path finder that refuses pytest, as in an environment without it.
_BLOCK_PYTEST = textwrap.dedent(
    """
    import sys

    class BlockPytest:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in ("pytest", "_pytest", "pytest_asyncio"):
                raise ModuleNotFoundError(f"No module named {name!r} (blocked)", name=name)
            return None

    sys.meta_path.insert(0, BlockPytest())
    """
)


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _BLOCK_PYTEST + textwrap.dedent(code)], capture_output=True, text=True, check=False
    )


def test_blocker_blocks_pytest() -> None:
    result = _run("import pytest\n")
    assert result.returncode != 0
    assert "blocked" in result.stderr


def test_emulators_import_and_construct_without_pytest() -> None:
    result = _run(
        """
        from litestar_storages.testing.emulators import (
            Azurite, EmulatorProcess, FakeGCSServer, MotoServer, free_port, http_ready, wait_until,
        )
        import litestar_storages.testing

        moto = MotoServer()
        azurite = Azurite()
        process = EmulatorProcess([sys.executable, "-c", "pass"], ready=lambda: True, name="noop")
        port = free_port()
        assert port > 0 and moto.host == "127.0.0.1" and azurite is not None and process is not None
        assert litestar_storages.testing.__all__ == ("StorageConformance",)
        loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("pytest", "_pytest"))
        print("loaded:", loaded)
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "loaded: []"


def test_conformance_kit_still_needs_pytest() -> None:
    result = _run("from litestar_storages.testing import StorageConformance\n")
    assert result.returncode != 0
    assert "pytest" in result.stderr


def test_conformance_kit_importable_from_the_package() -> None:
    from litestar_storages.testing import StorageConformance
    from litestar_storages.testing.conformance import StorageConformance as Direct

    assert StorageConformance is Direct


def test_unknown_name_is_attribute_error() -> None:
    import litestar_storages.testing

    with pytest.raises(AttributeError, match="NoSuchThing"):
        _ = litestar_storages.testing.NoSuchThing
