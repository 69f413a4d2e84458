"""Just enough DNS to ask a server one question and read its answers. No I/O."""

from __future__ import annotations

import ipaddress
import struct
from typing import Any

__all__ = ["CLASSES", "TYPES", "dns_query", "parse_dns_reply", "split_dns_version"]

TYPES = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "PTR": 12, "MX": 15, "TXT": 16, "AAAA": 28}
CLASSES = {"IN": 1, "CH": 3}
_NAMES = {v: k for k, v in TYPES.items()}
_HEADER = struct.Struct("!HHHHHH")
_RCODES = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED"}


def _encode_name(name: str) -> bytes:
    out = bytearray()
    for label in name.rstrip(".").split("."):
        raw = label.encode("idna") if not label.isascii() else label.encode()
        if not 0 < len(raw) < 64:
            raise ValueError(f"DNS label {label!r} is not 1-63 bytes")
        out += bytes([len(raw)]) + raw
    return bytes(out) + b"\x00"


def dns_query(name: str, qtype: str = "A", qclass: str = "IN", query_id: int = 0x5054) -> bytes:
    """A recursive query for (*name*, *qclass*, *qtype*), ``("version.bind", "CH", "TXT")``
    for instance."""
    header = _HEADER.pack(query_id, 0x0100, 1, 0, 0, 0)
    return header + _encode_name(name) + struct.pack("!HH", TYPES[qtype], CLASSES[qclass])


def _read_name(data: bytes, pos: int) -> tuple[str, int]:
    labels: list[str] = []
    end = None
    for _ in range(128):  # bounded: compression loops end here
        length = data[pos]
        if length & 0xC0 == 0xC0:
            if end is None:
                end = pos + 2
            pos = ((length & 0x3F) << 8) | data[pos + 1]
            continue
        if length == 0:
            return ".".join(labels) or ".", (end if end is not None else pos + 1)
        labels.append(data[pos + 1 : pos + 1 + length].decode("ascii", "replace"))
        pos += 1 + length
    raise ValueError("DNS name compression loops")


def _rdata(rtype: int, data: bytes, start: int, raw: bytes) -> object:
    if rtype == 1 and len(raw) == 4:
        return str(ipaddress.IPv4Address(raw))
    if rtype == 28 and len(raw) == 16:
        return str(ipaddress.IPv6Address(raw))
    if rtype == 16:
        texts, pos = [], 0
        while pos < len(raw):
            size = raw[pos]
            texts.append(raw[pos + 1 : pos + 1 + size].decode("utf-8", "replace"))
            pos += 1 + size
        return "".join(texts)
    if rtype in (2, 5, 12):
        return _read_name(data, start)[0]
    return raw.hex()


def parse_dns_reply(data: bytes, query_id: int | None = None) -> dict[str, Any]:
    """The rcode and answers of a DNS reply.

    Returns ``{"id", "rcode", "authoritative", "answers": [{"name", "type", "data"}]}``.

    Raises:
        ValueError: *data* is not a DNS reply (or not to *query_id*).
    """
    try:
        ident, flags, qd, an, _ns, _ar = _HEADER.unpack_from(data)
        if not flags & 0x8000:
            raise ValueError("not a DNS reply (QR bit clear)")
        if query_id is not None and ident != query_id:
            raise ValueError("DNS reply to another query")
        pos = _HEADER.size
        for _ in range(qd):
            _, pos = _read_name(data, pos)
            pos += 4
        answers = []
        for _ in range(an):
            name, pos = _read_name(data, pos)
            rtype, _rclass, ttl, size = struct.unpack_from("!HHIH", data, pos)
            pos += 10
            raw = data[pos : pos + size]
            if len(raw) != size:
                raise ValueError("DNS record runs past the reply")
            answers.append(
                {"name": name, "type": _NAMES.get(rtype, str(rtype)), "ttl": ttl,
                 "data": _rdata(rtype, data, pos, raw)}
            )
            pos += size
    except (IndexError, struct.error) as e:
        raise ValueError(f"malformed DNS reply: {e}") from None
    rcode = flags & 0x0F
    return {
        "id": ident,
        "rcode": _RCODES.get(rcode, str(rcode)),
        "authoritative": bool(flags & 0x0400),
        "answers": answers,
    }


#: What ``version.bind`` texts begin with, and the product they name.
_VERSION_PRODUCTS = (
    ("dnsmasq", "dnsmasq"),
    ("unbound", "Unbound"),
    ("knot dns", "Knot DNS"),
    ("nsd", "NLnet Labs NSD"),
    ("powerdns recursor", "PowerDNS Recursor"),
    ("powerdns authoritative server", "PowerDNS Authoritative Server"),
    ("powerdns", "PowerDNS"),
    ("microsoft dns", "Microsoft DNS"),
    ("bind", "ISC BIND"),
    ("coredns", "CoreDNS"),
)
_DISTROS = ("Debian", "Ubuntu", "RedHat", "Red Hat", "FreeBSD", "Raspbian")


def split_dns_version(told: str) -> dict[str, str]:
    """Product, version and info from a server's ``version.bind`` text.

    ``dnsmasq-2.89`` and ``unbound 1.17.1`` name their product; a text that begins
    with a digit is BIND's (``9.18.49-1~deb12u3-Debian``: the version is
    ``9.18.49-1~deb12u3``, the distribution goes to info). Anything else is kept whole
    as the version, since it is what the administrator chose to say.

    >>> split_dns_version("9.18.49-1~deb12u3-Debian")
    {'product': 'ISC BIND', 'version': '9.18.49-1~deb12u3', 'info': 'Debian'}
    >>> split_dns_version("dnsmasq-2.89")
    {'product': 'dnsmasq', 'version': '2.89'}
    """
    text = told.strip()
    lower = text.lower()
    for prefix, product in _VERSION_PRODUCTS:
        if lower.startswith(prefix) and lower[len(prefix) : len(prefix) + 1] in ("-", " ", "/"):
            rest = text[len(prefix) + 1 :].strip()
            version, _, more = rest.partition(" ")
            if version[:1].isdigit():
                out = {"product": product, "version": version}
                if more.strip():
                    out["info"] = more.strip("() ")
                return out
            return {"product": product}
    if text[:1].isdigit():
        out = {"product": "ISC BIND"}
        version = text
        for distro in _DISTROS:
            if version.endswith(f"-{distro}"):
                version = version[: -len(distro) - 1]
                out["info"] = distro
                break
        out["version"] = version.split(" ", 1)[0]
        return {k: out[k] for k in ("product", "version", "info") if k in out}
    return {"version": text}
