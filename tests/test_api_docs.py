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

#: ``.. autoclass:: portkit.X`` and friends, and ``.. py:data:: X`` with ``:module:``.
DIRECTIVE = re.compile(r"^\.\. (auto\w+|py:data):: ([\w.]+)", re.MULTILINE)
DATA = re.compile(
    r"^\.\. py:data:: (\w+)\n   :module: ([\w.]+)\n(?P<body>(?:\n|   .*\n)*)", re.MULTILINE
)


def _packages() -> list[str]:
    return ["portkit", "portkit.exceptions", *(f"portkit.{n}" for n in portkit._SUBPACKAGES)]


def _conf() -> dict[str, Any]:
    pytest.importorskip("sphinx")
    return runpy.run_path(str(DOCS / "conf.py"))


def _documented() -> set[str]:
    names = {target for kind, target in DIRECTIVE.findall(API) if kind != "py:data"}
    names |= {f"{module}.{name}" for name, module, _ in DATA.findall(API)}
    for package in re.findall(r"^\.\. automodule:: ([\w.]+)\n   :members:", API, re.M):
        names |= {f"{package}.{n}" for n in importlib.import_module(package).__all__}
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
    version_notes = _conf()["version_notes"]
    moved_to: dict[str, list[str]] = {}
    for old, new in _moves():
        moved_to.setdefault(new, []).append(old)
    for package in _packages():
        for name in importlib.import_module(package).__all__:
            notes = "\n".join(version_notes(f"{package}.{name}", ""))
            assert ".. versionadded:: 0.1" in notes, (package, name)
            for old in moved_to.get(f"{package}.{name}", []):
                assert ".. versionchanged:: 0.2" in notes
                assert f"``{old}``" in notes, (package, name, old)
    # A docstring that already says when it appeared keeps its own words.
    assert version_notes("portkit.catalog", ".. versionadded:: 0.2\n") == []
    assert version_notes("portkit._models.PortSet", "") == []


def test_data_written_by_hand_says_when_it_appeared_and_where_it_was() -> None:
    found = DATA.findall(API)
    assert len(found) >= 4
    moved = dict(_moves())
    for name, module, body in found:
        assert re.search(r"\.\. versionadded:: 0\.\d", body), name
        old = f"portkit.{name}"
        if moved.get(old) == f"{module}.{name}":
            assert ".. versionchanged:: 0.2" in body and f"``{old}``" in body, name


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
