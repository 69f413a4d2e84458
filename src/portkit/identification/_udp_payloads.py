"""UDP payloads beyond DNS, NTP and SNMP, and the readers of their replies. No I/O.

Each payload is written from its protocol's specification and asks the server for
something harmless that it must answer (a version, an error, a status); each reader
returns an :class:`Identification` whose ``service`` is None when the datagram is
not an answer to the payload.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Callable, Mapping

from ._dns import dns_query, parse_dns_reply
from ._identification import Identification

__all__ = ["MORE_UDP_PORTS", "more_payload"]

#: Service (nmap's name) -> its usual UDP port.
MORE_UDP_PORTS: Mapping[str, int] = {
    "tftp": 69,
    "stun": 3478,
    "sip": 5060,
    "netbios-ns": 137,
    "mdns": 5353,
    "upnp": 1900,
    "isakmp": 500,
    "route": 520,
    "memcached": 11211,
    "openvpn": 1194,
    "ldap": 389,
    "kerberos-sec": 88,
    "radius": 1812,
    "rpcbind": 111,
    "quic": 443,
}

_KEEP = 4096
_COOKIE = b"portkit!"


def _ident(data: bytes, **facts: object) -> Identification:
    def text(key: str) -> str | None:
        value = facts.get(key)
        return None if value is None else str(value)

    extra = {k: v for k, v in facts.items()
             if k not in ("service", "product", "version", "info", "hostname")}
    return Identification(
        service=text("service"), rule=text("service"), product=text("product"),
        version=text("version"), info=text("info"), hostname=text("hostname"),
        raw=data[:_KEEP], truncated=len(data) > _KEEP, extra=extra,
    )


def _unknown(data: bytes) -> Identification:
    return Identification(raw=data[:_KEEP], truncated=len(data) > _KEEP)


# -- TFTP (RFC 1350): a read request for a file that should not exist ---------------

_TFTP = b"\x00\x01portkit-probe-nonexistent\x00octet\x00"


def _tftp(data: bytes) -> Identification:
    if len(data) >= 4 and data[:2] == b"\x00\x05":
        code = struct.unpack_from("!H", data, 2)[0]
        message = data[4:].split(b"\x00", 1)[0].decode("utf-8", "replace")
        return _ident(data, service="tftp", info=message or None, tftp_error=code)
    if len(data) >= 4 and data[:2] in (b"\x00\x03", b"\x00\x06"):
        return _ident(data, service="tftp", info="file served")
    return _unknown(data)


# -- STUN (RFC 8489): a binding request ---------------------------------------------

_STUN = struct.pack("!HHI", 1, 0, 0x2112A442) + b"portkit-stun"


def _stun(data: bytes) -> Identification:
    if len(data) < 20 or data[4:20] != _STUN[4:20] or data[0] not in (1, 0x01):
        return _unknown(data)
    from ._database import database

    ident = database().identify(data, "stun-binding", _STUN)
    return ident if ident.identified else _ident(data, service="stun")


# -- SIP (RFC 3261): OPTIONS ----------------------------------------------------------

def _sip_payload(host: str) -> bytes:
    name = f"[{host}]" if ":" in host else host
    return (
        f"OPTIONS sip:nobody@{name} SIP/2.0\r\n"
        "Via: SIP/2.0/UDP portkit.invalid:5060;branch=z9hG4bK-portkit;rport\r\n"
        "From: <sip:portkit@portkit.invalid>;tag=portkit\r\n"
        f"To: <sip:nobody@{name}>\r\nCall-ID: portkit@portkit.invalid\r\nCSeq: 1 OPTIONS\r\n"
        "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
    ).encode()


def _header_reply(service: str, first: bytes) -> Callable[[bytes], Identification]:
    def read(data: bytes) -> Identification:
        if not data.startswith(first):
            return _unknown(data)
        from ._database import database, normalize

        probe = "sip-options" if service == "sip" else "http-get"
        ident = normalize(database().identify(data, probe, b""))
        if ident.identified:
            return attrs_evolve(ident, service=service)
        return _ident(data, service=service)

    return read


def attrs_evolve(ident: Identification, **changes: object) -> Identification:
    import attrs

    return attrs.evolve(ident, **changes)  # type: ignore[arg-type]


# -- NetBIOS name service (RFC 1002): node status of "*" -----------------------------

_NBSTAT = (
    struct.pack("!HHHHHH", 0x7065, 0x0000, 1, 0, 0, 0)
    + b"\x20" + b"CK" + b"AA" * 15 + b"\x00" + struct.pack("!HH", 0x21, 1)
)


def _netbios(data: bytes) -> Identification:
    if len(data) < 57 or data[:2] != b"\x70\x65" or not data[2] & 0x80:
        return _unknown(data)
    try:
        pos = 12 + 34 + 10  # header, name, type, class, ttl, rdlength
        count = data[pos]
        names = []
        for i in range(min(count, 32)):
            entry = data[pos + 1 + 18 * i : pos + 1 + 18 * (i + 1)]
            names.append((entry[:15].decode("ascii", "replace").strip(), entry[15]))
    except IndexError:
        return _ident(data, service="netbios-ns")
    host = next((n for n, suffix in names if suffix == 0x00), None)
    return _ident(data, service="netbios-ns", hostname=host, names=[n for n, _ in names])


# -- mDNS (RFC 6762): a unicast query for the service list --------------------------

_MDNS = dns_query("_services._dns-sd._udp.local", "PTR", "IN", 0x7066)


def _mdns(data: bytes) -> Identification:
    try:
        reply = parse_dns_reply(data, 0x7066)
    except ValueError:
        return _unknown(data)
    return _ident(data, service="mdns", answers=reply["answers"])


# -- SSDP (UPnP device architecture): M-SEARCH ----------------------------------------

def _ssdp_payload(host: str) -> bytes:
    name = f"[{host}]" if ":" in host else host
    return (f"M-SEARCH * HTTP/1.1\r\nHOST: {name}:1900\r\nMAN: \"ssdp:discover\"\r\nMX: 1\r\n"
            "ST: ssdp:all\r\n\r\n").encode()


_SSDP_SERVER = re.compile(rb"\r\nSERVER:[ \t]*([^\r\n]*)", re.IGNORECASE)


def _ssdp(data: bytes) -> Identification:
    if not data.startswith(b"HTTP/1.1 200"):
        return _unknown(data)
    server = _SSDP_SERVER.search(data)
    text = server.group(1).decode("utf-8", "replace").strip() if server else None
    return _ident(data, service="upnp", info=text)


# -- IKE (RFC 2408/2409): a main-mode SA proposal -------------------------------------

def _ike_payload() -> bytes:
    # One transform: AES-CBC-128, SHA1, pre-shared key, MODP 1024, 8 h lifetime.
    attributes = struct.pack("!HHHHHHHHHHHHHHI", 0x8001, 7, 0x800E, 128, 0x8002, 2,
                             0x8003, 1, 0x8004, 2, 0x800B, 1, 0x000C, 4, 28800)
    transform = struct.pack("!BBHBBH", 0, 0, 8 + len(attributes), 1, 1, 0) + attributes
    proposal = struct.pack("!BBHBBBB", 0, 0, 8 + len(transform), 1, 1, 0, 1) + transform
    sa = struct.pack("!BBHII", 0, 0, 12 + len(proposal), 1, 1) + proposal
    header = _COOKIE + bytes(8) + struct.pack("!BBBBII", 1, 0x10, 2, 0, 0, 28 + len(sa))
    return header + sa


def _ike(data: bytes) -> Identification:
    if len(data) < 28 or data[:8] != _COOKIE:
        return _unknown(data)
    version = data[17]
    exchange = data[18]
    return _ident(data, service="isakmp",
                  info=f"IKEv{version >> 4}" + (" notification" if exchange == 5 else ""))


# -- RIP (RFC 2453): a request for the whole table ----------------------------------

_RIP = b"\x01\x02\x00\x00" + b"\x00" * 16 + b"\x00\x00\x00\x10"


def _rip(data: bytes) -> Identification:
    if len(data) < 4 or data[0] != 2 or data[1] not in (1, 2):
        return _unknown(data)
    return _ident(data, service="route", info=f"RIPv{data[1]}", routes=(len(data) - 4) // 20)


# -- memcached over UDP: the frame header, then "version" ------------------------------

_MEMCACHED = b"\x70\x64\x00\x00\x00\x01\x00\x00version\r\n"


def _memcached(data: bytes) -> Identification:
    found = re.match(rb"\A\x70\x64\x00\x00\x00\x01\x00\x00VERSION (\d[\w.-]*)\r\n", data)
    if found is None:
        return _unknown(data)
    return _ident(data, service="memcached", product="Memcached",
                  version=found.group(1).decode(), info="UDP")


# -- OpenVPN: a control-channel hard reset (no tls-auth) -----------------------------

_OPENVPN = b"\x38" + _COOKIE + b"\x00" + b"\x00\x00\x00\x00"


def _openvpn(data: bytes) -> Identification:
    if len(data) >= 14 and data[0] >> 3 == 8 and _COOKIE in data[:64]:
        return _ident(data, service="openvpn", product="OpenVPN")
    return _unknown(data)


# -- CLDAP (RFC 1798): the rootDSE over UDP --------------------------------------------

def _cldap_payload() -> bytes:
    from ._database import database

    return database().probe("ldap-rootdse").payload


def _cldap(data: bytes) -> Identification:
    from ._database import database

    ident = database().identify(data, "ldap-rootdse", b"")
    if ident.service != "ldap":
        return _unknown(data)
    return attrs_evolve(ident, extra={**ident.extra, "transport": "udp"})


# -- Kerberos (RFC 4120): an AS-REQ for a principal of a realm that is not there --------

def _der(tag: int, body: bytes) -> bytes:
    if len(body) < 128:
        return bytes([tag, len(body)]) + body
    size = len(body).to_bytes((len(body).bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(size)]) + size + body


def _kerberos_payload() -> bytes:
    realm = b"PORTKIT.INVALID"

    def ctx(n: int, body: bytes) -> bytes:
        return _der(0xA0 + n, body)

    def integer(v: int) -> bytes:
        return _der(0x02, v.to_bytes(max(1, (v.bit_length() + 8) // 8), "big"))

    def gstring(s: bytes) -> bytes:
        return _der(0x1B, s)

    def principal(kind: int, *names: bytes) -> bytes:
        return _der(0x30, ctx(0, integer(kind)) + ctx(1, _der(0x30, b"".join(
            gstring(n) for n in names))))

    body = _der(0x30, b"".join([
        ctx(0, _der(0x03, b"\x00\x50\x80\x00\x00")),
        ctx(1, principal(1, b"portkit")),
        ctx(2, gstring(realm)),
        ctx(3, principal(2, b"krbtgt", realm)),
        ctx(5, _der(0x18, b"20370913024805Z")),
        ctx(7, integer(0x7064)),
        ctx(8, _der(0x30, integer(18) + integer(17))),
    ]))
    request = _der(0x30, ctx(1, integer(5)) + ctx(2, integer(10)) + ctx(4, body))
    return _der(0x6A, request)


_KRB_ERRORS = {6: "client not found", 68: "wrong realm", 25: "pre-authentication required",
               7: "server not found"}


def _kerberos(data: bytes) -> Identification:
    if not data or data[0] not in (0x7E, 0x6B):
        return _unknown(data)
    if data[0] == 0x6B:
        return _ident(data, service="kerberos-sec", info="AS-REP")
    found = re.search(rb"\xa6\x03\x02\x01([\x00-\x7f])", data)
    code = found.group(1)[0] if found else None
    realm = re.search(rb"\xa9[\x00-\x7f]\x1b([\x00-\x7f])", data)
    info = _KRB_ERRORS.get(code or -1, None if code is None else f"error {code}")
    facts: dict[str, object] = {"service": "kerberos-sec", "info": info, "krb_error": code}
    if realm is not None:
        size = realm.group(1)[0]
        facts["realm"] = data[realm.end() : realm.end() + size].decode("utf-8", "replace")
    return _ident(data, **facts)


# -- RADIUS (RFC 2865): an Access-Request (the answer, if any, is a reject) -----------

_RADIUS_ATTRIBUTES = b"\x01\x09portkit" + b"\x02\x12" + b"\x00" * 16
_RADIUS = (
    b"\x01\x70" + struct.pack("!H", 20 + len(_RADIUS_ATTRIBUTES)) + b"portkit-radius!!"
    + _RADIUS_ATTRIBUTES
)


def _radius(data: bytes) -> Identification:
    if len(data) >= 20 and data[0] in (2, 3, 11) and data[1] == 0x70:
        kinds = {2: "Access-Accept", 3: "Access-Reject", 11: "Access-Challenge"}
        return _ident(data, service="radius", info=kinds[data[0]])
    return _unknown(data)


# -- portmapper (RFC 1833): the NULL procedure of program 100000 version 2 ---------------

_RPCBIND = struct.pack("!IIIIIIIIII", 0x706B6974, 0, 2, 100000, 2, 0, 0, 0, 0, 0)


def _rpcbind(data: bytes) -> Identification:
    if len(data) >= 24 and data[:4] == _RPCBIND[:4] and data[4:8] == b"\x00\x00\x00\x01":
        accepted = data[8:12] == b"\x00\x00\x00\x00"
        return _ident(data, service="rpcbind", info="RPC #100000" + (
            "" if accepted else " (denied)"))
    return _unknown(data)


# -- QUIC (RFC 9000): a version the server cannot know, so it lists its versions ------

def _quic_payload() -> bytes:
    head = b"\xc0" + b"\x1a\x2a\x3a\x4a" + b"\x08" + _COOKIE + b"\x08" + b"portkit?"
    return head + b"\x00" * (1200 - len(head))


_QUIC_VERSIONS = {0x00000001: "1", 0x6B3343CF: "2", 0xFF00001D: "draft-29"}


def _quic(data: bytes) -> Identification:
    if len(data) < 7 or not data[0] & 0x80 or data[1:5] != b"\x00\x00\x00\x00":
        return _unknown(data)
    pos = 5
    dcid = data[pos]
    pos += 1 + dcid
    if pos >= len(data):
        return _unknown(data)
    scid = data[pos]
    pos += 1 + scid
    versions = [struct.unpack_from("!I", data, p)[0] for p in range(pos, len(data) - 3, 4)]
    names = [_QUIC_VERSIONS.get(v, f"0x{v:08x}") for v in versions]
    return _ident(data, service="quic", info="versions " + ", ".join(names[:8]),
                  quic_versions=names)


def more_payload(
    service: str, host: str
) -> tuple[bytes, Callable[[bytes], Identification]] | None:
    """The datagram for *service* (one of :data:`MORE_UDP_PORTS`) and its reader."""
    table: dict[str, tuple[bytes, Callable[[bytes], Identification]]] = {
        "tftp": (_TFTP, _tftp),
        "stun": (_STUN, _stun),
        "netbios-ns": (_NBSTAT, _netbios),
        "mdns": (_MDNS, _mdns),
        "isakmp": (_ike_payload(), _ike),
        "route": (_RIP, _rip),
        "memcached": (_MEMCACHED, _memcached),
        "openvpn": (_OPENVPN, _openvpn),
        "kerberos-sec": (_kerberos_payload(), _kerberos),
        "radius": (_RADIUS, _radius),
        "rpcbind": (_RPCBIND, _rpcbind),
        "quic": (_quic_payload(), _quic),
    }
    if service in table:
        return table[service]
    if service == "sip":
        return _sip_payload(host), _header_reply("sip", b"SIP/2.0 ")
    if service == "upnp":
        return _ssdp_payload(host), _ssdp
    if service == "ldap":
        return _cldap_payload(), _cldap
    return None
