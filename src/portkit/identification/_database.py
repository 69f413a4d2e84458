"""The probe-and-match database: read from ``data/service_probes.py`` on first use.

The data module holds plain dicts (its docstring gives the format); this module
checks them, turns them into :class:`ServiceProbe` and :class:`Match` objects,
compiles each pattern the first time it is needed, and knows the extractors and
payload builders the data names. No I/O here: matching is a pure function of bytes.
"""

from __future__ import annotations

import functools
import json
import re
import struct
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

from .._models import PortSet
from ..exceptions import InvalidRuleError
from ._dns import parse_dns_reply, split_dns_version
from ._identification import Identification

__all__ = [
    "Database",
    "Match",
    "ServiceProbe",
    "database",
    "normalize",
    "tls_client_hello",
]

_FIELDS = ("service", "product", "version", "info", "hostname")
Extractor = Callable[[re.Match[bytes], bytes], "Mapping[str, object] | None"]


@attrs.frozen(kw_only=True)
class ServiceProbe:
    """One thing to send to a TCP port, and where it is likely to be answered."""

    name: str
    payload: bytes
    ports: PortSet
    tls_ports: PortSet
    rarity: int
    wait: float
    home: frozenset[str] = frozenset()

    def likely(self, port: int, tls: bool) -> bool:
        """Whether *port* is one of this probe's usual ports."""
        return port in (self.tls_ports if tls else self.ports) or (
            tls and port in self.ports and not self.tls_ports
        )

    def bytes_for(self, host: str) -> bytes:
        """The payload, with ``{host}`` replaced by *host*."""
        if b"{host}" not in self.payload:
            return self.payload
        name = f"[{host}]" if ":" in host else host
        encoded = name.encode("ascii") if name.isascii() else name.encode("idna")
        return self.payload.replace(b"{host}", encoded)


@attrs.frozen(kw_only=True)
class Match:
    """One way to read a reply: a pattern and the facts a match establishes."""

    index: int
    probes: frozenset[str] | None  # None: any probe
    service: str
    source: bytes
    fields: Mapping[str, str] = attrs.field(factory=dict)
    extract: Extractor | None = attrs.field(default=None, eq=False)
    soft: bool = False
    port_service: Mapping[int, str] = attrs.field(factory=dict)

    @functools.cached_property
    def pattern(self) -> re.Pattern[bytes]:
        return re.compile(self.source, re.DOTALL)

    def apply(self, data: bytes, sent: bytes, port: int | None) -> dict[str, object] | None:
        """The facts found in *data* (the reply to *sent*), or None."""
        m = self.pattern.search(data)
        if m is None:
            return None
        groups = {k: v.decode("utf-8", "replace").strip() for k, v in m.groupdict().items()
                  if v is not None}
        service = self.port_service.get(port, self.service) if port is not None else self.service
        facts: dict[str, object] = {"service": service}
        for key, template in self.fields.items():
            value = template
            if "{" in template:
                try:
                    value = template.format_map(groups)
                except (KeyError, ValueError, IndexError):
                    continue
            facts[key] = value
        for key, value in groups.items():
            if key in _FIELDS and value:
                facts[key] = value
        if self.extract is not None:
            more = self.extract(m, sent)
            if more is None:
                return None
            facts.update({k: v for k, v in more.items() if v is not None})
        return facts


