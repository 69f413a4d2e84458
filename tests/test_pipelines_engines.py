"""Enrichment past one machine: Dask on a two-process LocalCluster, PySpark in local mode.

Each engine's result must be identical to the single-machine pandas run. One cluster
and one Spark session serve the whole module.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from portkit.exceptions import InvalidColumnError
from portkit.pipelines import add_flow_direction, enrich

np = pytest.importorskip("numpy")
pd = pytest.importorskip("pandas")
pa = pytest.importorskip("pyarrow")

pytestmark = [
    # PySpark warns about pandas releases newer than the ones it was tested with.
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning:distributed"),
]

COLUMNS = ["class", "rfc6335", "service", "status", "category", "cleartext",
           "tls_counterpart", "risk", "ephemeral"]
ROWS = 8_000


def _flows() -> Any:
    rng = np.random.default_rng(12)
    common = np.array([22, 53, 80, 123, 443, 3306, 5432, 6379, 8080, 9200])
    dst = np.where(rng.random(ROWS) < 0.6, rng.choice(common, ROWS), rng.integers(0, 65536, ROWS))
    src = rng.integers(32768, 61000, ROWS)
    proto = rng.choice(np.array(["tcp", "udp", "6", "17", "TCP"]), ROWS)
    return pd.DataFrame({"id": np.arange(ROWS), "src": src, "dst": dst, "proto": proto})


def _plain(frame: Any) -> list[dict[str, Any]]:
    frame = frame.sort_values("id").reset_index(drop=True)
    records = frame.astype(object).where(frame.notna(), None).to_dict("records")
    return [{k: (None if v is pd.NA else (str(v) if isinstance(v, str) else v))
             for k, v in row.items()} for row in records]


@pytest.fixture(scope="module")
def flows_parquet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The flows as a Parquet dataset of four files."""
    directory = tmp_path_factory.mktemp("flows")
    frame = _flows()
    step = ROWS // 4
    for i in range(4):
        frame.iloc[i * step:(i + 1) * step].to_parquet(
            directory / f"part-{i}.parquet", index=False
        )
    return directory


@pytest.fixture(scope="module")
def dask_client() -> Iterator[Any]:
    pytest.importorskip("dask.dataframe")
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
        host="127.0.0.1",
    ) as cluster, distributed.Client(cluster) as client:
        yield client


def test_dask_on_two_worker_processes_matches_pandas(dask_client: Any, flows_parquet: Path) -> None:
    import dask.dataframe as dd

    assert len(dask_client.scheduler_info()["workers"]) == 2
    ddf = dd.read_parquet(str(flows_parquet))
    assert ddf.npartitions >= 2
    lazy = enrich(ddf, "dst", protocol_column="proto", columns=COLUMNS, system="linux")
    lazy = add_flow_direction(lazy, "src", "dst", protocol_column="proto", system="linux")
    got = lazy.compute()
    want = add_flow_direction(
        enrich(pd.read_parquet(flows_parquet), "dst", protocol_column="proto", columns=COLUMNS,
               system="linux"),
        "src", "dst", protocol_column="proto", system="linux",
    )
    assert list(got.columns) == list(want.columns)
    assert _plain(got) == _plain(want)


def test_dask_raises_naming_the_column_when_computed(dask_client: Any) -> None:
    import dask.dataframe as dd

    ddf = dd.from_pandas(pd.DataFrame({"dst": [22, 80, 70000, 443]}), npartitions=2)
    lazy = enrich(ddf, "dst")  # lazy: nothing is read or judged yet
    with pytest.raises(InvalidColumnError, match="column 'dst'"):
        lazy.compute()


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    if shutil.which("java") is None:
        pytest.skip("PySpark needs a Java runtime (apt-get install default-jre-headless)")
    sql = pytest.importorskip("pyspark.sql")
    session = (
        sql.SparkSession.builder.master("local[2]")
        .appName("portkit-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def test_spark_matches_pandas(spark: Any, flows_parquet: Path) -> None:
    sdf = spark.read.parquet(str(flows_parquet))
    got = enrich(sdf, "dst", protocol_column="proto", columns=COLUMNS, system="linux")
    rows = [r.asDict() for r in got.collect()]
    want = _plain(enrich(pd.read_parquet(flows_parquet), "dst", protocol_column="proto",
                         columns=COLUMNS, system="linux"))
    assert got.columns == list(pd.read_parquet(flows_parquet).columns) + [
        f"dst_{c}" for c in COLUMNS]
    assert sorted(rows, key=lambda r: r["id"]) == want


def test_spark_raises_naming_the_column(spark: Any) -> None:
    sdf = spark.createDataFrame(pa.table({"dst": [22, 70000]}))
    with pytest.raises(Exception, match="invalid port or protocol in column 'dst': 70000"):
        enrich(sdf, "dst").collect()
    coerced = [r.asDict() for r in enrich(sdf, "dst", errors="coerce").collect()]
    assert coerced == [
        {"dst": 22, "dst_class": "well-known", "dst_service": "ssh"},
        {"dst": 70000, "dst_class": None, "dst_service": None},
    ]


def test_spark_flow_direction_matches_pandas(spark: Any, flows_parquet: Path) -> None:
    options: dict[str, Any] = {"protocol_column": "proto", "system": "linux"}
    sdf = spark.read.parquet(str(flows_parquet))
    got = add_flow_direction(sdf, "src", "dst", **options)
    rows = sorted((r.asDict() for r in got.collect()), key=lambda r: r["id"])
    want = _plain(add_flow_direction(pd.read_parquet(flows_parquet), "src", "dst", **options))
    assert got.columns == list(want[0])
    assert rows == want
