"""The UDP probe: a datagram the service must answer, judged as nmap's UDP scan."""

from __future__ import annotations

import errno
import os
import socket
import sys
import time
from collections.abc import Callable, Mapping
from time import perf_counter
from typing import Any, ClassVar

import anyio
import attrs

from .._models import Endpoint, Protocol
from .._probe._results import PortState, ProbeResult
from .._probe._tcp import _ERRNO_VERDICTS, PRESSURE_ERRNOS, _icmp_details, _reason_from_icmp
from ..exceptions import InvalidOptionError
from ._ber import SYS_DESCR, snmp_get, snmp_response_values
from ._dns import CLASSES, TYPES, dns_query, parse_dns_reply, split_dns_version
from ._identification import Identification
from ._ntp import ntp_request, parse_ntp_reply
from ._udp_payloads import MORE_UDP_PORTS, more_payload

__all__ = ["UDP_SERVICES", "UDPProbe"]

#: The services :class:`UDPProbe` has a payload for, and their usual ports.
UDP_SERVICES: Mapping[str, int] = {"domain": 53, "ntp": 123, "snmp": 161, **MORE_UDP_PORTS}
_LINUX = sys.platform.startswith("linux")
_IP_RECVERR = getattr(socket, "IP_RECVERR", 11)
_IPV6_RECVERR = getattr(socket, "IPV6_RECVERR", 25)
_SOL_IPV6 = getattr(socket, "SOL_IPV6", socket.IPPROTO_IPV6)
_QUERY_ID = 0x7064
_MAX_DATAGRAM = 65535


def _services(value: Mapping[int, str]) -> Mapping[int, str]:
    out = {}
    for port, name in dict(value).items():
        if name not in UDP_SERVICES and name != "none":
            raise InvalidOptionError(
                "services", value, f"service names are {', '.join(UDP_SERVICES)} or 'none'"
            )
        out[int(port)] = name
    return out


def _question(value: str) -> tuple[str, str, str]:
    parts = value.split()
    if len(parts) == 1:
        parts += ["IN", "A"]
    if len(parts) != 3 or parts[1].upper() not in CLASSES or parts[2].upper() not in TYPES:
        raise InvalidOptionError(
            "dns_question", value, "a question is 'NAME [CLASS TYPE]', e.g. 'version.bind CH TXT'"
        )
    return parts[0], parts[1].upper(), parts[2].upper()


