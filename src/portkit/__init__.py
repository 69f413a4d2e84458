"""portkit: port classification and probing.

The top level holds the small core that most programs need: the value types, the
classification functions, the registry shortcuts and the probing core. Each subsystem
is a public subpackage, imported on first use:

* :mod:`portkit.catalog`: curated annotations (categories, cleartext, TLS
  counterparts, risks) and the top-ports ranking's machinery.
* :mod:`portkit.identification`: banner, TLS and UDP probes that name services.
* :mod:`portkit.local`: this host's sockets and the exposure audit.
* :mod:`portkit.monitoring`: continuous checks, statistics and metrics.
* :mod:`portkit.pipelines`: whole columns and data frames (pandas, polars, pyarrow,
  DuckDB, Dask, Spark): the port table, enrichment, flow direction.
* :mod:`portkit.registries`: registry objects, loaders and updates.
* :mod:`portkit.exceptions`: every exception portkit raises.
* :mod:`portkit.strategies`: hypothesis strategies (needs hypothesis).

Everything else lives in private modules and may change without notice. Names that
moved keep working from here for one more release, with a :class:`DeprecationWarning`
that names their new home.
"""

from typing import TYPE_CHECKING as _TYPE_CHECKING
from typing import Any as _Any

from . import _public, exceptions
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
from ._spec import use_default_names as _use_default_names
from .exceptions import PortkitError
from .registries._data import default_registry as _default_registry
from .registries._model import PortStatus, Service
from .registries._shortcuts import lookup, port_of, search, services, status

# Service names in port specs resolve through the default registry unless the caller
# passes one; the models and the parser import no registry, so the package names it.
_use_default_names(_default_registry)

if _TYPE_CHECKING:
    from . import catalog as catalog
    from . import identification as identification
    from . import local as local
    from . import monitoring as monitoring
    from . import pipelines as pipelines
    from . import registries as registries
    from . import strategies as strategies
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
    from .catalog._top_ports import top_ports

    __version__: str

__all__ = [
    "EPHEMERAL_RANGES",
    "INVALID_CODE",
    "Endpoint",
    "PortClass",
    "PortRange",
    "PortSet",
    "PortSpec",
    "PortState",
    "PortStatus",
    "PortkitError",
    "Probe",
    "ProbeResult",
    "Protocol",
    "ScanResults",
    "Service",
    "TCPConnectProbe",
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
    "probe",
    "scan",
    "scan_sync",
    "search",
    "services",
    "status",
    "top_ports",
]

_public.rehome(globals(), __all__, __name__)

# The probing core and the top-ports ranking are imported on first use of one of
# their names, and the subpackages on first use of theirs, so that ``import portkit``
# stays light for programs that only classify and look up ports.
_LAZY_MODULES = ("._probe", ".catalog._top_ports")
_SUBPACKAGES = (
    "catalog",
    "identification",
    "local",
    "monitoring",
    "pipelines",
    "planning",
    "registries",
    "reports",
    "strategies",
)

#: Where each name that left the top level in 0.2 lives now.
_MOVED = {
    **{
        name: f"portkit.exceptions.{name}"
        for name in (
            "InvalidColumnError",
            "InvalidConfigError",
            "InvalidEndpointError",
            "InvalidOptionError",
            "InvalidPortError",
            "InvalidRuleError",
            "InvalidServiceNameError",
            "InvalidSpecError",
            "InvalidTargetError",
            "InvalidWeightsError",
            "LocalSocketsError",
            "RegistryFormatError",
            "RegistryUpdateError",
            "UnknownCheckError",
            "UnknownProtocolError",
            "UnknownServiceError",
            "UnknownSystemError",
        )
    },
    "InvalidCountError": "portkit.exceptions.InvalidOptionError",
    **{
        name: f"portkit.catalog.{name}"
        for name in (
            "Annotation",
            "Category",
            "Risk",
            "RiskKind",
            "Severity",
            "TopPort",
            "Weight",
            "annotation",
            "annotations",
            "annotations_on_port",
            "cleartext_counterpart",
            "is_cleartext",
            "read_weights",
            "risks_of",
            "tls_counterpart",
            "top_port_entries",
        )
    },
    **{
        name: f"portkit.identification.{name}"
        for name in (
            "BannerProbe",
            "Certificate",
            "Identification",
            "Rule",
            "RuleSet",
            "TLSInfo",
            "TLSProbe",
            "UDPProbe",
            "identify_rules",
        )
    },
    **{
        name: f"portkit.local.{name}"
        for name in (
            "AUDIT_RULES",
            "Allow",
            "AuditRule",
            "Exposure",
            "Finding",
            "LocalSocket",
            "Process",
            "TcpState",
            "audit",
            "connections",
            "listening",
        )
    },
    **{
        name: f"portkit.monitoring.{name}"
        for name in (
            "ChangeKind",
            "Check",
            "CheckResult",
            "CheckStats",
            "Health",
            "Monitor",
            "StateChange",
            "load_checks",
            "monitor",
        )
    },
    "IANA_CSV_URL": "portkit.registries.IANA_CSV_URL",
    "Registry": "portkit.registries.Registry",
    "registry": "portkit.registries.default",
    "update_registry": "portkit.registries.update_registry",
}


def __getattr__(name: str) -> _Any:
    if name == "__version__":
        # Read from the installed metadata on first use: importlib.metadata costs
        # more than the rest of ``import portkit``.
        from importlib.metadata import version

        return version("portkit")
    if name in _MOVED:
        return _public.moved(__name__, name, _MOVED)
    return _public.lazy_attribute(
        __name__,
        globals(),
        name,
        modules=_LAZY_MODULES,
        names=__all__,
        subpackages=_SUBPACKAGES,
    )


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__, *_SUBPACKAGES})
