"""Target parsing and the lazy work space: every pair exactly once, nothing built."""

from __future__ import annotations

import ipaddress
import itertools

import anyio
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portkit import Endpoint, PortRange, PortSet
from portkit._probe._targets import WorkSpace, parse_family, parse_targets, resolve
from portkit.exceptions import InvalidTargetError

port_sets = st.lists(
    st.tuples(st.integers(1, 65535), st.integers(0, 40)), min_size=1, max_size=5
).map(lambda pairs: PortSet(PortRange(a, min(65535, a + n)) for a, n in pairs))
networks = st.builds(
    lambda base, prefix: ipaddress.ip_network(f"{ipaddress.IPv4Address(base)}/{prefix}",
                                              strict=False),
    st.integers(0, 2**32 - 1),
    st.integers(27, 32),
)


def space_of(targets: object, ports: PortSet, order: str, seed: int = 0) -> WorkSpace:
    blocks = anyio.run(resolve, parse_targets(targets), ports, None)  # type: ignore[arg-type]
    return WorkSpace(blocks, order, seed=seed)


@settings(max_examples=60, deadline=None)
@given(nets=st.lists(networks, min_size=1, max_size=3), ports=port_sets,
       order=st.sampled_from(["sequential", "shuffled"]), seed=st.integers(0, 2**32))
def test_each_pair_comes_up_exactly_once(
    nets: list[ipaddress.IPv4Network], ports: PortSet, order: str, seed: int
) -> None:
    space = space_of(nets, ports, order, seed)
    items = list(space)
    expected = [
        (str(net), str(address), port)
        for net in nets for address in net for port in ports
    ]
    assert space.total == len(expected) == len(items)
    assert sorted((t, a, p) for t, a, _, p, _ in items) == sorted(expected)
    if order == "sequential":
        assert [(t, a, p) for t, a, _, p, _ in items] == expected


@settings(max_examples=40, deadline=None)
@given(ports=port_sets, data=st.data())
def test_random_access_agrees_with_iteration(ports: PortSet, data: st.DataObject) -> None:
    space = space_of(["192.0.2.0/30", "198.51.100.7"], ports, "sequential")
    items = list(space)
    index = data.draw(st.integers(0, len(items) - 1))
    assert space.item(index) == items[index]


def test_huge_networks_stay_lazy() -> None:
    space = space_of(["2001:db8::/32"], PortSet.parse("-"), "shuffled")
    assert space.total == 2**96 * 65535
    first = list(itertools.islice(space, 5))
    assert len(first) == 5
    assert all(ipaddress.ip_address(a) in ipaddress.ip_network("2001:db8::/32")
               for _, a, _, _, _ in first)


def test_endpoints_bring_their_own_port() -> None:
    space = space_of([Endpoint.parse("192.0.2.1:8443")], PortSet.parse("1-100"), "sequential")
    assert [(a, p) for _, a, _, p, _ in space] == [("192.0.2.1", 8443)]


def test_targets_parse_one_or_many() -> None:
    (one,) = parse_targets("192.0.2.1")
    assert one.address == ipaddress.ip_address("192.0.2.1")
    (net,) = parse_targets("192.0.2.5/30")
    assert net.network == ipaddress.ip_network("192.0.2.4/30")
    (name,) = parse_targets("Example.COM")
    assert name.name == "example.com"
    assert name.text == "Example.COM"
    assert len(parse_targets(x for x in ["::1", "[::2]"])) == 2
    with pytest.raises(InvalidTargetError):
        parse_targets(42)  # type: ignore[arg-type]


def test_family_spellings() -> None:
    import socket

    assert parse_family(None) is None
    assert parse_family("IPv4") == (socket.AF_INET,)
    assert parse_family(socket.AF_INET6) == (socket.AF_INET6,)
    assert parse_family("both") == parse_family(socket.AF_UNSPEC)
