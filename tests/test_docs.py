"""The examples in the guides and docstrings run, and print what they say they print."""

from __future__ import annotations

import doctest
import importlib
import re
from pathlib import Path

import pytest

import portkit
import test_exports as _exports

DOCS = Path(__file__).resolve().parent.parent / "docs"
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE | doctest.IGNORE_EXCEPTION_DETAIL

#: Guides whose ``>>>`` examples are run. Every guide with examples belongs here.
GUIDES = [
    "annotations.md", "classification.md", "models.md", "monitoring.md", "pipelines.md",
    "registry.md", "scanning-at-scale.md", "security.md", "upgrading.md",
]


FENCE = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


@pytest.mark.parametrize("name", [*GUIDES, "../README.md"])
def test_guide_examples(name: str) -> None:
    pytest.importorskip("numpy")
    path = DOCS / name
    blocks = "\n".join(FENCE.findall(path.read_text()))
    test = doctest.DocTestParser().get_doctest(
        blocks, {"portkit": portkit}, name, str(path), 0
    )
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0


#: Every public package: the docstrings of its names run as doctests.
PUBLIC_PACKAGES = _exports.PUBLIC_PACKAGES


@pytest.mark.parametrize("name", PUBLIC_PACKAGES)
def test_docstring_examples(name: str) -> None:
    pytest.importorskip("numpy")
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    for test in finder.find(module, name, globs={**vars(module), "portkit": portkit}):
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.attempted > 0, f"{name} has no docstring examples"
    assert result.failed == 0
