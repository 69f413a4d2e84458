"""Service identification: banner rules, the banner, TLS and UDP probes. Public names
are re-exported by :mod:`portkit`."""

from __future__ import annotations

from ._banner import BannerProbe
from ._identification import Identification
from ._rules import Rule, RuleSet, identify_rules

__all__ = ["BannerProbe", "Identification", "Rule", "RuleSet", "identify_rules"]
