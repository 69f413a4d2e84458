"""The identification guide's examples run, its rule table lists every built-in rule,
and examples/identify_banner.py identifies its server."""

from __future__ import annotations

import doctest
import re
import subprocess
import sys
from pathlib import Path

import portkit

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "identification.md"
FENCE = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


def test_guide_examples_run() -> None:
    blocks = "\n".join(FENCE.findall(GUIDE.read_text()))
    test = doctest.DocTestParser().get_doctest(
        blocks, {"portkit": portkit}, GUIDE.name, str(GUIDE), 0
    )
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.attempted >= 10
    assert result.failed == 0


def test_guide_rule_table_lists_every_builtin_rule() -> None:
    text = GUIDE.read_text()
    table = text[text.index("### Built-in rules") : text.index("### Adding a rule")]
    rows = re.findall(r"^\| `([\w-]+)` \| (\w+) \|", table, re.MULTILINE)
    documented = dict(rows)
    actual = {rule.name: rule.service for rule in portkit.identification.identify_rules()}
    assert documented == actual


def test_identify_banner_example() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "identify_banner.py")],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "built-in rules: port" in result.stdout
    assert "service=smtp product=None version=None rule=smtp" in result.stdout
    assert "service=smtp product=AcmeMail version=4.2 rule=acmemail" in result.stdout
