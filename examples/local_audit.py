"""Audit this host's listening sockets, with an allow-list and a rule of our own.

Run: ``python examples/local_audit.py [--netns NAME]``. Prints every listening socket,
then the findings, most severe first; exits 1 when there are findings of medium
severity or worse, as a check in a deployment pipeline might.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator

import portkit


def no_wildcard_udp_above_10000(sock: portkit.local.LocalSocket) -> Iterator[portkit.local.Finding]:
    """A site rule: UDP services on high ports must bind one address, not all of them."""
    if (
        sock.protocol is portkit.Protocol.UDP
        and sock.exposure is portkit.local.Exposure.ALL
        and sock.local_port > 10000
    ):
        yield portkit.local.Finding(
            severity=portkit.catalog.Severity.MEDIUM,
            rule="site-wildcard-udp",
            socket=sock,
            reason=f"UDP port {sock.local_port} listens on every interface",
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--netns", default=None, help="a network namespace (needs root)")
    args = parser.parse_args()

    sockets = portkit.local.listening(netns=args.netns)
    for sock in sorted(sockets, key=lambda s: (s.protocol.value, s.local_port)):
        owner = sock.process.name if sock.process else "?"
        print(
            f"{sock.protocol}  {sock.local_address:>16} {sock.local_port:<6} "
            f"{sock.exposure!s:<9} {owner}"
        )

    findings = portkit.local.audit(
        sockets,
        rules=(*portkit.local.AUDIT_RULES, no_wildcard_udp_above_10000),
        # ssh reachable from outside is intended here.
        allow=[portkit.local.Allow(rule="remote-access", port=22)],
    )
    for finding in findings:
        print(f"{finding.severity!s:>8}  {finding.rule:<22} {finding.reason}")
    serious = [f for f in findings if f.severity >= portkit.catalog.Severity.MEDIUM]
    print(f"{len(findings)} findings, {len(serious)} medium or worse")
    return 1 if serious else 0


if __name__ == "__main__":
    raise SystemExit(main())
