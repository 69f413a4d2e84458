"""portkit: port classification and probing.

The public interface is what this module exports (see ``__all__``), plus the public
submodules :mod:`portkit.exceptions` and :mod:`portkit.strategies`. Everything else
lives in private modules and may change without notice.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from . import exceptions
from ._classify import (
    EPHEMERAL_RANGES,
    INVALID_CODE,
    classify,
    classify_many,
    ephemeral_range,
    is_dynamic,
    is_ephemeral,
    is_registered,
    is_well_known,
)
from ._models import Endpoint, PortClass, PortRange, PortSet, PortSpec, Protocol
from ._registry import (
    IANA_CSV_URL,
    PortStatus,
    Registry,
    Service,
    lookup,
    port_of,
    registry,
    search,
    services,
    status,
    update_registry,
)
from .exceptions import (
    InvalidColumnError,
    InvalidEndpointError,
    InvalidPortError,
    InvalidSpecError,
    PortkitError,
    RegistryFormatError,
    RegistryUpdateError,
    UnknownProtocolError,
    UnknownServiceError,
    UnknownSystemError,
)

try:
    __version__ = version("portkit")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "EPHEMERAL_RANGES",
    "IANA_CSV_URL",
    "INVALID_CODE",
    "Endpoint",
    "InvalidColumnError",
    "InvalidEndpointError",
    "InvalidPortError",
    "InvalidSpecError",
    "PortClass",
    "PortRange",
    "PortSet",
    "PortSpec",
    "PortStatus",
    "PortkitError",
    "Protocol",
    "Registry",
    "RegistryFormatError",
    "RegistryUpdateError",
    "Service",
    "UnknownProtocolError",
    "UnknownServiceError",
    "UnknownSystemError",
    "__version__",
    "classify",
    "classify_many",
    "ephemeral_range",
    "exceptions",
    "is_dynamic",
    "is_ephemeral",
    "is_registered",
    "is_well_known",
    "lookup",
    "port_of",
    "registry",
    "search",
    "services",
    "status",
    "update_registry",
]
