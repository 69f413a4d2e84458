"""Linux: each IPv6 socket's ``IPV6_V6ONLY`` flag, from the kernel's ``sock_diag``.

``/proc/net/tcp6`` does not say whether a socket bound to ``::`` also takes IPv4; the
``sock_diag`` netlink interface does (the ``INET_DIAG_SKV6ONLY`` attribute, which is
how ``ss`` tells ``*:22``, dual stack, from ``[::]:22``, IPv6 only). One dump request
per protocol, filtered by state in the kernel, answers for every IPv6 socket; the
answer is joined to the ``/proc`` rows by inode. Where netlink is unavailable (no
``udp_diag`` module, a seccomp filter) the result is empty and callers fall back to
the namespace default.
"""

from __future__ import annotations

import socket
import struct
from typing import Final

from portkit._models import Protocol

__all__ = ["v6only_flags"]

_NETLINK_SOCK_DIAG: Final = 4
_SOCK_DIAG_BY_FAMILY: Final = 20
_NLM_F_REQUEST: Final = 0x1
_NLM_F_DUMP: Final = 0x300
_NLMSG_ERROR: Final = 2
_NLMSG_DONE: Final = 3
_INET_DIAG_SKV6ONLY: Final = 11

_NLMSGHDR = struct.Struct("=IHHII")
# struct inet_diag_req_v2 with its inet_diag_sockid left zero (no address filter).
_REQ = struct.Struct("=BBBxI48x")
# struct inet_diag_msg: family, state, timer, retrans, sockid (48 bytes), expires,
# rqueue, wqueue, uid, inode.
_MSG = struct.Struct("=BBBB48xIIIII")
_RTATTR = struct.Struct("=HH")
_MAX_MESSAGES: Final = 1_000_000
_TIMEOUT: Final = 2.0


def _parse(data: bytes, flags: dict[int, bool]) -> bool:
    """Add the v6only flags in one ``recv`` buffer to *flags*; True once the dump ends."""
    offset = 0
    while offset + _NLMSGHDR.size <= len(data):
        length, kind, _, _, _ = _NLMSGHDR.unpack_from(data, offset)
        if length < _NLMSGHDR.size:
            return True
        if kind in (_NLMSG_DONE, _NLMSG_ERROR):
            return True
        if kind == _SOCK_DIAG_BY_FAMILY:
            body = offset + _NLMSGHDR.size
            inode = _MSG.unpack_from(data, body)[8]
            attr = body + _MSG.size
            end = offset + length
            while attr + _RTATTR.size <= end:
                alen, atype = _RTATTR.unpack_from(data, attr)
                if alen < _RTATTR.size:
                    break
                if atype == _INET_DIAG_SKV6ONLY and alen > _RTATTR.size:
                    flags[inode] = bool(data[attr + _RTATTR.size])
                    break
                attr += (alen + 3) & ~3
        offset += (length + 3) & ~3
    return False


def v6only_flags(protocol: Protocol, states: int) -> dict[int, bool]:
    """``{inode: v6only}`` for the IPv6 sockets of *protocol* in the *states* bit mask.

    Empty when the kernel does not answer. Must run on the thread (and so in the
    network namespace) whose sockets are wanted: a netlink socket belongs to the
    namespace it was created in.
    """
    proto = socket.IPPROTO_TCP if protocol is Protocol.TCP else socket.IPPROTO_UDP
    flags: dict[int, bool] = {}
    try:
        sock = socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, _NETLINK_SOCK_DIAG)
    except (OSError, AttributeError):
        return flags
    with sock:
        try:
            sock.settimeout(_TIMEOUT)
            request = _REQ.pack(socket.AF_INET6, proto, 0, states)
            header = _NLMSGHDR.pack(
                _NLMSGHDR.size + len(request),
                _SOCK_DIAG_BY_FAMILY,
                _NLM_F_REQUEST | _NLM_F_DUMP,
                1,
                0,
            )
            sock.sendto(header + request, (0, 0))
            for _ in range(_MAX_MESSAGES):
                data = sock.recv(1 << 16)
                if not data or _parse(data, flags):
                    break
        except OSError:
            return {}
    return flags
