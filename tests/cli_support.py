"""Real peers for the command line's tests, on loopback."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator


@contextlib.contextmanager
def banner_server(banner: bytes) -> Iterator[int]:
    """A loopback server that greets every connection with *banner* (bounded: 64)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    sock.settimeout(0.2)
    done = threading.Event()

    def serve() -> None:
        for _ in range(64):
            if done.is_set():
                return
            try:
                conn, _ = sock.accept()
            except OSError:
                continue
            with conn, contextlib.suppress(OSError):
                conn.sendall(banner)
                conn.settimeout(1)
                conn.recv(64)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield sock.getsockname()[1]
    finally:
        done.set()
        thread.join(timeout=10)
        sock.close()
