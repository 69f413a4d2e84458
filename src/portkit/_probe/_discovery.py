"""Host discovery without privileges: is anything at this address?

Before a port sweep (``discovery="ping"``) or instead of one (``"only"``, nmap's
``-sn``), each address is asked, concurrently:

- TCP connects to :data:`DISCOVERY_PORTS`: any answer from the host itself, a
  handshake, a reset (``conn-refused``) or an ICMP error the host sent, proves it
  is up. An ICMP error sent by a router on the way proves nothing.
- ICMP echo through an unprivileged datagram ICMP socket, where the system allows
  it (Linux: the process's group is in ``net.ipv4.ping_group_range``); otherwise
  this method is skipped, silently.

Each method is tried twice; the first proof ends the host's discovery. A host with
no proof within ``2 * timeout`` is down.
"""

from __future__ import annotations

import os
import socket
import struct
from time import perf_counter

import anyio

from ._tcp import Connector

__all__ = ["DISCOVERY_PORTS", "HostVerdict", "discover_host", "icmp_allowed"]

#: The TCP ports that discovery connects to (web, ssh, Windows' file sharing and
#: remote desktop): the ports most often open or answered by a live host.
DISCOVERY_PORTS = (80, 443, 22, 445, 3389)
DISCOVERY_TRIES = 2

#: (up, how it was proved, latency): ``("syn-ack", 0.04)``, ``("echo-reply", ...)``,
#: ``("conn-refused", ...)``; ``(False, "no-response", None)`` when down.
HostVerdict = tuple[bool, str, "float | None"]


def icmp_allowed(family: int = socket.AF_INET) -> bool:
    """True when this process may open an unprivileged ICMP echo socket."""
    proto = socket.IPPROTO_ICMP if family == socket.AF_INET else socket.IPPROTO_ICMPV6
    try:
        sock = socket.socket(family, socket.SOCK_DGRAM, proto)
    except OSError:
        return False
    sock.close()
    return True


async def _echo(address: str, family: int, timeout: float) -> float | None:
    """One ICMP echo; the round trip when a reply came, None otherwise."""
    if family == socket.AF_INET:
        proto, request, reply = socket.IPPROTO_ICMP, 8, 0
    else:
        proto, request, reply = socket.IPPROTO_ICMPV6, 128, 129
    try:
        sock = socket.socket(family, socket.SOCK_DGRAM, proto)
    except OSError:
        return None
    try:
        sock.setblocking(False)
        # The kernel sets the identifier and the checksum of datagram ICMP sockets.
        sequence = int.from_bytes(os.urandom(2), "big")
        sock.sendto(struct.pack("!BBHHH", request, 0, 0, 0, sequence) + b"portkit", (address, 0))
        start = perf_counter()
        with anyio.move_on_after(timeout):
            while True:
                await anyio.wait_readable(sock)
                try:
                    data = sock.recv(512)
                except BlockingIOError:
                    continue
                if len(data) >= 8 and data[0] == reply and data[6:8] == sequence.to_bytes(2, "big"):
                    return perf_counter() - start
    except OSError:
        return None
    finally:
        sock.close()
    return None


async def _connect(address: str, family: int, port: int, timeout: float) -> HostVerdict | None:
    connector = Connector()
    try:
        _, reason, latency, details = await connector.connect(
            family, (address, port), timeout
        )
    except OSError:
        return None
    finally:
        connector.close()
    if reason in ("syn-ack", "conn-refused", "reset"):
        return True, reason, latency
    if details.get("from") == address:
        return True, reason, latency
    return None


async def discover_host(
    address: str, family: int, timeout: float, *, icmp: bool = True
) -> HostVerdict:
    """Whether *address* is up, proved by TCP connects or an ICMP echo (see module)."""
    found: list[HostVerdict] = []

    async with anyio.create_task_group() as tg:

        async def tcp(port: int) -> None:
            for _ in range(DISCOVERY_TRIES):
                verdict = await _connect(address, family, port, timeout)
                if verdict is not None:
                    found.append(verdict)
                    tg.cancel_scope.cancel()
                    return

        async def echo() -> None:
            for _ in range(DISCOVERY_TRIES):
                latency = await _echo(address, family, timeout)
                if latency is not None:
                    found.append((True, "echo-reply", latency))
                    tg.cancel_scope.cancel()
                    return

        for port in DISCOVERY_PORTS:
            tg.start_soon(tcp, port)
        if icmp:
            tg.start_soon(echo)
    return found[0] if found else (False, "no-response", None)
