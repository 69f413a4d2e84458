"""Service identification options of ``portkit scan``: ``--identify``, ``--tls``, ``--udp``."""

from __future__ import annotations

import argparse
from typing import Any

import attrs

from portkit import Endpoint, PortSet, PortSpec, PortState, Probe, ProbeResult, Protocol
from portkit.identification import BannerProbe, Identification, TLSInfo, TLSProbe, UDPProbe

#: UDP ports probed by ``--udp`` when no ``-p`` is given: DNS, DHCP, TFTP, NTP, NetBIOS,
#: SNMP, IKE, syslog, RIP, SSDP, IPsec NAT-T, mDNS.
COMMON_UDP_PORTS = PortSet([53, 67, 69, 123, 137, 161, 500, 514, 520, 1900, 4500, 5353])


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Add the identification options to the ``scan`` sub-parser."""
    group = p.add_argument_group("service identification")
    group.add_argument(
        "--identify", action="store_true",
        help="identify the service on open TCP ports from its banner or its reply to a "
        "nudge (columns SERVICE, PRODUCT, VERSION)",
    )
    group.add_argument(
        "--tls", action="store_true",
        help="shake hands with TLS on open TCP ports: version, cipher, ALPN, certificate, "
        "verification",
    )
    group.add_argument("--sni", default=None, metavar="NAME",
                       help="with --tls: the server name to send and verify")
    group.add_argument("--cafile", default=None, metavar="PEM",
                       help="with --tls: verify against these CA certificates")
    group.add_argument("--starttls", choices=["auto", "none", "smtp", "imap", "pop3"],
                       default="auto",
                       help="with --tls: upgrade with this protocol's STARTTLS first; 'auto' "
                       "(default) for SMTP on 25 and 587, IMAP on 143, POP3 on 110")
    group.add_argument(
        "--udp", action="store_true",
        help="probe the ports as UDP (DNS, NTP and SNMP questions, all three on ports "
        "other than 53, 123 and 161); "
        "a spec such as 'T:22,U:53,161' mixes TCP and UDP (default ports: "
        f"{COMMON_UDP_PORTS})",
    )


class _BannerAndTLS:
    """Identify from the banner and shake hands with TLS on the same open port; when
    the plain banner says nothing known and TLS works, identify again inside TLS."""

    protocol = Protocol.TCP

    def __init__(self, banner: BannerProbe, tls: TLSProbe) -> None:
        self.banner = banner
        self.tls = tls

    async def __call__(self, endpoint: Endpoint, timeout: float) -> ProbeResult:
        first = await self.banner(endpoint, timeout)
        if first.state is not PortState.OPEN:
            return first
        said = first.details.get("identification")
        if isinstance(said, Identification) and (
            said.extra.get("silent")
            or (said.extra.get("tls_hello") in ("other", "silent")
                and self.tls.dialogue_for(endpoint.port) is None)
        ):
            # The banner probe's TLS hello drew no TLS: no second handshake.
            said_tls = TLSInfo(error="no TLS reply to the banner probe's TLS hello")
            return attrs.evolve(first, details={**first.details, "tls": said_tls})
        second = await self.tls(endpoint, timeout)
        tls = second.details.get("tls")
        details = {**first.details, "tls": tls}
        ident = first.details.get("identification")
        if (
            isinstance(tls, TLSInfo) and tls.error is None
            and isinstance(ident, Identification) and not ident.identified
        ):
            inner = attrs.evolve(self.banner, tls=True, server_hostname=self.tls.server_hostname)
            third = await inner(endpoint, timeout)
            details["identification"] = third.details.get("identification", ident)
        return ProbeResult(
            target=first.target, address=first.address, port=first.port,
            protocol=first.protocol, state=first.state, reason=first.reason,
            latency=first.latency, attempts=first.attempts, details=details,
        )


def wanted(args: argparse.Namespace) -> bool:
    """True when any identification option was given."""
    return bool(args.identify or args.tls or args.udp or _has_udp(args.ports))


def _has_udp(ports: object) -> bool:
    return isinstance(ports, str) and "U:" in ports.upper()


#: One scan of a run: (sweep probe or None for TCP connects, ports, "tcp" or "udp",
#: the probe that identifies the open ports the sweep finds, or None).
Plan = tuple["Probe | None", PortSet, str, "Probe | None"]


def plans(args: argparse.Namespace, ports: Any) -> list[Plan]:
    """The scans to run, TCP first: a connect sweep, then identification of the open
    ports it found (never of every port); UDP probes its ports directly."""
    if args.udp and args.ports is None:
        tcp, udp = None, COMMON_UDP_PORTS
    elif isinstance(ports, str):
        spec = PortSpec.parse(ports, default=Protocol.UDP if args.udp else Protocol.TCP)
        tcp, udp = spec.get(Protocol.TCP), spec.get(Protocol.UDP)
    elif args.udp:
        tcp, udp = None, ports
    else:
        tcp, udp = ports, None
    identify: Probe | None = None
    starttls = None if args.starttls == "none" else args.starttls
    tls = TLSProbe(server_hostname=args.sni, cafile=args.cafile, starttls=starttls)
    if args.identify and args.tls:
        identify = _BannerAndTLS(BannerProbe(), tls)
    elif args.identify:
        identify = BannerProbe()
    elif args.tls:
        identify = tls
    out: list[Plan] = []
    if tcp is not None and len(tcp):
        out.append((None, PortSet(tcp), "tcp", identify))
    if udp is not None and len(udp):
        out.append((UDPProbe(probe_all=True), PortSet(udp), "udp", None))
    return out
