"""portkit.scan and scan_sync against real sockets on loopback."""

from __future__ import annotations

import collections
import ipaddress

import anyio
import pytest

import portkit
from portkit import Endpoint, PortSet, PortState, ProbeResult, TCPConnectProbe
from portkit.exceptions import InvalidOptionError, InvalidSpecError, InvalidTargetError
from probe_support import closed_port, ipv6_available, listener, open_fds, stalled_listener

pytestmark = pytest.mark.anyio


async def collect(*args: object, **options: object) -> list[ProbeResult]:
    async with portkit.scan(*args, **options) as results:  # type: ignore[arg-type]
        found = [r async for r in results]
        assert results.done == results.total == len(found)
    return found


@pytest.mark.parametrize("order", ["shuffled", "sequential"])
async def test_every_pair_gets_exactly_one_true_result(order: str) -> None:
    closed = closed_port()
    with listener("127.0.0.1") as open_port:
        found = await collect(
            ["127.0.0.1", "127.0.0.2/31", ipaddress.ip_address("127.0.0.5")],
            [open_port, closed, closed + 1 if closed < 65535 else closed - 1],
            order=order,
        )
    pairs = collections.Counter((r.address, r.port) for r in found)
    addresses = ["127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.5"]
    assert len(found) == 12
    assert set(pairs) == {(a, p) for a in addresses for p in {r.port for r in found}}
    assert max(pairs.values()) == 1
    for r in found:
        expected = PortState.OPEN if (r.address, r.port) == ("127.0.0.1", open_port) else None
        if expected is not None:
            assert (r.state, r.reason) == (expected, "syn-ack")
        else:
            # Only 127.0.0.1 listens; everything else on loopback answers with a reset.
            assert (r.state, r.reason) == (PortState.CLOSED, "conn-refused")
    networks = {r.target for r in found if r.address in ("127.0.0.2", "127.0.0.3")}
    assert networks == {"127.0.0.2/31"}


@pytest.mark.skipif(not ipv6_available(), reason="IPv6 (::1) is not available")
async def test_ipv4_and_ipv6_targets_in_one_scan() -> None:
    with listener("::1") as port6, listener("127.0.0.1") as port4:
        found = await collect(["127.0.0.1", "::1"], [port4, port6])
    states = {(r.address, r.port): r.state for r in found}
    assert states[("127.0.0.1", port4)] is PortState.OPEN
    assert states[("::1", port6)] is PortState.OPEN
    assert len(found) == 4


async def test_endpoints_are_probed_on_their_own_port() -> None:
    with listener("127.0.0.1") as port:
        found = await collect(
            [Endpoint(host="127.0.0.1", port=port), Endpoint.parse("localhost:1")],
        )
    assert sorted((r.target, r.port, r.state.value) for r in found) == [
        ("127.0.0.1", port, "open"),
        ("localhost", 1, "closed"),
    ]


async def test_ports_take_specs_sets_ints_and_ranges() -> None:
    for ports in ("1-3", PortSet.parse("1-3"), [1, 2, 3], range(1, 4),
                  portkit.PortSpec.parse("T:1-3,U:53"), portkit.PortRange(1, 3)):
        found = await collect("127.0.0.1", ports)
        assert sorted(r.port for r in found) == [1, 2, 3], ports
    assert [r.port for r in await collect("127.0.0.1", 7)] == [7]


async def test_silent_ports_are_retried_and_attempts_counted() -> None:
    with stalled_listener() as port:
        found = await collect("127.0.0.1", [port], timeout=0.1, retries=2)
        (result,) = found
        assert (result.state, result.reason, result.attempts) == (
            PortState.FILTERED, "no-response", 3,
        )
        (again,) = await collect("127.0.0.1", [port], timeout=0.1, retries=0)
        assert again.attempts == 1
    # Answers are never retried.
    (closed,) = await collect("127.0.0.1", [closed_port()], retries=5)
    assert (closed.state, closed.attempts) == (PortState.CLOSED, 1)


