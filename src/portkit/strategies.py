"""Hypothesis strategies for portkit's types, for testing your own code against portkit.

Import this module only where hypothesis is installed (it is not a dependency of
portkit); ``import portkit`` never imports it.

>>> from hypothesis import given
>>> from portkit import strategies as pks
>>> @given(pks.port_sets())
... def test_roundtrip(ports):
...     assert portkit.PortSet.parse(str(ports)) == ports   # for non-empty sets

Every strategy shrinks towards small, simple values (low ports, short host names) and
includes the boundaries 0, 1023, 1024, 49151, 49152 and 65535 often.
"""

from __future__ import annotations

import ipaddress

from hypothesis import strategies as st

from ._models import MAX_PORT, Endpoint, PortRange, PortSet, PortSpec, Protocol

__all__ = [
    "endpoints",
    "hostnames",
    "port_ranges",
    "port_sets",
    "port_specs",
    "ports",
    "protocols",
]

#: The ports where classification changes, and the ends of the port space.
BOUNDARIES = (0, 1, 1023, 1024, 49151, 49152, 65534, 65535)


def ports(*, min_port: int = 0, max_port: int = MAX_PORT) -> st.SearchStrategy[int]:
    """Valid port numbers from *min_port* to *max_port*, boundaries favoured."""
    edges = [p for p in BOUNDARIES if min_port <= p <= max_port]
    numbers = st.integers(min_port, max_port)
    return st.one_of(st.sampled_from(edges), numbers) if edges else numbers


def protocols() -> st.SearchStrategy[Protocol]:
    """Members of :class:`portkit.Protocol`."""
    return st.sampled_from(list(Protocol))


@st.composite
def port_ranges(
    draw: st.DrawFn, *, min_port: int = 0, max_port: int = MAX_PORT
) -> PortRange:
    """Valid :class:`portkit.PortRange` values within *min_port*-*max_port*."""
    a = draw(ports(min_port=min_port, max_port=max_port))
    b = draw(ports(min_port=min_port, max_port=max_port))
    return PortRange(min(a, b), max(a, b))


def port_sets(
    *, min_ranges: int = 0, max_ranges: int = 8, min_port: int = 0, max_port: int = MAX_PORT
) -> st.SearchStrategy[PortSet]:
    """:class:`portkit.PortSet` values built from up to *max_ranges* ranges and ports.

    With ``min_ranges=1`` every set is non-empty, so ``PortSet.parse(str(s)) == s``.
    """
    items = st.one_of(
        ports(min_port=min_port, max_port=max_port),
        port_ranges(min_port=min_port, max_port=max_port),
    )
    return st.lists(items, min_size=min_ranges, max_size=max_ranges).map(PortSet)


def port_specs(*, max_protocols: int = 4) -> st.SearchStrategy[PortSpec]:
    """:class:`portkit.PortSpec` values: non-empty port sets for some protocols.

    Specs never hold port 0 under open ends; ``PortSpec.parse(str(s)) == s`` holds.
    """
    return st.dictionaries(
        protocols(), port_sets(min_ranges=1), min_size=1, max_size=max_protocols
    ).map(PortSpec)


_LABEL_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789"


@st.composite
def _label(draw: st.DrawFn) -> str:
    first = draw(st.sampled_from("abcdefghijklmnopqrstuvwxyz"))
    middle = draw(st.text(_LABEL_CHARS + "-", max_size=10))
    last = draw(st.sampled_from(_LABEL_CHARS)) if middle else ""
    return first + middle + last


def hostnames() -> st.SearchStrategy[str]:
    """Valid DNS host names (lower case, as :class:`portkit.Endpoint` keeps them)."""
    return st.lists(_label(), min_size=1, max_size=4).map(".".join)


def _hosts() -> st.SearchStrategy[str]:
    return st.one_of(
        hostnames(),
        st.ip_addresses(v=4).map(str),
        st.ip_addresses(v=6).map(lambda a: str(ipaddress.IPv6Address(a))),
    )


def endpoints(
    *, hosts: st.SearchStrategy[str] | None = None, protocol: Protocol | None = None
) -> st.SearchStrategy[Endpoint]:
    """:class:`portkit.Endpoint` values with host names, IPv4 and IPv6 addresses.

    Args:
        hosts: A strategy for the host part instead of the default mix.
        protocol: Fix the protocol instead of drawing one.
    """
    protos = st.just(protocol) if protocol is not None else protocols()
    return st.builds(
        lambda host, port, proto: Endpoint(host=host, port=port, protocol=proto),
        hosts if hosts is not None else _hosts(),
        ports(),
        protos,
    )
