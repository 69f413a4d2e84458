"""portkit's curated knowledge of services, beyond what IANA registers.

Annotations give well-known services a :class:`Category`, say whether they speak
cleartext, name their TLS (or cleartext) counterparts and list their risks, each with
its reason. The top-ports ranking (:func:`portkit.top_ports`) orders the ports most
worth checking first; :func:`top_port_entries` gives each place with its reason, and
:func:`read_weights` reads a user's own ranking::

    >>> from portkit.catalog import is_cleartext, tls_counterpart
    >>> tls_counterpart("imap"), is_cleartext("telnet")
    ('imaps', True)

.. versionadded:: 0.2
   The package; its names were at portkit's top level in 0.1.
"""

from portkit._public import rehome as _rehome
from portkit.exceptions import InvalidWeightsError

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
from ._top_ports import TopPort, Weight, read_weights, top_port_entries

__all__ = [
    "Annotation",
    "Category",
    "InvalidWeightsError",
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
]

_rehome(globals(), __all__, __name__)
