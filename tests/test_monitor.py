"""The monitor against real loopback listeners, on asyncio and trio."""

from __future__ import annotations

import itertools
import math
from collections import deque

import anyio
import anyio.abc
import pytest

import portkit
from monitor_support import Switch, free_port, listening
from portkit import Endpoint, ProbeResult
from portkit.exceptions import InvalidOptionError, UnknownCheckError
from portkit.monitoring import ChangeKind, Check, CheckResult, Health, StateChange

pytestmark = pytest.mark.anyio

#: Every wait on the monitor in these tests ends within this many seconds.
BOUND = 30


async def test_listener_stop_and_start_gives_down_then_recovered_after_damping() -> None:
    port = free_port()
    check = Check(endpoint=f"127.0.0.1:{port}", interval=0.03, timeout=1.0, rise=2, fall=3)
    events: list[CheckResult | StateChange] = []
    with anyio.fail_after(BOUND):
        async with anyio.create_task_group() as tg:
            switch = Switch(tg, port)
            await switch.start()
            async with portkit.monitoring.monitor([check], spread=0, buffer=0) as mon:
                phase = "up"
                ups_seen = 0
                async for event in mon:
                    events.append(event)
                    if isinstance(event, CheckResult) and phase == "up":
                        ups_seen += event.verdict is Health.UP
                        if ups_seen == 3:
                            switch.stop()
                            phase = "stopped"
                    elif isinstance(event, StateChange) and event.new is Health.DOWN:
                        await switch.start()
                        phase = "restarted"
                    elif isinstance(event, StateChange) and event.new is Health.UP and (
                        event.old is Health.DOWN
                    ):
                        break
            switch.stop()
    changes = [e for e in events if isinstance(e, StateChange)]
    assert [(c.old, c.new) for c in changes] == [
        (Health.UNKNOWN, Health.UP),
        (Health.UP, Health.DOWN),
        (Health.DOWN, Health.UP),
    ]
    assert [c.kind for c in changes] == [ChangeKind.FIRST, ChangeKind.PROBLEM, ChangeKind.RECOVERED]
    assert changes[2].recovered and not changes[1].recovered
    down, recovered = changes[1], changes[2]
    assert len(down.streak) == 3 and {r.state for r in down.streak} == {portkit.PortState.CLOSED}
    assert down.reason == "conn-refused"
    assert len(recovered.streak) == 2 and all(r.is_open for r in recovered.streak)
    # Damping: each change comes exactly at the rise-th / fall-th agreeing verdict.
    for change, needed in ((down, 3), (recovered, 2)):
        i = events.index(change)
        results = [e for e in events[:i] if isinstance(e, CheckResult)]
        run = 0
        for r in reversed(results):
            if r.verdict is not change.new:
                break
            run += 1
        assert run == needed
        assert results[-1].health is change.new
        assert all(r.health is change.old for r in results[-needed:-1])


async def test_first_result_sets_health_at_once_whatever_the_damping() -> None:
    async with listening() as port:
        check = Check(endpoint=f"127.0.0.1:{port}", interval=0.05, rise=5, fall=5)
        with anyio.fail_after(BOUND):
            async with portkit.monitoring.monitor([check], spread=0) as mon:
                first = await mon.__anext__()
                second = await mon.__anext__()
    assert isinstance(first, CheckResult) and first.health is Health.UP
    assert isinstance(second, StateChange) and second.kind is ChangeKind.FIRST
    assert len(second.streak) == 1


async def test_port_expected_closed_that_starts_listening_is_a_policy_violation() -> None:
    port = free_port()
    check = Check(endpoint=f"127.0.0.1:{port}", interval=0.03, expect="closed", name="telnet")
    changes: list[StateChange] = []
    with anyio.fail_after(BOUND):
        async with anyio.create_task_group() as tg:
            switch = Switch(tg, port)
            async with portkit.monitoring.monitor([check], spread=0, results=False) as mon:
                async for event in mon:
                    assert isinstance(event, StateChange)
                    changes.append(event)
                    if event.new is Health.UP:
                        await switch.start()
                    else:
                        break
            switch.stop()
    assert [(c.old, c.new) for c in changes] == [
        (Health.UNKNOWN, Health.UP),
        (Health.UP, Health.VIOLATED),
    ]
    assert changes[0].reason == "conn-refused"
    assert changes[1].reason == "syn-ack" and changes[1].kind is ChangeKind.PROBLEM
    assert changes[1].to_dict()["new"] == "violated"


