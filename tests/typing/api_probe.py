"""The probing API as users write it; checked by mypy --strict, never run."""

from __future__ import annotations

import ipaddress

import anyio

import portkit
from portkit import Endpoint, PortState, Probe, ProbeResult, ScanResults, TCPConnectProbe


async def one() -> None:
    result: ProbeResult = await portkit.probe("127.0.0.1", 22, timeout=0.5)
    state: PortState = result.state
    latency: float | None = result.latency
    endpoint: Endpoint = result.endpoint
    data: dict[str, object] = result.to_dict()
    await portkit.probe(ipaddress.ip_address("::1"), 22)
    print(state, latency, endpoint, data, result.details.get("icmp_type"))


class Banner:
    protocol = portkit.Protocol.TCP

    async def __call__(self, endpoint: Endpoint, timeout: float) -> ProbeResult:
        return ProbeResult(target=endpoint.host, address=endpoint.host, port=endpoint.port,
                           state=PortState.OPEN, reason="banner", details={"banner": "x"})


async def many() -> None:
    probe: Probe = Banner()
    builtin: Probe = TCPConnectProbe()
    async with portkit.scan(
        ["10.0.0.0/30", "localhost", ipaddress.ip_network("192.0.2.0/31"),
         Endpoint.parse("[::1]:8080")],
        "22,80",
        concurrency=100, rate=50.0, timeout=1.0, retries=2, adaptive_timeout=False,
        order="sequential", family="both", progress=lambda done, total: None, probe=probe,
    ) as results:
        typed: ScanResults = results
        total: int = typed.total
        async for result in results:
            print(result.port, total)
    print(builtin)


def sync() -> list[ProbeResult]:
    anyio.run(one)
    return portkit.scan_sync("127.0.0.1", portkit.PortSet.parse("1-1024"), backend="trio",
                             timeout=0.5)
