"""Just enough NTP (RFC 5905) for a client request and the server's reply. No I/O."""

from __future__ import annotations

import datetime as dt
import ipaddress
import struct
from typing import Any

__all__ = ["ntp_request", "parse_ntp_reply"]

_PACKET = struct.Struct("!BBbbII4sQQQQ")
#: Seconds from the NTP era 0 (1900-01-01) to the Unix epoch.
_NTP_UNIX = 2_208_988_800
_MODES = {1: "symmetric active", 2: "symmetric passive", 3: "client", 4: "server",
          5: "broadcast"}


def _timestamp(seconds: float) -> int:
    whole = int(seconds) + _NTP_UNIX
    return ((whole & 0xFFFFFFFF) << 32) | int((seconds % 1) * (1 << 32))


def _to_datetime(stamp: int) -> dt.datetime | None:
    if stamp == 0:
        return None
    seconds = (stamp >> 32) - _NTP_UNIX + (stamp & 0xFFFFFFFF) / (1 << 32)
    return dt.datetime.fromtimestamp(seconds, dt.timezone.utc)


def ntp_request(now: float) -> bytes:
    """A 48-byte NTPv4 client request whose transmit time is *now* (Unix seconds)."""
    return _PACKET.pack(0x23, 0, 0, 0, 0, 0, b"\x00" * 4, 0, 0, 0, _timestamp(now))


def parse_ntp_reply(data: bytes, request: bytes | None = None) -> dict[str, Any]:
    """Stratum, reference id, version, mode and the server's time from a reply.

    Raises:
        ValueError: *data* is not an NTP reply (or not to *request*).
    """
    if len(data) < _PACKET.size:
        raise ValueError(f"an NTP packet has at least 48 bytes, not {len(data)}")
    first, stratum, poll, precision, _delay, _disp, ref, _rt, origin, _rx, tx = (
        _PACKET.unpack_from(data)
    )
    mode, version = first & 0x07, (first >> 3) & 0x07
    if mode not in (2, 4, 5):
        raise ValueError(f"NTP mode {mode} is not a server's")
    if request is not None and origin != _PACKET.unpack_from(request)[10]:
        raise ValueError("NTP reply does not echo our transmit time")
    if stratum <= 1:  # a kiss code (0) or a reference clock's name (1)
        refid = ref.rstrip(b"\x00").decode("ascii", "replace")
    else:
        refid = str(ipaddress.IPv4Address(ref))
    server_time = _to_datetime(tx)
    return {
        "version": version,
        "mode": _MODES.get(mode, str(mode)),
        "stratum": stratum,
        "leap": first >> 6,
        "poll": poll,
        "precision": precision,
        "reference_id": refid,
        "server_time": None if server_time is None else server_time.isoformat(),
    }
