"""The annotations and top-ports API as users write it; type-checked, never run."""

from pathlib import Path

import portkit
from portkit.catalog import Annotation, Category, Risk, RiskKind, Severity, TopPort, Weight

a: Annotation | None = portkit.catalog.annotation("imap")
if a is not None:
    category: Category = a.category
    cleartext: bool | None = a.cleartext
    tls: str | None = a.tls_counterpart
    plain: str | None = a.cleartext_counterpart
    risks: tuple[Risk, ...] = a.risks
    ports: tuple[int, ...] = a.ports
    protocols: tuple[portkit.Protocol, ...] = a.protocols
    worst: Severity = a.severity
    reason: str = a.reason
    for risk in risks:
        kind: RiskKind = risk.kind
        high: bool = risk.severity >= Severity.HIGH

everything: tuple[Annotation, ...] = portkit.catalog.annotations()
on_port: tuple[Annotation, ...] = portkit.catalog.annotations_on_port(9200, "tcp")
counterpart: str | None = portkit.catalog.tls_counterpart("http")
reverse: str | None = portkit.catalog.cleartext_counterpart("https")
flag: bool | None = portkit.catalog.is_cleartext("telnet")
found: tuple[Risk, ...] = portkit.catalog.risks_of("docker")

top: tuple[int, ...] = portkit.top_ports(100)
top_udp: tuple[int, ...] = portkit.top_ports(10, portkit.Protocol.UDP)
mine: tuple[int, ...] = portkit.top_ports(weights=Path("ports.weights"))
entries: tuple[TopPort, ...] = portkit.catalog.top_port_entries("tcp", weights="ports.weights")
first: int = entries[0].rank
weights: tuple[Weight, ...] = portkit.catalog.read_weights("ports.weights")
w: float = weights[0].weight

try:
    portkit.top_ports(0)
except portkit.exceptions.InvalidOptionError as e:
    bad: object = e.value
except portkit.exceptions.InvalidWeightsError as e:
    line: int | None = e.line
except portkit.exceptions.InvalidServiceNameError as e:
    rule: str = e.rule
