"""Watch a port go down and recover, with damping, then print its statistics.

Starts a TCP listener on 127.0.0.1, monitors it every 50 ms (three failures to go
down, two successes to come back), stops the listener for a while, starts it
again, and exits once the check has recovered. Runs in a second or so.
"""

from __future__ import annotations

import anyio
import anyio.abc

import portkit


async def serve(port: int, *, task_status: anyio.abc.TaskStatus[anyio.CancelScope]) -> None:
    """Accept and close connections on 127.0.0.1:*port* until cancelled."""

    async def close(stream: anyio.abc.SocketStream) -> None:
        await stream.aclose()

    with anyio.CancelScope() as scope:
        listener = await anyio.create_tcp_listener(local_host="127.0.0.1", local_port=port)
        async with listener:
            task_status.started(scope)
            await listener.serve(close)


async def main() -> None:
    async with anyio.create_task_group() as tg:
        # Port 0 picks a free port; later restarts reuse the same number.
        listener = await anyio.create_tcp_listener(local_host="127.0.0.1")
        port = listener.extra(anyio.abc.SocketAttribute.local_port)
        await listener.aclose()
        server = await tg.start(serve, port)

        check = portkit.monitoring.Check(
            endpoint=f"127.0.0.1:{port}", name="demo", interval=0.05, timeout=0.5,
            rise=2, fall=3,
        )
        results = 0
        with anyio.fail_after(30):
            async with portkit.monitoring.monitor([check], spread=0) as events:
                async for event in events:
                    if isinstance(event, portkit.monitoring.CheckResult):
                        results += 1
                        if results == 5:
                            print("stopping the listener")
                            server.cancel()
                    else:
                        print(f"{event.check.name}: {event.old} -> {event.new} "
                              f"({event.reason}, {event.kind}, after {len(event.streak)} "
                              "agreeing results)")
                        if event.new is portkit.monitoring.Health.DOWN:
                            print("starting the listener again")
                            server = await tg.start(serve, port)
                        elif event.recovered:
                            break
                stats = events.stats("demo")
                print(f"{stats.total} results, availability {stats.availability:.0%}, "
                      f"{stats.state_changes} state changes")
                metrics = events.metrics()
        server.cancel()
    for line in metrics.splitlines():
        if line.startswith(("probe_success", "portkit_check_state_changes_total")):
            print(line)


if __name__ == "__main__":
    anyio.run(main)
