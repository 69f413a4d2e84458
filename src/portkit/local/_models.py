"""The records of the local socket table: sockets, their owners, states and exposure.

Everything here is a frozen attrs class or an enum, built by the readers in this
package and never by parsing text. Derived facts (port class, exposure, ephemeral
status, registered service) are properties computed when asked, so listing ten
thousand sockets pays only for what it reads.
"""

from __future__ import annotations

import enum
from typing import Literal

import attrs

from portkit._classify import classify, is_ephemeral
from portkit._models import Endpoint, PortClass, Protocol

__all__ = ["Exposure", "LocalSocket", "Process", "TcpState"]


class TcpState(enum.IntEnum):
    """A socket's state, by the names and numbers of the Linux kernel (``TCP_*``).

    These are the values of the ``st`` column of ``/proc/net/tcp``. UDP sockets use
    two of them: :attr:`CLOSE` for an unconnected socket (``ss`` prints ``UNCONN``),
    which receives from anyone and so counts as listening, and :attr:`ESTABLISHED`
    for a socket that ``connect()`` tied to one peer.

    .. versionadded:: 0.1.0
    """

    ESTABLISHED = 1
    SYN_SENT = 2
    SYN_RECV = 3
    FIN_WAIT1 = 4
    FIN_WAIT2 = 5
    TIME_WAIT = 6
    CLOSE = 7
    CLOSE_WAIT = 8
    LAST_ACK = 9
    LISTEN = 10
    CLOSING = 11
    NEW_SYN_RECV = 12
    BOUND_INACTIVE = 13

    def __str__(self) -> str:
        return self.name


class Exposure(enum.Enum):
    """Who can reach a socket's local address.

    ============ =============================================================
    member       local address
    ============ =============================================================
    LOOPBACK     ``127.0.0.0/8``, ``::1``, ``::ffff:127.x.y.z``: this host only
    SPECIFIC     one particular address of this host (LAN, VPN, public, ...)
    ALL          a wildcard, ``0.0.0.0``, ``::`` or ``::ffff:0.0.0.0``: every
                 interface, so every network this host is on
    ============ =============================================================

    Exposure is about the bound address only: firewalls are not consulted.

    .. versionadded:: 0.1.0
    """

    LOOPBACK = "loopback"
    SPECIFIC = "specific"
    ALL = "all"

    def __str__(self) -> str:
        return self.value


def exposure_of(address: str) -> Exposure:
    """The :class:`Exposure` of a local address in the text that portkit records."""
    if address in ("0.0.0.0", "::", "::ffff:0.0.0.0"):
        return Exposure.ALL
    if address.startswith(("127.", "::ffff:127.")) or address == "::1":
        return Exposure.LOOPBACK
    return Exposure.SPECIFIC


@attrs.frozen(kw_only=True)
class Process:
    """A process that holds a socket open.

    Attributes:
        pid: The process id.
        name: The command name the kernel keeps for it (``/proc/PID/comm`` on Linux,
            at most 15 characters there), or None when it could not be read.
        user: The name of the user the process runs as (its real uid), or the uid
            as text when no name is known, or None when it could not be read.

    .. versionadded:: 0.1.0
    """

    pid: int
    name: str | None = None
    user: str | None = None