@attrs.frozen
class Database:
    """The probes and the matches, in the data module's order."""

    probes: tuple[ServiceProbe, ...]
    matches: tuple[Match, ...]

    def plan(self, port: int, tls: bool, intensity: int) -> list[ServiceProbe]:
        """The probes to try on *port*, in order: its likely ones first, then by rarity.

        Probes rarer than *intensity* are left out unless they are likely on the port.
        Inside TLS (*tls*), the TLS hello is left out.
        """
        usable = [p for p in self.probes if not (tls and p.name == "tls-hello")]
        likely = [p for p in usable if p.likely(port, tls)]
        rest = sorted(
            (p for p in usable if p not in likely and p.rarity <= intensity),
            key=lambda p: p.rarity,
        )
        return likely + rest

    def probe(self, name: str) -> ServiceProbe:
        for p in self.probes:
            if p.name == name:
                return p
        raise KeyError(name)

    def home_of(self, probe: ServiceProbe) -> frozenset[str]:
        """The services *probe* is meant for: its ``home`` and its own matches'."""
        named = [m for m in self.matches if m.probes is not None and probe.name in m.probes]
        return probe.home | {m.service for m in named} | {
            s for m in named for s in m.port_service.values()
        }

    def services_of(self, probe: ServiceProbe) -> frozenset[str]:
        """The services whose matches read replies to *probe*."""
        return frozenset(
            m.service for m in self.matches if m.probes is None or probe.name in m.probes
        ) | frozenset(s for m in self.matches if m.probes and probe.name in m.probes
                      for s in m.port_service.values())

    def identify(
        self, data: bytes, probe: str, sent: bytes, port: int | None = None,
        truncated: bool = False,
    ) -> Identification:
        """Identify *data*, the reply to the probe named *probe* (which sent *sent*)."""
        if not data:
            return Identification(sent=sent or None)
        for match in self.matches:
            if match.probes is not None and probe not in match.probes:
                continue
            facts = match.apply(data, sent, port)
            if facts is None:
                continue
            known = {k: facts.pop(k) for k in _FIELDS if k in facts}
            if match.soft:
                facts["soft"] = True
            return Identification(
                service=str(known["service"]),
                rule=f"{probe}/{match.index}",
                product=_text(known.get("product")),
                version=_text(known.get("version")),
                info=_text(known.get("info")),
                hostname=_text(known.get("hostname")),
                raw=data, truncated=truncated, sent=sent or None, extra=facts,
            )
        return Identification(raw=data, truncated=truncated, sent=sent or None)


def _text(value: object) -> str | None:
    return None if value is None else str(value)


# ---------------------------------------------------------------- payload builders

def tls_client_hello() -> bytes:
    """A TLS ClientHello that TLS 1.0 to 1.3 servers answer (without SNI).

    TLS 1.3 servers answer with a HelloRetryRequest (no key share is offered), which
    is a ServerHello on the wire: either way the reply's first bytes say "TLS".
    """
    suites = [0x1301, 0x1302, 0x1303, 0xC02B, 0xC02F, 0xC02C, 0xC030, 0xCCA9, 0xCCA8,
              0xC009, 0xC013, 0xC00A, 0xC014, 0x009C, 0x009D, 0x002F, 0x0035, 0x000A]
    groups = [0x001D, 0x0017, 0x0018]
    sigalgs = [0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601,
               0x0203, 0x0201]

    def ext(kind: int, body: bytes) -> bytes:
        return struct.pack("!HH", kind, len(body)) + body

    def u16s(values: Sequence[int]) -> bytes:
        return struct.pack(f"!H{len(values)}H", 2 * len(values), *values)

    extensions = b"".join([
        ext(0x000A, u16s(groups)),
        ext(0x000B, b"\x01\x00"),
        ext(0x000D, u16s(sigalgs)),
        ext(0x002B, b"\x04\x03\x04\x03\x03"),
        ext(0x002D, b"\x01\x01"),
        ext(0xFF01, b"\x00"),
    ])
    body = (
        b"\x03\x03" + b"portkit-client-hello-random-0123"[:32] + b"\x20" + bytes(range(32))
        + u16s(suites) + b"\x01\x00" + struct.pack("!H", len(extensions)) + extensions
    )
    handshake = b"\x01" + len(body).to_bytes(3, "big") + body
    return b"\x16\x03\x01" + struct.pack("!H", len(handshake)) + handshake


def _mongodb_hello() -> bytes:
    from ._builtin import MONGODB_NUDGE

    return MONGODB_NUDGE


