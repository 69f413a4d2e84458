"""How :func:`portkit.pipelines.enrich` runs on each engine."""

from __future__ import annotations

import contextlib
import functools
import importlib
from collections.abc import Callable
from typing import Any

from portkit._classify import Column, ephemeral_range
from portkit._models import MAX_PORT, Protocol
from portkit.exceptions import InvalidOptionError
from portkit.registries._index import Registry

from ._enrich import _PROTOCOL_RULE, Enrichment, check_kind, source_column
from ._table import IP_NUMBERS, PROTOCOLS, Codes, codes_of, polars_dtype, polars_udf, port_table

__all__ = ["ENRICHERS", "register_duckdb"]


def _in_process(kind: str) -> Callable[..., Any]:
    def run(frame: Any, job: Enrichment) -> Any:
        ports = source_column(frame, job.port, kind)
        check_kind(ports, job.port)
        protocols: Column | Protocol = (
            job.protocol if job.protocol_column is None
            else source_column(frame, job.protocol_column, kind)
        )
        new = job.outputs(kind, ports, protocols, frame.index if kind == "pandas" else None)
        if kind == "pandas":
            return frame.assign(**new)
        if kind == "arrow":
            for name, array in new.items():
                frame = frame.append_column(name, array)
            return frame

        return frame.with_columns(list(new.values()))

    return run


def _polars_lazy(frame: Any, job: Enrichment) -> Any:
    import polars as pl

    table = codes_of(job.registry)
    fields = {
        job.names[c]: pl.Boolean if c == "ephemeral" else polars_dtype(table[c])
        for c in job.columns
    }
    dtypes = frame.collect_schema()
    if not (dtypes[job.port].is_numeric() or dtypes[job.port] == pl.Null):
        raise InvalidOptionError(
            "column", job.port,
            f"a port column holds ints (or whole floats), not {dtypes[job.port]}",
        )
    carrier = "__portkit_enrich__"

    def batch(series: pl.Series) -> pl.Series:
        ports = Column(series.struct.field(job.port), job.port)
        protocols: Column | Protocol = (
            job.protocol if job.protocol_column is None
            else Column(series.struct.field(job.protocol_column), job.protocol_column)
        )
        new = job.outputs("polars", ports, protocols)
        return pl.DataFrame(list(new.values())).to_struct(carrier)

    inputs = [job.port] if job.protocol_column is None else [job.port, job.protocol_column]
    expr = pl.struct(inputs).map_batches(polars_udf(batch), return_dtype=pl.Struct(fields))
    return frame.with_columns(expr.alias(carrier)).unnest(carrier)


def _dask(frame: Any, job: Enrichment) -> Any:
    first = job.columns[0]
    options: dict[str, Any] = {
        "protocol": job.protocol,
        "protocol_column": job.protocol_column,
        "columns": job.columns,
        "system": job.system,
        "errors": job.errors,
        "registry": job.registry,
        "prefix": job.names[first][: len(job.names[first]) - len(first)],
    }
    meta = _enrich_partition(frame._meta, job.port, options)
    # The partitions match meta exactly, so Dask need not check each one.
    return frame.map_partitions(
        _enrich_partition, job.port, options, meta=meta, enforce_metadata=False
    )


def _enrich_partition(part: Any, port: str, options: dict[str, Any]) -> Any:
    """Enrich one pandas partition of a Dask frame (a module-level function, so that
    workers get it by reference rather than as a pickled closure)."""
    from ._enrich import enrich

    return enrich(part, port, **options)


# -- DuckDB ----------------------------------------------------------------------------

_DUCKDB_TEXT = ("service", "status", "category", "tls_counterpart", "risk")


def _duckdb_protocols(values: Any) -> Any:
    import pyarrow as pa

    if pa.types.is_integer(values.type):
        return Column(values, "protocol")
    return Column(values.cast(pa.string()), "protocol")


