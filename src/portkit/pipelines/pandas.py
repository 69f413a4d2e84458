"""Importing this module registers a ``ports`` accessor on pandas Series.

    >>> import pandas as pd
    >>> import portkit.pipelines.pandas  # noqa: F401 (registers .ports)
    >>> s = pd.Series([22, 443, 50000], name="dport")
    >>> s.ports.service().tolist()
    ['ssh', 'https', nan]
    >>> s.ports.classify().tolist()
    [0, 0, 2]

Every method takes ``errors="raise"`` or ``"coerce"`` and returns a Series with the
same index; see :class:`PortsAccessor`.

.. versionadded:: 0.2
"""

from __future__ import annotations

from typing import Literal

import pandas as pd

from portkit._classify import classify_many as _classify_many
from portkit._classify import is_ephemeral_many as _is_ephemeral_many
from portkit._models import Protocol as _Protocol
from portkit._public import rehome as _rehome

from ._enrich import lookup_column as _lookup_column

__all__ = ["PortsAccessor"]

_Errors = Literal["raise", "coerce"]


class PortsAccessor:
    """``Series.ports``: port lookups on a pandas Series of port numbers.

    .. versionadded:: 0.2
    """

    def __init__(self, series: pd.Series) -> None:
        self._series = series

    def classify(self, *, errors: _Errors = "raise") -> pd.Series:
        """IANA class codes (``uint8``); see :func:`portkit.classify_many`."""
        return _classify_many(self._series, errors=errors)

    def is_ephemeral(self, system: str | None = "iana", *, errors: _Errors = "raise") -> pd.Series:
        """Whether each port is ephemeral; see :func:`portkit.pipelines.is_ephemeral_many`."""
        return _is_ephemeral_many(self._series, system, errors=errors)

    def service(self, protocol: _Protocol | str = "tcp", *, errors: _Errors = "raise") -> pd.Series:
        """The primary service name of each port (categorical; NaN where none)."""
        return self.lookup("service", protocol=protocol, errors=errors)

    def lookup(
        self,
        column: str,
        *,
        protocol: _Protocol | str = "tcp",
        system: str | None = "iana",
        errors: _Errors = "raise",
    ) -> pd.Series:
        """Any column of :data:`portkit.pipelines.ENRICH_COLUMNS` for each port."""
        return _lookup_column(
            self._series, column, protocol=protocol, system=system, errors=errors
        )


pd.api.extensions.register_series_accessor("ports")(PortsAccessor)

_rehome(globals(), __all__, __name__)
