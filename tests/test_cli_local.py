"""``portkit local`` with ss's flags, and escaping of process names."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time

import pytest

from portkit._cli import main
from probe_support import listener

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def _ports(out: str) -> set[int]:
    ports = set()
    for line in out.splitlines()[1:]:
        cells = line.split()
        for cell in cells:
            if cell.isdigit():
                ports.add(int(cell))
                break
    return ports


@pytest.mark.parametrize("flags", [["-tlnp"], ["-tulpn"], ["-t", "-l", "-n", "-p"], ["-lt4"]])
def test_ss_flags_list_listeners(flags: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with listener() as port:
        assert main(["local", *flags]) == 0
    out = capsys.readouterr().out
    assert out.startswith("PROTO")
    assert port in _ports(out)
    assert all(line.split()[0] in ("tcp", "udp") for line in out.splitlines()[1:])
    if "-tlnp" in flags:
        assert all(line.startswith("tcp") for line in out.splitlines()[1:])


def test_ss_family_flags_filter(capsys: pytest.CaptureFixture[str]) -> None:
    with listener() as port:
        main(["local", "-tl6", "--json"])
        assert port not in {r["local_port"] for r in map(json.loads,
                                                         capsys.readouterr().out.splitlines())}
        main(["local", "-tl4", "--json"])
    records = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert port in {r["local_port"] for r in records}
    assert {r["family"] for r in records} == {4}


def test_t_without_l_shows_connections_as_ss_does(capsys: pytest.CaptureFixture[str]) -> None:
    with listener() as port, socket.create_connection(("127.0.0.1", port)) as client:
        client_port = client.getsockname()[1]
        main(["local", "-tn", "--json"])
    records = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert all(r["state"] != "LISTEN" for r in records)
    assert client_port in {r["local_port"] for r in records}


def test_process_names_are_escaped_in_the_table(capsys: pytest.CaptureFixture[str]) -> None:
    # Any local user can name a process; this one asks to retitle the terminal.
    code = (
        "import ctypes, socket, sys, time\n"
        "ctypes.CDLL(None).prctl(15, b'x\\x1b]0;pwn\\x07', 0, 0, 0)\n"
        "s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen()\n"
        "print(s.getsockname()[1], flush=True); time.sleep(30)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        port = int(proc.stdout.readline())
        time.sleep(0.1)
        main(["local", "-tlnp"])
    finally:
        proc.kill()
        proc.communicate()
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if f" {port} " in line)
    assert "\x1b" not in out and "\x07" not in out
    assert "x\\x1b]0;pwn\\x07" in row


def test_unknown_allow_rule_is_bad_input_without_a_repr(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["local", "--audit", "--allow", "rule=nope"]) == 2
    err = capsys.readouterr().err
    assert "invalid allow 'rule=nope'" in err and "cleartext-login" in err
    assert "Allow(" not in err