def register_duckdb(
    connection: Any = None, *, registry: Registry | None = None, errors: str = "coerce"
) -> Any:
    """Register portkit's SQL functions and the ``portkit_ports`` table on a DuckDB connection.

    Functions (vectorised, over Arrow batches): ``port_class(p)`` and
    ``port_rfc6335(p)``; ``port_service(p, proto)``, ``port_status(p, proto)``,
    ``port_category(p, proto)``, ``port_cleartext(p, proto)``,
    ``port_tls_counterpart(p, proto)`` and ``port_risk(p, proto)``, where *proto* is a
    name (``'tcp'``) or an IP protocol number as text (``'6'``; cast numbers with
    ``CAST(n AS VARCHAR)``); ``port_ephemeral(p, system)``. An invalid port or
    protocol gives NULL. ``portkit_ports`` is the port table of every protocol
    (:func:`port_table`), for joins.

    >>> import duckdb
    >>> from portkit.pipelines import register_duckdb
    >>> con = register_duckdb(duckdb.connect())
    >>> con.sql("SELECT port_class(22), port_service(53, 'udp'), port_service(99999, 'tcp')"
    ...         ).fetchall()
    [('well-known', 'domain', None)]

    Args:
        connection: A DuckDB connection; DuckDB's default connection when None.
        registry: The registry to look up; the default registry when None.
        errors: ``"coerce"`` (NULL for invalid input, as SQL functions do) or
            ``"raise"`` (the query fails, naming the value).

    Returns:
        The connection.

    .. versionadded:: 0.2
    """
    import duckdb
    import pyarrow as pa

    con: Any = duckdb.default_connection() if connection is None else connection
    from ._enrich import _outputs as outputs

    def one(name: str, with_protocol: bool) -> Callable[..., Any]:
        def lookup(ports: Any, protocols: Any) -> Any:
            proto: Column | Protocol = (
                _duckdb_protocols(protocols) if protocols is not None else Protocol.TCP
            )
            new = outputs(
                "arrow", Column(ports, "p"), proto, (name,), names={name: name},
                system=None, errors=errors, registry=registry, port_label="p",
                protocol_label="proto",
            )
            array = new[name]
            return array.dictionary_decode() if isinstance(array, pa.DictionaryArray) else array

        if with_protocol:
            return lookup

        def by_port(ports: Any) -> Any:
            return lookup(ports, None)

        return by_port

    def ephemeral(ports: Any, systems: Any) -> Any:
        import numpy as np

        column = Column(ports, "p")
        from portkit._classify import port_index, raise_invalid

        index, valid = port_index(column.values, column.missing)
        names = systems.to_pylist()
        out = np.zeros(len(index), dtype=bool)
        for system in set(names):
            span = ephemeral_range(system)
            rows = np.array([n == system for n in names])
            out[rows] = (index[rows] >= span.first) & (index[rows] <= span.last)
        if valid is not None and errors == "raise":
            raise_invalid(column, valid, "p")
        return pa.array(out, mask=None if valid is None else ~valid)

    try:
        t: Any = importlib.import_module("duckdb.sqltypes")
    except ImportError:  # DuckDB before 1.4 names them duckdb.typing
        t = importlib.import_module("duckdb.typing")

    def add(name: str, fn: Callable[..., Any], params: list[Any], result: Any) -> None:
        with contextlib.suppress(Exception):  # not registered yet
            con.remove_function(name)
        con.create_function(
            name, fn, params, result, type="arrow", null_handling="special",
            side_effects=False,
        )

    add("port_class", one("class", False), [t.BIGINT], t.VARCHAR)
    add("port_rfc6335", one("rfc6335", False), [t.BIGINT], t.VARCHAR)
    for name in (*_DUCKDB_TEXT, "cleartext"):
        result = t.BOOLEAN if name == "cleartext" else t.VARCHAR
        add(f"port_{name}", one(name, True), [t.BIGINT, t.VARCHAR], result)
    add("port_ephemeral", ephemeral, [t.BIGINT, t.VARCHAR], t.BOOLEAN)
    register_table(con, registry)
    return con


def register_table(connection: Any, registry: Registry | None) -> Any:
    """Register (or renew) the ``portkit_ports`` table on a DuckDB connection.

    Only the table: the functions a user registered, with their ``errors`` choice,
    are left alone.
    """
    import duckdb

    con: Any = duckdb.default_connection() if connection is None else connection
    con.register("portkit_ports", _ports_arrow(registry))
    return con


@functools.lru_cache(maxsize=4)
def _ports_arrow(registry: Registry | None) -> Any:
    """The port table of every protocol as Arrow, text as plain strings (for SQL)."""
    import pyarrow as pa

    ports = port_table(None, registry=registry).to_arrow()
    return pa.table({
        n: (c.cast(pa.string()) if pa.types.is_dictionary(c.type) else c)
        for n, c in zip(ports.column_names, ports.columns, strict=True)
    })


