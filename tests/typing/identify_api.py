"""Service identification used as users would; checked by mypy --strict, never run."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

import portkit
from portkit import Endpoint, ProbeResult
from portkit.identification import (
    BannerProbe,
    Certificate,
    Identification,
    Rule,
    RuleSet,
    TLSInfo,
    TLSProbe,
    UDPProbe,
)


def version_of(match: re.Match[bytes]) -> Mapping[str, object] | None:
    return {"version": match.group(1).decode()}


async def identify() -> None:
    rule = Rule(name="acme", service="acme", pattern=rb"\AACME (\S+)", extract=version_of,
                ports="7000-7010", nudge=lambda host: f"HELLO {host}\r\n".encode())
    rules: RuleSet = portkit.identification.identify_rules().extend(rule).without("ftp")
    ident: Identification = rules.identify(b"ACME 1.0\r\n", port=7000)
    service: str | None = ident.service
    banner: str = ident.banner
    probe: portkit.Probe = BannerProbe(rules=rules, max_bytes=1024, greeting_wait=0.5)
    result: ProbeResult = await probe(Endpoint.parse("127.0.0.1:7000"), 1.0)
    found = result.details.get("identification")
    if isinstance(found, Identification):
        print(found.product, found.version, found.to_dict())
    print(service, banner)


async def tls_and_udp() -> None:
    tls = TLSProbe(server_hostname="example.org", cafile=None, alpn=("h2",), starttls="smtp")
    result = await tls(Endpoint.parse("127.0.0.1:25"), 2.0)
    info = result.details["tls"]
    if isinstance(info, TLSInfo) and info.certificate is not None:
        cert: Certificate = info.certificate
        expires: dt.datetime = cert.not_after
        days: int = cert.days_left()
        names: tuple[str, ...] = cert.dns_names
        print(info.verified, info.verify_error, expires, days, names)
    udp = UDPProbe(services={5353: "domain"}, dns_question="example.org IN A")
    async with portkit.scan("127.0.0.1", "53,123,161", probe=udp) as results:
        async for r in results:
            print(r.state, r.reason)
