"""The port table, whole-frame enrichment on in-process engines, accessors, flow direction."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import portkit
from portkit import PortClass, classify, is_ephemeral, lookup, status
from portkit.catalog import annotation
from portkit.exceptions import InvalidColumnError, InvalidOptionError, UnknownProtocolError
from portkit.pipelines import (
    COLUMNS,
    DIRECTIONS,
    ENRICH_COLUMNS,
    REASONS,
    add_flow_direction,
    enrich,
    flow_direction,
    port_table,
    register_duckdb,
)

np = pytest.importorskip("numpy")
pd = pytest.importorskip("pandas")
pl = pytest.importorskip("polars")
pa = pytest.importorskip("pyarrow")
duckdb = pytest.importorskip("duckdb")

ALL = [c for c in ENRICH_COLUMNS if not c.startswith("ephemeral_")]


def _expected_row(port: int, protocol: str, system: str = "iana") -> dict[str, Any]:
    """What the scalar functions say about one port: the reference for every engine."""
    service = lookup(port, protocol)
    note = annotation(service.name) if service is not None else None
    if note is None:
        usual = portkit.catalog.annotations_on_port(port, protocol)
        note = usual[0] if len(usual) == 1 else None
    cls = classify(port)
    return {
        "class": str(cls),
        "rfc6335": cls.rfc6335_name,
        "service": service.name if service else None,
        "status": str(status(port, protocol)),
        "category": note.category.value if note else None,
        "cleartext": note.cleartext if note else None,
        "tls_counterpart": note.tls_counterpart if note else None,
        "risk": note.severity.name.lower() if note else None,
        "ephemeral": is_ephemeral(port, system),
    }


def _records(frame: Any) -> list[dict[str, Any]]:
    """Rows of any in-process frame as dicts of plain Python values (None for nulls)."""
    if isinstance(frame, pd.DataFrame):
        out = frame.astype(object).where(frame.notna(), None).to_dict("records")
        return [{k: (None if v is pd.NA else v) for k, v in row.items()} for row in out]
    if isinstance(frame, pl.LazyFrame):
        frame = frame.collect()
    if isinstance(frame, pl.DataFrame):
        return frame.to_dicts()
    if isinstance(frame, pa.Table):
        return frame.to_pylist()
    return [dict(zip(frame.columns, row, strict=True)) for row in frame.fetchall()]


# -- the port table -----------------------------------------------------------------


def test_the_table_has_65536_rows_per_protocol_and_every_column() -> None:
    table = port_table("tcp")
    assert len(table) == 65536
    frame = table.to_pandas()
    assert list(frame.columns) == list(COLUMNS)
    assert frame["port"].tolist() == list(range(65536))
    assert len(port_table(None)) == 4 * 65536
    assert len(port_table(["tcp", "udp"]).to_arrow()) == 2 * 65536


@settings(max_examples=200, deadline=None)
@given(port=st.integers(0, 65535), protocol=st.sampled_from(["tcp", "udp", "sctp", "dccp"]))
def test_every_row_agrees_with_the_scalar_functions(port: int, protocol: str) -> None:
    row = port_table(protocol).row(port, protocol)
    expected = _expected_row(port, protocol)
    for name, value in expected.items():
        if name != "ephemeral":
            assert row[name] == value, name
    for system in portkit.EPHEMERAL_RANGES:
        assert row["ephemeral_" + system.replace("-", "_")] == is_ephemeral(port, system)


def test_pandas_polars_and_arrow_conversions_hold_the_same_rows() -> None:
    table = port_table("udp")
    rows = [0, 53, 123, 443, 5353, 9200, 50000, 65535]
    from_pandas = _records(table.to_pandas().iloc[rows].reset_index(drop=True))
    from_polars = _records(table.to_polars()[rows])
    from_arrow = table.to_arrow().take(rows).to_pylist()
    assert from_pandas == from_polars == from_arrow
    assert from_arrow[1]["service"] == "domain"
    assert from_arrow[1]["protocol"] == "udp"


def test_the_table_joined_by_hand_in_polars_gives_what_enrich_gives() -> None:
    table = port_table("tcp").to_polars().select(
        pl.col("port").cast(pl.Int64), "class", "service"
    )
    flows = pl.DataFrame({"dst": [22, 443, 50000, 3306]})
    joined = flows.join(table, left_on="dst", right_on="port", how="left", maintain_order="left")
    enriched = enrich(flows, "dst", prefix="")
    assert joined.select(pl.col("class", "service").cast(pl.String)).to_dicts() == \
        enriched.select(pl.col("class", "service").cast(pl.String)).to_dicts()


# -- enrich on in-process engines -----------------------------------------------------

PORTS = [443, 53, 50000, 9200, 22, 123, 0, 65535, 1812]
PROTOCOLS = ["tcp", 17, "TCP", 6, " tcp ", "udp", "dccp", 132, "UDP"]


def _pandas() -> Any:
    return pd.DataFrame({"dst": PORTS, "proto": [str(p) for p in PROTOCOLS]})


FRAMES = {
    "pandas": _pandas,
    "pandas-float-nan-free": lambda: _pandas().astype({"dst": "float64"}),
    "pandas-Int64": lambda: _pandas().astype({"dst": "Int64"}),
    "polars": lambda: pl.DataFrame({"dst": PORTS, "proto": [str(p) for p in PROTOCOLS]}),
    "polars-lazy": lambda: pl.DataFrame({"dst": PORTS,
                                         "proto": [str(p) for p in PROTOCOLS]}).lazy(),
    "arrow": lambda: pa.table({"dst": PORTS, "proto": [str(p) for p in PROTOCOLS]}),
    "duckdb": lambda: duckdb.connect().from_arrow(
        pa.table({"dst": PORTS, "proto": [str(p) for p in PROTOCOLS]})
    ),
}


def _protocol_name(value: object) -> str:
    text = str(value).strip().lower()
    return {"6": "tcp", "17": "udp", "132": "sctp", "33": "dccp"}.get(text, text)


@pytest.mark.parametrize("kind", FRAMES)
def test_enrich_agrees_with_the_scalar_functions_on_every_engine(kind: str) -> None:
    frame = FRAMES[kind]()
    connection = None
    if kind == "duckdb":
        connection = duckdb.connect()
        frame = connection.from_arrow(pa.table({"dst": PORTS,
                                                "proto": [str(p) for p in PROTOCOLS]}))
    out = enrich(frame, "dst", protocol_column="proto", columns=ALL, system="linux",
                 connection=connection)
    assert type(out).__name__ == type(frame).__name__
    rows = _records(out)
    if kind == "duckdb":  # SQL gives rows in no particular order
        rows.sort(key=lambda r: PORTS.index(int(r["dst"])))
    assert [int(r["dst"]) for r in rows] == PORTS
    for row, port, proto in zip(rows, PORTS, PROTOCOLS, strict=True):
        expected = _expected_row(port, _protocol_name(proto), "linux")
        got = {name: row[f"dst_{name}"] for name in ALL}
        got = {k: (str(v) if v is not None and k not in ("cleartext", "ephemeral") else v)
               for k, v in got.items()}
        assert got == expected, (port, proto)


def test_enrich_with_one_protocol_and_a_prefix() -> None:
    frame = pd.DataFrame({"port": [53, 67]})
    out = enrich(frame, "port", protocol="udp", columns=["service"], prefix="")
    assert out["service"].tolist() == ["domain", "bootps"]
    assert list(frame.columns) == ["port"]  # the input is not changed


@pytest.mark.parametrize("dtype", ["uint16", "UInt16", "uint64", "int32", "Int8", "float32"])
def test_enrich_takes_every_integer_width_over_every_protocol(dtype: str) -> None:
    frame = pd.DataFrame({"p": pd.Series([53, 67, 100, 9], dtype=dtype),
                          "proto": ["udp", "udp", "sctp", "dccp"]})
    out = enrich(frame, "p", protocol_column="proto", columns=["service"], prefix="")
    expected = [lookup(int(p), proto) for p, proto in zip(frame["p"], frame["proto"],
                                                           strict=True)]
    assert out["service"].astype(object).where(out["service"].notna(), None).tolist() == [
        s.name if s else None for s in expected]


def test_enrich_keeps_a_pandas_index() -> None:
    frame = pd.DataFrame({"dst": [22, 80]}, index=[10, 20])
    out = enrich(frame, "dst", columns=["service"])
    assert out.loc[20, "dst_service"] == "http"


def test_a_million_rows_with_nan_enrich_under_coerce() -> None:
    ports = pd.Series(np.arange(1_000_000) % 65536, dtype="float64")
    ports[7] = np.nan
    out = enrich(pd.DataFrame({"dst": ports}), "dst", errors="coerce")
    assert out["dst_class"].isna().tolist().count(True) == 1
    assert pd.isna(out.loc[7, "dst_class"])
    assert out.loc[443, "dst_service"] == "https"


@pytest.mark.parametrize("kind", ["pandas", "polars", "polars-lazy", "arrow"])
def test_invalid_ports_name_the_column_and_the_rows(kind: str) -> None:
    data = {"id": [0, 1, 2, 3], "dst": [22, 70000, -1, 80]}
    frame: Any = {
        "pandas": lambda: pd.DataFrame(data),
        "polars": lambda: pl.DataFrame(data),
        "polars-lazy": lambda: pl.DataFrame(data).lazy(),
        "arrow": lambda: pa.table(data),
    }[kind]()
    def run() -> None:
        out = enrich(frame, "dst")
        if kind == "polars-lazy":
            out.collect()

    with pytest.raises(InvalidColumnError, match="column 'dst'") as info:
        run()
    assert info.value.positions == (1, 2)
    assert info.value.values == (70000, -1)
    assert info.value.column == "dst"
    coerced = _records(enrich(frame, "dst", errors="coerce"))
    assert [r["dst_class"] for r in coerced] == ["well-known", None, None, "well-known"]


@pytest.mark.parametrize("kind", ["polars", "polars-lazy", "arrow"])
def test_large_columns_are_built_in_chunks_that_agree_with_pandas(
    kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Columns past PARALLEL_ROWS are built one chunk per core in threads; a small
    # threshold and three "cores" make that happen here on 10,000 rows.
    import os

    from portkit.pipelines import _table

    monkeypatch.setattr(_table, "PARALLEL_ROWS", 1000)
    monkeypatch.setattr(os, "cpu_count", lambda: 3)
    rng = np.random.default_rng(7)
    ports = rng.integers(-3, 70_000, 10_000).astype(float)
    ports[rng.random(10_000) < 0.01] = np.nan
    protos = rng.choice(["tcp", "udp", "17", "icmp"], 10_000)
    data = {"dst": [None if np.isnan(p) else int(p) for p in ports], "proto": protos}
    frame: Any = {
        "polars": lambda: pl.DataFrame(data),
        "polars-lazy": lambda: pl.DataFrame(data).lazy(),
        "arrow": lambda: pa.table(data),
    }[kind]()
    options: dict[str, Any] = {"protocol_column": "proto", "columns": ALL, "errors": "coerce"}
    expected = _records(enrich(pd.DataFrame({"dst": ports, "proto": protos}), "dst", **options))
    out = enrich(frame, "dst", **options)
    if kind == "arrow":
        assert out.column("dst_service").num_chunks == 3
        assert out.column("dst_class").null_count == sum(r["dst_class"] is None for r in expected)
    elif kind == "polars":
        assert out["dst_service"].n_chunks() == 3
        assert isinstance(out["dst_service"].dtype, pl.Enum)
        assert "https" in out["dst_service"].dtype.categories
    else:
        assert out.collect_schema() == out.collect().schema
    got = _records(out)
    for row in (*got, *expected):
        row["dst"] = None if row["dst"] is None or row["dst"] != row["dst"] else int(row["dst"])
        for name in ("class", "rfc6335", "service", "status", "category", "tls_counterpart",
                     "risk"):
            value = row[f"dst_{name}"]
            row[f"dst_{name}"] = None if value is None else str(value)
    assert got == expected
    assert sum(r["dst_class"] is None for r in got) > 100  # invalid rows came out null


@pytest.mark.parametrize("size", [3, 255, 256, 65535])
def test_polars_text_columns_hold_every_vocabulary_size_nulls_included(size: int) -> None:
    """Text reaches polars as codes in the Enum's unsigned type, null as a code past the
    vocabulary's end: that code must fit the type and never name a category, whether
    the Enum is UInt8 (up to 255 names) or UInt16, and whether the column comes by a
    gather from the table (no nulls), by its codes (nulls), or with invalid rows."""
    from portkit.pipelines._table import Codes, polars_column

    rng = np.random.default_rng(size)
    vocabulary = tuple(f"v{i}" for i in range(size))
    dtype = np.int8 if size < 128 else np.int16 if size < 32768 else np.int32
    whole = rng.integers(0, size, 4096).astype(dtype)
    whole[[0, -1]] = [0, size - 1]  # the first and the last name
    holed = whole.copy()
    holed[rng.random(4096) < 0.2] = -1
    rows = rng.integers(0, 4096, 10_000)
    invalid = rng.random(10_000) < 0.1

    def expected(codes: Any, at: Any, nulls: Any = None) -> list[str | None]:
        picked = codes[at]
        return [None if c < 0 or (nulls is not None and nulls[i]) else vocabulary[c]
                for i, c in enumerate(picked)]

    for codes in (whole, holed):
        table = Codes(codes, vocabulary)
        for at, nulls in ((rows, None), (rows, invalid), (slice(None), None)):
            got = polars_column("x", table, at, nulls)
            assert got.dtype == pl.Enum(list(vocabulary))
            assert got.to_list() == expected(codes, at, nulls)


@pytest.mark.parametrize("kind", ["pandas", "polars", "arrow"])
def test_small_frames_are_enriched_without_threads(
    kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A handoff to portkit's threads costs more than a few rows are worth.
    from portkit.pipelines import _table

    def no_threads() -> None:
        raise AssertionError("a small frame went to the thread pool")

    monkeypatch.setattr(_table, "_pool", no_threads)
    make = {"pandas": pd.DataFrame, "polars": pl.DataFrame, "arrow": pa.table}[kind]
    out = _records(enrich(make({"dst": [22, 443]}), "dst", columns=ALL))
    assert [r["dst_service"] for r in out] == ["ssh", "https"]


def _enrich_in_chunks(_: object) -> list[str | None]:
    frame = pl.DataFrame({"dst": list(range(5000))})
    return enrich(frame, "dst", columns=["service"])["dst_service"].to_list()[:3]


def test_a_forked_child_builds_chunks_after_its_parent_did(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The parent's threads do not exist in a child made by fork: the child must start
    # threads of its own rather than wait for its parent's.
    import multiprocessing
    import os

    if not hasattr(os, "fork"):
        pytest.skip("this system has no fork")
    from portkit.pipelines import _table

    monkeypatch.setattr(_table, "PARALLEL_ROWS", 1000)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    in_parent = _enrich_in_chunks(None)
    assert in_parent == [None, "tcpmux", None]  # 0 and 2 are reserved
    assert _table._pool_state["pool"] is not None  # the parent's threads are running
    with multiprocessing.get_context("fork").Pool(1) as pool:
        result = pool.map_async(_enrich_in_chunks, [None])
        assert result.get(timeout=60) == [in_parent]


def test_an_error_polars_rebuilds_from_its_message_keeps_its_type_and_attributes() -> None:
    # polars 1.39 to 1.44 rebuild an exception raised in a lazy query as
    # type(error)(message + context); portkit raises, on those releases, an error that
    # survives this (the pipeline tests ran against 1.42.1 and 1.44.2 to check it).
    from portkit.pipelines._table import rebuildable

    error = InvalidColumnError([1, 2], [70000, -1], column="dst")
    carried = rebuildable(error)
    rebuilt = type(carried)(str(carried) + "\n\nThis error occurred in the following expression")
    assert isinstance(rebuilt, InvalidColumnError)
    assert type(rebuilt).__name__ == "InvalidColumnError"
    assert (rebuilt.positions, rebuilt.values, rebuilt.column) == ((1, 2), (70000, -1), "dst")
    assert str(rebuilt).startswith(str(error))


def test_nulls_are_invalid_by_position() -> None:
    frame = pl.DataFrame({"dst": [22, None, 80]})
    with pytest.raises(InvalidColumnError) as info:
        enrich(frame, "dst")
    assert info.value.positions == (1,)
    assert info.value.values == (None,)


def test_unknown_protocols_name_the_column_and_rows() -> None:
    frame = pd.DataFrame({"dst": [22, 80, 53], "proto": ["tcp", "icmp", 99]})
    with pytest.raises(InvalidColumnError, match="column 'proto'") as info:
        enrich(frame, "dst", protocol_column="proto")
    assert info.value.positions == (1, 2)
    assert info.value.values == ("icmp", 99)
    out = enrich(frame, "dst", protocol_column="proto", errors="coerce")
    assert out["dst_service"].astype(object).where(out["dst_service"].notna(), None).tolist() \
        == ["ssh", None, None]
    with pytest.raises(UnknownProtocolError):
        enrich(frame, "dst", protocol="icmp")



@pytest.mark.parametrize("kind", ["pandas-str", "polars", "arrow", "arrow-chunked"])
def test_text_protocol_columns_report_their_invalid_rows(kind: str) -> None:
    """Protocol names as a text column of each library (Zeek's conn.log has them so):
    read in its own library; the invalid values are reported as the column holds them,
    nulls as None."""
    names = ["tcp", "icmp", None, "UDP", "17", "gre"] * 3
    frame: Any = {
        "pandas-str": lambda: pd.DataFrame({"dst": range(18), "proto": pd.array(
            names, dtype="string")}),
        "polars": lambda: pl.DataFrame({"dst": range(18), "proto": names}),
        "arrow": lambda: pa.table({"dst": range(18), "proto": names}),
        "arrow-chunked": lambda: pa.Table.from_batches(
            pa.table({"dst": range(18), "proto": names}).to_batches(max_chunksize=5)),
    }[kind]()
    with pytest.raises(InvalidColumnError, match="column 'proto'") as info:
        enrich(frame, "dst", protocol_column="proto")
    bad = [i for i, n in enumerate(names) if n in (None, "icmp", "gre")]
    assert info.value.positions == tuple(bad)
    assert info.value.values == tuple(names[i] for i in bad)
    out = _records(enrich(frame, "dst", protocol_column="proto", errors="coerce"))
    assert [row["dst_class"] is None for row in out] == [i in bad for i in range(18)]
    protocols = {"tcp": "tcp", "UDP": "udp", "17": "udp"}
    assert [row["dst_service"] for row in out] == [
        None if i in bad else _expected_row(i, protocols[str(n)])["service"]
        for i, n in enumerate(names)
    ]



@pytest.mark.parametrize("kind", ["pandas-str", "polars", "arrow"])
def test_a_valid_text_protocol_column_makes_no_python_objects(
    kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """10,000,000 protocol names made into Python strings cost about a second; a column
    of valid names needs none of them."""
    from portkit import _classify

    def refuse(*_: object) -> None:
        raise AssertionError("the column's values were made into Python objects")

    monkeypatch.setattr(_classify, "_objects", refuse)
    names = ["tcp", "udp", "6", "17"] * 5
    frame: Any = {
        "pandas-str": lambda: pd.DataFrame({"dst": range(20), "proto": pd.array(
            names, dtype="string")}),
        "polars": lambda: pl.DataFrame({"dst": range(20), "proto": names}),
        "arrow": lambda: pa.table({"dst": range(20), "proto": names}),
    }[kind]()
    out = _records(enrich(frame, "dst", protocol_column="proto"))
    assert [row["dst_service"] for row in out][:2] == [None, "tcpmux"]


def test_missing_and_non_integer_columns_are_refused() -> None:
    frame = pd.DataFrame({"dst": [22], "name": ["ssh"], "when": pd.to_datetime(["2024-01-01"])})
    with pytest.raises(InvalidOptionError, match=r"'nope'.*no such column.*'dst'"):
        enrich(frame, "nope")
    with pytest.raises(InvalidOptionError, match="not text"):
        enrich(frame, "name")
    with pytest.raises(InvalidOptionError, match="datetime"):
        enrich(frame, "when")
    with pytest.raises(InvalidOptionError, match="choose one or more"):
        enrich(frame, "dst", columns=["colour"])
    with pytest.raises(InvalidOptionError, match="already has a column"):
        enrich(frame, "dst", prefix="", columns=["class"]).pipe(
            lambda f: enrich(f, "dst", prefix="", columns=["class"]))
    with pytest.raises(InvalidOptionError, match="a frame is"):
        enrich({"dst": [22]}, "dst")


def test_fractions_in_float_columns_are_invalid() -> None:
    with pytest.raises(InvalidColumnError) as info:
        enrich(pd.DataFrame({"dst": [22.0, 22.5]}), "dst")
    assert info.value.positions == (1,)


def test_duckdb_invalid_ports_fail_the_query_naming_the_column() -> None:
    con = duckdb.connect()
    rel = con.sql("SELECT * FROM (VALUES (22), (70000)) t(dst)")
    with pytest.raises(duckdb.Error, match="invalid port 70000 in column 'dst'"):
        enrich(rel, "dst", connection=con).fetchall()
    got = sorted(enrich(rel, "dst", connection=con, errors="coerce").fetchall())
    assert got == [(22, "well-known", "ssh"), (70000, None, None)]


def test_duckdb_functions_on_a_connection() -> None:
    con = register_duckdb(duckdb.connect())
    rows = con.sql(
        "SELECT port_class(p), port_service(p, proto), port_category(p, proto), "
        "port_cleartext(p, proto), port_ephemeral(p, 'linux') "
        "FROM (VALUES (22, 'tcp'), (53, '17'), (40000, 'tcp'), (NULL, 'tcp')) t(p, proto)"
    ).fetchall()
    assert rows == [
        ("well-known", "ssh", "remote-access", False, False),
        ("well-known", "domain", "name-service", True, False),
        ("registered", "safetynetp", None, None, True),
        (None, None, None, None, None),
    ]
    joined = con.sql(
        "SELECT t.service FROM (VALUES (443)) f(p) JOIN portkit_ports t "
        "ON t.port = f.p AND t.protocol = 'tcp'"
    ).fetchall()
    assert joined == [("https",)]


# -- accessors ------------------------------------------------------------------------


def test_the_pandas_accessor_is_registered_by_importing_its_module() -> None:
    import portkit.pipelines.pandas  # noqa: F401

    s = pd.Series([22, 443, 50000], index=list("abc"), name="dport")
    assert s.ports.classify().tolist() == [0, 0, 2]
    assert s.ports.service().astype(object).tolist()[:2] == ["ssh", "https"]
    assert s.ports.is_ephemeral("iana").tolist() == [False, False, True]
    category = s.ports.lookup("category")
    assert list(category.index) == list("abc")
    assert category.name == "dport"


def test_the_polars_namespace_works_in_lazy_queries() -> None:
    import portkit.pipelines.polars  # noqa: F401

    lf = pl.LazyFrame({"dport": [22, 53, 50000]})
    out = lf.select(
        pl.col("dport").ports.classify().alias("cls"),
        pl.col("dport").ports.service("udp").alias("svc"),
        pl.col("dport").ports.is_ephemeral().alias("eph"),
    ).collect()
    assert out.to_dicts() == [
        {"cls": 0, "svc": "ssh", "eph": False},
        {"cls": 0, "svc": "domain", "eph": False},
        {"cls": 2, "svc": None, "eph": True},
    ]
    assert pl.Series([443]).ports.service().to_list() == ["https"]



@pytest.mark.parametrize("query", ["eager select", "eager with_columns", "lazy select"])
def test_the_polars_namespace_raises_portkits_error_in_every_query(query: str) -> None:
    """polars rebuilds an error raised in an expression from its message in some
    queries (2.x: eager ones); what comes out must still be portkit's error, whole."""
    import pickle

    import portkit.pipelines.polars  # noqa: F401

    df = pl.DataFrame({"dport": [22, 70000, -1, 443]})
    expr = pl.col("dport").ports.service().alias("svc")
    run = {
        "eager select": lambda: df.select(expr),
        "eager with_columns": lambda: df.with_columns(expr),
        "lazy select": lambda: df.lazy().select(expr).collect(),
    }[query]
    with pytest.raises(InvalidColumnError) as caught:
        run()
    error = caught.value
    assert (error.column, error.positions, error.values) == ("dport", (1, 2), (70000, -1))
    assert type(error).__name__ == "InvalidColumnError"
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is InvalidColumnError
    assert (again.column, again.positions, again.values) == ("dport", (1, 2), (70000, -1))


# -- flow direction -------------------------------------------------------------------

#: Real flows: (src port, dst port, protocol, system, direction, reason).
FLOWS = [
    (51514, 80, "tcp", "linux", "client-to-server", "well-known"),  # HTTP request
    (80, 51514, "tcp", "linux", "server-to-client", "well-known"),  # HTTP response
    (443, 50123, "tcp", "iana", "server-to-client", "well-known"),  # HTTPS response
    (53124, 53, "udp", "linux", "client-to-server", "well-known"),  # DNS query
    (53, 53, "udp", "linux", "unknown", "same-port"),  # DNS server to server
    (123, 123, "udp", "linux", "unknown", "same-port"),  # NTP symmetric mode
    (68, 67, "udp", "linux", "client-to-server", "lower-port"),  # DHCP, both well-known
    (45000, 5432, "tcp", "linux", "client-to-server", "ephemeral"),  # PostgreSQL
    (6379, 40312, "tcp", "linux", "server-to-client", "ephemeral"),  # Redis reply
    (40000, 30080, "tcp", "linux", "client-to-server", "ephemeral"),  # Kubernetes NodePort
    (1030, 6379, "tcp", "windows-legacy", "client-to-server", "ephemeral"),  # XP client
    (3306, 8080, "tcp", "iana", "server-to-client", "lower-port"),  # both registered
    (3306, 10999, "tcp", "iana", "server-to-client", "registered-service"),
    (50001, 50002, "udp", "iana", "unknown", "no-service"),  # ephemeral to ephemeral
    (41000, 40312, "tcp", "linux", "unknown", "no-service"),  # both ephemeral, unassigned
]


@pytest.mark.parametrize(("src", "dst", "proto", "system", "direction", "reason"), FLOWS)
def test_flow_direction_on_real_cases(  # noqa: PLR0917
    src: int, dst: int, proto: str, system: str, direction: str, reason: str
) -> None:
    d, r = flow_direction(np.array([src]), np.array([dst]), protocol=proto, system=system)
    assert (d.tolist(), r.tolist()) == ([direction], [reason])


@pytest.mark.parametrize("kind", ["pandas", "polars", "polars-lazy", "arrow"])
def test_flow_direction_on_frames_adds_server_and_client_ports(kind: str) -> None:
    data = {
        "sport": [f[0] for f in FLOWS], "dport": [f[1] for f in FLOWS],
        "proto": [f[2] for f in FLOWS],
    }
    frame: Any = {
        "pandas": lambda: pd.DataFrame(data),
        "polars": lambda: pl.DataFrame(data),
        "polars-lazy": lambda: pl.DataFrame(data).lazy(),
        "arrow": lambda: pa.table(data),
    }[kind]()
    out = _records(add_flow_direction(frame, "sport", "dport", protocol_column="proto",
                                      system="linux"))
    for row, (src, dst, _, system, direction, reason) in zip(out, FLOWS, strict=True):
        if system != "linux":
            continue
        assert (row["direction"], row["direction_reason"]) == (direction, reason)
        if direction == "client-to-server":
            assert (row["server_port"], row["client_port"]) == (dst, src)
        elif direction == "server-to-client":
            assert (row["server_port"], row["client_port"]) == (src, dst)
        else:
            assert row["server_port"] is None and row["client_port"] is None


@pytest.mark.parametrize("kind", ["pandas", "polars", "arrow"])
def test_flow_direction_keeps_nothing_of_a_call_alive(kind: str) -> None:
    # Its text columns are made from codes computed per call: nothing built from
    # them may stay in a cache after the result is dropped.
    import gc
    import tracemalloc

    rng = np.random.default_rng(3)
    data = {"src": rng.integers(0, 65536, 500_000), "dst": rng.integers(0, 65536, 500_000)}
    make = {"pandas": pd.DataFrame, "polars": pl.DataFrame, "arrow": pa.table}[kind]
    add_flow_direction(make(data), "src", "dst")  # caches of the first call may stay
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(4):
            out = add_flow_direction(make(data), "src", "dst")
            assert len(out) == 500_000
            del out
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert kept < 1_000_000, f"{kept:,} bytes kept after four calls"


def test_flow_direction_invalid_rows() -> None:
    src = pd.Series([51514, -1])
    dst = pd.Series([80, 80])
    with pytest.raises(InvalidColumnError, match="column 'src'"):
        flow_direction(src, dst)
    d, r = flow_direction(src, dst, errors="coerce")
    assert list(d) == ["client-to-server", "unknown"]
    assert list(r) == ["well-known", "invalid"]
    assert set(DIRECTIONS) >= set(d) and set(REASONS) >= set(r)


@settings(max_examples=100, deadline=None)
@given(src=st.integers(0, 65535), dst=st.integers(0, 65535))
def test_flow_direction_is_symmetric(src: int, dst: int) -> None:
    (d1,), (r1,) = flow_direction(np.array([src]), np.array([dst]))
    (d2,), (r2,) = flow_direction(np.array([dst]), np.array([src]))
    assert r1 == r2
    swap = {"client-to-server": "server-to-client", "server-to-client": "client-to-server",
            "unknown": "unknown"}
    assert swap[d1] == d2
    if r1 == "well-known":
        server = dst if d1 == "client-to-server" else src
        assert classify(server) is PortClass.WELL_KNOWN


def _rule_by_hand(src: int, dst: int, protocol: str, system: str) -> tuple[str, str]:
    """The documented rules, one flow at a time, from the scalar functions."""
    wk = (classify(src) is PortClass.WELL_KNOWN, classify(dst) is PortClass.WELL_KNOWN)
    eph = (is_ephemeral(src, system), is_ephemeral(dst, system))
    named = (str(status(src, protocol)) == "assigned", str(status(dst, protocol)) == "assigned")
    if src == dst:
        return "unknown", "same-port"
    if wk[0] != wk[1]:
        return ("server-to-client" if wk[0] else "client-to-server"), "well-known"
    if eph[0] != eph[1]:
        return ("server-to-client" if eph[1] else "client-to-server"), "ephemeral"
    if named[0] != named[1]:
        return ("server-to-client" if named[0] else "client-to-server"), "registered-service"
    if named[0]:
        return ("server-to-client" if src < dst else "client-to-server"), "lower-port"
    return "unknown", "no-service"


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 65535), st.integers(0, 65535),
                       st.sampled_from(["tcp", "udp", "sctp", "dccp"])),
             min_size=1, max_size=40),
    st.sampled_from(["iana", "linux", "windows-legacy"]),
)
def test_flow_direction_follows_the_documented_rules_flow_by_flow(
    flows: list[tuple[int, int, str]], system: str
) -> None:
    src, dst, protos = (list(column) for column in zip(*flows, strict=True))
    direction, reason = flow_direction(np.array(src), np.array(dst), protocol=np.array(protos),
                                       system=system)
    expected = [_rule_by_hand(*flow, system) for flow in flows]
    assert list(zip(direction.tolist(), reason.tolist(), strict=True)) == expected


