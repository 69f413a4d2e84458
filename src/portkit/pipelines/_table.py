"""The port table: one row per port and protocol, the lookup every enrichment makes.

The table is built once per registry from the registry and the curated annotations,
and kept as numpy arrays: small integer codes into a vocabulary for text columns, so
that enriching a column is one gather per output column, and text is only ever made
as categorical/dictionary columns that share the vocabulary.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import attrs

from portkit._classify import EPHEMERAL_RANGES
from portkit._models import MAX_PORT, PortClass, Protocol
from portkit.catalog._annotations import annotation, annotations_on_port
from portkit.exceptions import InvalidOptionError, PortkitError, _rebuild
from portkit.registries._index import Registry
from portkit.registries._shortcuts import default

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl
    import pyarrow as pa

__all__ = [
    "COLUMNS",
    "PROTOCOLS",
    "Codes",
    "PortTable",
    "chunks",
    "codes_of",
    "ephemeral_column",
    "in_parallel",
    "large",
    "polars_column",
    "polars_dtype",
    "polars_enum",
    "polars_series",
    "polars_udf",
    "port_table",
]

#: The protocols of the table, in the order of their codes (0 tcp ... 3 dccp).
PROTOCOLS: tuple[Protocol, ...] = (Protocol.TCP, Protocol.UDP, Protocol.SCTP, Protocol.DCCP)
#: IP protocol numbers (as flow records carry them) of each protocol.
IP_NUMBERS = {6: Protocol.TCP, 17: Protocol.UDP, 132: Protocol.SCTP, 33: Protocol.DCCP}

_SEVERITIES = ("info", "low", "medium", "high", "critical")
_CLASSES = tuple(str(c) for c in PortClass)
_RFC6335 = tuple(c.rfc6335_name for c in PortClass)
_STATUSES = ("assigned", "reserved", "unassigned")
#: The registry's status codes (its index of statuses), as text.
_STATUS_BY_CODE = ("unassigned", "reserved", "assigned")


def _system_column(system: str) -> str:
    return "ephemeral_" + system.replace("-", "_")


#: Every column of the port table, in order, with what it holds.
COLUMNS: dict[str, str] = {
    "port": "the port number, 0-65535",
    "protocol": "tcp, udp, sctp or dccp",
    "class": "IANA's class: well-known, registered or dynamic",
    "rfc6335": "RFC 6335's name of the class (System Ports, User Ports, ...)",
    "service": "the primary service IANA assigns the port over the protocol, or null",
    "status": "IANA's status: assigned, reserved or unassigned",
    "category": "what the service is for (web, mail, database, ...), or null",
    "cleartext": "whether the service sends its data unencrypted, or null when unknown",
    "tls_counterpart": "the service name of the TLS variant (https for http), or null",
    "risk": "the highest severity of the service's known risks (info ... critical), or null",
    **{
        _system_column(name): f"whether the port lies in {name}'s ephemeral range ({rng})"
        for name, rng in EPHEMERAL_RANGES.items()
    },
}


@attrs.frozen(eq=False)
class Codes:
    """A text column as small integer codes into a vocabulary (-1 for null)."""

    codes: Any
    vocabulary: tuple[str, ...]
    ordered: bool = False
    #: Whether any code is -1: columns with none need no validity mask.
    has_nulls: bool = attrs.field(init=False)
    #: The codes as polars reads them, made on first use (see :meth:`polars_codes`).
    _polars: dict[str, Any] = attrs.field(init=False, factory=dict, repr=False)

    @has_nulls.default
    def _any_null(self) -> bool:
        import numpy as np

        return bool(np.any(self.codes < 0))

    def at(self, rows: Any, invalid: Any = None) -> tuple[Any, Any]:
        """The codes at *rows* and where they are null (None when nowhere)."""
        codes = self.codes[rows]
        nulls = (codes < 0) if self.has_nulls else None
        if invalid is not None:
            nulls = invalid if nulls is None else (nulls | invalid)
        return codes, nulls

    def polars_codes(self) -> Any:
        """The codes in the unsigned type of the vocabulary's polars Enum, null as the
        code just past the vocabulary's end: what polars turns into the Enum, nulls
        included, in one pass (``cat.to(strict=False)``)."""
        if "codes" not in self._polars:
            _, physical = polars_enum(self.vocabulary)
            if not self.has_nulls and self.codes.dtype.itemsize == physical.itemsize:
                codes = self.codes.view(physical)
            else:
                codes = self.codes.astype(physical)
                codes[self.codes < 0] = len(self.vocabulary)
            self._polars["codes"] = codes
        return self._polars["codes"]


def _coded(values: Sequence[str | None], fixed: Sequence[str] | None = None) -> Codes:
    import numpy as np

    vocab: dict[str, int] = {v: i for i, v in enumerate(fixed or ())}
    codes = np.empty(len(values), dtype=np.int16)
    for i, value in enumerate(values):
        if value is None:
            codes[i] = -1
        else:
            code = vocab.get(value)
            if code is None:
                code = vocab[value] = len(vocab)
            codes[i] = code
    if len(vocab) < 127:
        codes = codes.astype(np.int8)
    return Codes(codes, tuple(vocab), ordered=fixed is not None)


@functools.lru_cache(maxsize=8)
def _build(registry: Registry) -> dict[str, Any]:
    """Every column for all four protocols at once: index ``protocol * 65536 + port``."""
    import numpy as np

    size = MAX_PORT + 1
    ports = np.tile(np.arange(size, dtype=np.uint16), len(PROTOCOLS))
    protocol = np.repeat(np.arange(len(PROTOCOLS), dtype=np.int8), size)
    from portkit._classify import _table as class_table

    cls = np.tile(class_table().astype(np.int8), len(PROTOCOLS))
    services: list[str | None] = []
    statuses: list[str] = []
    categories: list[str | None] = []
    cleartext = np.zeros(size * len(PROTOCOLS), dtype=np.int8)  # -1 null, 0, 1
    tls: list[str | None] = []
    risk: list[str | None] = []
    by_name: dict[str, Any] = {}
    by_port: dict[tuple[int, Protocol], Any] = {}
    annotated = _annotated_ports()
    status_codes = registry._index_status() if registry._status is None else registry._status
    i = -1
    for proto in PROTOCOLS:
        primary = registry._primary[proto]
        status_map = status_codes[proto]
        for port in range(size):
            i += 1
            service = primary.get(port)
            name = service.name if service is not None else None
            services.append(name)
            statuses.append(_STATUS_BY_CODE[status_map[port]])
            note = None
            if name is not None:
                note = by_name.get(name, False)
                if note is False:
                    note = by_name[name] = annotation(name)
            if note is None and port in annotated:
                found = by_port.get((port, proto), False)
                if found is False:
                    usual = annotations_on_port(port, proto)
                    found = by_port[port, proto] = usual[0] if len(usual) == 1 else None
                note = found
            if note is None:
                categories.append(None)
                tls.append(None)
                risk.append(None)
                cleartext[i] = -1
            else:
                categories.append(str(note.category.value))
                tls.append(note.tls_counterpart)
                risk.append(_SEVERITIES[int(note.severity)])
                cleartext[i] = -1 if note.cleartext is None else int(note.cleartext)
    columns: dict[str, Any] = {
        "port": ports,
        "protocol": Codes(protocol, tuple(p.value for p in PROTOCOLS), ordered=False),
        "class": Codes(cls, _CLASSES, ordered=True),
        "rfc6335": Codes(cls, _RFC6335, ordered=True),
        "service": _coded(services),
        "status": _coded(statuses, _STATUSES),
        "category": _coded(categories),
        "cleartext": cleartext,
        "tls_counterpart": _coded(tls),
        "risk": _coded(risk, _SEVERITIES),
    }
    for name in EPHEMERAL_RANGES:
        columns[_system_column(name)] = np.tile(ephemeral_column(np.arange(size), name), 4)
    for value in columns.values():
        array = value.codes if isinstance(value, Codes) else value
        array.flags.writeable = False
    return columns


@functools.cache
def _annotated_ports() -> frozenset[int]:
    from portkit.catalog._annotations import annotations

    return frozenset(p for a in annotations() for p in a.ports)


def ephemeral_column(ports: Any, system: str | None) -> Any:
    """A bool array: which of *ports* (valid ints) lie in *system*'s ephemeral range."""
    from portkit._classify import ephemeral_range

    span = ephemeral_range(system)
    return (ports >= span.first) & (ports <= span.last)


