"""portkit: port classification and probing.

The public interface is what this module exports (see ``__all__``), plus the public
submodules :mod:`portkit.exceptions` and :mod:`portkit.strategies`. Everything else
lives in private modules and may change without notice.
"""

import importlib as _importlib
from typing import TYPE_CHECKING as _TYPE_CHECKING
from typing import Any as _Any

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
    InvalidConfigError,
    InvalidCountError,
    InvalidEndpointError,
    InvalidOptionError,
    InvalidPortError,
    InvalidRuleError,
    InvalidServiceNameError,
    InvalidSpecError,
    InvalidTargetError,
    InvalidWeightsError,
    LocalSocketsError,
    PortkitError,
    RegistryFormatError,
    RegistryUpdateError,
    UnknownCheckError,
    UnknownProtocolError,
    UnknownServiceError,
    UnknownSystemError,
)

if _TYPE_CHECKING:
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
    from ._local import (
        AUDIT_RULES,
        Allow,
        AuditRule,
        Exposure,
        Finding,
        LocalSocket,
        Process,
        TcpState,
        audit,
        connections,
        listening,
    )
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
    from ._top_ports import (
        TopPort,
        Weight,
        read_weights,
        top_port_entries,
        top_ports,
    )


# The probe engine, identification, monitoring, local sockets and the curated
# annotations are imported on first use of one of their names, so that ``import
# portkit`` stays light for programs that only classify and look up ports.
_LAZY = {
    "Annotation": "._annotations",
    "Category": "._annotations",
    "Risk": "._annotations",
    "RiskKind": "._annotations",
    "Severity": "._annotations",
    "annotation": "._annotations",
    "annotations": "._annotations",
    "annotations_on_port": "._annotations",
    "cleartext_counterpart": "._annotations",
    "is_cleartext": "._annotations",
    "risks_of": "._annotations",
    "tls_counterpart": "._annotations",
    "BannerProbe": "._identify",
    "Certificate": "._identify",
    "Identification": "._identify",
    "Rule": "._identify",
    "RuleSet": "._identify",
    "TLSInfo": "._identify",
    "TLSProbe": "._identify",
    "UDPProbe": "._identify",
    "identify_rules": "._identify",
    "AUDIT_RULES": "._local",
    "Allow": "._local",
    "AuditRule": "._local",
    "Exposure": "._local",
    "Finding": "._local",
    "LocalSocket": "._local",
    "Process": "._local",
    "TcpState": "._local",
    "audit": "._local",
    "connections": "._local",
    "listening": "._local",
    "ChangeKind": "._monitor",
    "Check": "._monitor",
    "CheckResult": "._monitor",
    "CheckStats": "._monitor",
    "Health": "._monitor",
    "Monitor": "._monitor",
    "StateChange": "._monitor",
    "load_checks": "._monitor",
    "monitor": "._monitor",
    "PortState": "._probe",
    "Probe": "._probe",
    "ProbeResult": "._probe",
    "ScanResults": "._probe",
    "TCPConnectProbe": "._probe",
    "probe": "._probe",
    "scan": "._probe",
    "scan_sync": "._probe",
    "TopPort": "._top_ports",
    "Weight": "._top_ports",
    "read_weights": "._top_ports",
    "top_port_entries": "._top_ports",
    "top_ports": "._top_ports",
}


def __getattr__(name: str) -> _Any:
    module = _LAZY.get(name)
    if module is not None:
        value = getattr(_importlib.import_module(module, __name__), name)
        globals()[name] = value
        return value
    if name == "__version__":
        # Read from the installed metadata on first use: importlib.metadata costs
        # more than the rest of ``import portkit``.
        from importlib.metadata import version

        return version("portkit")
    raise AttributeError(f"module 'portkit' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


__all__ = [
    "AUDIT_RULES",
    "EPHEMERAL_RANGES",
    "IANA_CSV_URL",
    "INVALID_CODE",
    "Allow",
    "Annotation",
    "AuditRule",
    "BannerProbe",
    "Category",
    "Certificate",
    "ChangeKind",
    "Check",
    "CheckResult",
    "CheckStats",
    "Endpoint",
    "Exposure",
    "Finding",
    "Health",
    "Identification",
    "InvalidColumnError",
    "InvalidConfigError",
    "InvalidCountError",
    "InvalidEndpointError",
    "InvalidOptionError",
    "InvalidPortError",
    "InvalidRuleError",
    "InvalidServiceNameError",
    "InvalidSpecError",
    "InvalidTargetError",
    "InvalidWeightsError",
    "LocalSocket",
    "LocalSocketsError",
    "Monitor",
    "PortClass",
    "PortRange",
    "PortSet",
    "PortSpec",
    "PortState",
    "PortStatus",
    "PortkitError",
    "Probe",
    "ProbeResult",
    "Process",
    "Protocol",
    "Registry",
    "RegistryFormatError",
    "RegistryUpdateError",
    "Risk",
    "RiskKind",
    "Rule",
    "RuleSet",
    "ScanResults",
    "Service",
    "Severity",
    "StateChange",
    "TCPConnectProbe",
    "TLSInfo",
    "TLSProbe",
    "TcpState",
    "TopPort",
    "UDPProbe",
    "UnknownCheckError",
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
    "identify_rules",
    "is_cleartext",
    "is_dynamic",
    "is_ephemeral",
    "is_registered",
    "is_well_known",
    "listening",
    "load_checks",
    "lookup",
    "monitor",
    "port_of",
    "probe",
    "read_weights",
    "registry",
    "risks_of",
    "scan",
    "scan_sync",
    "search",
    "services",
    "status",
    "tls_counterpart",
    "top_port_entries",
    "top_ports",
    "update_registry",
]