# -- the CLI --------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["parquet", "csv", "arrow"])
def test_portkit_table_writes_each_format(tmp_path: Path, fmt: str) -> None:
    target = tmp_path / f"ports.{fmt}"
    result = subprocess.run(
        [sys.executable, "-m", "portkit", "table", "--protocol", "tcp", "--format", fmt,
         str(target)], capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr
    if fmt == "parquet":
        import pyarrow.parquet as pq

        table = pq.read_table(target)
    elif fmt == "csv":
        import pyarrow.csv as pacsv

        table = pacsv.read_csv(target)
    else:
        from pyarrow import feather

        table = feather.read_table(target)
    assert table.num_rows == 65536
    assert table.column_names == list(COLUMNS)
    row = table.slice(443, 1).to_pylist()[0]
    assert (row["service"], row["class"], row["protocol"]) == ("https", "well-known", "tcp")
    assert not list(tmp_path.glob(".*tmp"))


def test_portkit_table_refuses_an_unknown_protocol_without_writing(tmp_path: Path) -> None:
    target = tmp_path / "ports.parquet"
    result = subprocess.run(
        [sys.executable, "-m", "portkit", "table", "--protocol", "icmp", str(target)],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 2
    assert "icmp" in result.stderr
    assert not target.exists()


# -- the example ----------------------------------------------------------------------


def test_the_flow_log_example_enriches_a_log_the_test_writes(tmp_path: Path) -> None:
    log = tmp_path / "vpc-flows.log"
    log.write_text(
        "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets "
        "bytes start end action log-status\n"
        "2 1 eni-1 10.0.0.5 10.0.0.9 51514 443 6 10 5000 1 2 ACCEPT OK\n"
        "2 1 eni-1 10.0.0.9 10.0.0.5 443 51514 6 12 90000 1 2 ACCEPT OK\n"
        "2 1 eni-1 10.0.0.5 10.0.0.7 40000 23 6 5 300 1 2 ACCEPT OK\n"
        "2 1 eni-1 10.0.0.5 10.0.0.2 53124 53 17 1 80 1 2 ACCEPT OK\n"
        "2 1 eni-1 10.0.0.5 10.0.0.2 0 0 1 1 84 1 2 ACCEPT OK\n"
        "2 1 eni-1 - - - - - - - 1 2 - NODATA\n"
    )
    example = Path(__file__).resolve().parent.parent / "examples" / "enrich_flow_log.py"
    result = subprocess.run([sys.executable, str(example), str(log)], capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "6 records from vpc-flows.log" in out
    assert "direction known for 4, unknown for 2 (2 invalid)" in out
    assert "  https" in out and "95,000" in out
    assert "accepted cleartext flows: 2, of which high or critical risk: 1 (telnet)" in out


@settings(max_examples=60, deadline=None)
@given(
    ports=st.lists(st.one_of(st.integers(-2, 65537), st.none()), max_size=30),
    protocol=st.sampled_from(["tcp", "udp", "sctp", "dccp"]),
    kind=st.sampled_from(["pandas", "polars", "polars-lazy", "arrow"]),
)
def test_enrich_agrees_with_lookup_element_by_element_nulls_included(
    ports: list[int | None], protocol: str, kind: str
) -> None:
    data = pa.table({"p": pa.array(ports, type=pa.int64())})
    frame: Any = {
        "pandas": lambda: data.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get),
        "polars": lambda: pl.from_arrow(data),
        "polars-lazy": lambda: pl.from_arrow(data).lazy(),  # type: ignore[union-attr]
        "arrow": lambda: data,
    }[kind]()
    rows = _records(enrich(frame, "p", protocol=protocol, columns=["service", "class"],
                           errors="coerce"))
    for row, port in zip(rows, ports, strict=True):
        if port is None or not 0 <= port <= 65535:
            assert row["p_service"] is None and row["p_class"] is None
        else:
            service = lookup(port, protocol)
            assert row["p_service"] == (service.name if service else None)
            assert row["p_class"] == str(classify(port))


def test_flow_direction_on_duckdb_matches_pandas() -> None:
    data = {
        "id": list(range(len(FLOWS) + 2)),
        "sport": [f[0] for f in FLOWS] + [-1, 53124],
        "dport": [f[1] for f in FLOWS] + [80, 53],
        "proto": [f[2] for f in FLOWS] + ["tcp", "icmp"],
    }
    options: dict[str, Any] = {"protocol_column": "proto", "system": "linux",
                               "errors": "coerce"}
    want = _records(add_flow_direction(pd.DataFrame(data), "sport", "dport", **options))
    con = duckdb.connect()
    relation = con.from_arrow(pa.table(data))
    got = _records(add_flow_direction(relation, "sport", "dport", connection=con, **options))
    got.sort(key=lambda r: r["id"])
    assert got == want
    assert [r["direction_reason"] for r in got[-2:]] == ["invalid", "invalid"]
    with pytest.raises(duckdb.Error, match="invalid port -1 in column 'sport'"):
        add_flow_direction(relation, "sport", "dport", connection=con,
                           protocol_column="proto").fetchall()


def test_enrich_leaves_a_connections_functions_as_registered() -> None:
    con = register_duckdb(duckdb.connect(), errors="raise")
    rel = con.sql("SELECT * FROM (VALUES (22)) t(dst)")
    assert enrich(rel, "dst", connection=con).fetchall() == [(22, "well-known", "ssh")]
    with pytest.raises(duckdb.Error, match="invalid port"):
        con.sql("SELECT port_class(70000)").fetchall()
