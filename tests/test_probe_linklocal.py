"""IPv6 zones reach the socket: link-local targets such as ``fe80::b%veth0``.

The real connects run between two network namespaces that the test creates, joined
by a veth pair that carries link-local addresses only.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest

import portkit
from portkit._probe._tcp import scoped_sockaddr
from probe_support import run_scan_script

BACKENDS = ["asyncio", "trio"]


def test_the_sockaddr_of_a_zoned_address_carries_the_interface_index() -> None:
    # Regression: the zone was dropped on connect, so fe80::/10 targets gave einval.
    lo = socket.if_nametoindex("lo")
    assert scoped_sockaddr("fe80::1%lo", 80) == ("fe80::1", 80, 0, lo)
    assert scoped_sockaddr(f"fe80::1%{lo}", 443) == ("fe80::1", 443, 0, lo)
    with pytest.raises(OSError, match="no network interface named 'nope0'") as info:
        scoped_sockaddr("fe80::1%nope0", 80)
    assert info.value.errno == errno.ENODEV


def test_a_zone_naming_no_interface_is_an_error_result() -> None:
    # No packet leaves: the interface lookup fails before any connect.
    (result,) = portkit.scan_sync("fe80::1%nope0", [80], timeout=0.5, retries=0)
    assert result.state is portkit.PortState.ERROR
    assert result.reason == "enodev"
    assert result.address == "fe80::1%nope0"


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, timeout=30)


LISTENER = """
import socket, sys, time
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("::", 0))
s.listen(16)
print(s.getsockname()[1], flush=True)
time.sleep(120)
"""


@contextlib.contextmanager
def link_local_pair() -> Iterator[tuple[str, str, int]]:
    """Namespaces A and B joined by veth ``pka``-``pkb`` (fe80::a, fe80::b); a listener
    on every address of B. Yields (namespace A, B's zoned address seen from A, port).
    """
    if not sys.platform.startswith("linux"):
        pytest.skip("network namespaces are Linux's")
    if os.geteuid() != 0:
        pytest.skip("building network namespaces needs root")
    if shutil.which("ip") is None:
        pytest.skip("ip (iproute2) is not installed")
    tag = secrets.token_hex(3)
    a, b = f"pk-lla-{tag}", f"pk-llb-{tag}"
    listener: subprocess.Popen[str] | None = None
    try:
        try:
            _ip("netns", "add", a)
            _ip("netns", "add", b)
            _ip("-n", a, "link", "add", "pka", "type", "veth", "peer", "name", "pkb",
                "netns", b)
        except subprocess.CalledProcessError as e:
            pytest.skip(f"cannot build the namespaces: {e.stderr!r}")
        for ns, dev, addr in ((a, "pka", "fe80::a"), (b, "pkb", "fe80::b")):
            _ip("-n", ns, "link", "set", "lo", "up")
            try:
                _ip("-n", ns, "addr", "add", f"{addr}/64", "dev", dev, "nodad")
            except subprocess.CalledProcessError as e:
                pytest.skip(f"IPv6 is not available in namespaces here: {e.stderr!r}")
            _ip("-n", ns, "link", "set", dev, "up")
        listener = subprocess.Popen(
            ["ip", "netns", "exec", b, sys.executable, "-c", LISTENER],
            stdout=subprocess.PIPE, text=True,
        )
        assert listener.stdout is not None
        port = int(listener.stdout.readline())
        yield a, "fe80::b%pka", port
    finally:
        if listener is not None:
            listener.kill()
            listener.wait(timeout=30)
            if listener.stdout is not None:
                listener.stdout.close()
        for ns in (a, b):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True, timeout=30,
                           check=False)


@pytest.fixture(scope="module")
def pair() -> Iterator[tuple[str, str, int]]:
    with link_local_pair() as found:
        yield found


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_link_local_target_with_a_zone_is_really_probed(
    pair: tuple[str, str, int], backend: str
) -> None:
    netns, target, port = pair
    closed = port + 1 if port < 65535 else port - 1
    spec = {"targets": [target], "ports": [port, closed], "backend": backend,
            "options": {"timeout": 5, "retries": 1, "order": "sequential"}}
    results = run_scan_script(["ip", "netns", "exec", netns], spec, timeout=60)
    verdicts = {r["port"]: (r["state"], r["reason"]) for r in results}
    assert verdicts == {port: ("open", "syn-ack"), closed: ("closed", "conn-refused")}
    assert {r["address"] for r in results} == {target}