def codes_of(registry: Registry | None = None) -> dict[str, Any]:
    """The table's columns for every protocol, indexed by ``protocol_code * 65536 + port``."""
    return _build(default() if registry is None else registry)


def _protocols_arg(protocol: Protocol | str | Sequence[Protocol | str] | None) -> list[int]:
    if protocol is None:
        return list(range(len(PROTOCOLS)))
    items = [protocol] if isinstance(protocol, (str, Protocol)) else list(protocol)
    return [PROTOCOLS.index(Protocol.parse(p)) for p in items]


@attrs.frozen(repr=False)
class PortTable:
    """The port table: one row per port for each chosen protocol.

    Every enrichment that :func:`portkit.pipelines.enrich` makes is a lookup into this
    table; engines that run no Python on their workers (SQL engines, Spark) can join
    against it instead. :data:`portkit.pipelines.COLUMNS` lists its columns.

    >>> from portkit.pipelines import port_table
    >>> table = port_table("tcp")
    >>> len(table), table.row(443)["service"], table.row(443)["category"]
    (65536, 'https', 'web')

    Attributes:
        protocols: The protocols the table holds, in its order (65,536 rows each).
        registry: The registry it was built from.

    .. versionadded:: 0.2
    """

    protocols: tuple[Protocol, ...]
    registry: Registry = attrs.field(eq=False)

    @property
    def columns(self) -> tuple[str, ...]:
        """The names of the columns, in order."""
        return tuple(COLUMNS)

    def __len__(self) -> int:
        return (MAX_PORT + 1) * len(self.protocols)

    def __repr__(self) -> str:
        names = ",".join(p.value for p in self.protocols)
        return f"<PortTable {names}: {len(self)} rows>"

    def _rows(self) -> Any:
        import numpy as np

        return np.concatenate(
            [np.arange(MAX_PORT + 1) + PROTOCOLS.index(p) * (MAX_PORT + 1)
             for p in self.protocols]
        )

    def row(self, port: int, protocol: Protocol | str | None = None) -> dict[str, Any]:
        """One row as a dict: *port* over *protocol* (the table's first by default).

        Raises:
            InvalidPortError: *port* is not a port.
            UnknownProtocolError: *protocol* is not tcp, udp, sctp or dccp.
        """
        from portkit._models import check_port

        port = check_port(port)
        proto = self.protocols[0] if protocol is None else Protocol.parse(protocol)
        index = PROTOCOLS.index(proto) * (MAX_PORT + 1) + port
        out: dict[str, Any] = {}
        for name, column in codes_of(self.registry).items():
            out[name] = _python_value(column, index)
        return out

    def to_arrow(self) -> pa.Table:
        """The table as a :class:`pyarrow.Table` (text as dictionary columns)."""
        import pyarrow as pa

        rows = self._rows()
        return pa.table({
            name: arrow_column(column, rows) for name, column in codes_of(self.registry).items()
        })

    def to_pandas(self) -> pd.DataFrame:
        """The table as a :class:`pandas.DataFrame` (text as categoricals)."""
        import pandas as pd

        rows = self._rows()
        return pd.DataFrame({
            name: pandas_column(column, rows) for name, column in codes_of(self.registry).items()
        })

    def to_polars(self) -> pl.DataFrame:
        """The table as a :class:`polars.DataFrame` (text as :class:`polars.Enum` columns)."""
        import polars as pl

        rows = self._rows()
        return pl.DataFrame([
            polars_column(name, column, rows) for name, column in codes_of(self.registry).items()
        ])