_BUILDERS: dict[str, Callable[[], bytes]] = {
    "tls_client_hello": tls_client_hello,
    "mongodb_hello": _mongodb_hello,
}


# ---------------------------------------------------------------- extractors

_HTTP_SERVER = re.compile(rb"\r?\nServer:[ \t]*([^\r\n]*)", re.IGNORECASE)
_SERVER_TOKEN = re.compile(r"([^/\s]+)(?:/(\S+))?\s*(.*)")


def _http(m: re.Match[bytes], sent: bytes) -> Mapping[str, object]:
    facts: dict[str, object] = {"status": int(m.group("status"))}
    data = m.string
    end = data.find(b"\r\n\r\n")
    head = data if end < 0 else data[:end]
    server = _HTTP_SERVER.search(head)
    if server is not None:
        text = server.group(1).decode("utf-8", "replace").strip()
        token = _SERVER_TOKEN.match(text)
        if token is not None:
            facts["product"] = token.group(1)
            facts["version"] = token.group(2)
            info = token.group(3).strip() or None
            if facts["version"] is None and info is not None:
                version = re.match(r"\(?v?(\d[\w.-]*)\s*(.*)", info)
                if version is not None:  # "kamailio (5.6.3 (x86_64/linux))"
                    facts["version"] = version.group(1)
                    info = version.group(2)
            facts["info"] = _unwrap(info) if info else None
        facts["server"] = text
    return facts


def _unwrap(text: str) -> str | None:
    """*text* without the parentheses around it: ``(Debian)`` is ``Debian``."""
    while len(text) >= 2 and text[0] == "(" and text[-1] == ")":
        text = text[1:-1].strip()
    text = text.strip()
    if text.count("(") > text.count(")"):
        text = text.lstrip("(").strip()
    if text.count(")") > text.count("("):
        text = text.rstrip(")").strip()
    return text or None


def _tls(m: re.Match[bytes], sent: bytes) -> Mapping[str, object]:
    data = m.string
    if data[0] == 0x15:
        return {"tls_record": "alert", "tls_alert": data[6] if len(data) > 6 else None}
    version = struct.unpack_from("!H", data, 9)[0] if len(data) >= 11 else None
    names = {0x0301: "TLSv1", 0x0302: "TLSv1.1", 0x0303: "TLSv1.2", 0x0304: "TLSv1.3"}
    return {"tls_record": "server-hello", "tls_hello_version": names.get(version or 0)}


def _dns_tcp(m: re.Match[bytes], sent: bytes) -> Mapping[str, object] | None:
    data = m.string
    size = int.from_bytes(data[:2], "big")
    try:
        reply = parse_dns_reply(data[2 : 2 + size], 0x7064)
    except ValueError:
        return None
    told = next((str(a["data"]) for a in reply["answers"] if a["type"] == "TXT"), None)
    facts: dict[str, object] = {"rcode": reply["rcode"], "version_bind": told}
    if told:
        facts.update(split_dns_version(told))
    return facts


_SMB_DIALECTS = {0x0202: "2.0.2", 0x0210: "2.1", 0x0300: "3.0", 0x0302: "3.0.2",
                 0x0311: "3.1.1", 0x02FF: "2.???"}


def _smb(m: re.Match[bytes], sent: bytes) -> Mapping[str, object]:
    data = m.string
    facts: dict[str, object] = {}
    if data[4:8] == b"\xfeSMB" and len(data) >= 4 + 64 + 6:
        dialect = struct.unpack_from("<H", data, 4 + 64 + 4)[0]
        facts["smb_dialect"] = _SMB_DIALECTS.get(dialect, f"0x{dialect:04x}")
        facts["info"] = f"SMB {facts['smb_dialect']}"
    elif data[4:8] == b"\xffSMB":
        facts["smb_dialect"] = "NT LM 0.12"
        facts["info"] = "SMB 1"
    if b"not_defined_in_RFC4178@please_ignore" in data:
        facts["product"] = "Samba smbd"
    return facts


