"""A loopback TCP server that answers each request with a scripted, possibly broken,
HTTP reply, optionally paced byte by byte (for the hostile-input tests)."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator

Script = Callable[[bytes], tuple[bytes, float]]


@contextlib.contextmanager
def misbehaving(reply: bytes | Script, pace: float = 0.0, limit: float = 30.0) -> Iterator[str]:
    """Serve on 127.0.0.1; yield ``http://127.0.0.1:PORT``.

    *reply* is the bytes to send after reading the request head, or a function of
    the request head giving (bytes, pace). With a pace, one byte is sent per
    *pace* seconds. Each connection is served for at most *limit* seconds.
    """
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    stop = threading.Event()
    threads: list[threading.Thread] = []

    def handle(conn: socket.socket) -> None:
        with conn, contextlib.suppress(OSError):
            conn.settimeout(5)
            head = b""
            while b"\r\n\r\n" not in head and len(head) < 65536:
                data = conn.recv(4096)
                if not data:
                    return
                head += data
            data, step = reply(head) if callable(reply) else (reply, pace)
            if not step:
                conn.sendall(data)
                return
            end = time.monotonic() + limit
            for i in range(len(data)):
                if stop.is_set() or time.monotonic() > end:
                    return
                conn.sendall(data[i : i + 1])
                time.sleep(step)

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            thread = threading.Thread(target=handle, args=(conn,), daemon=True)
            thread.start()
            threads.append(thread)

    acceptor = threading.Thread(target=serve, daemon=True)
    acceptor.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        acceptor.join(5)
        listener.close()
        for thread in threads:
            thread.join(5)
