"""Scans across the lab: a router with a delay line, live and dead addresses.

See lab.py for the layout. Each module-scoped lab is built once; scans run in the
scanner namespace as subprocesses.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from lab import Host, Lab, available, make_lab

pytestmark = pytest.mark.netns

LIVE = [
    Host("10.77.1.10", open=[22, 80], dropped=[81], rejected=[82]),
    Host("10.77.1.11", open=[443]),
]


@pytest.fixture(scope="module")
def lab() -> Iterator[Lab]:
    reason = available()
    if reason is not None:
        pytest.skip(reason)
    with make_lab(LIVE, rtt=0.04, jitter=0.002, seed=7) as built:
        yield built


def verdicts(results: list[dict[str, Any]]) -> dict[tuple[str, int], tuple[str, str]]:
    pairs = [(r["address"], r["port"]) for r in results]
    assert len(pairs) == len(set(pairs)), "a pair got more than one result"
    return {(r["address"], r["port"]): (r["state"], r["reason"]) for r in results}


def test_the_lab_delays_drops_and_rejects_as_built(lab: Lab) -> None:
    results = lab.scan(["10.77.1.10", "10.77.1.12", "10.77.1.241"], "22,80-82", timeout=1.0)
    seen = verdicts(results)
    assert seen == {
        ("10.77.1.10", 22): ("open", "syn-ack"),
        ("10.77.1.10", 80): ("open", "syn-ack"),
        ("10.77.1.10", 81): ("filtered", "no-response"),
        ("10.77.1.10", 82): ("filtered", "admin-prohibited"),
        **{("10.77.1.12", p): ("filtered", "no-response") for p in (22, 80, 81, 82)},
        **{("10.77.1.241", p): ("filtered", "admin-prohibited") for p in (22, 80, 81, 82)},
    }
    # The delay line holds each crossing for 20 ms: a round trip takes 40 ms or more.
    latencies = [r["latency"] for r in results if r["address"] == "10.77.1.10" and r["latency"]]
    assert min(latencies) >= 0.035
