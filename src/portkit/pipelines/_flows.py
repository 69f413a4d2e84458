"""Flow direction: which side of a flow record is the service, vectorised.

The rules, in the order they are tried; the first that tells the sides apart decides:

1. ``invalid``: a port or the protocol is invalid (only under ``errors="coerce"``):
   unknown.
2. ``same-port``: both ports are the same (DNS server to server on 53, NTP on 123):
   unknown.
3. ``well-known``: exactly one port is well-known (0-1023): that side is the server.
4. ``ephemeral``: exactly one port lies in the ephemeral range of the chosen system:
   the other side is the server.
5. ``registered-service``: exactly one port has a service assigned in the registry
   (for the flow's protocol): that side is the server.
6. ``lower-port``: both ports have services assigned: the lower port is the server
   (DHCP's 68 to 67).
7. ``no-service``: neither port has a service: unknown (ephemeral to ephemeral).
"""

from __future__ import annotations

import functools
from typing import Any, Literal

from portkit._classify import Column, _check_errors, ephemeral_range, port_index, raise_invalid
from portkit._models import MAX_PORT, Protocol
from portkit.exceptions import InvalidOptionError
from portkit.registries._index import Registry

from ._enrich import (
    _column_names,
    _listing,
    check_kind,
    frame_kind,
    protocol_codes,
    source_column,
)
from ._table import (
    PROTOCOLS,
    Codes,
    arrow_column,
    codes_of,
    numpy_column,
    pandas_column,
    polars_column,
    polars_enum,
    polars_udf,
)

__all__ = ["DIRECTIONS", "REASONS", "add_flow_direction", "direction_codes", "flow_direction"]

#: The values of the direction column: the destination is the server, the source is
#: the server, or no rule could tell.
DIRECTIONS: tuple[str, ...] = ("client-to-server", "server-to-client", "unknown")
#: The reasons, in the order the rules are tried (see :func:`flow_direction`).
REASONS: tuple[str, ...] = (
    "invalid",
    "same-port",
    "well-known",
    "ephemeral",
    "registered-service",
    "lower-port",
    "no-service",
)

_TO, _FROM, _UNKNOWN = 0, 1, 2


def direction_codes(
    src: Column,
    dst: Column,
    protocols: Column | Protocol,
    *,
    system: str | None,
    errors: str,
    registry: Registry | None,
    labels: tuple[str, str, str | None],
) -> tuple[Any, Any, Any, Any]:
    """``(direction, reason, src ports, dst ports)`` as numpy arrays of codes and ints."""
    import numpy as np

    s, s_valid = port_index(src.values, src.missing)
    d, d_valid = port_index(dst.values, dst.missing)
    if isinstance(protocols, Column):
        codes = protocol_codes(protocols)
        bad_proto = codes < 0
        if errors == "raise" and bad_proto.any():
            from ._enrich import lookup_rows

            lookup_rows(src, protocols, errors="raise", port_label=labels[0],
                        protocol_label=labels[2])
        offset: Any = np.where(bad_proto, 0, codes).astype(np.intp) * (MAX_PORT + 1)
    else:
        bad_proto = None
        offset = PROTOCOLS.index(Protocol.parse(protocols)) * (MAX_PORT + 1)
    if errors == "raise":
        if s_valid is not None:
            raise_invalid(src, s_valid, labels[0])
        if d_valid is not None:
            raise_invalid(dst, d_valid, labels[1])
    span = ephemeral_range(system)
    traits = _traits(codes_of(registry)["status"], span.first, span.last)
    key = traits[s + offset].astype(np.uint16)
    key |= traits[d + offset].astype(np.uint16) << 3
    key |= (s == d).astype(np.uint16) << 6
    key |= (s < d).astype(np.uint16) << 7
    for part in (s_valid, d_valid):
        if part is not None:
            key |= (~part).astype(np.uint16) << 8
    if bad_proto is not None:
        key |= bad_proto.astype(np.uint16) << 8
    reasons, directions = _rules()
    return directions[key], reasons[key], s, d


@functools.lru_cache(maxsize=16)
def _traits(status: Codes, first: int, last: int) -> Any:
    """Per port of each protocol, the rules' three questions as bits.

    Bit 0: well-known; bit 1: in the ephemeral range *first*-*last*; bit 2: a service
    is assigned (the *status* column says so).
    """
    import numpy as np

    ports = np.tile(np.arange(MAX_PORT + 1), len(PROTOCOLS))
    assigned = status.codes == status.vocabulary.index("assigned")
    traits = (
        (ports < 1024).astype(np.uint8)
        | (((ports >= first) & (ports <= last)).astype(np.uint8) << 1)
        | (assigned.astype(np.uint8) << 2)
    )
    traits.flags.writeable = False
    return traits


