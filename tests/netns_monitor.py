"""Run inside a network namespace by test_monitor_netns.py: listen, monitor, print.

Usage: python netns_monitor.py PORT

Listens on 127.0.0.1:PORT, monitors it (interval 0.05 s, timeout 0.3 s, fall 2)
and prints each state change as a JSON line, for at most 60 seconds or until stdin
closes.
"""

from __future__ import annotations

import json
import sys

import anyio
import anyio.abc

import portkit


async def main(port: int) -> None:
    listener = await anyio.create_tcp_listener(local_host="127.0.0.1", local_port=port)

    async def close(stream: anyio.abc.SocketStream) -> None:
        await stream.aclose()

    check = portkit.monitoring.Check(
        endpoint=f"127.0.0.1:{port}", interval=0.05, timeout=0.3, fall=2
    )
    with anyio.move_on_after(60):
        async with listener, anyio.create_task_group() as tg:
            tg.start_soon(listener.serve, close)

            async def until_stdin_closes() -> None:
                await anyio.to_thread.run_sync(sys.stdin.read, abandon_on_cancel=True)
                tg.cancel_scope.cancel()

            tg.start_soon(until_stdin_closes)
            async with portkit.monitoring.monitor([check], spread=0, results=False) as events:
                async for event in events:
                    print(json.dumps(event.to_dict()), flush=True)


if __name__ == "__main__":
    anyio.run(main, int(sys.argv[1]))
