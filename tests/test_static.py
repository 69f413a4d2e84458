"""Static checks as part of the test suite: mypy --strict, ruff and pyright's
--verifytypes must be clean."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run(module: str, *args: str) -> subprocess.CompletedProcess[str]:
    if importlib.util.find_spec(module) is None:
        pytest.skip(f"{module} is not installed (pip install -e '.[test]')")
    return subprocess.run(
        [sys.executable, "-m", module, *args], cwd=ROOT, capture_output=True, text=True,
        check=False,
    )


def test_mypy_strict_is_clean_on_src_and_typing_tests() -> None:
    result = _run("mypy")  # files and strictness come from pyproject.toml
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_is_clean() -> None:
    result = _run("ruff", "check", "--no-cache", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def _basedpyright() -> str:
    here = Path(sys.executable).parent / "basedpyright"
    found = str(here) if here.exists() else shutil.which("basedpyright")
    if found is None:
        pytest.skip("basedpyright is not installed (pip install -e '.[test]')")
    return found


def test_public_interface_is_fully_typed_and_documented() -> None:
    """``basedpyright --verifytypes portkit --ignoreexternal``: 100% and every docstring.

    It checks the portkit that this interpreter imports (the installed wheel in CI),
    so the interpreter's directory goes first on PATH: --verifytypes finds packages
    through the ``python`` it finds there.
    """
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(
        [_basedpyright(), "--verifytypes", "portkit", "--ignoreexternal", "--outputjson"],
        cwd=ROOT / "tests", capture_output=True, text=True, check=False, env=env,
    )
    report = json.loads(result.stdout)["typeCompleteness"]
    assert report["pyTypedPath"], "portkit has no py.typed"
    problems = [
        f"{d.get('file', '')}:{d.get('range', {}).get('start', {}).get('line', -1) + 1}: "
        f"{symbol['name']}: {d['message']}"
        for symbol in report["symbols"]
        for d in symbol["diagnostics"]
        if d["severity"] == "error"
        # pyright makes up a class for each attrs field with a converter; those
        # classes have no source, so they cannot have docstrings.
        or ("No docstring" in d["message"] and "__converterDescriptor_" not in symbol["name"])
    ]
    assert not problems, "\n".join(problems)
    assert report["completenessScore"] == 1.0
    assert report["missingFunctionDocStringCount"] == 0