@functools.cache
def _rules() -> tuple[Any, Any]:
    """The reason and the direction for each of the 512 combinations of the rules' inputs.

    A flow's key holds the source's traits (bits 0-2, see :func:`_traits`), the
    destination's (bits 3-5), whether the ports are the same (6), whether the source's
    is the lower (7), and whether a value is invalid (8); the rules below are the
    module's, tried in order, applied once to every key.
    """
    import numpy as np

    key = np.arange(512)

    def bit(n: int) -> Any:
        return (key >> n) & 1 == 1

    s_wk, s_eph, s_assigned, d_wk, d_eph, d_assigned = (bit(n) for n in range(6))
    same, s_lower, invalid = bit(6), bit(7), bit(8)
    conditions = [
        invalid,
        same,
        s_wk != d_wk,
        s_eph != d_eph,
        s_assigned != d_assigned,
        s_assigned & d_assigned,
    ]
    reason = np.select(conditions, np.arange(6), default=6).astype(np.int8)
    src_is_server = np.select(conditions[2:], [s_wk, d_eph, s_assigned, s_lower], default=False)
    direction = np.where(src_is_server, _FROM, _TO).astype(np.int8)
    direction[(reason <= 1) | (reason == 6)] = _UNKNOWN
    reason.flags.writeable = False
    direction.flags.writeable = False
    return reason, direction


def flow_direction(
    src: Any,
    dst: Any,
    *,
    protocol: Protocol | str | Any = "tcp",
    system: str | None = "iana",
    errors: Literal["raise", "coerce"] = "raise",
    registry: Registry | None = None,
) -> tuple[Any, Any]:
    """Which side of each flow is the service: the direction and the rule that decided.

    The rules, tried in order (the first that tells the sides apart decides):
    ``invalid`` (a value is invalid, under ``errors="coerce"``), ``same-port``
    (unknown), ``well-known`` (exactly one port is 0-1023: it is the server),
    ``ephemeral`` (exactly one port is in *system*'s ephemeral range: the other is the
    server), ``registered-service`` (exactly one port has a registered service: it is
    the server), ``lower-port`` (both do: the lower is the server), ``no-service``
    (neither does: unknown).

    >>> import numpy as np
    >>> from portkit.pipelines import flow_direction
    >>> direction, reason = flow_direction(np.array([51514, 80, 53]), np.array([80, 51514, 53]))
    >>> direction.tolist()
    ['client-to-server', 'server-to-client', 'unknown']
    >>> reason.tolist()
    ['well-known', 'well-known', 'same-port']

    Args:
        src: The source ports: a numpy, pandas, polars or pyarrow column.
        dst: The destination ports, a column of the same length.
        protocol: The protocol of every flow, or a column of protocols (names or IP
            protocol numbers).
        system: The system whose ephemeral range rule 4 uses (a name from
            :data:`portkit.EPHEMERAL_RANGES`, or None for this host's).
        errors: ``"raise"`` or ``"coerce"`` (the ``invalid`` reason).
        registry: The registry for rules 5 and 6; the default registry when None.

    Returns:
        ``(direction, reason)``: two text columns of *src*'s kind (object arrays for
        numpy, categoricals for pandas, Enum columns for polars, dictionary arrays
        for pyarrow)
        holding values of :data:`DIRECTIONS` and :data:`REASONS`.

    Raises:
        InvalidColumnError: A port or protocol is invalid (under ``errors="raise"``).
        InvalidOptionError: The columns' lengths differ.

    .. versionadded:: 0.2
    """
    _check_errors(errors)
    src_col, dst_col = Column(src, "src"), Column(dst, "dst")
    if src_col.values.shape != dst_col.values.shape:
        raise InvalidOptionError(
            "dst", f"{len(dst_col.values)} values",
            f"src and dst must have the same length ({len(src_col.values)})",
        )
    protocols: Column | Protocol = (
        Protocol.parse(protocol) if isinstance(protocol, str) else Column(protocol, "protocol")
    )
    direction, reason, _, _ = direction_codes(
        src_col, dst_col, protocols, system=system, errors=errors, registry=registry,
        labels=("src", "dst", "protocol"),
    )
    return _text(src_col, direction, DIRECTIONS), _text(src_col, reason, REASONS)


def _text(like: Column, codes: Any, vocabulary: tuple[str, ...]) -> Any:
    column = Codes(codes, vocabulary)
    rows = slice(None)
    if like.kind == "pandas":
        return pandas_column(column, rows, index=like.source.index)
    if like.kind == "polars":
        return polars_column(like.name or "", column, rows)
    if like.kind == "pyarrow":
        return arrow_column(column, rows)
    return numpy_column(column, rows)


