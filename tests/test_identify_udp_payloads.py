"""UDPProbe's payloads and readers beyond DNS, NTP and SNMP, as pure functions of bytes.

Replies from servers that run on loopback here are tested in test_identify_daemons.py
(captured in tests/fixtures/replies/udp-*.json), and rpcbind's in
test_identify_rpcbind.py; the replies below are built from the protocols'
specifications, for services without such a server in the tests (NetBIOS name service,
mDNS, SSDP, IKE, RIP, OpenVPN, CLDAP, RADIUS, QUIC) and for the portmapper's too.
"""

from __future__ import annotations

import struct

import pytest

from portkit.identification import UDPProbe
from portkit.identification._udp import UDP_SERVICES
from portkit.identification._udp_payloads import MORE_UDP_PORTS

PROBE = UDPProbe()


def read(service: str, data: bytes) -> tuple[str | None, str | None]:
    ident = PROBE.payload(service)[1](data)
    return ident.service, ident.info


def test_every_service_has_a_payload_and_its_usual_port() -> None:
    for service, port in MORE_UDP_PORTS.items():
        assert UDP_SERVICES[service] == port
        assert PROBE.service_for(port) == service
        payload, reader = PROBE.payload(service)
        assert payload
        assert reader(b"\x00garbage").service is None  # foreign data is not taken


def test_netbios_node_status_names_the_host() -> None:
    payload, reader = PROBE.payload("netbios-ns")
    names = b"PORTKIT        \x00\x04\x00" + b"WORKGROUP      \x00\x84\x00"
    body = bytes([2]) + names + bytes(46)
    reply = (b"\x70\x65\x84\x00\x00\x00\x00\x01\x00\x00\x00\x00" + payload[12:46]
             + struct.pack("!HHIH", 0x21, 1, 0, len(body)) + body)
    ident = reader(reply)
    assert (ident.service, ident.hostname) == ("netbios-ns", "PORTKIT")


def test_mdns_reply_is_read_as_dns() -> None:
    payload, reader = PROBE.payload("mdns")
    reply = b"\x70\x66\x84\x00" + payload[4:6] + b"\x00\x00\x00\x00\x00\x00" + payload[12:]
    assert reader(reply).service == "mdns"


def test_ssdp_reply_gives_the_server() -> None:
    payload, reader = PROBE.payload("upnp", "127.0.0.1")
    assert payload.startswith(b"M-SEARCH * HTTP/1.1\r\nHOST: 127.0.0.1:1900\r\n")
    ident = reader(b"HTTP/1.1 200 OK\r\nSERVER: Linux/6.1 UPnP/1.0 MiniUPnPd/2.3\r\n\r\n")
    assert (ident.service, ident.info) == ("upnp", "Linux/6.1 UPnP/1.0 MiniUPnPd/2.3")


def test_ike_reply_echoes_the_initiator_cookie() -> None:
    payload, _ = PROBE.payload("isakmp")
    assert payload[16:20] == b"\x01\x10\x02\x00"  # SA, IKEv1, main mode
    assert int.from_bytes(payload[24:28], "big") == len(payload)
    reply = payload[:8] + b"R" * 8 + b"\x0b\x10\x05\x00" + bytes(8)
    assert read("isakmp", reply) == ("isakmp", "IKEv1 notification")


def test_rip_response() -> None:
    reply = b"\x02\x02\x00\x00" + b"\x00\x02\x00\x00" + bytes(12) + b"\x00\x00\x00\x01"
    assert read("route", reply) == ("route", "RIPv2")


def test_openvpn_hard_reset_reply() -> None:
    payload, reader = PROBE.payload("openvpn")
    reply = b"\x40" + b"S" * 8 + b"\x01" + payload[1:9] + b"\x00\x00\x00\x00" + bytes(4)
    assert reader(reply).service == "openvpn"


def test_cldap_reads_the_root_dse() -> None:
    reply = bytes.fromhex("30 0c 02 01 01 65 07 0a 01 00 04 00 04 00")
    assert read("ldap", reply)[0] == "ldap"


def test_radius_reject() -> None:
    payload, _ = PROBE.payload("radius")
    assert int.from_bytes(payload[2:4], "big") == len(payload)
    assert read("radius", b"\x03\x70\x00\x14" + bytes(16)) == ("radius", "Access-Reject")


def test_rpcbind_accepts_the_null_call() -> None:
    payload, _ = PROBE.payload("rpcbind")
    reply = payload[:4] + b"\x00\x00\x00\x01" + bytes(16)
    assert read("rpcbind", reply) == ("rpcbind", "RPC #100000")


def test_quic_version_negotiation_lists_versions() -> None:
    payload, reader = PROBE.payload("quic")
    assert len(payload) == 1200 and payload[1:5] == b"\x1a\x2a\x3a\x4a"
    reply = (b"\x80\x00\x00\x00\x00" + b"\x08portkit?" + b"\x08portkit!"
             + b"\x00\x00\x00\x01\x6b\x33\x43\xcf")
    ident = reader(reply)
    assert (ident.service, ident.info) == ("quic", "versions 1, 2")


@pytest.mark.parametrize("service", sorted(MORE_UDP_PORTS))
def test_payloads_fit_one_datagram(service: str) -> None:
    assert 0 < len(PROBE.payload(service)[0]) <= 1200