def _python_value(column: Any, index: int) -> Any:
    if isinstance(column, Codes):
        code = int(column.codes[index])
        return None if code < 0 else column.vocabulary[code]
    value = column[index]
    if value.dtype.kind == "i" and value.dtype.itemsize == 1:  # cleartext: -1 is null
        return None if value < 0 else bool(value)
    return value.item()


def port_table(
    protocol: Protocol | str | Sequence[Protocol | str] | None = "tcp",
    *,
    registry: Registry | None = None,
) -> PortTable:
    """The port table for *protocol*: 65,536 rows, one per port.

    Args:
        protocol: ``"tcp"``, ``"udp"``, ``"sctp"``, ``"dccp"``, a list of them, or
            None for all four (262,144 rows, tcp first).
        registry: The registry to describe; the default registry when None.

    Raises:
        UnknownProtocolError: *protocol* is not tcp, udp, sctp or dccp.

    .. versionadded:: 0.2
    """
    codes = _protocols_arg(protocol)
    if not codes:
        raise InvalidOptionError("protocol", protocol, "give at least one protocol")
    chosen = tuple(PROTOCOLS[c] for c in codes)
    return PortTable(chosen, default() if registry is None else registry)


# -- building output columns from the codes, per library ---------------------------------


@functools.lru_cache(maxsize=64)
def _pandas_dtype(vocabulary: tuple[str, ...], ordered: bool) -> Any:
    import pandas as pd

    return pd.CategoricalDtype(list(vocabulary), ordered=ordered)


