"""The scan's timing arithmetic: RFC 6298 round-trip estimates and descriptor limits."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from portkit._probe._limits import RttTable, default_concurrency, nofile_limit

rtts = st.floats(min_value=1e-6, max_value=30.0, allow_nan=False)


def test_first_sample_sets_srtt_and_half_of_it_as_rttvar() -> None:
    table = RttTable(low=0.001, high=10.0)
    assert table.timeout("192.0.2.1") == 10.0  # nothing learnt yet: the longest wait
    table.sample("192.0.2.1", 0.2)
    assert math.isclose(table.timeout("192.0.2.1"), 0.2 + 4 * 0.1)


def test_later_samples_follow_rfc_6298() -> None:
    table = RttTable(low=0.001, high=10.0)
    table.sample("h", 0.2)
    table.sample("h", 0.4)
    rttvar = 0.75 * 0.1 + 0.25 * abs(0.2 - 0.4)
    srtt = 0.875 * 0.2 + 0.125 * 0.4
    assert math.isclose(table.timeout("h"), srtt + 4 * rttvar)


@given(samples=st.lists(rtts, min_size=1, max_size=50))
def test_timeouts_stay_between_the_bounds(samples: list[float]) -> None:
    table = RttTable(low=0.1, high=2.0)
    for rtt in samples:
        table.sample("h", rtt)
        assert 0.1 <= table.timeout("h") <= 2.0


def test_the_table_forgets_the_oldest_address_when_full() -> None:
    table = RttTable(low=0.1, high=5.0, max_hosts=3)
    for i in range(5):
        table.sample(f"198.51.100.{i}", 0.001)
    assert table.timeout("198.51.100.0") == 5.0  # forgotten
    assert table.timeout("198.51.100.4") == 0.1


def test_default_concurrency_keeps_headroom_below_the_limit() -> None:
    soft = nofile_limit()
    concurrency = default_concurrency()
    assert 1 <= concurrency <= 1024
    if soft is not None:
        assert concurrency <= soft - max(16, soft // 8) or concurrency == 1
