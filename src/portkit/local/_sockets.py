"""``listening()`` and ``connections()``: this host's socket table as typed records."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterable

from portkit._models import Protocol
from portkit.exceptions import LocalSocketsError

from ._models import LocalSocket, TcpState

__all__ = ["connections", "listening"]

_SUPPORTED = (Protocol.TCP, Protocol.UDP)
_ALL_STATES = 0xFFFFFFFF
_LISTEN_STATES = {Protocol.TCP: 1 << TcpState.LISTEN, Protocol.UDP: 1 << TcpState.CLOSE}
_STATES = {int(s): s for s in TcpState}


def _protocols(protocols: Iterable[Protocol | str] | Protocol | str | None) -> tuple[Protocol, ...]:
    if protocols is None:
        return _SUPPORTED
    if isinstance(protocols, (str, Protocol)):
        protocols = (protocols,)
    chosen = []
    for value in protocols:
        protocol = Protocol.parse(value)
        if protocol not in _SUPPORTED:
            raise LocalSocketsError(protocol.value, "portkit lists tcp and udp sockets only")
        if protocol not in chosen:
            chosen.append(protocol)
    if not chosen:
        from portkit.exceptions import InvalidOptionError

        raise InvalidOptionError(
            "protocols", protocols,
            "protocols names at least one of tcp and udp (None, the default, means both)",
        )
    return tuple(p for p in _SUPPORTED if p in chosen)


def _net_dir() -> str:
    """``/proc/thread-self/net``: the calling thread's network namespace (Linux 3.17+)."""
    if os.path.isdir("/proc/thread-self/net"):
        return "/proc/thread-self/net"
    return f"/proc/self/task/{threading.get_native_id()}/net"


class _Scan:
    """:func:`scan_socket_holders` running on a thread from construction to :meth:`result`."""

    def __init__(self) -> None:
        from ._owners import scan_socket_holders

        self._found: dict[str, list[int]] = {}
        self._error: BaseException | None = None

        def run() -> None:
            try:
                self._found = scan_socket_holders()
            except BaseException as e:  # re-raised on the caller's thread
                self._error = e

        self._thread = threading.Thread(target=run, name="portkit-fd-scan")
        self._thread.start()

    def result(self) -> dict[str, list[int]]:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._found


def _read_linux(
    protocols: tuple[Protocol, ...], listening_only: bool
) -> tuple[list[str | None], bool | None, dict[Protocol, dict[int, bool]]]:
    """Everything read from the kernel, on the calling thread (so in its namespace)."""
    from ._diag import v6only_flags
    from ._procnet import TABLES, read_file, read_tables

    wanted = tuple(t for t in TABLES if t[0] in protocols)
    texts = read_tables(_net_dir(), wanted)
    default = read_file("/proc/sys/net/ipv6/bindv6only")
    bindv6only = None if default is None else default.strip() == "1"
    flags: dict[Protocol, dict[int, bool]] = {}
    for (protocol, family, _), text in zip(wanted, texts, strict=True):
        # Ask netlink only when the IPv6 table has a row past its header.
        if family == 6 and text and text.count("\n") > 1:
            states = _LISTEN_STATES[protocol] if listening_only else _ALL_STATES
            flags[protocol] = v6only_flags(protocol, states)
    return texts, bindv6only, flags