def _ber_strings(data: bytes, name: bytes) -> list[str]:
    """The values of the attribute *name* in a BER-encoded LDAP entry (a light read)."""
    out: list[str] = []
    pos = data.find(b"\x04" + bytes([len(name)]) + name)
    if pos < 0:
        return out
    pos += 2 + len(name)
    if pos + 2 > len(data) or data[pos] != 0x31:
        return out
    size, pos = _ber_len(data, pos + 1)
    end = min(pos + size, len(data))
    while pos + 2 <= end and data[pos] == 0x04:
        size, pos = _ber_len(data, pos + 1)
        out.append(data[pos : pos + size].decode("utf-8", "replace"))
        pos += size
    return out


def _ber_len(data: bytes, pos: int) -> tuple[int, int]:
    first = data[pos]
    if first < 0x80:
        return first, pos + 1
    count = first & 0x7F
    return int.from_bytes(data[pos + 1 : pos + 1 + count], "big"), pos + 1 + count


def _ldap(m: re.Match[bytes], sent: bytes) -> Mapping[str, object]:
    data = m.string
    facts: dict[str, object] = {}
    classes = _ber_strings(data, b"objectClass")
    if "OpenLDAProotDSE" in classes:
        facts["product"] = "OpenLDAP"
    vendor = _ber_strings(data, b"vendorName")
    version = _ber_strings(data, b"vendorVersion")
    if vendor:
        facts["product"] = vendor[0]
    if version:
        facts["version"] = version[0]
    contexts = _ber_strings(data, b"namingContexts")
    if contexts:
        facts["naming_contexts"] = contexts
    ldap_versions = _ber_strings(data, b"supportedLDAPVersion")
    if ldap_versions:
        facts["info"] = f"LDAP v{max(ldap_versions)}"
    return facts


_MQTT_CODES = {0: "connection accepted", 1: "unacceptable protocol version",
               2: "identifier rejected", 3: "server unavailable",
               4: "bad user name or password", 5: "not authorized"}


def _mqtt(m: re.Match[bytes], sent: bytes) -> Mapping[str, object]:
    code = m.group("code")[0]
    return {"info": _MQTT_CODES.get(code), "connack": code}


def _amqp_string(data: bytes, key: bytes) -> str | None:
    found = re.search(re.escape(bytes([len(key)]) + key) + rb"S(.{4})", data, re.DOTALL)
    if found is None:
        return None
    size = int.from_bytes(found.group(1), "big")
    start = found.end()
    if size > 256:
        return None
    return data[start : start + size].decode("utf-8", "replace")


def _amqp(m: re.Match[bytes], sent: bytes) -> Mapping[str, object]:
    data = m.string
    product = _amqp_string(data, b"product")
    version = _amqp_string(data, b"version")
    facts: dict[str, object] = {"product": product, "version": version}
    if len(data) > 12:
        facts["info"] = f"AMQP {data[11]}-{data[12]}"
    return facts


def _stun(m: re.Match[bytes], sent: bytes) -> Mapping[str, object]:
    data = m.string
    size = struct.unpack_from("!H", data, 2)[0]
    pos, end = 20, min(20 + size, len(data))
    facts: dict[str, object] = {}
    for _ in range(64):
        if pos + 4 > end:
            break
        kind, length = struct.unpack_from("!HH", data, pos)
        value = data[pos + 4 : pos + 4 + length]
        if kind == 0x8022:
            software = value.decode("utf-8", "replace").strip("\x00 ")
            facts["software"] = software
            found = re.match(r"([A-Za-z][\w.-]*?)[-/ ]v?(\d[\w.]*)(?:\s+(.*))?", software)
            if found:
                facts["product"] = found.group(1)
                facts["version"] = found.group(2)
                facts["info"] = (found.group(3) or "").strip("'\" ") or None
            else:
                facts["product"] = software
        pos += 4 + length + (-length % 4)
    return facts


