"""Other platforms: the socket table through the optional ``psutil`` dependency.

Installed with ``pip install 'portkit[local]'``. psutil gives no inode and no socket
uid, and on some platforms (macOS) lists other users' sockets only to root.
"""

from __future__ import annotations

import socket
import sys
from collections.abc import Collection
from typing import Any, Literal

from portkit._models import Protocol
from portkit.exceptions import LocalSocketsError

from ._models import LocalSocket, Process, TcpState

__all__ = ["psutil_sockets"]


def _import_psutil() -> Any:
    try:
        import psutil
    except ImportError:
        raise LocalSocketsError(
            sys.platform,
            "outside Linux portkit reads sockets through psutil, which is not installed; "
            "pip install 'portkit[local]'",
        ) from None
    return psutil


def _state(status: str, protocol: Protocol, has_peer: bool) -> TcpState | None:
    if protocol is Protocol.UDP or status == "NONE":
        return TcpState.ESTABLISHED if has_peer else TcpState.CLOSE
    try:
        return TcpState[status]
    except KeyError:
        return None


def psutil_sockets(
    protocols: Collection[Protocol], *, listening_only: bool, processes: bool
) -> list[LocalSocket]:
    """The sockets psutil reports, as :class:`LocalSocket` records.

    Raises:
        LocalSocketsError: psutil is not installed, or refuses (macOS without root).
    """
    psutil = _import_psutil()
    try:
        entries = psutil.net_connections(kind="inet")
    except psutil.AccessDenied:
        raise LocalSocketsError(
            sys.platform, "this platform lists sockets only to an administrator"
        ) from None
    known: dict[int, Process | None] = {}
    out: list[LocalSocket] = []
    for entry in entries:
        protocol = Protocol.TCP if entry.type == socket.SOCK_STREAM else Protocol.UDP
        if protocol not in protocols:
            continue
        family: Literal[4, 6] = 4 if entry.family == socket.AF_INET else 6
        state = _state(entry.status, protocol, bool(entry.raddr))
        if state is None:
            continue
        sock_rec = LocalSocket(
            protocol=protocol,
            family=family,
            local_address=entry.laddr.ip if entry.laddr else ("0.0.0.0" if family == 4 else "::"),
            local_port=entry.laddr.port if entry.laddr else 0,
            remote_address=entry.raddr.ip if entry.raddr else ("0.0.0.0" if family == 4 else "::"),
            remote_port=entry.raddr.port if entry.raddr else 0,
            state=state,
            processes=_owner(psutil, entry.pid, known) if processes else (),
        )
        if listening_only and not sock_rec.is_listening:
            continue
        out.append(sock_rec)
    return out


def _owner(psutil: Any, pid: int | None, known: dict[int, Process | None]) -> tuple[Process, ...]:
    if pid is None:
        return ()
    if pid not in known:
        try:
            proc = psutil.Process(pid)
            known[pid] = Process(pid=pid, name=proc.name(), user=proc.username())
        except psutil.Error:
            known[pid] = Process(pid=pid)
    found = known[pid]
    return (found,) if found is not None else ()