async def test_latency_thresholds_judge_open_ports() -> None:
    async with listening() as port:
        slowest = Check(endpoint=f"127.0.0.1:{port}", name="crit", critical_latency=1e-9)
        slow = Check(endpoint=f"127.0.0.1:{port}", name="warn", degraded_latency=1e-9)
        fine = Check(endpoint=f"127.0.0.1:{port}", name="fine", degraded_latency=60)
        seen: dict[str, CheckResult] = {}
        with anyio.fail_after(BOUND):
            async with portkit.monitoring.monitor([slowest, slow, fine], spread=0) as mon:
                async for event in mon:
                    if isinstance(event, CheckResult):
                        seen[event.check.name] = event
                    if len(seen) == 3:
                        break
    assert (seen["crit"].verdict, seen["crit"].reason) == (Health.DOWN, "latency-critical")
    assert (seen["warn"].verdict, seen["warn"].reason) == (Health.DEGRADED, "latency-degraded")
    assert seen["warn"].success and seen["warn"].health.is_ok
    assert (seen["fine"].verdict, seen["fine"].reason) == (Health.UP, "syn-ack")


async def test_checks_can_be_added_and_removed_while_running() -> None:
    async with listening() as port:
        a = Check(endpoint=f"127.0.0.1:{port}", name="a", interval=0.02)
        b = Check(endpoint=f"127.0.0.1:{port}", name="b", interval=0.02)
        counts = {"a": 0, "b": 0}
        after_removal = {"a": 0, "b": 0}
        late_a: list[CheckResult] = []
        removed = False
        removed_at = 0.0
        with anyio.fail_after(BOUND):
            async with portkit.monitoring.monitor([a], spread=0, buffer=0) as mon:
                with pytest.raises(InvalidOptionError):
                    mon.add(Check(endpoint=f"127.0.0.1:{port}", name="a"))
                async for event in mon:
                    if not isinstance(event, CheckResult):
                        continue
                    name = event.check.name
                    counts[name] += 1
                    if removed:
                        after_removal[name] += 1
                        if name == "a":
                            late_a.append(event)
                    if counts["a"] == 3 and "b" not in [c.name for c in mon.checks]:
                        mon.add(b)
                    if counts["b"] == 3 and not removed:
                        assert mon.remove("a") is a
                        removed = True
                        removed_at = anyio.current_time()
                        assert mon.checks == (b,)
                        with pytest.raises(UnknownCheckError):
                            mon.stats("a")
                        with pytest.raises(UnknownCheckError):
                            mon.remove(a)
                    if after_removal["b"] == 10:
                        break
                assert mon.stats("b").total >= 13
    assert after_removal["b"] == 10
    # With no buffer, at most the one event that "a" was already waiting to hand
    # over when it was removed still arrives; nothing it probed afterwards does.
    assert after_removal["a"] <= 1
    assert all(e.started + e.duration <= removed_at for e in late_a)


class BannerProbe:
    """Connects, then waits up to the timeout for the server's first bytes."""

    protocol = portkit.Protocol.TCP

    async def __call__(self, endpoint: Endpoint, timeout: float) -> ProbeResult:
        with anyio.move_on_after(timeout):
            async with await anyio.connect_tcp(endpoint.host, endpoint.port) as stream:
                data = await stream.receive()
                return ProbeResult(
                    target=endpoint.host, address=endpoint.host, port=endpoint.port,
                    state="open", reason="banner", details={"banner": data.decode()},
                )
        return ProbeResult(
            target=endpoint.host, address=endpoint.host, port=endpoint.port,
            state="filtered", reason="no-response",
        )


class StubbornProbe:
    """Connects, then waits for a banner with no regard for the timeout."""

    async def __call__(self, endpoint: Endpoint, timeout: float) -> ProbeResult:
        async with await anyio.connect_tcp(endpoint.host, endpoint.port) as stream:
            await stream.receive()
        raise AssertionError("the silent server sent something")


