"""The integration suite's harness: services, the ``backend`` parameter, per-backend summary.

Any test that asks for the ``backend`` fixture (or ``storage``, built on it) runs once
per backend, with the parameter ids ``memory``, ``filesystem``, ``s3``, ``azure`` and
``gcs`` (plus the opt-in ``*-cloud`` ones); ``@pytest.mark.backends("s3", ...)`` narrows
the list. The services those backends need start on first use, once per session, and
stop when the session ends, whatever happened in between.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

# The suite's support package lives beside this file; with --import-mode=importlib
# nothing puts this folder on sys.path for us.
sys.path.insert(0, str(Path(__file__).parent))

from storages_harness.backends import BACKEND_IDS, Backend, BackendUnavailable, new_namespace
from storages_harness.harness import Harness

from litestar_storages.base import BaseStorage

HERE = Path(__file__).parent


HARNESS = pytest.StashKey[Harness]()
BACKEND_PROPERTY = "storages_backend"
SERVICE_PROPERTY = "storages_service"
# pytest_runtest_logreport gets no config: it finds the harness here.
_HARNESS_REF: list[Harness] = []


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "backends(*ids): run a backend-parametrised test only on these backends")
    harness = Harness()
    config.stash[HARNESS] = harness
    _HARNESS_REF[:] = [harness]


def pytest_unconfigure(config: pytest.Config) -> None:
    harness = config.stash.get(HARNESS, None)
    if harness is not None:
        harness.close()


def pytest_report_header(config: pytest.Config) -> list[str]:
    harness = config.stash[HARNESS]
    lines = [f"storages integration services: {harness.services.mode}"]
    if harness.not_installed:
        lines.append(f"storages integration: backends not installed: {', '.join(harness.not_installed)}")
    return lines


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" not in metafunc.fixturenames:
        return
    marker = metafunc.definition.get_closest_marker("backends")
    harness = metafunc.config.stash[HARNESS]
    # Cloud accounts join every backend-parametrised test only when configured; when
    # they are not, test_cloud_opt_in.py reports each one as skipped, with the reason.
    wanted = tuple(marker.args) if marker else (*BACKEND_IDS, *harness.configured_clouds)
    ids = [backend_id for backend_id in wanted if backend_id.removesuffix("-cloud") not in harness.not_installed]
    metafunc.parametrize("backend", ids, indirect=True, ids=ids)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and "backend" in callspec.params and HERE in Path(item.path).parents:
            # user_properties travel with each report, also from pytest-xdist workers.
            item.user_properties.append((BACKEND_PROPERTY, callspec.params["backend"]))


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    # One outcome per test: a failed setup or teardown counts as an error.
    harness = _HARNESS_REF[0] if _HARNESS_REF else None
    properties = dict(report.user_properties)
    backend_id = properties.get(BACKEND_PROPERTY)
    if harness is None or backend_id is None:
        return
    harness.item_backend[report.nodeid] = str(backend_id)
    if SERVICE_PROPERTY in properties:
        harness.descriptions.setdefault(str(backend_id), str(properties[SERVICE_PROPERTY]))
    if report.when == "call" or (report.when == "setup" and not report.passed):
        if hasattr(report, "wasxfail"):
            outcome = "xfailed" if report.skipped else "xpassed"
        elif report.when == "setup" and report.failed:
            outcome = "error"
        else:
            outcome = report.outcome
        harness.outcomes[report.nodeid] = outcome
    elif report.when == "teardown" and report.failed:
        harness.outcomes[report.nodeid] = "error"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    harness = config.stash.get(HARNESS, None)
    if harness is None or not harness.item_backend:
        return
    terminalreporter.section("litestar-storages integration: per backend")
    for line in harness.summary_lines():
        terminalreporter.write_line(line)


@pytest.fixture
def harness(pytestconfig: pytest.Config) -> Harness:
    """The session's harness."""
    return pytestconfig.stash[HARNESS]


@pytest.fixture
def backend(request: pytest.FixtureRequest, harness: Harness) -> Backend:
    """The backend this test instance runs on (its service started on first use)."""
    try:
        chosen = harness.backend(request.param)
    except BackendUnavailable as error:
        pytest.skip(str(error))
    request.node.user_properties.append((SERVICE_PROPERTY, chosen.describe()))
    return chosen


@pytest_asyncio.fixture
async def storage(backend: Backend) -> AsyncIterator[BaseStorage]:
    """An empty storage of the current backend, over a namespace of its own."""
    namespace = new_namespace()
    opened = await backend.open(namespace)
    try:
        yield opened
    finally:
        await opened.close()
        await backend.purge(namespace)
