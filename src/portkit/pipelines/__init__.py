"""Ports in data pipelines: whole columns, whole frames, flow direction, many engines.

Everything here is vectorised: a column of ten million ports costs a few numpy
gathers, never a Python loop. :func:`port_table` is the table that every lookup reads
(65,536 rows per protocol); :func:`enrich` adds columns from it to a pandas, polars,
pyarrow, DuckDB, Dask or PySpark frame; :func:`flow_direction` says which side of a
flow is the service::

    >>> import pandas as pd
    >>> from portkit.pipelines import enrich
    >>> flows = pd.DataFrame({"dport": [22, 8080]})
    >>> enrich(flows, "dport", columns=["service"])["dport_service"].tolist()
    ['ssh', 'http-alt']

Importing :mod:`portkit.pipelines.pandas` registers a ``ports`` accessor on pandas
Series; importing :mod:`portkit.pipelines.polars` registers a ``ports`` namespace on
polars expressions and Series. Nothing here imports pandas, polars, pyarrow, DuckDB,
Dask or Spark until a call needs one; install them with the extras ``pandas``,
``polars``, ``arrow``, ``duckdb``, ``dask``, ``spark`` or ``pipelines`` (all).

.. versionadded:: 0.2
"""

from portkit._classify import is_ephemeral_many
from portkit._public import rehome as _rehome

from ._engines import register_duckdb
from ._enrich import ENRICH_COLUMNS, enrich
from ._flows import DIRECTIONS, REASONS, add_flow_direction, flow_direction
from ._table import COLUMNS, PortTable, port_table

__all__ = [
    "COLUMNS",
    "DIRECTIONS",
    "ENRICH_COLUMNS",
    "REASONS",
    "PortTable",
    "add_flow_direction",
    "enrich",
    "flow_direction",
    "is_ephemeral_many",
    "port_table",
    "register_duckdb",
]

_rehome(globals(), __all__, __name__)
