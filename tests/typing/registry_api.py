"""The registry's public API as users write it; checked by mypy, never run."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import portkit
from portkit import PortRange, PortSet, PortSpec, PortStatus, Protocol, Service
from portkit.registries import Registry

service: Service | None = portkit.lookup(443)
also: Service | None = portkit.lookup(53, Protocol.UDP)
every: tuple[Service, ...] = portkit.services(443)
port: int = portkit.port_of("postgres", "tcp")
state: PortStatus = portkit.status(0)
found: tuple[Service, ...] = portkit.search("mail", limit=5)

reg: Registry = portkit.registries.default()
bundled: Registry = Registry.bundled()
csv_reg: Registry = Registry.from_iana_csv("service-names-port-numbers.csv", strict=True)
etc: Registry = Registry.from_services_file("/etc/services")
problems: tuple[portkit.exceptions.RegistryFormatError, ...] = etc.problems
line: int = problems[0].line
provenance: Mapping[str, Any] = reg.provenance
ranges: tuple[PortRange, ...] = reg.ports_for_name("x11")
count: int = len(reg)

if service is not None:
    name: str = service.name
    aliases: tuple[str, ...] = service.aliases
    first: int = service.port
    span: PortRange = service.ports
    protocol: Protocol = service.protocol
    references: tuple[str, ...] = service.references

custom = Registry(
    [Service(name="demo", ports=PortRange(7, 7), protocol="udp")],
    markers=[(PortStatus.RESERVED, PortRange(0, 0), Protocol.TCP)],
    provenance={"origin": "custom"},
)
updated: Registry = portkit.registries.update_registry(
    "http://127.0.0.1:8000/registry.csv", timeout=5.0
)
downloaded: Registry | None = Registry.downloaded()
pinned: PortSet = PortSet.parse("ssh,http", registry=Registry.bundled())
spec_pinned: PortSpec = PortSpec.parse("T:http,U:domain", registry=custom)
