"""Service identification: banner rules, the banner, TLS and UDP probes. Public names
are re-exported by :mod:`portkit`."""

from __future__ import annotations

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
    "Rule",
    "RuleSet",
    "TLSInfo",
    "TLSProbe",
    "UDPProbe",
    "identify_rules",
]
