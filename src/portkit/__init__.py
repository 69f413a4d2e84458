"""portkit: port classification and probing.

The public interface is what this module exports (see ``__all__``), plus the public
submodules :mod:`portkit.exceptions` and :mod:`portkit.strategies`. Everything else
lives in private modules and may change without notice.
"""

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
from ._identify import (
    BannerProbe,
    Certificate,
    Identification,
    Rule,
    RuleSet,
    TLSInfo,
    TLSProbe,
    UDPProbe,
    identify_rules,
)
from ._models import Endpoint, PortClass, PortRange, PortSet, PortSpec, Protocol
from ._probe import (
    PortState,
    Probe,
    ProbeResult,
    ScanResults,
    TCPConnectProbe,
    probe,
    scan,
    scan_sync,
)
from .exceptions import (
    InvalidColumnError,
    InvalidEndpointError,
    InvalidOptionError,
    InvalidPortError,
    InvalidRuleError,
    InvalidSpecError,
    InvalidTargetError,
    PortkitError,
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
    "EPHEMERAL_RANGES",
    "INVALID_CODE",
    "BannerProbe",
    "Certificate",
    "Endpoint",
    "Identification",
    "InvalidColumnError",
    "InvalidEndpointError",
    "InvalidOptionError",
    "InvalidPortError",
    "InvalidRuleError",
    "InvalidSpecError",
    "InvalidTargetError",
    "PortClass",
    "PortRange",
    "PortSet",
    "PortSpec",
    "PortState",
    "PortkitError",
    "Probe",
    "ProbeResult",
    "Protocol",
    "Rule",
    "RuleSet",
    "ScanResults",
    "TCPConnectProbe",
    "TLSInfo",
    "TLSProbe",
    "UDPProbe",
    "UnknownProtocolError",
    "UnknownServiceError",
    "UnknownSystemError",
    "__version__",
    "classify",
    "classify_many",
    "ephemeral_range",
    "exceptions",
    "identify_rules",
    "is_dynamic",
    "is_ephemeral",
    "is_registered",
    "is_well_known",
    "probe",
    "scan",
    "scan_sync",
]
