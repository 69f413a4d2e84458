"""Linux: the socket tables of ``/proc/net/{tcp,tcp6,udp,udp6}``, read and decoded.

Reading and decoding are kept apart: :func:`read_tables` only does I/O (so that it can
run on a thread that entered another network namespace), :func:`parse_table` only
turns text into tuples. The format is the kernel's ``tcp4_seq_show`` and friends::

    sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  tmo inode
     0: 0100007F:0277 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0    0 2281

Addresses are hex dumps of the kernel's ``__be32`` words printed as host-order
integers: on little-endian machines each 32-bit word reads backwards (IPv4
``0100007F`` is 127.0.0.1; an IPv6 address is four such words). Decoding goes through
the bytes, so it is right on big-endian machines too.
"""

from __future__ import annotations

import os
import socket
import struct
import sys
from typing import Final

from portkit._models import Protocol
from portkit.exceptions import LocalSocketsError

__all__ = ["TABLES", "RawSocket", "parse_table", "read_file", "read_tables"]

#: ``(protocol, family, file name)`` of every table, in the order they are listed.
TABLES: Final = (
    (Protocol.TCP, 4, "tcp"),
    (Protocol.TCP, 6, "tcp6"),
    (Protocol.UDP, 4, "udp"),
    (Protocol.UDP, 6, "udp6"),
)

#: One row: protocol, family, local address, local port, remote address, remote port,
#: state number, uid, inode.
RawSocket = tuple[Protocol, int, str, int, str, int, int, int, int]

_LISTEN_STATE: Final = {Protocol.TCP: "0A", Protocol.UDP: "07"}
_CHUNK = 1 << 20
_LITTLE = sys.byteorder == "little"
_V6_WORDS = struct.Struct("<4I" if _LITTLE else ">4I")
_V6_OUT = struct.Struct(">4I")


def read_file(path: str) -> str | None:
    """The whole of a ``/proc`` file in as few ``read`` calls as possible, or None if absent.

    ``seq_file`` files report size 0, so this reads 1 MiB chunks until end of file
    instead of trusting ``stat``. A missing file is normal (``tcp6`` without IPv6).

    Raises:
        LocalSocketsError: The file exists but may not be read.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    except OSError as e:
        raise LocalSocketsError(path, f"cannot read it: {e.strerror}") from None
    try:
        chunks = []
        while True:
            chunk = os.read(fd, _CHUNK)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(fd)
    return b"".join(chunks).decode("ascii", "replace")


def read_tables(base: str, wanted: tuple[tuple[Protocol, int, str], ...]) -> list[str | None]:
    """The text of each wanted table under *base* (``/proc/thread-self/net``)."""
    return [read_file(f"{base}/{name}") for _, _, name in wanted]


def _v4(hexaddr: str) -> str:
    raw = bytes.fromhex(hexaddr)
    return socket.inet_ntop(socket.AF_INET, raw[::-1] if _LITTLE else raw)


def _v6(hexaddr: str) -> str:
    words = _V6_WORDS.unpack(bytes.fromhex(hexaddr))
    return socket.inet_ntop(socket.AF_INET6, _V6_OUT.pack(*words))


def decode_address(hexaddr: str) -> str:
    """The text of an address as ``/proc/net`` prints it (8 or 32 hex digits)."""
    return _v4(hexaddr) if len(hexaddr) == 8 else _v6(hexaddr)


def parse_table(
    text: str, protocol: Protocol, family: int, *, listening_only: bool
) -> list[RawSocket]:
    """The rows of one table's text, the header skipped.

    Args:
        text: The whole file.
        protocol: The protocol of the table.
        family: 4 or 6.
        listening_only: Keep only TCP ``LISTEN`` rows and UDP unconnected (``CLOSE``)
            rows, which ``ss -l`` calls listening.
    """
    decode = _v4 if family == 4 else _v6
    cache: dict[str, str] = {}
    rows: list[RawSocket] = []
    append = rows.append
    want = _LISTEN_STATE[protocol] if listening_only else None
    # Where the state column starts, counted from the colon after "sl": the address
    # columns have a fixed width ("0100007F:0016 00000000:0000 0A"), so listening rows
    # are picked out by a slice before any line is split.
    offset = 2 + 2 * (len("0100007F:0016 ") if family == 4 else len("0" * 32 + ":0016 "))
    lines = text.splitlines()
    for line in lines[1:]:
        if want is not None:
            at = line.find(":") + offset
            if line[at : at + 2] != want:
                continue
        fields = line.split(None, 10)
        if len(fields) < 10:
            continue
        state = fields[3]
        if want is not None and state != want:
            continue
        local, _, lport = fields[1].partition(":")
        remote, _, rport = fields[2].partition(":")
        laddr = cache.get(local)
        if laddr is None:
            laddr = cache[local] = decode(local)
        raddr = cache.get(remote)
        if raddr is None:
            raddr = cache[remote] = decode(remote)
        append(
            (
                protocol,
                family,
                laddr,
                int(lport, 16),
                raddr,
                int(rport, 16),
                int(state, 16),
                int(fields[7]),
                int(fields[9]),
            )
        )
    return rows