@attrs.frozen(kw_only=True)
class LocalSocket:
    """One TCP or UDP socket of this host (or of a network namespace).

    >>> import portkit
    >>> [s for s in portkit.local.listening() if s.local_port == 22]  # doctest: +SKIP
    [LocalSocket(protocol=<Protocol.TCP: 'tcp'>, family=4, local_address='0.0.0.0', ...)]

    Addresses are text as :func:`socket.inet_ntop` writes them: ``"127.0.0.1"``,
    ``"::1"``, ``"::ffff:127.0.0.1"`` (an IPv4-mapped address on an IPv6 socket).
    A socket with no peer has remote address ``"0.0.0.0"`` or ``"::"`` and remote
    port 0.

    Attributes:
        protocol: ``Protocol.TCP`` or ``Protocol.UDP`` (:class:`portkit.Protocol`).
        family: 4 for an IPv4 socket, 6 for an IPv6 one (mapped addresses included).
        local_address: The address it is bound to.
        local_port: The port it is bound to.
        remote_address: The peer's address.
        remote_port: The peer's port, 0 without a peer.
        state: Its :class:`TcpState` (UDP: ``CLOSE`` unconnected, ``ESTABLISHED``
            connected).
        uid: The user id that created it, or None where the platform does not say.
        inode: Its inode number on Linux (0 for sockets no process holds, such as
            ``TIME_WAIT``), None elsewhere.
        processes: The processes that hold it open and that the caller may inspect,
            lowest pid first; empty when none is visible or owners were not asked for.
        v6only: For IPv6 sockets, whether the socket takes IPv6 only (the
            ``IPV6_V6ONLY`` option): the socket's own flag where the kernel's
            ``sock_diag`` reports it, else the namespace default
            ``net.ipv6.bindv6only`` (a guess); None for IPv4 sockets.

    .. versionadded:: 0.1.0
    """

    protocol: Protocol
    family: Literal[4, 6]
    local_address: str
    local_port: int
    remote_address: str
    remote_port: int
    state: TcpState
    uid: int | None = None
    inode: int | None = None
    processes: tuple[Process, ...] = ()
    v6only: bool | None = None

    @property
    def process(self) -> Process | None:
        """The owning process with the lowest pid, or None when no owner is visible."""
        return self.processes[0] if self.processes else None

    @property
    def is_listening(self) -> bool:
        """True for a TCP socket in ``LISTEN`` and an unconnected UDP socket (as ``ss -l``)."""
        if self.protocol is Protocol.TCP:
            return self.state is TcpState.LISTEN
        return self.state is TcpState.CLOSE

    @property
    def local(self) -> Endpoint:
        """The local address and port as an :class:`~portkit.Endpoint`."""
        return Endpoint(host=self.local_address, port=self.local_port, protocol=self.protocol)

    @property
    def remote(self) -> Endpoint | None:
        """The peer as an :class:`~portkit.Endpoint`, or None without a peer."""
        if self.remote_port == 0:
            return None
        return Endpoint(host=self.remote_address, port=self.remote_port, protocol=self.protocol)

    @property
    def exposure(self) -> Exposure:
        """Who can reach the local address (loopback only, one address, or all of them)."""
        return exposure_of(self.local_address)

    @property
    def takes_ipv4(self) -> bool:
        """True when IPv4 clients can reach this socket.

        Always true for IPv4 sockets. An IPv6 socket bound to ``::`` takes IPv4 too
        unless it is ``v6only``; one bound to ``::ffff:a.b.c.d`` takes only IPv4.
        """
        if self.family == 4 or self.local_address.startswith("::ffff:"):
            return True
        return self.local_address == "::" and self.v6only is False

    @property
    def port_class(self) -> PortClass:
        """The IANA class of the local port (:func:`portkit.classify`)."""
        return classify(self.local_port)

    @property
    def is_ephemeral(self) -> bool:
        """True when the local port is in this host's ephemeral range.

        The range is the caller's (:func:`portkit.is_ephemeral`), also for sockets
        read from another network namespace.
        """
        return is_ephemeral(self.local_port)

    @property
    def service(self) -> str | None:
        """The name of the service registered for the local port and protocol, or None.

        From IANA's registry (:func:`portkit.lookup`): 9200 is ``"wap-wsp"`` there,
        whatever actually listens on it.
        """
        from ._knowledge import service_name

        return service_name(self.local_port, self.protocol)

    def __str__(self) -> str:
        local = f"[{self.local_address}]" if ":" in self.local_address else self.local_address
        text = f"{self.protocol} {local}:{self.local_port} {self.state}"
        if self.remote_port:
            remote = self.remote_address
            remote = f"[{remote}]" if ":" in remote else remote
            text += f" -> {remote}:{self.remote_port}"
        return text
