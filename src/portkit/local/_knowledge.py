"""The one place where local sockets meet the port registry and the service annotations.

The audit needs to know which service a listening socket most likely runs, and what
is known about that service's risks. The answers come from :func:`portkit.lookup`
(IANA's registry) and from :func:`portkit.catalog.annotation` and
:func:`portkit.catalog.annotations_on_port` (curated judgment, which also names ports IANA
gives to something else in practice, such as elasticsearch on 9200).
"""

from __future__ import annotations

from portkit._models import Protocol
from portkit.catalog._annotations import Annotation, annotation, annotations_on_port
from portkit.registries._shortcuts import lookup

__all__ = [
    "DAEMONS",
    "annotation",
    "daemon_services",
    "port_services",
    "service_name",
    "socket_service",
]

#: Program names (``/proc/PID/comm``) that say for certain which service a process
#: runs, with every service name that program rightly listens as. Deliberately
#: short: only daemons that listen on their own ports and nothing else.
DAEMONS: dict[str, tuple[str, ...]] = {
    "sshd": ("ssh",),
    "redis-server": ("redis",),
    "mongod": ("mongodb",),
    "mysqld": ("mysql", "mysqlx"),
    "mariadbd": ("mysql", "mysqlx"),
    "postgres": ("postgresql",),
    "memcached": ("memcache",),
    "vsftpd": ("ftp", "ftp-data"),
    "proftpd": ("ftp", "ftp-data"),
    "in.telnetd": ("telnet",),
    "telnetd": ("telnet",),
    "dockerd": ("docker", "docker-s"),
    "etcd": ("etcd-client", "etcd-server"),
    "slapd": ("ldap", "ldaps"),
}


def service_name(port: int, protocol: Protocol) -> str | None:
    """The name IANA's registry gives *port* over *protocol*, or None."""
    service = lookup(port, protocol)
    return None if service is None else str(service.name)


def port_services(port: int, protocol: Protocol) -> tuple[str, ...]:
    """Every name *port* is known by: the registry's first, then the annotations' usual ports."""
    names: list[str] = []
    registered = service_name(port, protocol)
    if registered is not None:
        found = annotation(registered)
        names.append(found.name if found is not None else registered)
    for found in annotations_on_port(port, protocol):
        if found.name not in names:
            names.append(found.name)
    return tuple(names)


def daemon_services(process_name: str | None) -> tuple[str, ...]:
    """The services a process of this name runs, from :data:`DAEMONS`; empty when unknown."""
    if not process_name:
        return ()
    return DAEMONS.get(process_name, ())


def socket_service(
    port: int, protocol: Protocol, process_name: str | None
) -> tuple[str | None, Annotation | None]:
    """The service a listener most likely runs, and its annotation.

    A process whose name :data:`DAEMONS` knows runs that program's service whatever its
    port; otherwise the port's name decides (registry first, then annotations).
    """
    known = daemon_services(process_name)
    on_port = port_services(port, protocol)
    if known:
        # dockerd on 2376 runs docker-s, not docker: prefer the name the port has.
        candidates: tuple[str, ...] = (next((n for n in known if n in on_port), known[0]),)
    else:
        candidates = on_port
    for name in candidates:
        found = annotation(name)
        if found is not None:
            return found.name, found
    return (candidates[0] if candidates else None), None
