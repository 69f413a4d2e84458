"""This host's sockets: enumeration, classification and the exposure audit."""

from __future__ import annotations

from ._models import Exposure, LocalSocket, Process, TcpState
from ._sockets import connections, listening

__all__ = ["Exposure", "LocalSocket", "Process", "TcpState", "connections", "listening"]
