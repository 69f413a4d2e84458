"""Damping, statistics definitions, the Prometheus exposition, /metrics and configs."""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.error
import urllib.request
from collections.abc import Awaitable, Callable
from pathlib import Path

import anyio
import pytest
from hypothesis import given
from hypothesis import strategies as st

import portkit
from monitor_support import listening
from portkit.exceptions import InvalidConfigError
from portkit.monitoring import Check, CheckResult, Health, load_checks
from portkit.monitoring._exposition import escape_label
from portkit.monitoring._health import Damper
from portkit.monitoring._http import MAX_REQUEST, serve_metrics
from portkit.monitoring._stats import RollingStats, percentile

verdicts = st.sampled_from([Health.UP, Health.DEGRADED, Health.DOWN, Health.VIOLATED])


@given(
    st.lists(verdicts, min_size=1, max_size=60),
    st.integers(1, 5),
    st.integers(1, 5),
)
def test_damper_changes_only_after_enough_agreeing_verdicts(
    seq: list[Health], rise: int, fall: int
) -> None:
    damper: Damper[int] = Damper(rise, fall)
    health = Health.UNKNOWN
    for i, verdict in enumerate(seq):
        change = damper.observe(verdict, i)
        if change is None:
            assert damper.health is health
            continue
        old, new, streak = change
        assert old is health and new is verdict and new is not old
        needed = 1 if old is Health.UNKNOWN else (rise if new is Health.UP else fall)
        assert streak == tuple(range(i - needed + 1, i + 1))
        assert all(v is new for v in seq[i - needed + 1 : i + 1])
        health = new
    # No change is pending that should have happened: the tail disagreeing with the
    # health is shorter than what a change needs.
    tail = 0
    for verdict in reversed(seq):
        if verdict is health or verdict is not seq[-1]:
            break
        tail += 1
    if seq[-1] is not health:
        assert tail < (rise if seq[-1] is Health.UP else fall)


def test_damper_a_disagreeing_result_restarts_the_count() -> None:
    damper: Damper[str] = Damper(rise=2, fall=2)
    assert damper.observe(Health.UP, "a") is not None
    assert damper.observe(Health.DOWN, "b") is None
    assert damper.observe(Health.UP, "c") is None
    assert damper.observe(Health.DOWN, "d") is None
    assert damper.observe(Health.DEGRADED, "e") is None
    assert damper.observe(Health.DOWN, "f") is None
    assert damper.observe(Health.DOWN, "g") == (Health.UP, Health.DOWN, ("f", "g"))


@given(st.lists(st.floats(0, 10), min_size=1, max_size=300), st.floats(0.1, 100))
def test_percentile_is_nearest_rank(values: list[float], p: float) -> None:
    ordered = sorted(values)
    got = percentile(ordered, p)
    assert got in ordered
    below = sum(v <= got for v in ordered)  # type: ignore[operator]
    assert below / len(ordered) >= p / 100 - 1e-12


def test_statistics_of_an_empty_window_and_of_lost_latencies() -> None:
    stats = RollingStats(window=3)
    empty = stats.snapshot("x")
    assert empty.count == 0 and empty.availability is None and empty.latency_p50 is None
    stats.extend([(True, 0.1), (False, None), (True, 0.3), (True, 0.2)])
    snap = stats.snapshot("x")
    assert (snap.count, snap.total, snap.successes, snap.total_successes) == (3, 4, 2, 3)
    assert snap.latency_min == 0.2 and snap.latency_max == 0.3
    assert snap.jitter == pytest.approx(0.1)
    assert json.loads(json.dumps(snap.to_dict()))["name"] == "x"


def test_label_values_are_escaped() -> None:
    assert escape_label('a"b\\c\nd') == 'a\\"b\\\\c\\nd'


