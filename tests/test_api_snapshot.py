"""The public API matches the committed snapshot (tests/api/snapshot.txt), so that
every change to it is deliberate and shows in review."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

HERE = Path(__file__).resolve().parent


def _snapshot_module() -> ModuleType:
    path = HERE / "api" / "snapshot.py"
    spec = importlib.util.spec_from_file_location("portkit_api_snapshot", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


snapshot = _snapshot_module()


def test_public_api_matches_the_committed_snapshot() -> None:
    pytest.importorskip("hypothesis")  # portkit.strategies is part of the API
    committed = snapshot.SNAPSHOT.read_text()
    current = snapshot.snapshot()
    if current != committed:
        pytest.fail(
            "portkit's public API differs from tests/api/snapshot.txt:\n\n"
            f"{snapshot.diff(committed, current)}\n"
            "If the change is deliberate, regenerate the snapshot with\n"
            f"    {snapshot.UPDATE}\n"
            "and add a line saying what changed to CHANGELOG.md under ## [Unreleased].",
            pytrace=False,
        )


def test_snapshot_covers_every_public_name_of_every_public_package() -> None:
    pytest.importorskip("hypothesis")
    text = snapshot.SNAPSHOT.read_text()
    for package in snapshot.PUBLIC_PACKAGES:
        module = importlib.import_module(package)
        assert f"## {package}\n" in text
        for name in module.__all__:
            assert f" {package}.{name}" in text, f"{package}.{name} is not in the snapshot"


def test_snapshot_covers_the_packages_the_export_tests_check() -> None:
    from test_exports import PUBLIC_PACKAGES

    assert set(PUBLIC_PACKAGES) <= set(snapshot.PUBLIC_PACKAGES)
    assert "portkit.strategies" in snapshot.PUBLIC_PACKAGES


def test_a_changed_signature_shows_as_a_readable_diff() -> None:
    committed = "function portkit.classify(port: int) -> PortClass\n"
    changed = "function portkit.classify(port: int, *, strict: bool = True) -> PortClass\n"
    shown = snapshot.diff(committed, changed)
    assert "-function portkit.classify(port: int) -> PortClass" in shown
    assert "+function portkit.classify(port: int, *, strict: bool = True) -> PortClass" in shown
