"""The API reference documents every public name, each with the release it appeared
in and, when it moved, its old home; the upgrading guide lists every move."""

from __future__ import annotations

import importlib
import re
import runpy
from pathlib import Path
from typing import Any

import pytest

import portkit
import portkit.exceptions

DOCS = Path(__file__).resolve().parent.parent / "docs"
API = (DOCS / "api.md").read_text()
UPGRADING = (DOCS / "upgrading.md").read_text()

#: ``.. autoclass:: portkit.X`` and friends.
AUTO = re.compile(r"^\.\. (auto\w+):: ([\w.]+)", re.MULTILINE)


def _packages() -> list[str]:
    return ["portkit", "portkit.exceptions", *(f"portkit.{n}" for n in portkit._SUBPACKAGES)]


def _conf() -> dict[str, Any]:
    pytest.importorskip("sphinx")
    return runpy.run_path(str(DOCS / "conf.py"))


def _data_entries() -> list[str]:
    """The full names of the ``py:data`` entries, written with ``:module:`` or after
    an ``automodule``/``py:currentmodule`` that names their module."""
    found, current, lines = [], "", API.splitlines()
    for i, line in enumerate(lines):
        if m := re.match(r"\.\. (?:automodule|py:currentmodule|py:module):: ([\w.]+)", line):
            current = m.group(1)
        elif m := re.match(r"\.\. py:data:: ([\w.]+)", line):
            option = re.match(r"   :module: ([\w.]+)", lines[i + 1]) if i + 1 < len(lines) else None
            found.append(f"{option.group(1) if option else current}.{m.group(1)}")
    return found


def _documented() -> set[str]:
    names = {target for _, target in AUTO.findall(API)} | set(_data_entries())
    # automodule's :members: renders the classes and functions of __all__; data needs
    # an entry of its own.
    for package in re.findall(r"^\.\. automodule:: ([\w.]+)\n   :members:", API, re.M):
        module = importlib.import_module(package)
        names |= {
            f"{package}.{n}" for n in module.__all__ if callable(getattr(module, n))
        }
    return names


def _moves() -> list[tuple[str, str]]:
    return sorted(
        (f"{module.__name__}.{old}", new)
        for module in (portkit, portkit.exceptions)
        for old, new in module._MOVED.items()
    )


@pytest.mark.parametrize("package", _packages())
def test_api_reference_documents_every_public_name(package: str) -> None:
    pytest.importorskip("hypothesis")
    documented = _documented()
    module = importlib.import_module(package)
    assert f".. automodule:: {package}\n" in API, f"no section for {package}"
    missing = []
    for name in module.__all__:
        value = getattr(module, name)
        home = getattr(value, "__module__", package) if isinstance(value, type) else package
        if f"{home}.{name}" not in documented:
            missing.append(f"{package}.{name}")
    assert not missing, f"docs/api.md does not document {missing}"


def test_every_public_name_gets_versionadded_and_moved_ones_their_old_home() -> None:
    conf = _conf()
    version_notes, names_0_1 = conf["version_notes"], conf["NAMES_0_1"]
    moved_to: dict[str, list[str]] = {}
    for old, new in _moves():
        moved_to.setdefault(new, []).append(old)
    for package in _packages():
        for name in importlib.import_module(package).__all__:
            full = f"{package}.{name}"
            notes = {directive: (v, text) for directive, v, text in version_notes(full, "")}
            since = "0.1" if name in names_0_1.get(package, ()) or full in moved_to else "0.2"
            assert notes["versionadded"] == (since, ""), full
            for old in moved_to.get(full, []):
                assert notes["versionchanged"][0] == "0.2"
                assert f"``{old}``" in notes["versionchanged"][1], (full, old)
    # A docstring that already says when it appeared keeps its own words.
    assert version_notes("portkit.catalog", ".. versionadded:: 0.2\n") == []
    assert version_notes("portkit._models.PortSet", "") == []


def test_the_0_1_inventory_matches_the_export_tests() -> None:
    from test_exports import NAMES_0_1

    names_0_1 = _conf()["NAMES_0_1"]
    top = {f"portkit.{n}" for n in names_0_1["portkit"]}
    moved = {old for old, _ in _moves() if old.startswith("portkit.") and old.count(".") == 1}
    assert top | moved == {f"portkit.{n}" for n in NAMES_0_1}


def test_hand_written_data_entries_are_public_names_so_they_get_notes() -> None:
    public = _conf()["_public_names"]()
    entries = _data_entries()
    assert len(entries) >= 5
    for name in entries:
        assert name in public, f"docs/api.md: {name} is not a public name"


def test_upgrading_guide_lists_every_move() -> None:
    rows = re.findall(r"^\| `([\w.]+)` \| `([\w.]+)` \|$", UPGRADING, re.MULTILINE)
    expected = _moves()
    table = "".join(f"| `{old}` | `{new}` |\n" for old, new in expected)
    assert sorted(rows) == expected, f"docs/upgrading.md's table should read:\n{table}"
    assert len(rows) == len(set(rows))


def test_upgrading_guide_is_linked_from_the_index() -> None:
    index = (DOCS / "index.md").read_text()
    assert "(upgrading.md)" in index
    assert re.search(r"^upgrading$", index, re.MULTILINE), "not in the toctree"