async def _metrics_of_a_running_monitor() -> tuple[str, dict[str, str]]:
    async with listening() as port:
        checks = [
            Check(endpoint=f"127.0.0.1:{port}", name='web "front"\\1', interval=0.02),
            Check(endpoint="127.0.0.1:1", name="closed", interval=0.02),
        ]
        async with portkit.monitoring.monitor(checks, spread=0, serve=("127.0.0.1", 0)) as mon:
            assert mon.metrics_address is not None
            host, mport = mon.metrics_address
            seen: set[str] = set()
            async for event in mon:
                if isinstance(event, CheckResult):
                    seen.add(event.check.name)
                if len(seen) == 2:
                    break
            base = f"http://{host}:{mport}"

            def get(path: str) -> tuple[int, str, str]:
                try:
                    with urllib.request.urlopen(base + path, timeout=10) as r:
                        return r.status, r.headers["Content-Type"], r.read().decode()
                except urllib.error.HTTPError as e:
                    with e:
                        return e.code, e.headers["Content-Type"], e.read().decode()

            status, ctype, body = await anyio.to_thread.run_sync(get, "/metrics")
            assert status == 200
            assert ctype == "text/plain; version=0.0.4; charset=utf-8"
            other = await anyio.to_thread.run_sync(get, "/")
            assert other[0] == 404
            return body, {"ctype": ctype}


@pytest.mark.anyio
async def test_metrics_endpoint_serves_the_exposition() -> None:
    with anyio.fail_after(30):
        body, _ = await _metrics_of_a_running_monitor()
    assert "# TYPE probe_success gauge" in body
    assert "# TYPE portkit_check_results_total counter" in body
    labels = 'check="web \\"front\\"\\\\1",target="127.0.0.1"'
    assert f"probe_success{{{labels}" in body
    assert 'portkit_check_state{check="closed",target="127.0.0.1",port="1",protocol="tcp",' \
        'state="down"} 1' in body
    assert 'portkit_check_latency_seconds{check="closed",target="127.0.0.1",port="1",' \
        'protocol="tcp",quantile="0.99"}' in body
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool (Debian package prometheus) is not installed")
    result = subprocess.run([promtool, "check", "metrics"], input=body, capture_output=True,
                            text=True, timeout=30, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def rendering(body: bytes) -> Callable[[], Awaitable[bytes]]:
    """A render function for serve_metrics that gives *body*."""

    async def render() -> bytes:
        return body

    return render


@pytest.mark.anyio
async def test_metrics_server_bounds_requests() -> None:
    async with anyio.create_task_group() as tg:
        host, port = await tg.start(serve_metrics, "127.0.0.1", 0, rendering(b"x 1\n"))
        with anyio.fail_after(30):
            async with await anyio.connect_tcp(host, port) as s:
                await s.send(b"GET /metrics HTTP/1.1\r\nX: " + b"a" * (MAX_REQUEST + 10))
                reply = await s.receive()
            assert reply.startswith(b"HTTP/1.1 431 ")
            async with await anyio.connect_tcp(host, port) as s:
                await s.send(b"POST /metrics HTTP/1.1\r\n\r\n")
                assert (await s.receive()).startswith(b"HTTP/1.1 405 ")
            async with await anyio.connect_tcp(host, port) as s:
                await s.send(b"nonsense\r\n\r\n")
                assert (await s.receive()).startswith(b"HTTP/1.1 400 ")
            async with await anyio.connect_tcp(host, port) as s:
                await s.send(b"HEAD /metrics HTTP/1.1\r\n\r\n")
                head = await s.receive()
                assert head.startswith(b"HTTP/1.1 200 ") and head.endswith(b"\r\n\r\n")
        tg.cancel_scope.cancel()


@pytest.mark.anyio
async def test_metrics_server_times_out_silent_clients() -> None:
    async with anyio.create_task_group() as tg:
        host, port = await tg.start(
            lambda task_status: serve_metrics(
                "127.0.0.1", 0, rendering(b""), read_timeout=0.2, task_status=task_status
            )
        )
        with anyio.fail_after(30):
            async with await anyio.connect_tcp(host, port) as s:
                await s.send(b"GET /metr")
                assert (await s.receive()).startswith(b"HTTP/1.1 408 ")
        tg.cancel_scope.cancel()


def test_events_serialize_to_json_lines() -> None:
    async def run() -> list[str]:
        lines = []
        async with listening() as port:
            check = Check(endpoint=f"127.0.0.1:{port}", interval=0.02)
            async with portkit.monitoring.monitor([check], spread=0) as mon:
                async for event in mon:
                    lines.append(json.dumps(event.to_dict()))
                    if len(lines) == 3:
                        break
        return lines

    lines = anyio.run(run)
    records = [json.loads(line) for line in lines]
    assert [r["event"] for r in records] == ["result", "change", "result"]
    assert records[0]["result"]["state"] == "open" and records[1]["kind"] == "first"


CONFIG = """
[defaults]
interval = 5
timeout = 0.5

[[check]]
endpoint = "db.internal:5432"
name = "postgres"
fall = 3
degraded_latency = 0.2
critical_latency = 1.0

[[check]]
endpoint = "10.0.0.5:23"
expect = "closed"
interval = 60
"""


def test_config_file_gives_checks(tmp_path: Path) -> None:
    path = tmp_path / "checks.toml"
    path.write_text(CONFIG)
    pg, telnet = load_checks(path)
    assert (pg.name, pg.interval, pg.timeout, pg.fall) == ("postgres", 5, 0.5, 3)
    assert (pg.degraded_latency, pg.critical_latency) == (0.2, 1.0)
    assert (telnet.name, telnet.expect, telnet.interval) == ("10.0.0.5:23", "closed", 60)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[[check]]\nendpoint = 'a:1'\nport = 3\n", "unknown key(s) port"),
        ("[[check]]\nname = 'x'\n", "no endpoint"),
        ("[[check]]\nendpoint = 'a:1'\ninterval = -1\n", "check #1: invalid interval"),
        ("[[check]]\nendpoint = 'a:1'\n[[check]]\nendpoint = 'a:1'\n", "names must be unique"),
        ("[monitor]\nx = 1\n", "unknown top-level"),
        ("[[check]\n", "not valid TOML"),
        ("", "no [[check]] tables"),
    ],
)
def test_bad_config_files_say_what_is_wrong(tmp_path: Path, text: str, fragment: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(InvalidConfigError) as info:
        load_checks(path)
    assert fragment in str(info.value) and info.value.path == str(path)


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidConfigError, match="cannot read"):
        load_checks(tmp_path / "nope.toml")