_IRC_VERSION = re.compile(
    rb"(?:running version|running|version) (?P<v>[A-Za-z][\w.+~-]*?)[-/ ]?(?P<n>\d[\w.+~-]*)"
)
_IRC_SERVER = re.compile(rb"\A:(?P<h>[\w.-]+) ")


def _irc(m: re.Match[bytes], sent: bytes) -> Mapping[str, object]:
    data = m.string
    facts: dict[str, object] = {}
    server = _IRC_SERVER.match(data)
    if server is not None:
        facts["hostname"] = server.group("h").decode("ascii", "replace")
    found = re.search(rb" 00[24] [^\r\n]*", data)
    if found is not None:
        version = _IRC_VERSION.search(found.group(0))
        if version is not None:
            product = version.group("v").decode("ascii", "replace").rstrip("-")
            facts["product"] = product
            facts["version"] = version.group("n").decode("ascii", "replace")
    return facts


def _nats(m: re.Match[bytes], sent: bytes) -> Mapping[str, object]:
    line = m.string.split(b"\r\n", 1)[0][5:]
    facts: dict[str, object] = {}
    try:
        info = json.loads(line)
    except ValueError:
        return facts
    if isinstance(info, dict):
        if isinstance(info.get("go"), str):
            facts["info"] = str(info["go"])
        if isinstance(info.get("server_name"), str):
            facts["server_name"] = info["server_name"]
        facts["auth_required"] = bool(info.get("auth_required", False))
    return facts


def _rfb(m: re.Match[bytes], sent: bytes) -> Mapping[str, object]:
    return {"info": f"protocol {int(m.group('major'))}.{int(m.group('minor'))}"}


def _xmpp(m: re.Match[bytes], sent: bytes) -> Mapping[str, object]:
    found = re.search(rb"""\sfrom=['"]([^'"]{1,255})['"]""", m.group(0))
    return {"hostname": found.group(1).decode("utf-8", "replace") if found else None}


#: X server vendor strings and the product names nmap gives them.
_X11_VENDORS = {"The X.Org Foundation": "X.Org"}


def _x11(m: re.Match[bytes], sent: bytes) -> Mapping[str, object]:
    data = m.string
    status = data[0]
    if status == 1 and len(data) >= 40:
        vendor_len = struct.unpack_from("<H", data, 24)[0]
        vendor = data[40 : 40 + vendor_len].decode("latin-1", "replace").strip()
        release = struct.unpack_from("<I", data, 8)[0]
        product = _X11_VENDORS.get(vendor, vendor or None)
        return {"product": product, "info": "open", "vendor": vendor, "release": release}
    if status == 0:
        reason_len = data[1]
        reason = data[8 : 8 + reason_len].decode("latin-1", "replace").strip()
        return {"info": "access denied", "reason": reason or None}
    return {"info": "authentication required"}


def _rdp(m: re.Match[bytes], sent: bytes) -> Mapping[str, object]:
    data = m.string
    facts: dict[str, object] = {}
    if len(data) >= 19 and data[11] in (2, 3):
        facts["rdp_negotiation"] = "response" if data[11] == 2 else "failure"
    if data[8:10] == b"\x12\x34":  # xrdp's fixed source reference in its X.224 reply
        facts["product"] = "xrdp"
    return facts


def _echo(m: re.Match[bytes], sent: bytes) -> Mapping[str, object] | None:
    return {} if sent and m.string == sent else None


_EXTRACTORS: dict[str, Extractor] = {
    "http": _http, "tls": _tls, "dns_tcp": _dns_tcp, "smb": _smb, "ldap": _ldap,
    "mqtt": _mqtt, "amqp": _amqp, "stun": _stun, "irc": _irc, "nats": _nats, "rfb": _rfb,
    "xmpp": _xmpp, "x11": _x11, "rdp": _rdp, "echo": _echo,
}


# ---------------------------------------------------------------- loading

def _portset(entry: Mapping[str, Any], key: str) -> PortSet:
    value = entry.get(key, "")
    return PortSet.parse(value) if value else PortSet()