async def test_hanging_targets_do_not_delay_other_checks() -> None:
    async with listening(silent=True) as silent, listening() as healthy:
        checks = [
            Check(endpoint=f"127.0.0.1:{silent}", name="banner", probe=BannerProbe(),
                  interval=0.05, timeout=0.3),
            Check(endpoint=f"127.0.0.1:{silent}", name="stubborn", probe=StubbornProbe(),
                  interval=0.05, timeout=0.3),
            Check(endpoint=f"127.0.0.1:{healthy}", name="healthy", interval=0.01),
        ]
        seen: dict[str, list[CheckResult]] = {"banner": [], "stubborn": [], "healthy": []}
        with anyio.fail_after(BOUND):
            async with portkit.monitoring.monitor(checks, spread=0) as mon:
                async for event in mon:
                    if isinstance(event, CheckResult):
                        seen[event.check.name].append(event)
                    if len(seen["banner"]) >= 2 and len(seen["stubborn"]) >= 2:
                        break
    assert all(r.result.reason == "no-response" for r in seen["banner"] + seen["stubborn"])
    assert all(r.result.details.get("overran") for r in seen["stubborn"])
    assert not any(r.result.details.get("overran") for r in seen["banner"])
    # Two hung probes of 0.3 s each give the healthy check (0.01 s) room for dozens.
    assert len(seen["healthy"]) >= 10
    assert all(r.verdict is Health.UP for r in seen["healthy"])


async def test_a_check_never_overlaps_itself_and_skips_missed_deadlines() -> None:
    async with listening(silent=True) as silent:
        check = Check(endpoint=f"127.0.0.1:{silent}", probe=BannerProbe(),
                      interval=0.02, timeout=0.1)
        results: list[CheckResult] = []
        with anyio.fail_after(BOUND):
            async with portkit.monitoring.monitor([check], spread=0) as mon:
                async for event in mon:
                    if isinstance(event, CheckResult):
                        results.append(event)
                        if len(results) == 4:
                            break
    for before, after in itertools.pairwise(results):
        # The next probe starts after the previous one ended ...
        assert after.started >= before.started + before.duration
        # ... at a deadline on the original grid, not a burst of missed ones.
        steps = (after.scheduled - before.scheduled) / check.interval
        assert steps >= 2 and math.isclose(steps, round(steps), abs_tol=1e-6)


async def test_names_resolve_before_each_probe() -> None:
    async with listening() as port:
        check = Check(endpoint=f"localhost:{port}", interval=0.05)
        bogus = Check(endpoint="no-such-host.invalid:80", interval=0.05)
        seen: dict[str, CheckResult] = {}
        with anyio.fail_after(BOUND):
            async with portkit.monitoring.monitor([check, bogus], spread=0) as mon:
                async for event in mon:
                    if isinstance(event, CheckResult):
                        seen[event.check.name] = event
                    if len(seen) == 2:
                        break
    ok = seen[f"localhost:{port}"].result
    assert ok.target == "localhost" and ok.address in ("127.0.0.1", "::1")
    bad = seen["no-such-host.invalid:80"]
    assert bad.result.state is portkit.PortState.ERROR
    assert bad.reason == "resolve-failed" and bad.verdict is Health.DOWN


def _nearest_rank(ordered: list[float], p: float) -> float:
    return ordered[max(1, math.ceil(p * len(ordered) / 100)) - 1]


async def test_long_run_keeps_memory_flat_and_statistics_exact() -> None:
    import gc
    import statistics
    import tracemalloc

    window, n = 100, 500
    async with listening() as port:
        check = Check(endpoint=f"127.0.0.1:{port}", interval=0.001, timeout=1.0, name="long")
        reference: deque[tuple[bool, float | None]] = deque(maxlen=window)
        sizes: dict[int, int] = {}
        tracemalloc.start()
        try:
            with anyio.fail_after(120):
                run = portkit.monitoring.monitor([check], spread=0, buffer=0, window=window)
                async with run as mon:
                    count = 0
                    async for event in mon:
                        if not isinstance(event, CheckResult):
                            continue
                        count += 1
                        reference.append((event.success, event.result.latency))
                        if count in (n, 4 * n):
                            stats = mon.stats("long")
                            gc.collect()
                            sizes[count] = tracemalloc.get_traced_memory()[0]
                        # The shared schedule may record a result before the event of
                        # the one before is taken: the reference catches up with the
                        # statistics snapshot before they are compared.
                        if count >= 4 * n and count == stats.total:
                            break
        finally:
            tracemalloc.stop()
    growth = sizes[4 * n] - sizes[n]
    assert growth < 16 * 1024, f"retained memory grew by {growth} bytes over {3 * n} results"
    latencies = [lat for _, lat in reference if lat is not None]
    ordered = sorted(latencies)
    assert stats.total in (4 * n, 4 * n + 1)
    assert stats.count == window
    assert stats.successes == sum(ok for ok, _ in reference)
    assert stats.availability == pytest.approx(stats.successes / window)
    assert stats.latency_min == ordered[0] and stats.latency_max == ordered[-1]
    assert stats.latency_mean == pytest.approx(statistics.fmean(latencies), rel=1e-12)
    assert stats.latency_p50 == _nearest_rank(ordered, 50)
    assert stats.latency_p95 == _nearest_rank(ordered, 95)
    assert stats.latency_p99 == _nearest_rank(ordered, 99)
    jitter = statistics.fmean(abs(b - a) for a, b in itertools.pairwise(latencies))
    assert stats.jitter == pytest.approx(jitter, rel=1e-12)