async def test_rate_limit_spaces_out_probe_starts() -> None:
    starts: list[float] = []
    inner = TCPConnectProbe()

    class Recording:
        async def __call__(self, endpoint: Endpoint, timeout: float) -> ProbeResult:
            starts.append(anyio.current_time())
            return await inner(endpoint, timeout)

    rate = 200.0
    burst = 2  # max(1, int(rate * 0.01)): the engine's burst for this rate
    found = await collect("127.0.0.1", range(1, 41), rate=rate, concurrency=16,
                          probe=Recording())
    assert len(found) == len(starts) == 40
    starts.sort()
    # However slow the machine, the i-th start (counting from 0) never comes before
    # (i + 1 - burst) / rate seconds after the first.
    for i, started in enumerate(starts):
        assert started - starts[0] >= (i + 1 - burst) / rate - 0.002, i


async def test_progress_reports_every_result() -> None:
    calls: list[tuple[int, int]] = []
    await collect("127.0.0.1", "1-25", progress=lambda done, total: calls.append((done, total)))
    assert calls == [(i, 25) for i in range(1, 26)]


async def test_leaving_the_block_early_closes_every_socket() -> None:
    with stalled_listener() as port:
        before = open_fds()
        async with portkit.scan(["127.0.0.1"] * 64, [port], timeout=30,
                                concurrency=64) as results:
            # Wait (boundedly) until probes are in flight and holding sockets.
            for _ in range(500):
                if len(open_fds() - before) >= 32:
                    break
                await anyio.sleep(0.01)
            assert len(open_fds() - before) >= 32
            assert results.done == 0
        assert open_fds() == before


async def test_cancelling_a_scan_mid_way_closes_every_socket() -> None:
    with stalled_listener() as port, listener("127.0.0.1", backlog=1024) as open_port:
        before = open_fds()
        seen: list[ProbeResult] = []
        with anyio.move_on_after(0.5) as scope:
            async with portkit.scan(
                ["127.0.0.1"] * 200, [port, open_port], timeout=30, concurrency=100,
                adaptive_timeout=False,
            ) as results:
                async for result in results:
                    seen.append(result)
        assert scope.cancelled_caught
        assert all(r.port == open_port for r in seen)
        assert open_fds() == before


async def test_unusable_targets_and_options_fail_early() -> None:
    with pytest.raises(InvalidTargetError):
        await collect("10.0.0.0/33", [1])
    with pytest.raises(InvalidTargetError):
        await collect("bad host name!", [1])
    with pytest.raises(InvalidTargetError):
        await collect([object()], [1])
    with pytest.raises(InvalidSpecError):
        await collect("127.0.0.1", "1-x")
    with pytest.raises(InvalidOptionError, match="ports"):
        await collect("127.0.0.1")
    for option, value in [("concurrency", 0), ("rate", -1.0), ("retries", -1),
                          ("timeout", float("nan")), ("order", "random"),
                          ("family", "ipv5"), ("probe", 42)]:
        with pytest.raises(InvalidOptionError, match=option):
            await collect("127.0.0.1", [1], **{option: value})


async def test_family_selects_addresses() -> None:
    found = await collect(["localhost", "127.0.0.1", "::1"], [1], family="ipv4")
    assert sorted(r.address for r in found) == ["127.0.0.1", "127.0.0.1"]
    found = await collect(["127.0.0.1", "::1"], [1], family="ipv6")
    assert [r.address for r in found] == ["::1"]


async def test_concurrency_one_still_finishes() -> None:
    found = await collect("127.0.0.1", "1-50", concurrency=1)
    assert len(found) == 50


def test_scan_sync_runs_on_both_backends() -> None:
    with listener("127.0.0.1") as port:
        for backend in ("asyncio", "trio"):
            found = portkit.scan_sync("127.0.0.1", [port, closed_port()], backend=backend)
            assert sorted(r.state.value for r in found) == ["closed", "open"]


def test_default_concurrency_stays_below_the_descriptor_limit() -> None:
    import resource

    from portkit._probe._limits import default_concurrency

    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    assert 1 <= default_concurrency() < soft


async def test_errors_in_the_callers_block_come_out_unwrapped() -> None:
    async def stop_at_first() -> None:
        async with portkit.scan("127.0.0.1", "1-100") as results:
            async for _ in results:
                raise KeyError("stop here")

    with pytest.raises(KeyError, match="stop here"):
        await stop_at_first()



async def test_a_finished_scan_leaves_no_descriptor_open() -> None:
    before = open_fds()
    with listener("127.0.0.1") as port:
        opened = open_fds()
        found = await collect(["127.0.0.1", "127.0.0.2"], f"1-300,{port}")
        assert open_fds() == opened
    assert len(found) == 602
    assert open_fds() == before
