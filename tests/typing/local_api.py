"""Type-checked (never run): the local-sockets API as users write it."""

from __future__ import annotations

from collections.abc import Iterator

import portkit


def owners() -> list[tuple[int, str | None]]:
    found: list[tuple[int, str | None]] = []
    for sock in portkit.listening(protocols=["tcp", portkit.Protocol.UDP], processes=True):
        process: portkit.Process | None = sock.process
        exposure: portkit.Exposure = sock.exposure
        state: portkit.TcpState = sock.state
        if process is not None and exposure is portkit.Exposure.ALL and state:
            found.append((sock.local_port, process.name))
    return found


def every(netns: str) -> tuple[portkit.LocalSocket, ...]:
    return portkit.connections(netns=netns, processes=False)


def my_rule(sock: portkit.LocalSocket) -> Iterator[portkit.Finding]:
    if sock.local_port == 8080:
        yield portkit.Finding(
            severity=portkit.Severity.LOW, rule="mine", socket=sock, reason="8080"
        )


def run() -> tuple[portkit.Finding, ...]:
    rules: tuple[portkit.AuditRule, ...] = (*portkit.AUDIT_RULES, my_rule)
    findings = portkit.audit(
        rules=rules, allow=[portkit.Allow(port=22), portkit.Allow.parse("rule=mine")]
    )
    worst: portkit.Severity = max((f.severity for f in findings), default=portkit.Severity.INFO)
    assert worst >= portkit.Severity.INFO
    return findings
