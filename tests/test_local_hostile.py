"""Local sockets: arguments that are not what they seem get clear errors, promptly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import portkit.local
from portkit.exceptions import InvalidOptionError, LocalSocketsError

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux only")


@linux_only
def test_a_fifo_as_namespace_is_refused_without_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "netns-fifo"
    os.mkfifo(fifo)
    # In a child with a time limit: before, opening the FIFO waited for a writer forever.
    run = subprocess.run(
        [sys.executable, "-c",
         "import sys, portkit.local\n"
         "from portkit.exceptions import LocalSocketsError\n"
         "try:\n    portkit.local.listening(netns=sys.argv[1])\n"
         "except LocalSocketsError as e:\n    print(e)\n",
         str(fifo)],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert run.returncode == 0, run.stderr
    assert f"{fifo} is not a network namespace" in run.stdout


@linux_only
@pytest.mark.parametrize("path", ["/dev/null", "/proc/self", "/etc/hostname"])
def test_other_files_as_namespace_are_refused(path: str) -> None:
    if not os.path.exists(path):
        pytest.skip(f"{path} does not exist here")
    if path == "/etc/hostname" and os.geteuid() != 0:
        pytest.skip("a regular file is refused by setns, which needs root to try")
    with pytest.raises(LocalSocketsError, match="is not a network namespace") as info:
        portkit.local.listening(netns=path, processes=False)
    assert info.value.subject == path


@pytest.mark.parametrize("protocols", [[], (), set()])
def test_no_protocols_is_an_invalid_option_not_a_missing_proc(protocols: object) -> None:
    for listing in (portkit.local.listening, portkit.local.connections):
        with pytest.raises(InvalidOptionError, match="at least one of tcp and udp") as info:
            listing(protocols=protocols)  # type: ignore[arg-type]
        assert info.value.name == "protocols"
