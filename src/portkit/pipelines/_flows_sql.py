"""Flow direction on engines that take SQL expressions: DuckDB relations and Spark.

The rules are those of :mod:`portkit.pipelines._flows`, written once as SQL ``CASE``
expressions over five inputs: the two ports (NULL when invalid), whether the protocol
is known, and whether each port has a service assigned (from the port table).
"""

from __future__ import annotations

from typing import Any

from portkit._classify import ephemeral_range
from portkit._models import MAX_PORT, Protocol
from portkit.exceptions import InvalidOptionError
from portkit.registries._index import Registry

from ._table import IP_NUMBERS, PROTOCOLS

__all__ = ["duckdb_flows", "spark_flows"]

_S, _D, _P = "__portkit_src__", "__portkit_dst__", "__portkit_protocol__"
_SA, _DA = "__portkit_src_assigned__", "__portkit_dst_assigned__"
_REASON = "__portkit_reason__"
_PORT_RULE = "a port is an int from 0 to 65535"


def _reason(system: str | None) -> str:
    span = ephemeral_range(system)
    known = ", ".join(f"'{p.value}'" for p in PROTOCOLS)

    def eph(c: str) -> str:
        return f"({c} BETWEEN {span.first} AND {span.last})"

    return (
        f"CASE WHEN {_S} IS NULL OR {_D} IS NULL OR {_P} IS NULL OR {_P} NOT IN ({known}) "
        f"THEN 'invalid' "
        f"WHEN {_S} = {_D} THEN 'same-port' "
        f"WHEN ({_S} < 1024) <> ({_D} < 1024) THEN 'well-known' "
        f"WHEN {eph(_S)} <> {eph(_D)} THEN 'ephemeral' "
        f"WHEN {_SA} <> {_DA} THEN 'registered-service' "
        f"WHEN {_SA} AND {_DA} THEN 'lower-port' "
        f"ELSE 'no-service' END"
    )


def _outputs(system: str | None, prefix: str) -> list[tuple[str, str]]:
    span = ephemeral_range(system)
    src_server = (
        f"CASE {_REASON} WHEN 'well-known' THEN {_S} < 1024 "
        f"WHEN 'ephemeral' THEN ({_D} BETWEEN {span.first} AND {span.last}) "
        f"WHEN 'registered-service' THEN {_SA} "
        f"WHEN 'lower-port' THEN {_S} < {_D} END"
    )
    direction = (
        f"CASE WHEN {_REASON} IN ('invalid', 'same-port', 'no-service') THEN 'unknown' "
        f"WHEN {src_server} THEN 'server-to-client' ELSE 'client-to-server' END"
    )
    unknown = f"{_REASON} IN ('invalid', 'same-port', 'no-service')"
    return [
        (f"{prefix}server_port",
         f"CASE WHEN {unknown} THEN NULL WHEN {src_server} THEN {_S} ELSE {_D} END"),
        (f"{prefix}client_port",
         f"CASE WHEN {unknown} THEN NULL WHEN {src_server} THEN {_D} ELSE {_S} END"),
        (f"{prefix}direction", direction),
        (f"{prefix}direction_reason", _REASON),
    ]


def _quote(name: str, mark: str) -> str:
    return mark + name.replace(mark, mark + mark) + mark


def _text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _port(column: str, exact: bool, errors: str, mark: str) -> str:
    """A port column as BIGINT, NULL (or an error) where it holds no port."""
    c = _quote(column, mark)
    ok = f"({c} BETWEEN 0 AND {MAX_PORT}" + ("" if exact else f" AND {c} = floor({c})") + ")"
    if errors == "raise":
        fail = (f"raise_error(concat('invalid port ', coalesce(CAST({c} AS STRING), 'NULL'), "
                f"' in column ', {_text(repr(column))}, ': {_PORT_RULE}'))") if mark == "`" \
            else (f"error('invalid port ' || coalesce(CAST({c} AS VARCHAR), 'NULL') || "
                  f"' in column ' || {_text(repr(column))} || ': {_PORT_RULE}')")
        return f"(CASE WHEN {ok} THEN CAST({c} AS BIGINT) ELSE {fail} END)"
    return f"(CASE WHEN {ok} THEN CAST({c} AS BIGINT) END)"


def _protocol(fixed: Protocol, column: str | None, errors: str, mark: str) -> str:
    if column is None:
        return f"'{fixed.value}'"
    text = f"lower(trim(CAST({_quote(column, mark)} AS STRING)))"
    if mark == '"':
        text = text.replace("AS STRING", "AS VARCHAR")
    numbers = " ".join(f"WHEN '{n}' THEN '{p.value}'" for n, p in IP_NUMBERS.items())
    named = f"(CASE {text} {numbers} ELSE {text} END)"
    if errors != "raise":
        return named
    known = ", ".join(f"'{p.value}'" for p in PROTOCOLS)
    message = f"'invalid protocol in column ' || {_text(repr(column))}"
    fail = (f"raise_error(concat('invalid protocol in column ', {_text(repr(column))}))"
            if mark == "`" else f"error({message})")
    return f"(CASE WHEN {named} IN ({known}) THEN {named} ELSE {fail} END)"