def _linux(
    protocols: tuple[Protocol, ...],
    *,
    listening_only: bool,
    netns: str | None,
    processes: bool,
) -> list[LocalSocket]:
    from ._netns import open_netns, run_in_netns
    from ._owners import find_owners
    from ._procnet import TABLES, parse_table

    # Scanning /proc/*/fd for owners and reading the tables are both mostly time in
    # the kernel (where the GIL is released), so the scan runs on its own thread
    # while this one reads; it is joined before this call returns.
    netns_fd = open_netns(netns) if netns is not None else None
    try:
        scan = _Scan() if processes else None
        try:
            if netns is None or netns_fd is None:
                texts, bindv6only, flags = _read_linux(protocols, listening_only)
            else:
                texts, bindv6only, flags = run_in_netns(
                    netns, netns_fd, lambda: _read_linux(protocols, listening_only)
                )
        finally:
            holders = scan.result() if scan is not None else None
    finally:
        if netns_fd is not None:
            os.close(netns_fd)
    wanted = tuple(t for t in TABLES if t[0] in protocols)
    if all(text is None for text in texts):
        raise LocalSocketsError(
            netns or "/proc/net", "no socket tables in /proc/net: is /proc mounted?"
        )
    rows = []
    for (protocol, family, _), text in zip(wanted, texts, strict=True):
        if text is not None:
            rows.extend(parse_table(text, protocol, family, listening_only=listening_only))
    owners = find_owners((row[8] for row in rows), holders) if holders is not None else {}
    out: list[LocalSocket] = []
    none: tuple[()] = ()
    for protocol, family, laddr, lport, raddr, rport, state, uid, inode in rows:
        state_enum = _STATES.get(state)
        if state_enum is None:  # a state newer than this table: leave it out
            continue
        v6only: bool | None = None
        if family == 6:
            v6only = flags.get(protocol, {}).get(inode, bindv6only)
        out.append(
            LocalSocket(
                protocol=protocol,
                family=4 if family == 4 else 6,
                local_address=laddr,
                local_port=lport,
                remote_address=raddr,
                remote_port=rport,
                state=state_enum,
                uid=uid,
                inode=inode,
                processes=owners.get(inode, none),
                v6only=v6only,
            )
        )
    return out


def _on_linux() -> bool:
    return sys.platform.startswith("linux")


def _sockets(
    protocols: Iterable[Protocol | str] | Protocol | str | None,
    netns: str | None,
    processes: bool,
    listening_only: bool,
) -> tuple[LocalSocket, ...]:
    chosen = _protocols(protocols)
    if _on_linux():
        return tuple(
            _linux(chosen, listening_only=listening_only, netns=netns, processes=processes)
        )
    if netns is not None:
        raise LocalSocketsError(netns, "network namespaces exist on Linux only")
    from ._portable import psutil_sockets

    return tuple(psutil_sockets(chosen, listening_only=listening_only, processes=processes))


def listening(
    *,
    protocols: Iterable[Protocol | str] | Protocol | str | None = None,
    netns: str | None = None,
    processes: bool = True,
) -> tuple[LocalSocket, ...]:
    """The sockets that wait for peers: TCP in ``LISTEN``, UDP not connected.

    The same set as ``ss -tul``: a UDP socket counts as listening while it is not
    connected to one peer (state ``CLOSE``, shown by ``ss`` as ``UNCONN``).

    >>> import portkit
    >>> for s in portkit.local.listening(protocols="tcp"):  # doctest: +SKIP
    ...     print(s.local_address, s.local_port, s.exposure, s.process)

    On Linux the kernel's tables in ``/proc/net`` are read directly; elsewhere
    through the optional ``psutil`` dependency (``pip install 'portkit[local]'``).
    Sockets come in the order of the kernel's tables: TCP (IPv4, IPv6), then UDP.

    Args:
        protocols: ``"tcp"``, ``"udp"``, or several; both when None.
        netns: Linux only: read the network namespace of this name (as ``ip netns``
            names them, ``/var/run/netns/NAME``) or this path (``/proc/PID/ns/net``)
            instead of the caller's. Needs root (``CAP_SYS_ADMIN``).
        processes: Find the processes that hold each socket (a scan of
            ``/proc/*/fd``); False leaves ``processes`` empty and is faster.

    Raises:
        LocalSocketsError: psutil is missing on a platform other than Linux, the
            namespace does not exist or may not be entered, ``/proc/net`` cannot be
            read, or a protocol other than tcp and udp was asked for.
        UnknownProtocolError: A protocol name is not a protocol at all.
        InvalidOptionError: *protocols* is empty.

    .. versionadded:: 0.1.0
    """
    return _sockets(protocols, netns, processes, listening_only=True)


def connections(
    *,
    protocols: Iterable[Protocol | str] | Protocol | str | None = None,
    netns: str | None = None,
    processes: bool = True,
) -> tuple[LocalSocket, ...]:
    """Every TCP and UDP socket: listening, connected, and closing (``TIME_WAIT``, ...).

    The same set as ``ss -tua``. Sockets no process holds any more (``TIME_WAIT``)
    have inode 0 and no owner. Arguments and errors are those of :func:`listening`.

    .. versionadded:: 0.1.0
    """
    return _sockets(protocols, netns, processes, listening_only=False)