async def test_options_are_checked() -> None:
    check = Check(endpoint="127.0.0.1:1")
    for bad in ({"window": 0}, {"concurrency": 0}, {"spread": -1}, {"serve": ("x", 70000)}):
        with pytest.raises(InvalidOptionError):
            async with portkit.monitoring.monitor([check], **bad):  # type: ignore[arg-type]
                pass
    with pytest.raises(InvalidOptionError, match="unique"):
        async with portkit.monitoring.monitor([check, Check(endpoint="127.0.0.1:1")]):
            pass


async def test_concurrency_bounds_probes_in_flight() -> None:
    in_flight = 0
    peak = 0

    class Counting:
        async def __call__(self, endpoint: Endpoint, timeout: float) -> ProbeResult:
            nonlocal in_flight, peak
            in_flight += 1
            peak = max(peak, in_flight)
            try:
                async with await anyio.connect_tcp(endpoint.host, endpoint.port):
                    await anyio.sleep(0.02)
            finally:
                in_flight -= 1
            return ProbeResult(target=endpoint.host, address=endpoint.host,
                               port=endpoint.port, state="open", reason="syn-ack")

    async with listening() as port:
        checks = [Check(endpoint=f"127.0.0.1:{port}", name=str(i), probe=Counting(),
                        interval=0.01) for i in range(12)]
        with anyio.fail_after(BOUND):
            async with portkit.monitoring.monitor(checks, spread=0, concurrency=3) as mon:
                total = 0
                async for event in mon:
                    total += isinstance(event, CheckResult)
                    if total == 40:
                        break
    assert peak == 3


def test_check_fields_are_validated() -> None:
    with pytest.raises(InvalidOptionError, match="interval"):
        Check(endpoint="127.0.0.1:80", interval=0)
    with pytest.raises(InvalidOptionError, match="expect"):
        Check(endpoint="127.0.0.1:80", expect="ajar")  # type: ignore[arg-type]
    with pytest.raises(InvalidOptionError, match="critical_latency"):
        Check(endpoint="127.0.0.1:80", degraded_latency=1, critical_latency=0.5)
    with pytest.raises(InvalidOptionError, match="rise"):
        Check(endpoint="127.0.0.1:80", rise=0)
    with pytest.raises(InvalidOptionError, match="probe"):
        Check(endpoint="127.0.0.1:53/udp")
    c = Check(endpoint="127.0.0.1:80")
    assert c.name == "127.0.0.1:80" and c.endpoint == Endpoint.parse("127.0.0.1:80")


async def test_first_deadlines_are_spread_reproducibly_by_the_seed() -> None:
    async def offsets(seed: int) -> list[float]:
        checks = [Check(endpoint="127.0.0.1:1", name=str(i), interval=0.2) for i in range(8)]
        first: dict[str, float] = {}
        with anyio.fail_after(BOUND):
            run = portkit.monitoring.monitor(checks, spread=0.1, seed=seed, results=True)
            async with run as mon:
                async for event in mon:
                    if isinstance(event, CheckResult):
                        first.setdefault(event.check.name, event.scheduled)
                    if len(first) == len(checks):
                        break
        base = first["0"]
        return [first[c.name] - base for c in checks]

    a, b, c = await offsets(7), await offsets(7), await offsets(8)
    assert a == pytest.approx(b, abs=1e-9)
    assert a != pytest.approx(c, abs=1e-9)
    assert all(-0.1 <= x <= 0.1 for x in a)
    assert len({round(x, 9) for x in a}) == len(a)  # spread, not one burst


async def test_errors_in_the_block_come_out_unwrapped() -> None:
    check = Check(endpoint="127.0.0.1:1", interval=0.05)

    async def run() -> None:
        async with portkit.monitoring.monitor([check]) as mon:
            async for _ in mon:
                raise KeyError("mine")

    with pytest.raises(KeyError, match="mine"):
        await run()


async def test_serve_on_a_busy_port_is_an_option_error() -> None:
    async with listening() as busy:
        with pytest.raises(InvalidOptionError, match="cannot listen there"):
            async with portkit.monitoring.monitor([], serve=("127.0.0.1", busy)):
                pass
