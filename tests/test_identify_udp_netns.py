"""UDPProbe verdicts against what nftables did, inside a private network namespace.

Port 3000 has a UDP echo-less listener that answers; 3001 is dropped (silence);
3002 and 3003 are rejected with ICMP admin-prohibited and host-unreachable; 3004 has
nothing behind it (the kernel's port unreachable). The probes run in a subprocess
under ``ip netns exec``, once per event loop.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
from collections.abc import Iterator

import pytest

pytestmark = pytest.mark.netns

ADDRESS = "10.98.0.1"
RULES = """
table inet portkit_udp {
  chain input {
    type filter hook input priority 0; policy accept;
    udp dport 3001 drop
    udp dport 3002 reject with icmp type admin-prohibited
    udp dport 3003 reject with icmp type host-unreachable
  }
}
"""
RUNNER = """
import json, socket, sys, anyio, portkit

async def main():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as answering:
        answering.bind((sys.argv[2], 3000))
        answering.setblocking(False)

        async def answer():
            await anyio.wait_readable(answering)
            data, peer = answering.recvfrom(512)
            answering.sendto(b"pong:" + data, peer)

        async with anyio.create_task_group() as tg:
            tg.start_soon(answer)
            probe = portkit.identification.UDPProbe()
            out = []
            for port in range(3000, 3005):
                endpoint = portkit.Endpoint(host=sys.argv[2], port=port, protocol="udp")
                r = await probe(endpoint, 0.5)
                d = dict(r.details)
                d.pop("identification", None)
                out.append({"port": port, "state": r.state.value, "reason": r.reason,
                            "details": d})
            tg.cancel_scope.cancel()
    print(json.dumps(out))

anyio.run(main, backend=sys.argv[1])
"""


@pytest.fixture(scope="module")
def netns() -> Iterator[str]:
    if not sys.platform.startswith("linux") or os.geteuid() != 0:
        pytest.skip("a network namespace needs Linux and root")
    for tool in ("ip", "nft"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed (iproute2, nftables)")
    name = f"pku-{secrets.token_hex(4)}"
    done = subprocess.run(["ip", "netns", "add", name], capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot create a network namespace: {done.stderr!r}")
    try:
        for args in (["link", "set", "lo", "up"], ["addr", "add", f"{ADDRESS}/32", "dev", "lo"]):
            subprocess.run(["ip", "-n", name, *args], check=True, capture_output=True)
        subprocess.run(
            ["ip", "netns", "exec", name, "nft", "-f", "-"],
            input=RULES, text=True, check=True, capture_output=True, timeout=30,
        )
        yield name
    finally:
        subprocess.run(["ip", "netns", "del", name], capture_output=True, check=False)


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_udp_verdicts_follow_the_firewall(netns: str, backend: str) -> None:
    done = subprocess.run(
        ["ip", "netns", "exec", netns, sys.executable, "-c", RUNNER, backend, ADDRESS],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert done.returncode == 0, done.stderr
    results = {r["port"]: r for r in json.loads(done.stdout)}
    verdicts = {port: (r["state"], r["reason"]) for port, r in results.items()}
    assert verdicts == {
        3000: ("open", "udp-response"),
        3001: ("open|filtered", "no-response"),
        3002: ("filtered", "admin-prohibited"),
        3003: ("filtered", "host-unreach"),
        3004: ("closed", "port-unreach"),
    }
    assert (results[3002]["details"]["icmp_type"], results[3002]["details"]["icmp_code"]) == (3, 13)
    assert (results[3003]["details"]["icmp_type"], results[3003]["details"]["icmp_code"]) == (3, 1)
