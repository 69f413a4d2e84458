"""portkit: port classification and probing.

The public interface is what this module exports (see ``__all__``), plus the public
submodules :mod:`portkit.exceptions` and :mod:`portkit.strategies`. Everything else
lives in private modules and may change without notice.
"""

from . import exceptions
from ._annotations import (
    Annotation,
    Category,
    Risk,
    RiskKind,
    Severity,
    annotation,
    annotations,
    annotations_on_port,
    cleartext_counterpart,
    is_cleartext,
    risks_of,
    tls_counterpart,
)
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
from ._local import (
    AUDIT_RULES,
    Allow,
    Exposure,
    Finding,
    LocalSocket,
    Process,
    Rule,
    TcpState,
    audit,
    connections,
    listening,
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
from ._top_ports import TopPort, Weight, read_weights, top_port_entries, top_ports
from .exceptions import (
    InvalidColumnError,
    InvalidCountError,
    InvalidEndpointError,
    InvalidPortError,
    InvalidServiceNameError,
    InvalidSpecError,
    InvalidWeightsError,
    LocalSocketsError,
    PortkitError,
    RegistryFormatError,
    RegistryUpdateError,
    UnknownProtocolError,
    UnknownServiceError,
    UnknownSystemError,
)


def __getattr__(name: str) -> str:
    # __version__ is read from the installed metadata on first use: importlib.metadata
    # costs more than the rest of ``import portkit``.
    if name == "__version__":
        from importlib.metadata import version

        return version("portkit")
    raise AttributeError(f"module 'portkit' has no attribute {name!r}")

__all__ = [
    "AUDIT_RULES",
    "EPHEMERAL_RANGES",
    "IANA_CSV_URL",
    "INVALID_CODE",
    "Allow",
    "Annotation",
    "Category",
    "Endpoint",
    "Exposure",
    "Finding",
    "InvalidColumnError",
    "InvalidCountError",
    "InvalidEndpointError",
    "InvalidPortError",
    "InvalidServiceNameError",
    "InvalidSpecError",
    "InvalidWeightsError",
    "LocalSocket",
    "LocalSocketsError",
    "PortClass",
    "PortRange",
    "PortSet",
    "PortSpec",
    "PortStatus",
    "PortkitError",
    "Process",
    "Protocol",
    "Registry",
    "RegistryFormatError",
    "RegistryUpdateError",
    "Risk",
    "RiskKind",
    "Rule",
    "Service",
    "Severity",
    "TcpState",
    "TopPort",
    "UnknownProtocolError",
    "UnknownServiceError",
    "UnknownSystemError",
    "Weight",
    "__version__",
    "annotation",
    "annotations",
    "annotations_on_port",
    "audit",
    "classify",
    "classify_many",
    "cleartext_counterpart",
    "connections",
    "ephemeral_range",
    "exceptions",
    "is_cleartext",
    "is_dynamic",
    "is_ephemeral",
    "is_registered",
    "is_well_known",
    "listening",
    "lookup",
    "port_of",
    "read_weights",
    "registry",
    "risks_of",
    "search",
    "services",
    "status",
    "tls_counterpart",
    "top_port_entries",
    "top_ports",
    "update_registry",
]