def duckdb_flows(
    frame: Any, src: str, dst: str, fixed: Protocol, protocol_column: str | None, *,
    system: str | None, errors: str, registry: Registry | None, prefix: str, connection: Any,
) -> Any:
    """Flow direction on a DuckDB relation, as SQL on its connection."""
    from ._engines import register_table

    types = dict(zip(frame.columns, (str(t) for t in frame.types), strict=True))
    for name in (src, dst):
        if not any(k in types[name] for k in ("INT", "DOUBLE", "FLOAT", "DECIMAL", "NULL")):
            raise InvalidOptionError(
                "column", name, f"a port column holds ints (or whole floats), not {types[name]}"
            )
    register_table(connection, registry)
    s = _port(src, "INT" in types[src], errors, '"')
    d = _port(dst, "INT" in types[dst], errors, '"')
    p = _protocol(fixed, protocol_column, errors, '"')
    keyed = f"SELECT *, {s} AS {_S}, {d} AS {_D}, {p} AS {_P} FROM portkit_input"
    flagged = (
        f"SELECT k.*, coalesce(ts.status = 'assigned', false) AS {_SA}, "
        f"coalesce(td.status = 'assigned', false) AS {_DA} FROM ({keyed}) k "
        f"LEFT JOIN portkit_ports ts ON ts.port = k.{_S} AND ts.protocol = k.{_P} "
        f"LEFT JOIN portkit_ports td ON td.port = k.{_D} AND td.protocol = k.{_P}"
    )
    reasoned = f"SELECT *, {_reason(system)} AS {_REASON} FROM ({flagged})"
    items = ", ".join(f"{expr} AS {_quote(name, chr(34))}" for name, expr in
                      _outputs(system, prefix))
    sql = (f"SELECT * EXCLUDE ({_S}, {_D}, {_P}, {_SA}, {_DA}, {_REASON}), {items} "
           f"FROM ({reasoned})")
    return frame.query("portkit_input", sql)


def spark_flows(
    frame: Any, src: str, dst: str, fixed: Protocol, protocol_column: str | None, *,
    system: str | None, errors: str, registry: Registry | None, prefix: str, connection: Any,
) -> Any:
    """Flow direction on a PySpark frame: column expressions and two broadcast joins."""
    import numpy as np
    import pyarrow as pa
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    from ._table import codes_of

    numeric = (T.ByteType, T.ShortType, T.IntegerType, T.LongType, T.FloatType, T.DoubleType,
               T.DecimalType, T.NullType)
    exact = {}
    for name in (src, dst):
        dtype = frame.schema[name].dataType
        if not isinstance(dtype, numeric):
            raise InvalidOptionError(
                "column", name,
                f"a port column holds ints (or whole floats), not {dtype.simpleString()}",
            )
        exact[name] = isinstance(dtype, (T.ByteType, T.ShortType, T.IntegerType, T.LongType))
    status = codes_of(registry)["status"]
    assigned = np.flatnonzero(status.codes == status.vocabulary.index("assigned"))
    keys = frame.sparkSession.createDataFrame(pa.table({
        "__portkit_key__": pa.array(assigned.astype(np.int64)),
        "__portkit_flag__": pa.array(np.ones(len(assigned), dtype=bool)),
    }))
    code = " ".join(f"WHEN '{p.value}' THEN {i}" for i, p in enumerate(PROTOCOLS))
    out = (
        frame.withColumn(_S, F.expr(_port(src, exact[src], errors, "`")))
        .withColumn(_D, F.expr(_port(dst, exact[dst], errors, "`")))
        .withColumn(_P, F.expr(_protocol(fixed, protocol_column, errors, "`")))
    )
    for side, flag in ((_S, _SA), (_D, _DA)):
        key = F.expr(f"CASE {_P} {code} END") * (MAX_PORT + 1) + F.col(side)
        out = (
            out.withColumn("__portkit_key__", key)
            .join(F.broadcast(keys), on="__portkit_key__", how="left")
            .withColumn(flag, F.coalesce(F.col("__portkit_flag__"), F.lit(False)))
            .drop("__portkit_key__", "__portkit_flag__")
        )
    out = out.withColumn(_REASON, F.expr(_reason(system)))
    for name, expr in _outputs(system, prefix):
        out = out.withColumn(name, F.expr(expr))
    return out.drop(_S, _D, _P, _SA, _DA, _REASON)
