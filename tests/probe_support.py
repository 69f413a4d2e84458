"""Real things for probe and scan tests: listeners, free ports, network namespaces.

Nothing here decides a verdict: open ports are real listeners, closed ports are
ports nothing listens on, and silent or rejected ports are made so by the kernel
(a listener whose accept queue is full drops SYNs; nftables rules in a private
network namespace drop or reject them).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

RUNNER = Path(__file__).with_name("netns_runner.py")


def ipv6_available() -> bool:
    """True when a TCP socket can listen on ::1."""
    if not socket.has_ipv6:
        return False
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
    except OSError:
        return False
    return True


@contextlib.contextmanager
def listener(host: str = "127.0.0.1", backlog: int = 128) -> Iterator[int]:
    """A listening TCP socket on *host*; yields its port."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        sock.listen(backlog)
        yield sock.getsockname()[1]


@contextlib.contextmanager
def stalled_listener(host: str = "127.0.0.1") -> Iterator[int]:
    """A port that stays silent: a listener whose accept queue is full.

    With a backlog of 0 one connection fits in the accept queue; once it holds one
    that is never accepted, Linux drops further SYNs, so connects hang until their
    timeout exactly as if a firewall dropped them.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        sock.listen(0)
        port = sock.getsockname()[1]
        with socket.create_connection((host, port), timeout=2):
            yield port


def closed_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on: bound, then released."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def open_fds() -> set[int]:
    """The descriptors this process has open."""
    return {int(name) for name in os.listdir("/proc/self/fd")}


def run_scan_script(
    argv_prefix: list[str], spec: dict[str, Any], timeout: float = 120
) -> list[dict[str, Any]]:
    """Run netns_runner.py (under *argv_prefix*) with *spec*; its JSON result lines."""
    proc = subprocess.run(
        [*argv_prefix, sys.executable, str(RUNNER), json.dumps(spec)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if proc.returncode != 0:
        raise AssertionError(f"runner failed ({proc.returncode}):\n{proc.stderr}")
    return [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]


#: The nftables rules of the test namespace. Port 2000 gets a listener; 2008 stays
#: closed; the others are dropped or rejected as their comments say.
NFT_RULES = """
table inet portkit_test {
  chain input {
    type filter hook input priority 0; policy accept;
    tcp dport 2001 drop
    meta nfproto ipv4 tcp dport 2002 reject with icmp type host-unreachable
    meta nfproto ipv6 tcp dport 2002 reject with icmpv6 type addr-unreachable
    meta nfproto ipv4 tcp dport 2003 reject with icmp type admin-prohibited
    meta nfproto ipv6 tcp dport 2003 reject with icmpv6 type admin-prohibited
    meta nfproto ipv4 tcp dport 2004 reject with icmp type net-unreachable
    meta nfproto ipv6 tcp dport 2004 reject with icmpv6 type no-route
    tcp dport 2005 reject with tcp reset
    meta nfproto ipv4 tcp dport 2006 reject with icmp type port-unreachable
    meta nfproto ipv6 tcp dport 2006 reject with icmpv6 type port-unreachable
    tcp dport 3000-3999 drop
  }
  chain output {
    type filter hook output priority 0; policy accept;
    tcp dport 2007 drop
  }
}
"""

NS_IPV4 = "10.99.0.1"
NS_IPV6 = "fd00:99::1"


class Namespace:
    """A private network namespace with the test addresses and nftables rules."""

    def __init__(self, name: str, has_ipv6: bool) -> None:
        self.name = name
        self.has_ipv6 = has_ipv6

    def address(self, address: str) -> str:
        """*address*, or skip the test when it is IPv6 and the namespace has none."""
        if ":" in address and not self.has_ipv6:
            pytest.skip("IPv6 is disabled in network namespaces on this machine")
        return address

    def run(self, spec: dict[str, Any], timeout: float = 120) -> list[dict[str, Any]]:
        """Run a scan inside the namespace (see netns_runner.py); its results."""
        return run_scan_script(["ip", "netns", "exec", self.name], spec, timeout)


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, timeout=30)


@contextlib.contextmanager
def make_namespace() -> Iterator[Namespace]:
    """Build the namespace, or skip the test with the reason it cannot be built.

    Code runs inside it as a subprocess under ``ip netns exec``: the process is in
    the namespace from its start, so either event loop (asyncio or trio) runs
    unchanged there, and the test process itself never changes namespace.
    """
    if not sys.platform.startswith("linux"):
        pytest.skip("network namespaces are Linux's")
    if os.geteuid() != 0:
        pytest.skip("building a network namespace needs root")
    for tool in ("ip", "nft"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed (iproute2, nftables)")
    name = f"pk-{secrets.token_hex(4)}"
    try:
        _ip("netns", "add", name)
    except subprocess.CalledProcessError as e:
        pytest.skip(f"cannot create a network namespace: {e.stderr!r}")
    try:
        _ip("-n", name, "link", "set", "lo", "up")
        _ip("-n", name, "addr", "add", f"{NS_IPV4}/32", "dev", "lo")
        try:
            _ip("-n", name, "addr", "add", f"{NS_IPV6}/128", "dev", "lo", "nodad")
            has_ipv6 = True
        except subprocess.CalledProcessError:
            has_ipv6 = False
        nft = subprocess.run(
            ["ip", "netns", "exec", name, "nft", "-f", "-"],
            input=NFT_RULES, text=True, check=False, capture_output=True, timeout=30,
        )
        if nft.returncode != 0:
            pytest.skip(f"nftables cannot load the test rules here: {nft.stderr.strip()}")
        yield Namespace(name, has_ipv6)
    finally:
        subprocess.run(["ip", "netns", "del", name], capture_output=True, timeout=30,
                       check=False)
