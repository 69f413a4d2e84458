"""UDPProbe against dnsmasq, chronyd and snmpd on loopback, and a closed port."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

import portkit
import servers
from identify_helpers import running
from portkit import Endpoint, PortState, Protocol
from portkit.exceptions import InvalidOptionError
from portkit.identification import Identification, UDPProbe

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def dnsmasq() -> Iterator[servers.Server]:
    yield from running(servers.start_dnsmasq())


@pytest.fixture(scope="module")
def chronyd() -> Iterator[servers.Server]:
    yield from running(servers.start_chronyd())


@pytest.fixture(scope="module")
def snmpd() -> Iterator[servers.Server]:
    yield from running(servers.start_snmpd())


async def udp(port: int, probe: UDPProbe) -> portkit.ProbeResult:
    return await probe(Endpoint(host="127.0.0.1", port=port, protocol="udp"), 2.0)


def ident_of(result: portkit.ProbeResult) -> Identification:
    assert result.state is PortState.OPEN
    assert result.reason == "udp-response"
    assert result.protocol is Protocol.UDP
    ident = result.details["identification"]
    assert isinstance(ident, Identification)
    return ident


async def test_dnsmasq_tells_its_version_in_version_bind(dnsmasq: servers.Server) -> None:
    ident = ident_of(await udp(dnsmasq.port, UDPProbe(services={dnsmasq.port: "domain"})))
    assert (ident.service, ident.product) == ("domain", "dnsmasq")
    assert ident.version is not None and ident.version[0].isdigit()
    assert ident.extra["rcode"] == "NOERROR"


async def test_dnsmasq_answers_a_local_a_record(dnsmasq: servers.Server) -> None:
    probe = UDPProbe(services={dnsmasq.port: "domain"}, dns_question="portkit.test IN A")
    ident = ident_of(await udp(dnsmasq.port, probe))
    answers = ident.extra["answers"]
    assert answers == [{"name": "portkit.test", "type": "A", "ttl": 0, "data": "127.0.0.9"}]


async def test_chronyd_reports_stratum_and_time(chronyd: servers.Server) -> None:
    ident = ident_of(await udp(chronyd.port, UDPProbe(services={chronyd.port: "ntp"})))
    assert ident.service == "ntp"
    assert ident.extra["stratum"] == 10  # "local stratum 10"
    assert ident.extra["mode"] == "server"
    assert str(ident.extra["server_time"]).startswith("20")


async def test_snmpd_gives_sysdescr(snmpd: servers.Server) -> None:
    ident = ident_of(await udp(snmpd.port, UDPProbe(services={snmpd.port: "snmp"})))
    assert ident.service == "snmp"
    assert ident.info == "portkit test agent"
    assert ident.extra["community"] == "public"


async def test_wrong_community_gets_silence_so_open_filtered(snmpd: servers.Server) -> None:
    probe = UDPProbe(services={snmpd.port: "snmp"}, community="not-the-community")
    result = await probe(Endpoint(host="127.0.0.1", port=snmpd.port, protocol="udp"), 0.5)
    assert (result.state, result.reason) == (PortState.OPEN_FILTERED, "no-response")


async def test_closed_udp_port_is_closed_by_port_unreachable() -> None:
    port = servers.free_port(socket.SOCK_DGRAM)
    result = await udp(port, UDPProbe())
    assert (result.state, result.reason) == (PortState.CLOSED, "port-unreach")
    assert result.details.get("icmp_type") in (3, None)


async def test_a_silent_socket_is_open_filtered_after_the_scan_retries() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as quiet:
        quiet.bind(("127.0.0.1", 0))
        port = quiet.getsockname()[1]
        options = {"probe": UDPProbe(), "timeout": 0.3, "retries": 1}
        async with portkit.scan("127.0.0.1", [port], **options) as rs:  # type: ignore[arg-type]
            (result,) = [r async for r in rs]
    assert (result.state, result.reason) == (PortState.OPEN_FILTERED, "no-response")
    assert result.attempts == 2


async def test_scan_with_udp_probe_covers_several_services(
    dnsmasq: servers.Server, chronyd: servers.Server
) -> None:
    probe = UDPProbe(services={dnsmasq.port: "domain", chronyd.port: "ntp"})
    async with portkit.scan("127.0.0.1", [dnsmasq.port, chronyd.port], probe=probe) as rs:
        found = {r.port: r.details["identification"].service async for r in rs}  # type: ignore[attr-defined]
    assert found == {dnsmasq.port: "domain", chronyd.port: "ntp"}


async def test_probe_all_identifies_services_on_unusual_ports(
    dnsmasq: servers.Server, chronyd: servers.Server, snmpd: servers.Server
) -> None:
    probe = UDPProbe(probe_all=True)
    found = {}
    for server in (dnsmasq, chronyd, snmpd):
        ident = ident_of(await udp(server.port, probe))
        found[server.name] = ident.service
        assert ident.sent is not None  # the payload that the server answered
    assert found == {"dnsmasq": "domain", "chronyd": "ntp", "snmpd": "snmp"}


async def test_probe_all_on_a_closed_port_is_still_closed() -> None:
    port = servers.free_port(socket.SOCK_DGRAM)
    result = await udp(port, UDPProbe(probe_all=True))
    assert (result.state, result.reason) == (PortState.CLOSED, "port-unreach")


def test_usual_ports_choose_the_payload() -> None:
    probe = UDPProbe()
    assert [probe.service_for(p) for p in (53, 123, 161, 9999)] == ["domain", "ntp", "snmp", None]
    assert UDPProbe(services={53: "none"}).service_for(53) is None


def test_bad_options_are_rejected() -> None:
    with pytest.raises(InvalidOptionError, match="services"):
        UDPProbe(services={53: "dns-over-carrier-pigeon"})
    with pytest.raises(InvalidOptionError, match="dns_question"):
        UDPProbe(dns_question="a b c d")


async def test_a_mixed_spec_gives_the_udp_probe_its_udp_ports(dnsmasq: servers.Server) -> None:
    closed = servers.free_port(socket.SOCK_DGRAM)
    spec = f"T:{dnsmasq.port},U:{dnsmasq.port},{closed}"
    async with portkit.scan("127.0.0.1", spec, probe=UDPProbe(probe_all=True)) as rs:
        found = {(r.port, r.protocol, r.state) async for r in rs}
    assert found == {
        (dnsmasq.port, Protocol.UDP, PortState.OPEN),
        (closed, Protocol.UDP, PortState.CLOSED),
    }
