"""The registry's value types: :class:`Service` and :class:`PortStatus`."""

from __future__ import annotations

import enum
from collections.abc import Iterable

import attrs

from portkit._protocols import Protocol
from portkit._ranges import PortRange

__all__ = ["PortStatus", "Service"]


class PortStatus(str, enum.Enum):
    """What IANA's registry says about one port of one protocol.

    ``str()`` gives the lower-case value (``"assigned"``).

    .. versionadded:: 0.1
    """

    #: At least one service is assigned the port.
    ASSIGNED = "assigned"
    #: IANA holds the port back (port 0, 1023, 1024, ..., and ports kept for private use).
    RESERVED = "reserved"
    #: Nothing is assigned; listed as unassigned, de-registered, or not listed at all.
    UNASSIGNED = "unassigned"

    def __str__(self) -> str:
        return self.value


def _check_name(instance: Service, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not value or value != value.strip() or " " in value:
        raise ValueError(
            f"invalid service name {value!r}: a service name is a non-empty str without blanks"
        )


def _names(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        raise TypeError(f"aliases must be a sequence of names, not the str {value!r}")
    return tuple(value)


def _refs(value: Iterable[str] | str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def _protocol(value: Protocol | str) -> Protocol:
    return Protocol.parse(value)


@attrs.frozen(kw_only=True, repr=False)
class Service:
    """One assignment of IANA's registry: a service name on a port (or range) and protocol.

    >>> import portkit
    >>> http = portkit.lookup(80)
    >>> http
    <Service http 80/tcp>
    >>> http.aliases, http.port
    (('www', 'www-http'), 80)

    Attributes:
        name: The service name IANA lists first for the assignment.
        ports: The ports assigned; one port for most services, a range for a few
            (``x11`` is 6000-6063).
        protocol: The transport protocol of the assignment.
        aliases: The other names IANA lists for the same service, in IANA's order
            (old spellings such as ``whois++`` for ``whoispp``, ``www`` for ``http``).
        description: IANA's description, blanks collapsed; may be empty.
        references: IANA's references without brackets (``"RFC9110"``); may be empty.

    .. versionadded:: 0.1
    """

    name: str = attrs.field(validator=_check_name)
    ports: PortRange = attrs.field(validator=attrs.validators.instance_of(PortRange))
    protocol: Protocol = attrs.field(converter=_protocol)
    aliases: tuple[str, ...] = attrs.field(default=(), converter=_names)
    description: str = ""
    references: tuple[str, ...] = attrs.field(default=(), converter=_refs)

    @property
    def port(self) -> int:
        """The first (usually the only) port of the assignment."""
        return self.ports.first

    @property
    def names(self) -> tuple[str, ...]:
        """The name and then the aliases."""
        return (self.name, *self.aliases)

    def __str__(self) -> str:
        return f"{self.name} {self.ports}/{self.protocol.value}"

    def __repr__(self) -> str:
        return f"<Service {self}>"


def make_service(
    name: str,
    aliases: tuple[str, ...],
    ports: PortRange,
    protocol: Protocol,
    *,
    description: str,
    references: tuple[str, ...],
) -> Service:
    """Build a :class:`Service` from values already known to be valid, skipping checks.

    The bundled data is checked when it is generated; loading it this way keeps the
    first lookup fast.
    """
    new = object.__new__(Service)
    setattr_ = object.__setattr__
    setattr_(new, "name", name)
    setattr_(new, "ports", ports)
    setattr_(new, "protocol", protocol)
    setattr_(new, "aliases", aliases)
    setattr_(new, "description", description)
    setattr_(new, "references", references)
    return new
