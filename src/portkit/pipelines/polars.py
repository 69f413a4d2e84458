"""Importing this module registers a ``ports`` namespace on polars expressions and Series.

    >>> import polars as pl
    >>> import portkit.pipelines.polars  # noqa: F401 (registers .ports)
    >>> df = pl.DataFrame({"dport": [22, 443, 50000]})
    >>> df.select(pl.col("dport").ports.service()).to_series().to_list()
    ['ssh', 'https', None]
    >>> df.select(pl.col("dport").ports.classify()).to_series().to_list()
    [0, 0, 2]

The expressions work in lazy queries too; see :class:`PortsNamespace`.

.. versionadded:: 0.2
"""

from __future__ import annotations

from typing import Any, Literal

import polars as pl

from portkit._classify import classify_many as _classify_many
from portkit._classify import is_ephemeral_many as _is_ephemeral_many
from portkit._models import Protocol as _Protocol
from portkit._public import rehome as _rehome

from ._enrich import _check_columns
from ._enrich import lookup_column as _lookup_column
from ._table import codes_of as _codes_of
from ._table import polars_dtype as _polars_dtype
from ._table import polars_udf as _polars_udf

__all__ = ["PortsNamespace"]

_Errors = Literal["raise", "coerce"]


class PortsNamespace:
    """``Expr.ports`` and ``Series.ports``: port lookups in polars.

    .. versionadded:: 0.2
    """

    def __init__(self, target: Any) -> None:
        self._target = target

    def _apply(self, fn: Any, dtype: Any) -> Any:
        if isinstance(self._target, pl.Series):
            return fn(self._target)
        return self._target.map_batches(_polars_udf(fn), return_dtype=dtype)

    def classify(self, *, errors: _Errors = "raise") -> Any:
        """IANA class codes (``UInt8``); see :func:`portkit.classify_many`."""
        return self._apply(lambda s: _classify_many(s, errors=errors), pl.UInt8)

    def is_ephemeral(self, system: str | None = "iana", *, errors: _Errors = "raise") -> Any:
        """Whether each port is ephemeral; see :func:`portkit.pipelines.is_ephemeral_many`."""
        return self._apply(lambda s: _is_ephemeral_many(s, system, errors=errors), pl.Boolean)

    def service(self, protocol: _Protocol | str = "tcp", *, errors: _Errors = "raise") -> Any:
        """The primary service name of each port (categorical; null where none)."""
        return self.lookup("service", protocol=protocol, errors=errors)

    def lookup(
        self,
        column: str,
        *,
        protocol: _Protocol | str = "tcp",
        system: str | None = "iana",
        errors: _Errors = "raise",
    ) -> Any:
        """Any column of :data:`portkit.pipelines.ENRICH_COLUMNS` for each port."""
        (column,) = _check_columns([column])
        dtype = pl.Boolean if column == "ephemeral" else _polars_dtype(_codes_of()[column])
        return self._apply(
            lambda s: _lookup_column(s, column, protocol=protocol, system=system, errors=errors),
            dtype,
        )


pl.api.register_expr_namespace("ports")(PortsNamespace)
pl.api.register_series_namespace("ports")(PortsNamespace)

_rehome(globals(), __all__, __name__)
