"""portkit.probe and TCPConnectProbe against real sockets on loopback."""

from __future__ import annotations

import ipaddress
import json

import anyio
import pytest

import portkit
from portkit import Endpoint, PortState, Probe, ProbeResult, Protocol, TCPConnectProbe
from portkit.exceptions import InvalidEndpointError, InvalidOptionError
from probe_support import closed_port, ipv6_available, listener, open_fds, stalled_listener

pytestmark = pytest.mark.anyio

needs_ipv6 = pytest.mark.skipif(not ipv6_available(), reason="IPv6 (::1) is not available")


async def test_listening_port_is_open_with_syn_ack() -> None:
    with listener("127.0.0.1") as port:
        result = await portkit.probe("127.0.0.1", port)
    assert result.state is PortState.OPEN
    assert result.reason == "syn-ack"
    assert result.address == "127.0.0.1"
    assert result.target == "127.0.0.1"
    assert result.port == port
    assert result.attempts == 1
    assert result.latency is not None
    assert 0 < result.latency < 5


@needs_ipv6
async def test_listening_port_on_ipv6_loopback_is_open() -> None:
    with listener("::1") as port:
        result = await portkit.probe("::1", port)
    assert (result.state, result.reason, result.address) == (PortState.OPEN, "syn-ack", "::1")
    assert result.endpoint == Endpoint(host="::1", port=port)


async def test_unused_port_is_closed_with_conn_refused() -> None:
    port = closed_port()
    result = await portkit.probe("127.0.0.1", port)
    assert (result.state, result.reason) == (PortState.CLOSED, "conn-refused")
    assert result.latency is not None


@needs_ipv6
async def test_unused_ipv6_port_is_closed() -> None:
    result = await portkit.probe("::1", closed_port("::1"))
    assert (result.state, result.reason) == (PortState.CLOSED, "conn-refused")


async def test_silent_port_is_filtered_after_the_timeout() -> None:
    with stalled_listener() as port:
        result = await portkit.probe("127.0.0.1", port, timeout=0.2)
    assert (result.state, result.reason) == (PortState.FILTERED, "no-response")
    assert result.latency is None


async def test_names_are_resolved_and_the_target_kept_as_given() -> None:
    with listener("127.0.0.1") as port:
        result = await portkit.probe("localhost", port)
    assert result.target == "localhost"
    assert ipaddress.ip_address(result.address).is_loopback


async def test_probe_takes_ipaddress_objects() -> None:
    with listener("127.0.0.1") as port:
        result = await portkit.probe(ipaddress.ip_address("127.0.0.1"), port)
    assert result.state is PortState.OPEN


async def test_probe_rejects_bad_options() -> None:
    with pytest.raises(InvalidOptionError, match="timeout"):
        await portkit.probe("127.0.0.1", 1, timeout=0)
    with pytest.raises(InvalidOptionError, match="protocol"):
        await portkit.probe("127.0.0.1", 1, protocol="udp")
    with pytest.raises(portkit.exceptions.InvalidTargetError):
        await portkit.probe("not a host!", 1)
    with pytest.raises(portkit.exceptions.InvalidTargetError, match="one host"):
        await portkit.probe("127.0.0.0/30", 1)


async def test_tcp_connect_probe_is_a_probe_and_takes_endpoints() -> None:
    probe = TCPConnectProbe()
    assert isinstance(probe, Probe)
    assert probe.protocol is Protocol.TCP
    with listener("127.0.0.1") as port:
        result = await probe(Endpoint(host="127.0.0.1", port=port), 1.0)
    assert result.state is PortState.OPEN
    with pytest.raises(InvalidEndpointError):
        await probe(Endpoint(host="localhost", port=port), 1.0)


async def test_probes_leave_no_descriptor_open() -> None:
    before = open_fds()
    with listener("127.0.0.1") as port:
        for _ in range(20):
            await portkit.probe("127.0.0.1", port)
            await portkit.probe("127.0.0.1", closed_port())
    with stalled_listener() as port:
        await portkit.probe("127.0.0.1", port, timeout=0.05)
    assert open_fds() == before


async def test_cancelling_a_probe_closes_its_socket() -> None:
    before = open_fds()
    with stalled_listener() as port:
        stalled_fds = open_fds()
        with anyio.move_on_after(0.1) as scope:
            await portkit.probe("127.0.0.1", port, timeout=30)
        assert scope.cancelled_caught
        assert open_fds() == stalled_fds
    assert open_fds() == before


def test_result_to_dict_is_json_ready() -> None:
    result = ProbeResult(
        target="example.test", address="192.0.2.1", port=443, state="open",
        reason="syn-ack", latency=0.01, details={"icmp_type": 3},
    )
    data = result.to_dict()
    assert data == {
        "target": "example.test", "address": "192.0.2.1", "port": 443, "protocol": "tcp",
        "state": "open", "reason": "syn-ack", "latency": 0.01, "attempts": 1,
        "details": {"icmp_type": 3},
    }
    assert json.loads(json.dumps(data)) == data


def test_result_details_are_immutable_and_outside_equality() -> None:
    base = {"target": "h", "address": "192.0.2.1", "port": 22, "state": PortState.CLOSED,
            "reason": "conn-refused"}
    a = ProbeResult(**base, details={"x": 1})  # type: ignore[arg-type]
    b = ProbeResult(**base)  # type: ignore[arg-type]
    assert a == b
    assert hash(a) == hash(b)
    with pytest.raises(TypeError):
        a.details["x"] = 2  # type: ignore[index]
    assert a.endpoint == Endpoint.parse("192.0.2.1:22")
    assert a.is_open is False


def test_result_validates_its_fields() -> None:
    with pytest.raises(ValueError, match="nonsense"):
        ProbeResult(target="h", address="192.0.2.1", port=1, state="nonsense", reason="x")
    with pytest.raises(portkit.exceptions.InvalidPortError):
        ProbeResult(target="h", address="192.0.2.1", port=70000, state="open", reason="x")
    with pytest.raises(InvalidOptionError):
        ProbeResult(target="h", address="192.0.2.1", port=1, state="open", reason="x",
                    attempts=-1)


def test_port_state_spells_as_nmap() -> None:
    assert [str(s) for s in PortState] == [
        "open", "closed", "filtered", "open|filtered", "closed|filtered", "error",
    ]
    assert PortState("open|filtered") is PortState.OPEN_FILTERED
