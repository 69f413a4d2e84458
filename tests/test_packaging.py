"""The tests run on what users install: the wheel, not the source tree.

The README's test command installs portkit with ``pip install '.[test]'``, which
builds a wheel and installs it; CI sets ``PORTKIT_TEST_WHEEL=1`` so that these tests
fail, instead of skipping, when portkit is imported from the source tree. A file that
the wheel leaves out then fails here, and in every test that needs it.
"""

from __future__ import annotations

import json
import os
from importlib.metadata import distribution
from pathlib import Path

import pytest

import portkit

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "src" / "portkit"


def _installed_from_wheel() -> tuple[bool, str]:
    """Whether portkit is imported from a wheel's install, and if not, why not."""
    package = Path(portkit.__file__).resolve().parent
    if package == SOURCE.resolve():
        return False, f"portkit is imported from the source tree ({package})"
    direct = distribution("portkit").read_text("direct_url.json")
    if direct and json.loads(direct).get("dir_info", {}).get("editable"):
        return False, "portkit is an editable install"
    return True, ""


@pytest.fixture
def installed_package() -> Path:
    from_wheel, why = _installed_from_wheel()
    if not from_wheel:
        if os.environ.get("PORTKIT_TEST_WHEEL") == "1":
            pytest.fail(f"PORTKIT_TEST_WHEEL=1 but {why}")
        pytest.skip(f"{why}; run the README's test command to test the wheel")
    return Path(portkit.__file__).resolve().parent


def _files(root: Path) -> set[str]:
    return {
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }


def test_the_installed_wheel_holds_every_file_of_the_source_tree(
    installed_package: Path,
) -> None:
    if not SOURCE.is_dir():
        pytest.skip("no source tree beside the tests")
    missing = _files(SOURCE) - _files(installed_package)
    assert not missing, f"files missing from the installed wheel: {sorted(missing)}"


def test_the_installed_wheel_is_typed_and_carries_its_data(installed_package: Path) -> None:
    assert (installed_package / "py.typed").is_file()
    assert (installed_package / "data" / "iana-registry.tsv").stat().st_size > 100_000
    record = distribution("portkit").files or []
    recorded = {str(f) for f in record}
    assert "portkit/py.typed" in recorded
    assert portkit.lookup(443) is not None  # the bundled registry loads from the wheel


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    command = next(
        line for line in readme.splitlines()
        if line.startswith("python3 -m venv") and "pytest" in line
    )
    assert "pip install -e" not in command, "the README's tests must run on the wheel"
    assert f"\n{command}\n" in ci
