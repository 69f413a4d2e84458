"""The lab's big cases with the engine's defaults; the slowest is marked ``slow``
(left out by default, run by .ci/run with ``-m slow``).

The timings of the same cases, side by side with nmap, are in
benchmarks/scan_network.py; here only the verdicts are checked.
"""

from __future__ import annotations

import random
from collections import Counter

import pytest

import portkit
from lab import Host, available, make_lab

pytestmark = pytest.mark.netns


@pytest.fixture(autouse=True)
def _lab_possible() -> None:
    reason = available()
    if reason is not None:
        pytest.skip(reason)


def test_a_slash_24_with_ten_live_hosts_gets_every_live_port_right() -> None:
    top = list(portkit.top_ports(100))
    rng = random.Random(24)
    hosts = []
    for i in range(10):
        chosen = rng.sample(top, 8)
        hosts.append(Host(f"10.77.1.{10 + 9 * i}", open=chosen[:5], dropped=chosen[5:]))
    with make_lab(hosts, rtt=0.04, jitter=0.002, seed=1) as lab:
        results = lab.scan("10.77.1.0/24", ",".join(map(str, top)))
    assert len(results) == 256 * 100
    seen = {(r["address"], r["port"]): (r["state"], r["reason"]) for r in results}
    for host in hosts:
        for port in top:
            want = (
                ("open", "syn-ack") if port in host.open
                else ("filtered", "no-response") if port in host.dropped
                else ("closed", "conn-refused")
            )
            assert seen[(host.address, port)] == want, (host.address, port)
    rejected = [r for r in results if r["address"].startswith("10.77.1.24")]
    assert {r["reason"] for r in rejected} >= {"admin-prohibited"}
    # Dead addresses are never retried once presumed down: most of their ports get
    # one try.
    live = {h.address for h in hosts}
    dead = Counter(r["attempts"] for r in results
                   if r["address"] not in live and r["reason"] == "no-response")
    assert dead[1] > dead[2]


def test_a_thousand_closed_ports_through_loss_are_almost_never_called_filtered() -> None:
    with make_lab([Host("10.77.1.10")], rtt=0.2, jitter=0.01, loss=0.06, seed=2) as lab:
        false = []
        for _ in range(2):
            results = lab.scan("10.77.1.10", "1-1000")
            assert len(results) == 1000
            false += [r for r in results if r["state"] != "closed"]
            assert max(r["attempts"] for r in results) <= 6
    # nmap -T4 gives about 0.3 per 1000 here; a fixed single retry about 3.5.
    assert len(false) <= 3, false


@pytest.mark.slow
def test_every_port_of_a_host_through_the_delay_line_gets_its_verdict() -> None:
    rng = random.Random(65535)
    chosen = rng.sample(range(1, 65536), 30)
    host = Host("10.77.1.10", open=sorted(chosen[:10]), dropped=sorted(chosen[10:]))
    with make_lab([host], rtt=0.04, jitter=0.002, seed=3) as lab:
        results = lab.scan("10.77.1.10", "1-65535")
    assert len(results) == 65535
    seen = Counter((r["state"], r["reason"]) for r in results)
    assert seen == {
        ("open", "syn-ack"): 10, ("filtered", "no-response"): 20,
        ("closed", "conn-refused"): 65505,
    }
    assert {r["port"] for r in results if r["state"] == "open"} == set(host.open)