def pandas_column(column: Any, rows: Any, invalid: Any = None, index: Any = None) -> Any:
    """The values of *column* at *rows* as a pandas column; null where *invalid*."""
    import numpy as np
    import pandas as pd

    if isinstance(column, Codes):
        codes = column.codes[rows]
        if invalid is not None:
            codes = codes | -invalid.view(np.int8)  # -1 where invalid: all bits set
        dtype = _pandas_dtype(column.vocabulary, column.ordered)
        cat = pd.Categorical.from_codes(codes, dtype=dtype, validate=False)
        return cat if index is None else pd.Series(cat, index=index, copy=False)
    values = column[rows]
    if values.dtype == np.int8:  # cleartext
        out: Any = pd.arrays.BooleanArray(values > 0, (values < 0) if invalid is None
                                          else (values < 0) | invalid)
    elif values.dtype == np.bool_:
        out = values if invalid is None else pd.arrays.BooleanArray(values, invalid)
    else:
        out = values if invalid is None else pd.arrays.IntegerArray(values, invalid)
    return out if index is None else pd.Series(out, index=index, copy=False)


def arrow_column(column: Any, rows: Any, invalid: Any = None) -> Any:
    """The values of *column* at *rows* as a pyarrow array; null where *invalid*."""
    import numpy as np
    import pyarrow as pa

    if isinstance(column, Codes):
        codes, nulls = column.at(rows, invalid)
        return pa.DictionaryArray.from_arrays(
            _masked(codes, nulls), _arrow_vocabulary(column.vocabulary),
            ordered=column.ordered, safe=False,
        )
    values = column[rows]
    if values.dtype == np.int8:
        nulls = values < 0
        if invalid is not None:
            nulls |= invalid
        return _masked(values > 0, nulls)
    return _masked(values, invalid)


def _masked(values: Any, nulls: Any) -> Any:
    """*values* (a 1-D numpy array) as a pyarrow array, null where *nulls* is True.

    Builds the validity bitmap with numpy: several times faster than handing pyarrow
    a bool mask.
    """
    import numpy as np
    import pyarrow as pa

    if values.dtype == np.bool_:
        data = pa.py_buffer(np.packbits(values, bitorder="little"))
    else:
        values = np.ascontiguousarray(values)
        data = pa.py_buffer(values)
    count = int(np.count_nonzero(nulls)) if nulls is not None else 0
    validity = pa.py_buffer(np.packbits(~nulls, bitorder="little")) if count else None
    return pa.Array.from_buffers(
        pa.from_numpy_dtype(values.dtype), len(values), [validity, data], null_count=count
    )


@functools.lru_cache(maxsize=64)
def _arrow_vocabulary(vocabulary: tuple[str, ...]) -> Any:
    import pyarrow as pa

    return pa.array(vocabulary, type=pa.string())


@functools.lru_cache(maxsize=64)
def polars_enum(vocabulary: tuple[str, ...]) -> Any:
    """The polars Enum of *vocabulary*, and the numpy type of its physical codes."""
    import polars as pl

    dtype = pl.Enum(list(vocabulary))
    return dtype, pl.Series([], dtype=dtype).to_physical().to_numpy().dtype


@functools.cache
def _polars_from_codes() -> bool:
    """Whether this polars builds an Enum from its physical codes (``Series.cat.to``)."""
    import polars as pl

    return hasattr(type(pl.Series([], dtype=pl.Categorical).cat), "to")


def polars_column(name: str, column: Any, rows: Any, invalid: Any = None) -> Any:
    """The values of *column* at *rows* as a polars Series; null where *invalid*.

    Text becomes a :class:`polars.Enum` of the column's vocabulary in one pass of
    polars over the gathered codes, nulls included (:meth:`Codes.polars_codes`).
    """
    if not isinstance(column, Codes):
        return polars_series(name, arrow_column(column, rows, invalid))
    import numpy as np
    import polars as pl

    dtype, _ = polars_enum(column.vocabulary)
    if not _polars_from_codes():
        # polars before 1.43: through an Arrow dictionary, then to the Enum.
        return polars_series(name, arrow_column(column, rows, invalid)).cast(dtype)
    codes = column.polars_codes()[rows]
    if invalid is not None:
        # The null code, the largest, where invalid: branch-free, a few times the
        # speed of np.where or a masked assignment.
        past_end = codes.dtype.type(len(column.vocabulary))
        codes = np.maximum(codes, invalid.view(np.uint8) * past_end)
    return pl.Series(name, codes).cat.to(dtype, strict=False)


