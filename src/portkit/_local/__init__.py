"""This host's sockets: enumeration, classification and the exposure audit."""

from __future__ import annotations

from ._audit import AUDIT_RULES, Allow, AuditRule, Finding, audit
from ._models import Exposure, LocalSocket, Process, TcpState
from ._sockets import connections, listening

__all__ = [
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
]
