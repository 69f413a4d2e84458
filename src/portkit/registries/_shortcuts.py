"""Shortcuts that query the default registry: what :mod:`portkit` offers at its top level."""

from __future__ import annotations

from portkit._models import PortRange, Protocol

from ._data import default_registry
from ._index import Registry
from ._model import PortStatus, Service

__all__ = [
    "default",
    "lookup",
    "port_of",
    "ports_for_spec_name",
    "search",
    "services",
    "status",
]


def default() -> Registry:
    """The default registry, loaded on first use.

    That is the copy of IANA's registry that ``portkit registry update`` last
    downloaded, when there is one, else the snapshot bundled with portkit; its
    :attr:`~Registry.provenance` says which. Importing portkit reads nothing; the
    first call loads the data, once, even when many threads call at the same time.

    .. versionadded:: 0.1
    """
    return default_registry()


def lookup(port: int, protocol: Protocol | str = "tcp") -> Service | None:
    """The primary service on *port* in the default registry.

    See :meth:`portkit.registries.Registry.lookup`.

    .. versionadded:: 0.1
    """
    return default_registry().lookup(port, protocol)


def services(port: int, protocol: Protocol | str | None = None) -> tuple[Service, ...]:
    """Every assignment of *port* in the default registry.

    See :meth:`portkit.registries.Registry.services`.

    .. versionadded:: 0.1
    """
    return default_registry().services(port, protocol)


def port_of(name: str, protocol: Protocol | str = "tcp") -> int:
    """The port of the service *name* in the default registry.

    See :meth:`portkit.registries.Registry.port_of`.

    .. versionadded:: 0.1
    """
    return default_registry().port_of(name, protocol)


def search(text: str, limit: int = 20) -> tuple[Service, ...]:
    """Services matching *text* in the default registry.

    See :meth:`portkit.registries.Registry.search`.

    .. versionadded:: 0.1
    """
    return default_registry().search(text, limit)


def status(port: int, protocol: Protocol | str = "tcp") -> PortStatus:
    """IANA's status of *port* in the default registry.

    See :meth:`portkit.registries.Registry.status`.

    .. versionadded:: 0.1
    """
    return default_registry().status(port, protocol)


def ports_for_spec_name(name: str, protocol: Protocol) -> tuple[PortRange, ...]:
    """The ports a service name stands for in a port spec (``"ssh,http"``).

    Raises:
        UnknownServiceError: The default registry knows no such name for *protocol*.
    """
    return default_registry().ports_for_name(name, protocol)
