"""Shortcuts that query the default registry: what :mod:`portkit` offers at its top level."""

from __future__ import annotations

from portkit._protocols import Protocol

from ._data import default_registry
from ._index import Registry
from ._model import PortStatus, Service

__all__ = [
    "default",
    "lookup",
    "port_of",
    "search",
    "services",
    "status",
]


def default() -> Registry:
    """The default registry, loaded on first use.

    That is the snapshot of IANA's registry bundled with portkit, so results do not
    depend on what the user's cache holds. With the environment variable
    ``PORTKIT_REGISTRY=downloaded`` it is the copy that ``portkit registry update``
    last downloaded, when there is a usable one; its :attr:`~Registry.provenance`
    says which. Importing portkit reads nothing; the first call loads the data, once,
    even when many threads call at the same time.

    Raises:
        InvalidOptionError: ``PORTKIT_REGISTRY`` is neither ``bundled`` nor
            ``downloaded``.

    .. versionadded:: 0.1
    .. versionchanged:: 0.2
       The bundled data unless ``PORTKIT_REGISTRY=downloaded``; before, a downloaded
       copy was used whenever there was one.
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

