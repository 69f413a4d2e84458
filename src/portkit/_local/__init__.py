"""This host's sockets: enumeration, classification and the exposure audit."""

from __future__ import annotations

from ._audit import AUDIT_RULES, Allow, Finding, Rule, audit
from ._models import Exposure, LocalSocket, Process, TcpState
from ._sockets import connections, listening

__all__ = [
    "AUDIT_RULES",
    "Allow",
    "Exposure",
    "Finding",
    "LocalSocket",
    "Process",
    "Rule",
    "TcpState",
    "audit",
    "connections",
    "listening",
]
