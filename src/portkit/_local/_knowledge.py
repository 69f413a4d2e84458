"""The one place where local sockets meet the port registry and the service annotations.

:func:`portkit.lookup` (the registry) and :func:`portkit.annotation` (what is known
about a service's risks) come from other parts of portkit. Everything in this package
that needs them asks here, so that an installation without them degrades to "no
service known" instead of failing.
"""

from __future__ import annotations

from typing import Any

from portkit._models import Protocol

__all__ = ["annotation_for", "has_annotations", "has_registry", "service_name"]


def _public(name: str) -> Any:
    import portkit

    return getattr(portkit, name, None)


def has_registry() -> bool:
    """True when :func:`portkit.lookup` is available."""
    return _public("lookup") is not None


def has_annotations() -> bool:
    """True when :func:`portkit.annotation` is available."""
    return _public("annotation") is not None


def service_name(port: int, protocol: Protocol) -> str | None:
    """The name of the service registered for *port* over *protocol*, or None."""
    lookup = _public("lookup")
    if lookup is None:
        return None
    service = lookup(port, protocol.value)
    return None if service is None else str(service.name)


def annotation_for(name: str) -> Any:
    """The :class:`portkit.Annotation` of a service name, or None."""
    annotation = _public("annotation")
    if annotation is None:
        return None
    return annotation(name)
