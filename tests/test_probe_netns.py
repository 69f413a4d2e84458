"""Verdicts against what nftables really did, inside a private network namespace.

The namespace (see probe_support.make_namespace) has 10.99.0.1 and fd00:99::1 on its
loopback interface and nftables rules that drop some ports and reject others with
ICMP unreachables or TCP resets. Scans run inside it as subprocesses under
``ip netns exec``, once per event loop.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from probe_support import NS_IPV4, NS_IPV6, Namespace, make_namespace

pytestmark = pytest.mark.netns

BACKENDS = ["asyncio", "trio"]

# What each port of the namespace is made to do, and the verdict nmap would give.
EXPECTED = {
    2000: ("open", "syn-ack"),  # a listener
    2001: ("filtered", "no-response"),  # drop
    2002: ("filtered", "host-unreach"),  # icmp host-unreachable / icmpv6 addr-unreachable
    2003: ("filtered", "admin-prohibited"),  # icmp(v6) admin-prohibited
    2004: ("filtered", "net-unreach"),  # icmp net-unreachable / icmpv6 no-route
    2005: ("closed", "conn-refused"),  # tcp reset
    2006: ("filtered", "port-unreach"),  # icmp(v6) port-unreachable
    2007: ("filtered", "no-response"),  # dropped on the way out
    2008: ("closed", "conn-refused"),  # nothing listens
}
ICMP = {
    NS_IPV4: {2002: (3, 1), 2003: (3, 13), 2004: (3, 0), 2006: (3, 3)},
    NS_IPV6: {2002: (1, 3), 2003: (1, 1), 2004: (1, 0), 2006: (1, 4)},
}


@pytest.fixture(scope="module")
def netns() -> Iterator[Namespace]:
    with make_namespace() as ns:
        yield ns


def by_port(results: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    ports = [r["port"] for r in results]
    assert len(ports) == len(set(ports)), "a port got more than one result"
    return {r["port"]: r for r in results}


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("address", [NS_IPV4, NS_IPV6])
def test_verdicts_and_reasons_match_the_firewall(
    netns: Namespace, backend: str, address: str
) -> None:
    address = netns.address(address)
    results = by_port(netns.run({
        "backend": backend, "targets": [address], "ports": "2000-2008",
        "listen": [[address, 2000]],
        "options": {"timeout": 0.3, "retries": 0},
    }))
    assert {p: (r["state"], r["reason"]) for p, r in results.items()} == EXPECTED
    for port, (icmp_type, icmp_code) in ICMP[address].items():
        details = results[port]["details"]
        assert (details["icmp_type"], details["icmp_code"]) == (icmp_type, icmp_code)
        assert details["from"] == address
    assert results[2001]["latency"] is None
    assert results[2002]["latency"] is not None


@pytest.mark.parametrize("backend", BACKENDS)
def test_dropped_ports_are_retried_and_rejected_ones_are_not(
    netns: Namespace, backend: str
) -> None:
    results = by_port(netns.run({
        "backend": backend, "targets": [NS_IPV4], "ports": "2001,2002,2005",
        "options": {"timeout": 0.2, "retries": 2},
    }))
    assert results[2001]["attempts"] == 3
    assert results[2002]["attempts"] == 1
    assert results[2005]["attempts"] == 1


@pytest.mark.parametrize("backend", BACKENDS)
def test_unresolvable_names_give_error_results_and_the_scan_goes_on(
    netns: Namespace, backend: str
) -> None:
    # Inside the namespace no name server is reachable: resolution fails at once,
    # and no query leaves the machine.
    results = netns.run({
        "backend": backend, "targets": ["nonexistent.invalid", NS_IPV4], "ports": "2000,2008",
        "listen": [[NS_IPV4, 2000]], "options": {"timeout": 0.3},
    })
    assert len(results) == 4
    failed = [r for r in results if r["target"] == "nonexistent.invalid"]
    assert sorted(r["port"] for r in failed) == [2000, 2008]
    for r in failed:
        assert (r["state"], r["reason"], r["address"], r["attempts"]) == (
            "error", "resolve-failed", "", 0,
        )
        assert r["details"]["error"]
    probed = {r["port"]: r["state"] for r in results if r["target"] == NS_IPV4}
    assert probed == {2000: "open", 2008: "closed"}


@pytest.mark.parametrize("backend", BACKENDS)
def test_running_out_of_descriptors_never_becomes_a_verdict(
    netns: Namespace, backend: str
) -> None:
    # 48 descriptors for the whole process, 400 probes allowed in flight, and 200
    # dropped ports that each hold a socket until the timeout: socket() fails with
    # EMFILE again and again. The engine must back off and still give every port
    # its true verdict.
    results = by_port(netns.run({
        "backend": backend, "nofile": 48, "targets": [NS_IPV4],
        "ports": "2000,2002,2005,2008,3000-3199",
        "listen": [[NS_IPV4, 2000]],
        "options": {"timeout": 0.3, "retries": 0, "concurrency": 400,
                    "adaptive_timeout": False},
    }, timeout=300))
    assert len(results) == 204
    assert results[2000]["state"] == "open"
    assert results[2002]["reason"] == "host-unreach"
    assert results[2005]["state"] == results[2008]["state"] == "closed"
    silent = [results[p] for p in range(3000, 3200)]
    assert {(r["state"], r["reason"]) for r in silent} == {("filtered", "no-response")}


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("address", [NS_IPV4, NS_IPV6])
def test_one_worker_reusing_sockets_keeps_every_verdict_exact(
    netns: Namespace, backend: str, address: str
) -> None:
    address = netns.address(address)
    # One worker, every port twice in a row: refused sockets are reused for the next
    # probe, so a verdict must not leak into the next one (ICMP details included).
    results = netns.run({
        "backend": backend, "targets": [address, address, address], "ports": "2000-2008",
        "listen": [[address, 2000]],
        "options": {"timeout": 0.3, "retries": 0, "concurrency": 1,
                    "order": "sequential", "adaptive_timeout": False},
    })
    assert len(results) == 27
    rounds: dict[int, list[tuple[str, str, int | None]]] = {}
    for r in results:
        rounds.setdefault(r["port"], []).append(
            (r["state"], r["reason"], r["details"].get("icmp_code"))
        )
    for port, seen in rounds.items():
        assert len(seen) == 3
        assert {s[:2] for s in seen} == {EXPECTED[port]}, port
        assert len(set(seen)) == 1, port