@given(
    state=st.sampled_from(list(portkit.PortState)),
    latency=st.none() | st.floats(0, 5),
    degraded=st.none() | st.floats(0.001, 2),
    extra=st.floats(0, 2),
    expect=st.sampled_from(["open", "closed"]),
)
def test_judge_follows_the_documented_table(
    state: portkit.PortState, latency: float | None, degraded: float | None, extra: float,
    expect: str,
) -> None:
    critical = None if degraded is None else degraded + extra
    check = Check(endpoint="127.0.0.1:80", expect=expect,  # type: ignore[arg-type]
                  degraded_latency=degraded, critical_latency=critical)
    result = portkit.ProbeResult(target="127.0.0.1", address="127.0.0.1", port=80,
                                 state=state, reason="why", latency=latency)
    verdict, reason = check.judge(result)
    if expect == "closed":
        expected = {portkit.PortState.OPEN: Health.VIOLATED,
                    portkit.PortState.ERROR: Health.DOWN}.get(state, Health.UP)
        assert (verdict, reason) == (expected, "why")
    elif state is not portkit.PortState.OPEN:
        assert (verdict, reason) == (Health.DOWN, "why")
    elif latency is not None and critical is not None and latency >= critical:
        assert (verdict, reason) == (Health.DOWN, "latency-critical")
    elif latency is not None and degraded is not None and latency >= degraded:
        assert (verdict, reason) == (Health.DEGRADED, "latency-degraded")
    else:
        assert (verdict, reason) == (Health.UP, "why")


@pytest.mark.anyio
async def test_metrics_before_any_result_are_valid() -> None:
    check = Check(endpoint="127.0.0.1:1", interval=60)
    async with portkit.monitoring.monitor([check], spread=60, seed=1) as mon:
        body = mon.metrics()
    assert "probe_success{" not in body
    assert 'state="unknown"} 1' in body
    assert 'quantile="0.5"} NaN' in body
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool (Debian package prometheus) is not installed")
    result = subprocess.run([promtool, "check", "metrics"], input=body, capture_output=True,
                            text=True, timeout=30, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
