"""Type-checked (never run): the local-sockets API as users write it."""

from __future__ import annotations

from collections.abc import Iterator

import portkit


def owners() -> list[tuple[int, str | None]]:
    found: list[tuple[int, str | None]] = []
    for sock in portkit.local.listening(protocols=["tcp", portkit.Protocol.UDP], processes=True):
        process: portkit.local.Process | None = sock.process
        exposure: portkit.local.Exposure = sock.exposure
        state: portkit.local.TcpState = sock.state
        if process is not None and exposure is portkit.local.Exposure.ALL and state:
            found.append((sock.local_port, process.name))
    return found


def every(netns: str) -> tuple[portkit.local.LocalSocket, ...]:
    return portkit.local.connections(netns=netns, processes=False)


def my_rule(sock: portkit.local.LocalSocket) -> Iterator[portkit.local.Finding]:
    if sock.local_port == 8080:
        yield portkit.local.Finding(
            severity=portkit.catalog.Severity.LOW, rule="mine", socket=sock, reason="8080"
        )


def run() -> tuple[portkit.local.Finding, ...]:
    rules: tuple[portkit.local.AuditRule, ...] = (*portkit.local.AUDIT_RULES, my_rule)
    findings = portkit.local.audit(
        rules=rules, allow=[portkit.local.Allow(port=22), portkit.local.Allow.parse("rule=mine")]
    )
    worst: portkit.catalog.Severity = max(
        (f.severity for f in findings), default=portkit.catalog.Severity.INFO
    )
    assert worst >= portkit.catalog.Severity.INFO
    return findings