def polars_series(name: str, array: Any) -> Any:
    """A polars Series of *array* (pyarrow); dictionary arrays become categoricals."""
    import polars as pl

    return pl.from_arrow(array).alias(name)  # type: ignore[union-attr]


def polars_udf(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """*fn* for ``map_batches``, so that portkit's errors leave a polars query as themselves.

    polars may rebuild an exception raised inside a query as ``type(error)(message)``:
    1.39 to 1.44 in every query, 2.x in eager ones (``DataFrame.select``), which
    portkit's exceptions, built from their parts, cannot take (a TypeError came out
    instead). So the error is raised as a subclass of its own type that also takes a
    message, and keeps every attribute whether polars rebuilds it or not.
    """

    def run(series: Any) -> Any:
        try:
            return fn(series)
        except PortkitError as error:
            raise rebuildable(error) from None

    return run


def rebuildable(error: PortkitError) -> PortkitError:
    """*error* as an instance of a subclass of its type whose constructor takes a
    message and restores *error*'s attributes; it pickles as *error*'s own type."""
    cls = type(error)
    state = dict(vars(error))

    def __init__(self: PortkitError, message: str = str(error)) -> None:
        BaseException.__init__(self, message)
        self.__dict__.update(state)

    def __reduce__(self: PortkitError) -> tuple[Any, ...]:
        return _rebuild, (cls, self.args, self.__dict__)

    carried = type(cls.__name__, (cls,), {
        "__init__": __init__, "__reduce__": __reduce__,
        "__module__": cls.__module__, "__qualname__": cls.__qualname__,
    })
    result: PortkitError = carried()
    return result


def polars_dtype(column: Any) -> Any:
    """The polars type :func:`polars_column` makes of *column*."""
    import polars as pl

    if isinstance(column, Codes):
        return polars_enum(column.vocabulary)[0]
    return pl.Boolean


def numpy_column(column: Any, rows: Any, invalid: Any = None) -> Any:
    """The values of *column* at *rows* as numpy: text as object arrays (None for null)."""
    import numpy as np

    if isinstance(column, Codes):
        vocab = np.array([*column.vocabulary, None], dtype=object)
        codes = column.codes[rows].astype(np.intp)
        codes[codes < 0] = len(column.vocabulary)
        if invalid is not None:
            codes[invalid] = len(column.vocabulary)
        return vocab[codes]
    values = column[rows]
    if values.dtype == np.int8 or invalid is not None:
        out: Any = values.astype(object)
        if values.dtype == np.int8:
            out = np.where(values < 0, np.array(None, dtype=object), values > 0)
        if invalid is not None:
            out[invalid] = None
        return out
    return values


# -- building large columns in parallel chunks --------------------------------------------

#: Columns of at least this many rows are built in chunks, one per core, in threads:
#: numpy's gathers and polars' conversions release the GIL.
PARALLEL_ROWS = 1 << 21


def _workers() -> int:
    return min(os.cpu_count() or 1, 8)


def large(size: int) -> bool:
    """Whether *size* rows are worth building in threads: many rows, several cores."""
    return size >= PARALLEL_ROWS and _workers() >= 2


def chunks(size: int) -> list[slice]:
    """Slices that split *size* rows into one chunk per core (one slice when small)."""
    if not large(size):
        return [slice(None)]
    step = -(-size // _workers())
    return [slice(start, start + step) for start in range(0, size, step)]


_pool_state: dict[str, Any] = {"pool": None, "lock": threading.Lock()}


def _pool() -> ThreadPoolExecutor:
    """This process's threads, started on first use."""
    with _pool_state["lock"]:
        if _pool_state["pool"] is None:
            _pool_state["pool"] = ThreadPoolExecutor(_workers(), thread_name_prefix="portkit")
        pool: ThreadPoolExecutor = _pool_state["pool"]
        return pool


def _forget_pool() -> None:
    """In a child made by fork: none of the parent's threads exist there, and a pool
    inherited from the parent would wait for them forever; start afresh."""
    _pool_state.update(pool=None, lock=threading.Lock())


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)


def in_parallel(jobs: Sequence[Callable[[], Any]]) -> list[Any]:
    """The results of *jobs*, in order: run in portkit's threads when there are several."""
    if len(jobs) < 2:
        return [job() for job in jobs]
    return [future.result() for future in [_pool().submit(job) for job in jobs]]
