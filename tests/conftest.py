"""Shared fixtures: every async test runs on asyncio and on trio."""

from __future__ import annotations

import pytest


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    """Run each ``@pytest.mark.anyio`` test once per backend; neither is skipped."""
    return str(request.param)


def pytest_report_header() -> str:
    """Say which portkit the tests run on: an installed wheel or the source tree."""
    from pathlib import Path

    import portkit

    return f"portkit {portkit.__version__} from {Path(portkit.__file__).parent}"
