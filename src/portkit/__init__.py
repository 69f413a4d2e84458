"""portkit: port classification and probing.

The public interface is what this module exports (see ``__all__``), plus the public
submodules :mod:`portkit.exceptions` and :mod:`portkit.strategies`. Everything else
lives in private modules and may change without notice.
"""

from importlib.metadata import PackageNotFoundError as _PackageNotFoundError
from importlib.metadata import version as _version

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
from ._monitor import (
    ChangeKind,
    Check,
    CheckResult,
    CheckStats,
    Health,
    Monitor,
    StateChange,
    load_checks,
    monitor,
)
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
    InvalidConfigError,
    InvalidEndpointError,
    InvalidOptionError,
    InvalidPortError,
    InvalidSpecError,
    InvalidTargetError,
    PortkitError,
    UnknownCheckError,
    UnknownProtocolError,
    UnknownServiceError,
    UnknownSystemError,
)

try:
    __version__ = _version("portkit")
except _PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "EPHEMERAL_RANGES",
    "INVALID_CODE",
    "ChangeKind",
    "Check",
    "CheckResult",
    "CheckStats",
    "Endpoint",
    "Health",
    "InvalidColumnError",
    "InvalidConfigError",
    "InvalidEndpointError",
    "InvalidOptionError",
    "InvalidPortError",
    "InvalidSpecError",
    "InvalidTargetError",
    "Monitor",
    "PortClass",
    "PortRange",
    "PortSet",
    "PortSpec",
    "PortState",
    "PortkitError",
    "Probe",
    "ProbeResult",
    "Protocol",
    "ScanResults",
    "StateChange",
    "TCPConnectProbe",
    "UnknownCheckError",
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
    "load_checks",
    "monitor",
    "probe",
    "scan",
    "scan_sync",
]