def _load_probe(entry: Mapping[str, Any]) -> ServiceProbe:
    name = entry.get("name")
    if not isinstance(name, str) or not name:
        raise InvalidRuleError(entry, "a probe has a non-empty str name")
    if "send" in entry:
        payload = entry["send"]
    elif "hex" in entry:
        payload = bytes.fromhex(entry["hex"])
    elif "build" in entry:
        payload = _BUILDERS[entry["build"]]()
    else:
        raise InvalidRuleError(name, "a probe has send, hex or build")
    if not isinstance(payload, bytes):
        raise InvalidRuleError(name, "a probe's payload is bytes")
    rarity = entry.get("rarity", 5)
    wait = float(entry.get("wait", 1.0))
    if not 1 <= rarity <= 9 or not 0 < wait <= 30:
        raise InvalidRuleError(name, "a probe's rarity is 1 to 9 and its wait 0 to 30 s")
    return ServiceProbe(
        name=name, payload=payload, ports=_portset(entry, "ports"),
        tls_ports=_portset(entry, "tls_ports"), rarity=rarity, wait=wait,
        home=frozenset(entry.get("home", ())),
    )


def _load_match(index: int, entry: Mapping[str, Any], names: set[str]) -> Match:
    probes = entry.get("probes", "*")
    if probes == "*":
        which = None
    else:
        which = frozenset((probes,) if isinstance(probes, str) else probes)
        unknown = which - names
        if unknown:
            raise InvalidRuleError(entry, f"a match names unknown probes {sorted(unknown)}")
    pattern = entry.get("pattern")
    if not isinstance(pattern, bytes):
        raise InvalidRuleError(entry, "a match's pattern is a bytes regular expression")
    service = entry.get("service")
    if not isinstance(service, str) or not service:
        raise InvalidRuleError(entry, "a match names its service")
    extract = entry.get("extract")
    return Match(
        index=index, probes=which, service=service, source=pattern,
        fields={k: str(entry[k]) for k in ("product", "version", "info", "hostname")
                if k in entry},
        extract=None if extract is None else _EXTRACTORS[extract],
        soft=bool(entry.get("soft", False)),
        port_service=dict(entry.get("port_service", {})),
    )


@functools.cache
def database() -> Database:
    """The database, read and checked on first use (patterns compile when first used)."""
    from ._data import service_probes as data

    probes = tuple(_load_probe(entry) for entry in data.PROBES)
    names = {p.name for p in probes}
    if len(names) != len(probes):
        raise InvalidRuleError(sorted(p.name for p in probes), "probe names are unique")
    matches = tuple(_load_match(i, entry, names) for i, entry in enumerate(data.MATCHES))
    return Database(probes, matches)


# ---------------------------------------------------------------- nmap's names

@functools.cache
def _http_products() -> dict[str, tuple[str, str]]:
    from ._data import service_probes as data

    return dict(data.HTTP_PRODUCTS)


@functools.cache
def _wants_tls() -> re.Pattern[bytes]:
    from ._data import service_probes as data

    return re.compile(b"|".join(data.HTTP_WANTS_TLS))


def wants_tls(ident: Identification) -> bool:
    """Whether *ident* is a plain-HTTP error from a port that speaks TLS."""
    return ident.service in ("http", "http-proxy", "ipp") and bool(
        _wants_tls().search(ident.raw)
    )


def normalize(ident: Identification) -> Identification:
    """*ident* with nmap's service and product names where they differ from the wire's.

    A web server's ``Server:`` token becomes nmap's product name (``Apache`` is
    ``Apache httpd``) and decides the service where nmap names it apart (``squid``
    is ``http-proxy``, ``CUPS`` is ``ipp``).
    """
    if ident.service not in ("http", "sip", "rtsp") or ident.product is None:
        return ident
    known = _http_products().get(ident.product.lower())
    if known is None:
        return ident
    service, product = known
    if ident.service != "http":
        service = ident.service
    return attrs.evolve(ident, service=service, product=product)
