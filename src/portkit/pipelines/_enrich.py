"""Whole-frame enrichment: add looked-up columns to a data frame of any engine.

The work is one numpy gather per output column into the port table
(:mod:`portkit.pipelines._table`); each engine gets it its own way: in-process frames
(pandas, polars, pyarrow) directly, polars lazy frames through ``map_batches``, Dask
per partition, DuckDB through a join on the port table in SQL, and
Spark through a broadcast join on the port table, so that Spark's workers run no
Python of ours.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any, Literal

import attrs

from portkit._classify import Column, _check_errors, port_index, raise_invalid
from portkit._models import MAX_PORT, Protocol
from portkit.exceptions import InvalidColumnError, InvalidOptionError, UnknownProtocolError
from portkit.registries._index import Registry

from ._table import (
    COLUMNS,
    IP_NUMBERS,
    PROTOCOLS,
    arrow_column,
    chunks,
    codes_of,
    ephemeral_column,
    in_parallel,
    large,
    numpy_column,
    pandas_column,
    polars_column,
)

__all__ = [
    "ENRICH_COLUMNS", "Enrichment", "enrich", "frame_kind", "lookup_column", "lookup_rows",
    "protocol_codes"
]

#: The columns :func:`enrich` can add: every column of the port table but ``port`` and
#: ``protocol``, and ``ephemeral`` (against the range of the ``system`` argument).
ENRICH_COLUMNS: tuple[str, ...] = (
    *(name for name in COLUMNS if name not in ("port", "protocol")),
    "ephemeral",
)

_PROTOCOL_RULE = (
    "a protocol is tcp, udp, sctp or dccp (any case) or its IP protocol number 6, 17, "
    "132 or 33"
)


def frame_kind(frame: object) -> str:
    """Which engine *frame* belongs to; raises :class:`InvalidOptionError` for others."""
    typ = type(frame)
    module = typ.__module__.partition(".")[0]
    name = typ.__name__
    kinds = {
        ("pandas", "DataFrame"): "pandas",
        ("polars", "DataFrame"): "polars",
        ("polars", "LazyFrame"): "polars-lazy",
        ("pyarrow", "Table"): "arrow",
        ("duckdb", "DuckDBPyRelation"): "duckdb",
        ("_duckdb", "DuckDBPyRelation"): "duckdb",
        ("dask", "DataFrame"): "dask",
        ("dask_expr", "DataFrame"): "dask",
        ("pyspark", "DataFrame"): "spark",
    }
    kind = kinds.get((module, name))
    if kind is None:
        raise InvalidOptionError(
            "frame",
            typ.__qualname__,
            "a frame is a pandas, polars (eager or lazy), pyarrow, DuckDB, Dask or "
            "PySpark DataFrame",
        )
    return kind


def _protocol_of(value: object) -> int:
    """The code (0 tcp ... 3 dccp) of one protocol value, or -1."""
    if value is None:
        return -1
    if isinstance(value, bool):
        return -1
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit() and text.isascii():
            value = int(text)
        else:
            try:
                return PROTOCOLS.index(Protocol.parse(text))
            except (UnknownProtocolError, ValueError):
                return -1
    try:
        number = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        return -1
    if number != value:
        return -1
    proto = IP_NUMBERS.get(number)
    return -1 if proto is None else PROTOCOLS.index(proto)


def protocol_codes(column: Column) -> Any:
    """The protocol code (0 tcp ... 3 dccp, -1 invalid) of each value of *column*."""
    import numpy as np

    kind = column.value_kind
    if kind in "iu":
        values = column.values
        lut = np.full(256, -1, dtype=np.int8)
        for number, proto in IP_NUMBERS.items():
            lut[number] = PROTOCOLS.index(proto)
        inside = (values >= 0) & (values <= 255)
        codes = lut[np.where(inside, values, 0)]
        codes[~inside] = -1
    else:
        uniques, inverse = _factorize(column)
        lut = np.array([_protocol_of(u) for u in uniques] + [-1], dtype=np.int8)
        codes = lut[inverse]
    if column.missing is not None:
        codes[column.missing] = -1
    return codes


def _factorize(column: Column) -> tuple[list[Any], Any]:
    """Distinct values and, per row, the index of its value (-1 for missing)."""
    import numpy as np

    source = column.source
    if column.kind == "pandas":
        import pandas as pd

        codes, uniques = pd.factorize(source, use_na_sentinel=True)
        return list(uniques), codes
    if column.kind == "polars":
        import polars as pl

        present = source.drop_nulls().unique(maintain_order=True).to_list()
        codes = source.replace_strict(
            present, list(range(len(present))), default=-1, return_dtype=pl.Int64
        ).fill_null(-1).to_numpy()
        return present, codes
    if column.kind == "pyarrow":
        import pyarrow as pa
        import pyarrow.compute as pc

        array = source.combine_chunks() if isinstance(source, pa.ChunkedArray) else source
        encoded = pc.dictionary_encode(array)
        indices = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False)
        return encoded.dictionary.to_pylist(), indices
    flat = column.values.ravel()
    uniques_list: list[Any] = []
    seen: dict[Any, int] = {}
    codes = np.empty(flat.size, dtype=np.int64)
    for i, value in enumerate(flat.tolist()):
        key = (type(value), value)
        code = seen.get(key)
        if code is None:
            code = seen[key] = len(uniques_list)
            uniques_list.append(value)
        codes[i] = code
    return uniques_list, codes


def _check_columns(columns: Sequence[str]) -> tuple[str, ...]:
    if isinstance(columns, str):
        columns = (columns,)
    chosen = tuple(columns)
    unknown = [c for c in chosen if c not in ENRICH_COLUMNS]
    if unknown or not chosen:
        raise InvalidOptionError(
            "columns",
            unknown[0] if unknown else chosen,
            f"choose one or more of {', '.join(ENRICH_COLUMNS)}",
        )
    return chosen


def lookup_rows(
    ports: Column,
    protocols: Column | Protocol | str,
    *,
    errors: str,
    port_label: str,
    protocol_label: str | None,
) -> tuple[Any, Any, Any]:
    """Rows of the port table for each entry: ``(rows, port index, invalid or None)``.

    Raises :class:`InvalidColumnError` for invalid ports (naming *port_label*) or
    protocols (naming *protocol_label*) under ``errors="raise"``.
    """
    import numpy as np

    index, valid = port_index(ports.values, ports.missing)
    if isinstance(protocols, Column):
        codes = protocol_codes(protocols)
        bad_protocol = codes < 0
        if errors == "raise" and bad_protocol.any():
            positions = np.flatnonzero(bad_protocol)
            missing = None if protocols.missing is None else protocols.missing[positions]
            raise InvalidColumnError(
                positions, protocols.values_at(positions), column=protocol_label,
                rule=_PROTOCOL_RULE, missing=missing,
            )
        if valid is not None and errors == "raise":
            raise_invalid(ports, valid, port_label)
        rows = codes.astype(np.intp) * (MAX_PORT + 1) + index
        invalid = bad_protocol if valid is None else (bad_protocol | ~valid)
        if bad_protocol.any():
            rows[bad_protocol] = index[bad_protocol]
        else:
            invalid = None if valid is None else ~valid
    else:
        if valid is not None and errors == "raise":
            raise_invalid(ports, valid, port_label)
        code = PROTOCOLS.index(Protocol.parse(protocols))
        rows = index + code * (MAX_PORT + 1) if code else index
        invalid = None if valid is None else ~valid
    return rows, index, invalid


def _outputs(
    kind: str,
    ports: Column,
    protocols: Column | Protocol | str,
    columns: tuple[str, ...],
    *,
    names: dict[str, str],
    system: str | None,
    errors: str,
    registry: Registry | None,
    port_label: str,
    protocol_label: str | None,
    index: Any = None,
    parallel: bool = False,
) -> dict[str, Any]:
    """The new columns, built for *kind* (``pandas``, ``polars``, ``arrow`` or ``numpy``).

    With *parallel*, large columns are built in threads: pandas columns one per thread,
    polars and pyarrow columns in chunks, which come back chunked (a pyarrow
    ChunkedArray). Small ones are built here, with no thread handoff.
    """
    table = codes_of(registry)
    rows, port_idx, invalid = lookup_rows(
        ports, protocols, errors=errors, port_label=port_label, protocol_label=protocol_label
    )
    threads = parallel and large(len(port_idx))
    parts = chunks(len(port_idx)) if threads and kind in ("polars", "arrow") else [slice(None)]

    def job(name: str, part: slice) -> Callable[[], Any]:
        if name == "ephemeral":
            column, at = ephemeral_column(port_idx[part], system), slice(None)
        else:
            column, at = table[name], rows[part]
        nulls = None if invalid is None else invalid[part]
        if kind == "pandas":
            return functools.partial(pandas_column, column, at, nulls, index=index)
        if kind == "polars":
            return functools.partial(polars_column, names[name], column, at, nulls)
        return functools.partial(arrow_column if kind == "arrow" else numpy_column,
                                 column, at, nulls)

    jobs = [job(name, part) for name in columns for part in parts]
    built = in_parallel(jobs) if threads else [run() for run in jobs]
    out: dict[str, Any] = {}
    for i, name in enumerate(columns):
        pieces = built[i * len(parts):(i + 1) * len(parts)]
        out[names[name]] = pieces[0] if len(pieces) == 1 else _joined(kind, pieces)
    return out


def _joined(kind: str, pieces: list[Any]) -> Any:
    """Chunks of one column as one chunked column, without copying."""
    if kind == "polars":
        import polars as pl

        return pl.concat(pieces, rechunk=False)
    import pyarrow as pa

    return pa.chunked_array(pieces)


def enrich(
    frame: Any,
    port: str,
    *,
    protocol: Protocol | str = "tcp",
    protocol_column: str | None = None,
    columns: Sequence[str] = ("class", "service"),
    system: str | None = "iana",
    prefix: str | None = None,
    errors: Literal["raise", "coerce"] = "raise",
    registry: Registry | None = None,
    connection: Any = None,
) -> Any:
    """Add looked-up columns about the ports in one column of *frame*.

    Returns a new frame of the same kind, with the chosen *columns* added (named
    ``<prefix><column>``); *frame* itself is never changed, so a failed call leaves
    nothing half-written. Engines that are lazy stay lazy:

    ============================ ====================================================
    frame                        how
    ============================ ====================================================
    pandas, polars, pyarrow      vectorised lookups in the port table, in process
    polars ``LazyFrame``         the same, inside the query plan (``map_batches``)
    Dask DataFrame               the same, per partition (``map_partitions``)
    DuckDB relation              SQL: a join on the port table registered on
                                 *connection* (see :func:`register_duckdb`)
    PySpark DataFrame            a broadcast join on the port table: no Python of
                                 portkit runs on the workers
    ============================ ====================================================

    >>> import pandas as pd
    >>> from portkit.pipelines import enrich
    >>> flows = pd.DataFrame({"dst": [443, 53, 50000], "proto": ["tcp", 17, "tcp"]})
    >>> enrich(flows, "dst", protocol_column="proto", columns=["class", "service"])
         dst proto   dst_class dst_service
    0    443   tcp  well-known       https
    1     53    17  well-known      domain
    2  50000   tcp     dynamic         NaN

    Args:
        frame: The data frame.
        port: The name of its port column: ints, or floats holding whole numbers;
            NaN/NA/null are invalid.
        protocol: The protocol of every row (when *protocol_column* is None).
        protocol_column: The name of a column giving each row's protocol, as a name
            (``"tcp"``, any case) or an IP protocol number (6, 17, 132, 33).
        columns: Which columns to add: any of :data:`ENRICH_COLUMNS`. Text comes as
            categorical (pandas, polars) or dictionary (pyarrow) columns.
        system: For the ``ephemeral`` column: a name from
            :data:`portkit.EPHEMERAL_RANGES`, or None for this host's range.
        prefix: Put before each new column's name; ``"<port>_"`` by default.
        errors: ``"raise"`` (the default) raises on invalid ports or protocols;
            ``"coerce"`` gives nulls in their rows instead.
        registry: The registry to look up; the default registry when None.
        connection: DuckDB only: the connection *frame* belongs to (DuckDB's default
            connection when None).

    Returns:
        A new frame of the same kind as *frame*.

    Raises:
        InvalidColumnError: Some ports or protocols are invalid (under
            ``errors="raise"``); names the column and the rows (positions from 0;
            lazy engines raise when the result is computed).
        InvalidOptionError: *frame* is not a supported frame, a column is missing or
            not a column of ports, a new column's name is taken, or *columns* names
            an unknown column.
        UnknownProtocolError: *protocol* is not a protocol.
        UnknownSystemError: *system* is not a known name.

    .. versionadded:: 0.2
    """
    _check_errors(errors)
    kind = frame_kind(frame)
    chosen = _check_columns(columns)
    fixed = Protocol.parse(protocol)
    if system is not None or "ephemeral" in chosen:
        from portkit._classify import ephemeral_range

        ephemeral_range(system)
    head = f"{port}_" if prefix is None else prefix
    names = {c: f"{head}{c}" for c in chosen}
    existing = _column_names(frame, kind)
    wanted = [port] if protocol_column is None else [port, protocol_column]
    for name in wanted:
        if name not in existing:
            raise InvalidOptionError(
                "column", name, f"no such column in the frame; it has {_listing(existing)}"
            )
    taken = [n for n in names.values() if n in existing]
    if taken:
        raise InvalidOptionError(
            "prefix", head, f"the frame already has a column named {taken[0]!r}; give "
            "another prefix"
        )
    from . import _engines

    job = Enrichment(port=port, protocol=fixed, protocol_column=protocol_column,
                     columns=chosen, names=names, system=system, errors=errors,
                     registry=registry, connection=connection)
    return _engines.ENRICHERS[kind](frame, job)


@attrs.frozen(eq=False)
class Enrichment:
    """One call of :func:`enrich`, checked: what every engine is handed with the frame."""

    port: str
    protocol: Protocol
    protocol_column: str | None
    columns: tuple[str, ...]
    #: The new column's name for each of *columns*.
    names: dict[str, str]
    system: str | None
    errors: str
    registry: Registry | None
    connection: Any

    def outputs(self, kind: str, ports: Column, protocols: Column | Protocol,
                index: Any = None) -> dict[str, Any]:
        """The new columns for a frame of *kind* in process, built in parallel chunks
        when large (see :func:`_outputs`)."""
        return _outputs(
            kind, ports, protocols, self.columns, names=self.names, system=self.system,
            errors=self.errors, registry=self.registry, port_label=self.port,
            protocol_label=self.protocol_column, index=index, parallel=True,
        )


def _listing(names: Sequence[str]) -> str:
    shown = ", ".join(repr(n) for n in list(names)[:20])
    return shown + (f" and {len(names) - 20} more" if len(names) > 20 else "")


def _column_names(frame: Any, kind: str) -> list[str]:
    if kind == "polars-lazy":
        return list(frame.collect_schema().names())
    if kind == "arrow":
        return list(frame.column_names)
    return [str(c) for c in frame.columns]


def source_column(frame: Any, name: str, kind: str) -> Column:
    """The column *name* of an in-process frame, taken apart."""
    try:
        series = frame[name] if kind != "arrow" else frame.column(name)
        return Column(series, name)
    except InvalidColumnError:
        raise
    except Exception as e:  # pragma: no cover - each library has its own error
        raise InvalidOptionError("column", name, f"not a column of the frame: {e}") from None


def check_kind(column: Column, name: str) -> None:
    """Refuse columns that can hold no ports at all (text, dates) by their type."""
    kind = column.values.dtype.kind
    if kind == "O":
        for row, value in enumerate(column.values.ravel().tolist()):
            if isinstance(value, (str, bytes)):
                raise InvalidOptionError(
                    "column", name, f"a port column holds ints (or whole floats), not text "
                    f"({value!r} at row {row})"
                )
    if kind not in "iufO":
        raise InvalidOptionError(
            "column", name, f"a port column holds ints (or whole floats), not {column.values.dtype}"
        )


def lookup_column(
    ports: Any,
    name: str,
    *,
    protocol: Protocol | str = "tcp",
    system: str | None = "iana",
    errors: str = "raise",
    registry: Registry | None = None,
) -> Any:
    """One column of :data:`ENRICH_COLUMNS` for a pandas, polars or pyarrow column of ports."""
    _check_errors(errors)
    (name,) = _check_columns([name])
    column = Column(ports)
    label = column.name if column.name is not None else "ports"
    if column.kind == "pandas":
        out = _outputs(
            "pandas", column, Protocol.parse(protocol), (name,), names={name: name},
            system=system, errors=errors, registry=registry, port_label=label,
            protocol_label=None, index=ports.index,
        )[name]
        return out.rename(ports.name)
    build = {"polars": "polars", "numpy": "numpy"}.get(column.kind, "arrow")
    name_out = str(getattr(ports, "name", name) or "")
    (out,) = _outputs(
        build, column, Protocol.parse(protocol), (name,), names={name: name_out},
        system=system, errors=errors, registry=registry, port_label=label, protocol_label=None,
    ).values()
    return out
