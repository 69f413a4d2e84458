"""docs/annotations.md stays true: its tables are current and its examples run."""

import doctest
import importlib.util
from pathlib import Path
from types import ModuleType

import portkit.catalog

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "annotations.md"


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "annotations_doc", ROOT / "scripts" / "annotations_doc.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_doc_tables_match_the_code() -> None:
    current = DOC.read_text(encoding="utf-8")
    assert _load_script().render(current) == current, "run scripts/annotations_doc.py"


def test_doc_table_has_a_row_per_annotation() -> None:
    text = DOC.read_text(encoding="utf-8")
    for a in portkit.catalog.annotations():
        assert f"| `{a.name}`" in text


def test_doc_examples_run() -> None:
    # Code fences end examples, as blank lines do in plain doctest files.
    lines = DOC.read_text(encoding="utf-8").splitlines()
    text = "\n".join("" if line.lstrip().startswith("```") else line for line in lines)
    test = doctest.DocTestParser().get_doctest(text, {}, DOC.name, str(DOC), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.attempted > 10
    assert result.failed == 0
