"""This host's sockets: listening sockets and connections, their owners, the audit.

:func:`listening` and :func:`connections` read this host's socket tables (from
``/proc`` on Linux, through psutil elsewhere) into :class:`LocalSocket` values, each
with its owning :class:`Process` and :class:`Exposure`; :func:`audit` turns what is
exposed into :class:`Finding` values, with :class:`Allow` rules for what is meant to
be there::

    >>> from portkit.local import Exposure, listening
    >>> all(isinstance(s.exposure, Exposure) for s in listening())
    True

.. versionadded:: 0.2
   The package; its names were at portkit's top level in 0.1.
"""

from __future__ import annotations

from portkit._public import rehome as _rehome
from portkit.exceptions import LocalSocketsError

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
    "LocalSocketsError",
    "Process",
    "TcpState",
    "audit",
    "connections",
    "listening",
]

_rehome(globals(), __all__, __name__)
