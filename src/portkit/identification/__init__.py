r"""Service identification: what speaks on an open port, and what its TLS looks like.

:class:`BannerProbe` reads what a service says (or sends it a hello) and names it with
a :class:`RuleSet`; :class:`TLSProbe` shakes hands and reports the :class:`TLSInfo`
and :class:`Certificate`; :class:`UDPProbe` sends protocol payloads to UDP ports.
Each is a :class:`portkit.Probe`, so :func:`portkit.scan` runs it like any other::

    >>> from portkit.identification import BannerProbe, identify_rules
    >>> identify_rules().identify(b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n").service
    'ssh'

.. versionadded:: 0.2
   The package; its names were at portkit's top level in 0.1.
"""

from __future__ import annotations

from portkit._public import rehome as _rehome
from portkit.exceptions import InvalidRuleError

from ._banner import BannerProbe
from ._builtin import identify_rules
from ._identification import Identification
from ._rules import Rule, RuleSet
from ._tls import TLSInfo, TLSProbe
from ._udp import UDPProbe
from ._x509 import Certificate

__all__ = [
    "BannerProbe",
    "Certificate",
    "Identification",
    "InvalidRuleError",
    "Rule",
    "RuleSet",
    "TLSInfo",
    "TLSProbe",
    "UDPProbe",
    "identify_rules",
]

_rehome(globals(), __all__, __name__)
