"""Endpoint: strict construction, parsing of host:port, [v6]:port and URLs."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given

from portkit import Endpoint, PortClass, Protocol
from portkit import strategies as pks
from portkit.exceptions import InvalidEndpointError


@pytest.mark.parametrize(
    ("text", "host", "port", "protocol"),
    [
        ("example.com:80", "example.com", 80, Protocol.TCP),
        ("Example.COM:80", "example.com", 80, Protocol.TCP),
        ("127.0.0.1:22", "127.0.0.1", 22, Protocol.TCP),
        ("[::1]:8080", "::1", 8080, Protocol.TCP),
        ("[2001:DB8::0001]:443", "2001:db8::1", 443, Protocol.TCP),
        ("[fe80::1%eth0]:22", "fe80::1%eth0", 22, Protocol.TCP),
        ("ns1.example:53/udp", "ns1.example", 53, Protocol.UDP),
        ("[::1]:53/UDP", "::1", 53, Protocol.UDP),
        ("  host:1  ", "host", 1, Protocol.TCP),
        ("https://example.com/x", "example.com", 443, Protocol.TCP),
        ("HTTPS://example.com", "example.com", 443, Protocol.TCP),
        ("ssh://h", "h", 22, Protocol.TCP),
        ("http://user:pw@h:8080/path?q#f", "h", 8080, Protocol.TCP),
        ("https://[::1]/", "::1", 443, Protocol.TCP),
        ("https://[::1]:8443/", "::1", 8443, Protocol.TCP),
        ("postgresql://db.internal/app", "db.internal", 5432, Protocol.TCP),
        ("my_host.local:9", "my_host.local", 9, Protocol.TCP),
        ("localhost.:80", "localhost.", 80, Protocol.TCP),
    ],
)
def test_parse(text: str, host: str, port: int, protocol: Protocol) -> None:
    ep = Endpoint.parse(text)
    assert (ep.host, ep.port, ep.protocol) == (host, port, protocol)


def test_default_port_and_protocol_arguments() -> None:
    assert Endpoint.parse("example.com", default_port=25).port == 25
    assert Endpoint.parse("[::1]", default_port=25).host == "::1"
    assert Endpoint.parse("h:53", protocol="udp").protocol is Protocol.UDP
    assert Endpoint.parse("h:53/sctp", protocol="udp").protocol is Protocol.SCTP


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("::1", "must be bracketed"),
        ("2001:db8::1:80", "must be bracketed"),
        ("example.com", "no port given"),
        ("[::1]", "no port given"),
        ("", "must not be empty"),
        ("   ", "must not be empty"),
        ("h:", "port '' is not a number"),
        ("h:http", "port 'http' is not a number"),
        ("h:65536", "0 to 65535"),
        ("h:-1", "is not a number"),
        ("[::1", "without a closing"),
        ("[::1]80", "expected ':port'"),
        ("[example.com]:80", "IPv6 addresses only"),
        ("[::g]:80", "not a valid IPv6"),
        ("h:80/icmp", "not a protocol"),
        ("-bad-.com:80", "host name"),
        ("a..b:80", "host name"),
        ("999.1.1.1:80", "not a valid IPv4 address or host name"),
        ("gopher2://h", "no known default port"),
        ("https://:80", "names no host"),
        ("http://h:99999/", "not a valid URL"),
        ("h" * 300 + ":80", "at most 253"),
        ("x" * 5000, "at most 2048"),
    ],
)
def test_parse_rejects(text: str, fragment: str) -> None:
    with pytest.raises(InvalidEndpointError) as info:
        Endpoint.parse(text)
    assert fragment in str(info.value)
    assert isinstance(info.value, ValueError)
    assert len(str(info.value)) < 300


def test_strict_constructor() -> None:
    ep = Endpoint(host="::0001", port=80)
    assert ep.host == "::1" and ep.protocol is Protocol.TCP
    assert Endpoint(host="h", port=53, protocol="udp").protocol is Protocol.UDP
    with pytest.raises(InvalidEndpointError):
        Endpoint(host="[::1]", port=80)
    with pytest.raises(InvalidEndpointError):
        Endpoint(host="", port=80)
    with pytest.raises(ValueError, match="65536"):
        Endpoint(host="h", port=65536)
    with pytest.raises(ValueError, match="True"):
        Endpoint(host="h", port=True)


def test_properties() -> None:
    ep = Endpoint.parse("[::1]:50000")
    assert ep.ip == ipaddress.ip_address("::1") and ep.is_ip
    assert ep.port_class is PortClass.DYNAMIC
    named = Endpoint.parse("example.com:22")
    assert named.ip is None and not named.is_ip
    assert named.replace(port=23).port == 23
    assert repr(ep) == "Endpoint.parse('[::1]:50000')"


@given(pks.endpoints())
def test_str_parses_back(ep: Endpoint) -> None:
    assert Endpoint.parse(str(ep)) == ep
    assert eval(repr(ep), {"Endpoint": Endpoint}) == ep


def test_addresses_sort_numerically_ipv4_before_ipv6_before_names() -> None:
    # Regression: endpoints sorted as text, so 10.0.0.10 came before 10.0.0.9.
    texts = ["db.example:5432", "[::1]:80", "10.0.0.10:22", "10.0.0.9:22", "[fe80::1]:22",
             "9.255.255.255:22", "[::a]:22", "10.0.0.9:21", "10.0.0.9:21/udp",
             "10.0.0.9:21/dccp", "a.example:1", "[fe80::1%eth0]:22", "[::1]:79"]
    got = [str(e) for e in sorted(Endpoint.parse(t) for t in texts)]
    assert got == [
        "9.255.255.255:22", "10.0.0.9:21", "10.0.0.9:21/udp", "10.0.0.9:21/dccp",
        "10.0.0.9:22", "10.0.0.10:22", "[::1]:79", "[::1]:80", "[::a]:22", "[fe80::1]:22",
        "[fe80::1%eth0]:22", "a.example:1", "db.example:5432",
    ]


@given(pks.endpoints(), pks.endpoints())
def test_ordering_agrees_with_equality_and_ipaddress(a: Endpoint, b: Endpoint) -> None:
    assert (a == b) == (not a < b and not b < a)
    assert (a == b) <= (hash(a) == hash(b))
    assert (a <= b) == (a < b or a == b)
    assert (a > b) == (b < a)
    if a.ip is not None and b.ip is not None and a.ip.version == b.ip.version:
        if a.ip != b.ip:
            assert (a < b) == (a.ip < b.ip)
    elif a.ip is not None and b.ip is None:
        assert a < b


def test_ordering_with_other_types_is_refused() -> None:
    with pytest.raises(TypeError):
        _ = Endpoint.parse("h:1") < ("h", 1)  # type: ignore[operator]


@pytest.mark.parametrize(
    "host",
    ["fe80::1%", "fe80::1%a\x00b", "fe80::1%a\nb", "fe80::1%" + "e" * 2000, "fe80::1%]",
     "fe80::1%a b", "fe80::1%é", "fe80::1%a/b", "fe80::1%%"],
)
def test_ipv6_zones_are_validated(host: str) -> None:
    with pytest.raises(InvalidEndpointError, match=r"zone|IPv6"):
        Endpoint(host=host, port=80)
    with pytest.raises(InvalidEndpointError):
        Endpoint.parse(f"[{host}]:80")


@pytest.mark.parametrize("zone", ["eth0", "lo", "3", "veth-a.1_b", "e" * 64])
def test_valid_zones_round_trip(zone: str) -> None:
    e = Endpoint.parse(f"[fe80::1%{zone}]:80/udp")
    assert e.host == f"fe80::1%{zone}"
    assert Endpoint.parse(str(e)) == e
    assert hash(Endpoint.parse(str(e))) == hash(e)


def test_a_url_carries_an_ipv6_zone_as_rfc_6874_writes_it() -> None:
    e = Endpoint.parse("http://[fe80::1%25eth0]:8080/")
    assert e.host == "fe80::1%eth0"
    assert e.port == 8080
    with pytest.raises(InvalidEndpointError):
        Endpoint.parse("http://[fe80::1%25a%0Ab]:8080/")
