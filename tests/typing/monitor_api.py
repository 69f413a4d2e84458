"""The monitoring API as users write it: checked by mypy --strict, never run."""

from __future__ import annotations

import portkit
from portkit.monitoring import (
    ChangeKind,
    Check,
    CheckResult,
    CheckStats,
    Health,
    Monitor,
    StateChange,
)


async def watch() -> list[str]:
    checks = [
        Check(endpoint="127.0.0.1:5432", name="db", interval=5, fall=3),
        Check(endpoint=portkit.Endpoint.parse("127.0.0.1:23"), expect="closed"),
    ]
    lines: list[str] = []
    run = portkit.monitoring.monitor(checks, window=50, serve=("127.0.0.1", 0), seed=1)
    async with run as events:
        mon: Monitor = events
        mon.add(Check(endpoint="127.0.0.1:80", name="web"))
        removed: Check = mon.remove("web")
        lines.append(removed.name)
        async for event in mon:
            if isinstance(event, CheckResult):
                lag: float = event.lag
                verdict: Health = event.verdict
                lines.append(f"{verdict} {lag} {event.result.state}")
            else:
                change: StateChange = event
                kind: ChangeKind = change.kind
                lines.append(f"{change.old} -> {change.new} {kind} {len(change.streak)}")
            stats: CheckStats = mon.stats("db")
            p99: float | None = stats.latency_p99
            lines.append(str(p99))
            text: str = mon.metrics()
            lines.append(text)
            break
    return lines


def configured(path: str) -> list[Check]:
    return portkit.monitoring.load_checks(path)