def _check_question(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    _question(value)


@attrs.frozen(kw_only=True)
class UDPProbe:
    """A UDP probe that sends what a service must answer and judges as nmap's ``-sU``.

    ============================================ ================ =================
    what happened                                state            reason
    ============================================ ================ =================
    a datagram came back                         open             ``udp-response``
    ICMP port unreachable (``ECONNREFUSED``)     closed           ``port-unreach``
    another ICMP unreachable                     filtered         ``host-unreach``, ...
    silence until the timeout (after retries)    open|filtered    ``no-response``
    ============================================ ================ =================

    The payload depends on the service expected at the port: a DNS question
    (*dns_question*, by default ``version.bind CH TXT``, which many servers answer
    with their software and version) for ``domain``, an NTPv4 client request for
    ``ntp``, an SNMP v2c get-request for sysDescr.0 with *community* for ``snmp``,
    and an empty datagram elsewhere. The service is looked up in *services*, then
    by the usual ports (53, 123, 161). Replies are parsed into an
    :class:`~portkit.identification.Identification` in ``details["identification"]``: DNS answers
    and the version the server tells, NTP stratum, reference id and server time,
    SNMP sysDescr, in its ``extra``.

    It uses a connected, non-blocking UDP socket that asks for ICMP errors
    (``IP_RECVERR`` on Linux), so the ICMP type and code behind a verdict appear in
    ``details`` as for ``TCPConnectProbe``.

    Attributes:
        services: Port -> service name (``"domain"``, ``"ntp"``, ``"snmp"`` or
            ``"none"`` for an empty datagram) for ports off the usual ones.
        dns_question: ``"NAME CLASS TYPE"`` (or ``"NAME"`` for an ``IN A`` query).
        community: The SNMP community.
        probe_all: On ports with no known service, send every known payload (DNS,
            NTP, SNMP, TFTP, ...) together and identify whichever the server answers,
            instead of an empty datagram.

    .. versionadded:: 0.1.0
    """

    protocol: ClassVar[Protocol] = Protocol.UDP

    services: Mapping[int, str] = attrs.field(factory=dict, converter=_services, eq=False)
    dns_question: str = attrs.field(default="version.bind CH TXT", validator=_check_question)
    community: str = "public"
    probe_all: bool = False

    def service_for(self, port: int) -> str | None:
        """The service whose payload goes to *port*, or None for an empty datagram."""
        name = self.services.get(port)
        if name is None:
            name = next((s for s, p in UDP_SERVICES.items() if p == port), None)
        return None if name == "none" else name

    def payload(
        self, service: str | None, host: str = "127.0.0.1"
    ) -> tuple[bytes, Callable[[bytes], Identification]]:
        """The datagram for *service* (to *host*) and the parser of the reply."""
        if service == "domain":
            name, qclass, qtype = _question(self.dns_question)
            query = dns_query(name, qtype, qclass, _QUERY_ID)
            return query, lambda data: _dns(data, name, qclass, qtype)
        if service == "ntp":
            request = ntp_request(time.time())
            return request, lambda data: _ntp(data, request)
        if service == "snmp":
            return snmp_get(self.community, [SYS_DESCR]), _snmp
        more = more_payload(service, host) if service is not None else None
        if more is not None:
            return more
        return b"", lambda data: Identification(raw=data[:4096], truncated=len(data) > 4096)

    async def __call__(self, endpoint: Endpoint, timeout: float) -> ProbeResult:
        """Send the payload to *endpoint* and wait up to *timeout* for an answer.

        Raises:
            OSError: a local resource ran out (``EMFILE``, ``ENOBUFS``, ...).
        """
        ip = endpoint.ip
        family = socket.AF_INET6 if ip is not None and ip.version == 6 else socket.AF_INET
        service = self.service_for(endpoint.port)
        if service is None and self.probe_all and endpoint.port not in self.services:
            exchanges = [self.payload(name, endpoint.host) for name in UDP_SERVICES]
        else:
            exchanges = [self.payload(service, endpoint.host)]
        sock = socket.socket(family, socket.SOCK_DGRAM)
        try:
            sock.setblocking(False)
            if _LINUX:
                if family == socket.AF_INET:
                    sock.setsockopt(socket.IPPROTO_IP, _IP_RECVERR, 1)
                else:
                    sock.setsockopt(_SOL_IPV6, _IPV6_RECVERR, 1)
            start = perf_counter()
            latency: float | None = None
            found: Identification | None = None
            # A TFTP server answers from a new port (its transfer id), which a
            # connected socket would not let through: when TFTP's request goes (alone
            # or with the others), the socket stays unconnected and takes the host's
            # datagrams from any port; ICMP errors still come back (IP_RECVERR).
            any_port = service == "tftp" or len(exchanges) > 1
            try:
                if any_port:
                    for payload, _parse in exchanges:
                        sock.sendto(payload, (endpoint.host, endpoint.port))
                else:
                    sock.connect((endpoint.host, endpoint.port))
                    for payload, _parse in exchanges:
                        sock.send(payload)
                with anyio.move_on_after(timeout):
                    for _ in range(64):  # bounded: a chatty peer cannot keep us here
                        await anyio.wait_readable(sock)
                        try:
                            data, peer = sock.recvfrom(_MAX_DATAGRAM)
                        except BlockingIOError:
                            continue
                        if any_port and peer[0] != endpoint.host:
                            continue
                        latency = latency or perf_counter() - start
                        ident = _first_identified(exchanges, data)
                        if found is None or ident.identified:
                            found = ident
                        if ident.identified or len(exchanges) == 1:
                            break
            except OSError as e:
                if found is None:
                    return self._refused(sock, endpoint, e, perf_counter() - start)
            if found is None:
                return self._result(endpoint, PortState.OPEN_FILTERED, "no-response", None, {})
            return self._result(
                endpoint, PortState.OPEN, "udp-response", latency, {"identification": found}
            )
        finally:
            sock.close()

    def _refused(
        self, sock: socket.socket, endpoint: Endpoint, exc: OSError, latency: float
    ) -> ProbeResult:
        code = exc.errno
        if code in PRESSURE_ERRNOS:
            raise OSError(code, os.strerror(code or 0)) from exc
        details: dict[str, object] = {}
        icmp = _icmp_details(sock) if _LINUX else None
        if icmp is not None:
            details.update(icmp)
            reason = _reason_from_icmp(icmp)
            if reason == "port-unreach":
                return self._result(endpoint, PortState.CLOSED, reason, latency, details)
            if reason is not None:
                return self._result(endpoint, PortState.FILTERED, reason, latency, details)
        if code == errno.ECONNREFUSED:
            return self._result(endpoint, PortState.CLOSED, "port-unreach", latency, details)
        if code is not None and code in _ERRNO_VERDICTS:
            state, reason = _ERRNO_VERDICTS[code]
            return self._result(endpoint, state, reason, latency, details)
        name = errno.errorcode.get(code or 0, "oserror").lower()
        return self._result(endpoint, PortState.ERROR, name, None, {"error": str(exc)})

    @staticmethod
    def _result(
        endpoint: Endpoint, state: PortState, reason: str, latency: float | None,
        details: Mapping[str, object],
    ) -> ProbeResult:
        return ProbeResult(
            target=endpoint.host, address=endpoint.host, port=endpoint.port,
            protocol=Protocol.UDP, state=state, reason=reason, latency=latency,
            details=details,
        )


def _first_identified(
    exchanges: list[tuple[bytes, Callable[[bytes], Identification]]], data: bytes
) -> Identification:
    """The reply identified by the first parser that recognises it, with what was sent."""
    for payload, parse in exchanges:
        ident = parse(data)
        if ident.identified:
            return attrs.evolve(ident, sent=payload or None)
    payload, parse = exchanges[0]
    sent = payload if len(exchanges) == 1 else b""
    return attrs.evolve(parse(data), sent=sent or None)


def _kept(data: bytes) -> dict[str, Any]:
    return {"raw": data[:4096], "truncated": len(data) > 4096}


def _dns(data: bytes, name: str, qclass: str, qtype: str) -> Identification:
    try:
        reply = parse_dns_reply(data, _QUERY_ID)
    except ValueError:
        return Identification(**_kept(data))
    product = version = info = None
    if name.lower() == "version.bind" and qtype == "TXT":
        told = next((str(a["data"]) for a in reply["answers"] if a["type"] == "TXT"), None)
        if told:
            split = split_dns_version(told)
            product, version, info = split.get("product"), split.get("version"), split.get("info")
        reply["version_bind"] = told
    return Identification(
        service="domain", rule="dns", product=product, version=version, info=info,
        extra=reply, **_kept(data),
    )


def _ntp(data: bytes, request: bytes) -> Identification:
    try:
        reply = parse_ntp_reply(data, request)
    except ValueError:
        return Identification(**_kept(data))
    return Identification(
        service="ntp", rule="ntp", info=f"stratum {reply['stratum']}", extra=reply,
        **_kept(data),
    )


def _snmp(data: bytes) -> Identification:
    try:
        community, status, values = snmp_response_values(data)
    except ValueError:
        return Identification(**_kept(data))
    descr = values.get(SYS_DESCR)
    return Identification(
        service="snmp",
        rule="snmp",
        info=descr if isinstance(descr, str) else None,
        extra={"community": community, "error_status": status, "sys_descr": descr},
        **_kept(data),
    )
