"""Network namespaces with known listeners, and ``ss`` parsed, for the local-socket tests.

A test namespace is created fresh (``pk-<random>``), its ``lo`` brought up with two
extra addresses, 10.77.0.1 and fd77::1, and it is deleted afterwards whatever happens. Listeners
run in a child process started with ``ip netns exec``; it prints ``ready`` once every
socket is bound and exits when its stdin closes.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import select
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import pytest

SPECIFIC_V4 = "10.77.0.1"
SPECIFIC_V6 = "fd77::1"

# The child: binds what argv[1] (JSON) lists, connects pairs, prints "ready", waits.
_CHILD = r"""
import json, socket, sys
specs = json.loads(sys.argv[1])
if len(sys.argv) > 2:
    with open("/proc/self/comm", "w") as comm:
        comm.write(sys.argv[2])
held = []
for proto, family, address, port, v6only, connect in specs:
    fam = socket.AF_INET if family == 4 else socket.AF_INET6
    kind = socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM
    s = socket.socket(fam, kind)
    held.append(s)
    if v6only is not None:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, v6only)
    s.bind((address, port))
    if proto == "tcp":
        s.listen(8)
        if connect:
            c = socket.create_connection((address, port), timeout=5)
            a, _ = s.accept()
            held += [c, a]
    elif connect:
        c = socket.socket(fam, socket.SOCK_DGRAM)
        c.connect((address, port))
        held.append(c)
print("ready", flush=True)
sys.stdin.read()
"""


def _run(*args: str) -> None:
    subprocess.run(args, check=True, capture_output=True, timeout=20)


def need_netns() -> None:
    """Skip unless this process may create network namespaces."""
    if not sys.platform.startswith("linux"):
        pytest.skip("network namespaces exist on Linux only")
    if os.geteuid() != 0:
        pytest.skip("creating a network namespace needs root")
    if shutil.which("ip") is None or shutil.which("ss") is None:
        pytest.skip("iproute2 (ip, ss) is not installed")


@contextmanager
def fresh_netns() -> Iterator[str]:
    """A new network namespace with lo up; deleted on exit."""
    need_netns()
    name = f"pk-{secrets.token_hex(4)}"
    try:
        _run("ip", "netns", "add", name)
    except subprocess.CalledProcessError as e:
        pytest.skip(f"ip netns add failed: {e.stderr.decode().strip()}")
    try:
        _run("ip", "-n", name, "link", "set", "lo", "up")
        # Addresses that are neither loopback nor wildcard, for SPECIFIC exposure; on
        # lo so that no link-type kernel module is needed.
        _run("ip", "-n", name, "addr", "add", f"{SPECIFIC_V4}/32", "dev", "lo")
        _run("ip", "-n", name, "addr", "add", f"{SPECIFIC_V6}/128", "dev", "lo", "nodad")
        yield name
    finally:
        subprocess.run(["ip", "netns", "del", name], capture_output=True, timeout=20, check=False)


@contextmanager
def listeners(
    netns: str,
    specs: Sequence[tuple[str, int, str, int, int | None, bool]],
    *prefix: str,
    name: str | None = None,
) -> Iterator[subprocess.Popen[str]]:
    """A child in *netns* holding the sockets *specs* describe, until the block ends.

    Each spec is ``(protocol, family, address, port, v6only or None, connect)``;
    *prefix* goes between ``ip netns exec NS`` and the interpreter (``setpriv ...``);
    *name* renames the child (its ``comm``, as ``ss -p`` and ``ps`` show it).
    """
    argv = [sys.executable, "-c", _CHILD, json.dumps(specs), *([name] if name else [])]
    child = subprocess.Popen(
        ["ip", "netns", "exec", netns, *prefix, *argv],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        ready, _, _ = select.select([child.stdout], [], [], 20)
        line = child.stdout.readline() if ready else ""
        if line.strip() != "ready":
            child.kill()
            _, err = child.communicate(timeout=10)
            raise AssertionError(f"listener child did not start: {line!r} {err}")
        yield child
    finally:
        if child.poll() is None:
            assert child.stdin is not None
            child.stdin.close()
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait(timeout=10)
        for stream in (child.stdin, child.stdout, child.stderr):
            if stream is not None and not stream.closed:
                stream.close()


_SS_STATES = {
    "ESTAB": "ESTABLISHED",
    "UNCONN": "CLOSE",
    "SYN-SENT": "SYN_SENT",
    "SYN-RECV": "SYN_RECV",
    "FIN-WAIT-1": "FIN_WAIT1",
    "FIN-WAIT-2": "FIN_WAIT2",
    "TIME-WAIT": "TIME_WAIT",
    "CLOSE-WAIT": "CLOSE_WAIT",
    "LAST-ACK": "LAST_ACK",
}


def _endpoint(text: str) -> tuple[str, int, bool | None]:
    """``(address, port, dual_stack)`` of an ``ss`` address column."""
    host, _, port = text.rpartition(":")
    host = host.split("%", 1)[0]
    dual: bool | None = None
    if host == "*":
        host, dual = "::", True
    elif host.startswith("["):
        host = host[1:-1].split("%", 1)[0]
    return host, (0 if port == "*" else int(port)), dual


def ss_rows(netns: str | None, flags: str) -> list[dict[str, Any]]:
    """The rows of ``ss -H -n -p <flags>`` (``-tul``, ``-tua``), in *netns* or here."""
    prefix = ["ip", "netns", "exec", netns] if netns else []
    out = subprocess.run(
        [*prefix, "ss", "-H", "-n", "-p", flags],
        capture_output=True,
        text=True,
        check=True,
        timeout=20,
    ).stdout
    rows = []
    for line in out.splitlines():
        parts = line.split()
        netid, state, local, peer = parts[0], parts[1], parts[4], parts[5]
        laddr, lport, dual = _endpoint(local)
        raddr, rport, _ = _endpoint(peer)
        users = " ".join(parts[6:])
        rows.append(
            {
                "protocol": netid,
                "state": _SS_STATES.get(state, state),
                "local_address": laddr,
                "local_port": lport,
                "remote_address": raddr,
                "remote_port": rport,
                "dual_stack": dual,
                "pids": sorted({int(p) for p in re.findall(r"pid=(\d+)", users)}),
                "names": sorted(set(re.findall(r'\("([^"]*)"', users))),
            }
        )
    return rows
