"""Every ``console`` example in docs/cli*.md runs, and prints what the guide shows.

A block is a series of ``$ command`` lines, each followed by its expected output;
``...`` stands for any text (latencies, dates, this host's ranges), and runs of
blanks compare equal. The commands of a block run one after the other in a shell,
in one temporary directory, with this environment's ``portkit`` first on PATH; they
touch loopback only.
"""

from __future__ import annotations

import doctest
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"
CONSOLE = re.compile(r"^```console\n(.*?)^```", re.DOTALL | re.MULTILINE)
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE

Block = list[tuple[str, str]]


def _blocks() -> list[tuple[str, int, Block]]:
    found = []
    for path in sorted(DOCS.glob("cli*.md")):
        text = path.read_text()
        for match in CONSOLE.finditer(text):
            line = text[: match.start()].count("\n") + 1
            steps: Block = []
            for row in match.group(1).splitlines():
                if row.startswith("$ "):
                    steps.append((row[2:], ""))
                elif steps:
                    command, expected = steps[-1]
                    steps[-1] = (command, f"{expected}{row}\n")
            found.append((path.name, line, steps))
    return found


BLOCKS = _blocks()


def test_there_are_examples() -> None:
    assert sum(len(steps) for _, _, steps in BLOCKS) >= 15


@pytest.mark.parametrize(("guide", "line", "steps"), BLOCKS,
                         ids=[f"{g}:{n}" for g, n, _ in BLOCKS])
def test_console_example(guide: str, line: int, steps: Block, tmp_path: Path) -> None:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
           "COLUMNS": "80"}
    checker = doctest.OutputChecker()
    for command, expected in steps:
        done = subprocess.run(["bash", "-c", command], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=120, check=False)
        got = done.stdout + done.stderr
        assert checker.check_output(expected, got, FLAGS), (
            f"{guide}:{line}: $ {command}\n--- expected\n{expected}--- got\n{got}"
        )