def _sql_name(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _duckdb(frame: Any, job: Enrichment) -> Any:
    import duckdb

    types = dict(zip(frame.columns, (str(t) for t in frame.types), strict=True))
    if not any(k in types[job.port] for k in ("INT", "DOUBLE", "FLOAT", "DECIMAL", "NULL")):
        raise InvalidOptionError(
            "column", job.port, f"a port column holds ints (or whole floats), not {types[job.port]}"
        )
    register_table(job.connection, job.registry)
    column = _sql_name(job.port)
    p = f"CAST({column} AS BIGINT)"
    ok = f"({column} BETWEEN 0 AND {MAX_PORT})"
    if "INT" not in types[job.port]:
        # Whole floats only: anything else must not be rounded into a port.
        ok = f"({ok} AND {column} = floor({column}))"
    proto = (
        f"'{job.protocol.value}'" if job.protocol_column is None
        else f"lower(trim(CAST({_sql_name(job.protocol_column)} AS VARCHAR)))"
    )
    known = ", ".join(
        f"'{text}'" for number, proto_ in IP_NUMBERS.items() for text in (proto_.value, number)
    )
    if job.errors == "raise":
        rule = "a port is an int from 0 to 65535"
        p = (f"(CASE WHEN {ok} THEN {p} ELSE error('invalid port ' || "
             f"coalesce(CAST({column} AS VARCHAR), 'NULL') || ' in column ' || "
             f"{_sql_text(repr(job.port))} || ': {rule}') END)")
        if job.protocol_column is not None:
            proto = (f"(CASE WHEN {proto} IN ({known}) THEN {proto} ELSE error('invalid "
                     f"protocol ' || coalesce({proto}, 'NULL') || ' in column ' || "
                     f"{_sql_text(repr(job.protocol_column))} || ': {_PROTOCOL_RULE}') END)")
    else:
        p = f"(CASE WHEN {ok} THEN {p} END)"
    # One join on the port table (DuckDB's own vectorised hash join), and the class,
    # RFC 6335 name and ephemeral flag as expressions on the port.
    numbers = " ".join(
        f"WHEN '{number}' THEN '{proto_.value}'" for number, proto_ in IP_NUMBERS.items()
    )
    key_port, key_proto = "__portkit_port__", "__portkit_protocol__"
    keyed = (f"SELECT *, {p} AS {key_port}, CASE {proto} {numbers} ELSE {proto} END "
             f"AS {key_proto} FROM portkit_input")
    q = f"k.{key_port}"
    items = []
    for name in job.columns:
        if name in ("class", "rfc6335"):
            texts = _CLASS_TEXT if name == "class" else _RFC6335_TEXT
            expr = (f"CASE WHEN {q} < 1024 THEN '{texts[0]}' WHEN {q} < 49152 THEN "
                    f"'{texts[1]}' WHEN {q} <= {MAX_PORT} THEN '{texts[2]}' END")
        elif name == "ephemeral":
            span = ephemeral_range(job.system)
            expr = f"(CASE WHEN {q} IS NOT NULL THEN {q} BETWEEN {span.first} AND {span.last} END)"
        else:
            expr = f"t.{_sql_name(name)}"
        items.append(f"{expr} AS {_sql_name(job.names[name])}")
    sql = (
        f"SELECT k.* EXCLUDE ({key_port}, {key_proto}), {', '.join(items)} "
        f"FROM ({keyed}) k LEFT JOIN portkit_ports t "
        f"ON t.port = k.{key_port} AND t.protocol = k.{key_proto}"
    )
    try:
        return frame.query("portkit_input", sql)
    except duckdb.CatalogException as e:
        raise InvalidOptionError(
            "connection", job.connection, f"the relation belongs to another DuckDB connection: "
            f"pass it as connection= ({e})"
        ) from None


# -- Spark -----------------------------------------------------------------------------


def _spark(frame: Any, job: Enrichment) -> Any:
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    dtype = frame.schema[job.port].dataType
    numeric = (T.ByteType, T.ShortType, T.IntegerType, T.LongType, T.FloatType, T.DoubleType,
               T.DecimalType, T.NullType)
    if not isinstance(dtype, numeric):
        raise InvalidOptionError(
            "column", job.port,
            f"a port column holds ints (or whole floats), not {dtype.simpleString()}",
        )
    p = F.col(job.port)
    port_ok = p.isNotNull() & (p >= 0) & (p <= MAX_PORT) & (p == F.floor(p))
    if job.protocol_column is None:
        code = F.lit(PROTOCOLS.index(job.protocol))
    else:
        text = F.lower(F.trim(F.col(job.protocol_column).cast("string")))
        code = F.lit(None).cast("int")
        for number, proto in IP_NUMBERS.items():
            index = PROTOCOLS.index(proto)
            code = F.when(text.isin(proto.value, str(number)), F.lit(index)).otherwise(code)
    ok = port_ok & code.isNotNull()
    key = (code.cast("long") * (MAX_PORT + 1) + p.cast("long"))
    if job.errors == "raise":
        message = F.concat(
            F.lit(f"invalid port or protocol in column {job.port!r}"
                  + (f" / {job.protocol_column!r}" if job.protocol_column else "") + ": "),
            F.coalesce(p.cast("string"), F.lit("null")),
            *([F.lit("/"), F.coalesce(F.col(job.protocol_column).cast("string"), F.lit("null"))]
              if job.protocol_column else []),
        )
        key = F.when(ok, key).otherwise(F.raise_error(message).cast("long"))
    else:
        key = F.when(ok, key)
    carrier = "__portkit_row__"
    out = frame.withColumn(carrier, key)
    valid = F.col(carrier).isNotNull()
    for name, texts in (("class", _CLASS_TEXT), ("rfc6335", _RFC6335_TEXT)):
        if name in job.columns:
            out = out.withColumn(
                job.names[name],
                F.when(valid & (p < 1024), F.lit(texts[0]))
                .when(valid & (p < 49152), F.lit(texts[1]))
                .when(valid, F.lit(texts[2])),
            )
    looked = [c for c in job.columns if c not in ("ephemeral", "class", "rfc6335")]
    if looked:
        out = out.join(
            F.broadcast(_spark_table(frame.sparkSession, looked, job.names, carrier, job.registry)),
            on=carrier,
            how="left",
        )
        if "status" in looked:
            out = out.withColumn(
                job.names["status"], F.when(valid, F.coalesce(F.col(job.names["status"]),
                                                          F.lit("unassigned")))
            )
    if "ephemeral" in job.columns:
        span = ephemeral_range(job.system)
        out = out.withColumn(
            job.names["ephemeral"],
            F.when(F.col(carrier).isNotNull(), (p >= span.first) & (p <= span.last)),
        )
    ordered = [*frame.columns, *(job.names[c] for c in job.columns)]
    return out.select(*ordered)


_CLASS_TEXT = ("well-known", "registered", "dynamic")
_RFC6335_TEXT = ("System Ports", "User Ports", "Dynamic and/or Private Ports")


def _spark_table(
    spark: Any, looked: list[str], names: dict[str, str], carrier: str, registry: Registry | None
) -> Any:
    """The rows of the port table that hold anything for *looked*, as a Spark frame.

    Ports with nothing to say (no service, no annotation; most of the 262,144 rows)
    are left out: the left join gives them nulls, and unassigned for ``status``.
    """
    import numpy as np
    import pyarrow as pa

    from ._table import numpy_column

    table = codes_of(registry)
    keep = np.zeros((MAX_PORT + 1) * len(PROTOCOLS), dtype=bool)
    for name in looked:
        column = table[name]
        if name == "status":
            keep |= column.codes != column.vocabulary.index("unassigned")
        elif isinstance(column, Codes):
            keep |= column.codes >= 0
        else:
            keep |= column >= 0
    rows = np.flatnonzero(keep)
    data = {carrier: pa.array(rows.astype(np.int64))}
    for name in looked:
        values = numpy_column(table[name], rows)
        data[names[name]] = pa.array(values.tolist())
    return spark.createDataFrame(pa.table(data))


ENRICHERS: dict[str, Callable[..., Any]] = {
    "pandas": _in_process("pandas"),
    "polars": _in_process("polars"),
    "arrow": _in_process("arrow"),
    "polars-lazy": _polars_lazy,
    "dask": _dask,
    "duckdb": _duckdb,
    "spark": _spark,
}
