"""Uses the public API as a user would; checked by mypy --strict, never run."""

from __future__ import annotations

import portkit
from portkit import Endpoint, PortClass, PortRange, PortSet, PortSpec, Protocol


def classify_things() -> None:
    cls: PortClass = portkit.classify(443)
    flag: bool = portkit.is_well_known(22) and portkit.is_ephemeral(50000, "linux")
    r: PortRange = portkit.ephemeral_range()
    classes: list[PortClass] = portkit.classify_many([22, 80])
    maybe: list[PortClass | None] = portkit.classify_many([22, -1], errors="coerce")
    print(cls, flag, r, classes, maybe, cls.range.first, cls.rfc6335_name)


def models() -> None:
    ports = PortSet.parse("22,80,1000-2000") | PortSet([443, PortRange(8000, 8100)])
    n: int = len(ports)
    first: int = ports.ranges[0].first
    spec = PortSpec.parse("T:22,U:53")
    udp: PortSet = spec[Protocol.UDP]
    pairs: list[tuple[Protocol, int]] = list(spec.pairs())
    ep = Endpoint.parse("[::1]:8080")
    other: Endpoint = ep.replace(port=8081)
    host: str = ep.host
    print(n, first, udp, pairs, other, host, 80 in ports)


def errors() -> None:
    try:
        PortSet.parse("80x")
    except portkit.exceptions.InvalidSpecError as e:
        position: int | None = e.position
        rule: str = e.rule
        print(position, rule)
    except portkit.PortkitError:
        pass