def add_flow_direction(
    frame: Any,
    src: str,
    dst: str,
    *,
    protocol: Protocol | str = "tcp",
    protocol_column: str | None = None,
    system: str | None = "iana",
    errors: Literal["raise", "coerce"] = "raise",
    registry: Registry | None = None,
    prefix: str = "",
    connection: Any = None,
) -> Any:
    """Add ``server_port``, ``client_port``, ``direction`` and ``direction_reason`` to *frame*.

    The rules are those of :func:`flow_direction`; where the direction is unknown, the
    server and client ports are null. Works on pandas, polars (eager and lazy),
    pyarrow, Dask, DuckDB and PySpark frames (the last two as SQL expressions and joins
    on the port table), and returns a new frame of the same kind.

    >>> import pandas as pd
    >>> from portkit.pipelines import add_flow_direction
    >>> flows = pd.DataFrame({"sport": [51514, 443], "dport": [80, 50123]})
    >>> add_flow_direction(flows, "sport", "dport")[["server_port", "client_port", "direction"]]
       server_port  client_port         direction
    0           80        51514  client-to-server
    1          443        50123  server-to-client

    Args:
        frame: The frame of flow records.
        src: The name of its source port column.
        dst: The name of its destination port column.
        protocol: The protocol of every row (when *protocol_column* is None).
        protocol_column: The name of a column of protocols (names or numbers).
        system: See :func:`flow_direction`.
        errors: ``"raise"`` or ``"coerce"``.
        registry: See :func:`flow_direction`.
        prefix: Put before the new columns' names.
        connection: DuckDB only: the connection *frame* belongs to (see
            :func:`enrich`).

    Raises:
        InvalidColumnError: A port or protocol is invalid (under ``errors="raise"``).
        InvalidOptionError: A column is missing, the frame is not supported, or a new
            column's name is taken.

    .. versionadded:: 0.2
    """
    _check_errors(errors)
    kind = frame_kind(frame)
    existing = _column_names(frame, kind)
    for name in (src, dst, *([protocol_column] if protocol_column else [])):
        if name not in existing:
            raise InvalidOptionError(
                "column", name, f"no such column in the frame; it has {_listing(existing)}"
            )
    new_names = [f"{prefix}{n}" for n in
                 ("server_port", "client_port", "direction", "direction_reason")]
    taken = [n for n in new_names if n in existing]
    if taken:
        raise InvalidOptionError("prefix", prefix, f"the frame already has {taken[0]!r}")
    fixed = Protocol.parse(protocol)
    ephemeral_range(system)
    options: dict[str, Any] = {
        "protocol": fixed, "protocol_column": protocol_column, "system": system,
        "errors": errors, "registry": registry, "prefix": prefix,
    }
    if kind in ("duckdb", "spark"):
        from ._flows_sql import duckdb_flows, spark_flows

        run = duckdb_flows if kind == "duckdb" else spark_flows
        return run(frame, src, dst, fixed, protocol_column, system=system, errors=errors,
                   registry=registry, prefix=prefix, connection=connection)
    if kind == "dask":
        def partition(part: Any) -> Any:
            return add_flow_direction(part, src, dst, **options)

        return frame.map_partitions(partition, meta=partition(frame._meta))
    if kind == "polars-lazy":
        import polars as pl

        carrier = "__portkit_flow__"
        fields = {new_names[0]: pl.UInt16, new_names[1]: pl.UInt16,
                  new_names[2]: polars_enum(DIRECTIONS)[0], new_names[3]: polars_enum(REASONS)[0]}
        inputs = [src, dst, *([protocol_column] if protocol_column else [])]

        def batch(series: pl.Series) -> pl.Series:
            part = series.struct.unnest()
            out = add_flow_direction(part, src, dst, **options)
            return out.select(new_names).to_struct(carrier)  # type: ignore[no-any-return]

        expr = pl.struct(inputs).map_batches(polars_udf(batch),
                                             return_dtype=pl.Struct(fields))
        return frame.with_columns(expr.alias(carrier)).unnest(carrier)
    src_col = source_column(frame, src, kind)
    dst_col = source_column(frame, dst, kind)
    check_kind(src_col, src)
    check_kind(dst_col, dst)
    protocols: Column | Protocol = (
        fixed if protocol_column is None else source_column(frame, protocol_column, kind)
    )
    direction, reason, s, d = direction_codes(
        src_col, dst_col, protocols, system=system, errors=errors, registry=registry,
        labels=(src, dst, protocol_column),
    )
    import numpy as np

    server = np.where(direction == _FROM, s, d).astype(np.uint16)
    client = np.where(direction == _FROM, d, s).astype(np.uint16)
    unknown = direction == _UNKNOWN
    built = zip(
        new_names,
        (server, client, Codes(direction, DIRECTIONS), Codes(reason, REASONS)),
        (unknown, unknown, None, None),
        strict=True,
    )
    every = slice(None)
    if kind == "pandas":
        return frame.assign(**{
            name: pandas_column(column, every, nulls, index=frame.index)
            for name, column, nulls in built
        })
    if kind == "arrow":
        for name, column, nulls in built:
            frame = frame.append_column(name, arrow_column(column, every, nulls))
        return frame
    return frame.with_columns([
        polars_column(name, column, every, nulls) for name, column, nulls in built
    ])
