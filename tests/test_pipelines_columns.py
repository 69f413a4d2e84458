"""classify_many and is_ephemeral_many on every kind of column, against the scalar functions."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portkit import INVALID_CODE, classify, classify_many, is_ephemeral
from portkit.exceptions import InvalidColumnError
from portkit.pipelines import is_ephemeral_many

np = pytest.importorskip("numpy")
pd = pytest.importorskip("pandas")
pl = pytest.importorskip("polars")
pa = pytest.importorskip("pyarrow")

#: Values a column may hold: ports, values just out of range, and missing ones.
VALUES = st.lists(
    st.one_of(st.integers(-3, 65538), st.sampled_from([0, 1023, 1024, 49151, 49152, 65535]),
              st.none()),
    max_size=40,
)


def _valid(v: int | None) -> bool:
    return v is not None and 0 <= v <= 65535


def _floats(values: list[int | None]) -> list[float]:
    return [float("nan") if v is None else float(v) for v in values]


def _ints(values: list[int | None]) -> list[int]:
    # Missing values cannot live in a numpy int column: use a value out of range.
    return [-1 if v is None else v for v in values]


#: Each kind of column, built from a list of optional ints, and what missing becomes.
KINDS: dict[str, Any] = {
    "numpy-int64": lambda v: np.array(_ints(v), dtype=np.int64),
    "numpy-int32": lambda v: np.array(_ints(v), dtype=np.int32),
    "numpy-uint64": lambda v: np.array([2**64 - 1 if x is None or x < 0 else x for x in v],
                                       dtype=np.uint64),
    "numpy-uint16": lambda v: np.array([x % 65536 if x is not None else 0 for x in v],
                                       dtype=np.uint16),
    "numpy-float64": lambda v: np.array(_floats(v), dtype=np.float64),
    "numpy-float32": lambda v: np.array(_floats(v), dtype=np.float32),
    "numpy-object": lambda v: np.array([*v, 0], dtype=object)[:-1],
    "pandas-int64": lambda v: pd.Series(_ints(v), dtype="int64"),
    "pandas-float64-nan": lambda v: pd.Series(_floats(v), dtype="float64"),
    "pandas-Int64": lambda v: pd.Series(v, dtype="Int64"),
    "pandas-UInt32": lambda v: pd.Series([None if x is not None and x < 0 else x for x in v],
                                         dtype="UInt32"),
    "pandas-Float64": lambda v: pd.Series(v, dtype="Float64"),
    "pandas-arrow": lambda v: pd.Series(v, dtype="int64[pyarrow]"),
    "polars-Int64": lambda v: pl.Series("p", v, dtype=pl.Int64),
    "polars-Float64": lambda v: pl.Series("p", v, dtype=pl.Float64),
    "arrow-int64": lambda v: pa.array(v, type=pa.int64()),
    "arrow-chunked": lambda v: pa.chunked_array([pa.array(v[:3], type=pa.int64()),
                                                 pa.array(v[3:], type=pa.int64())]),
    "arrow-double": lambda v: pa.array(v, type=pa.float64()),
}


def _as_list(column: Any) -> list[Any]:
    if isinstance(column, np.ma.MaskedArray):
        return [None if m else x for x, m in zip(column.data.tolist(),
                                                  np.ma.getmaskarray(column).tolist(),
                                                  strict=True)]
    if isinstance(column, pd.Series):
        return [None if x is pd.NA else x for x in column.astype(object).tolist()]
    if hasattr(column, "to_pylist"):
        return list(column.to_pylist())
    return list(column.to_list() if hasattr(column, "to_list") else column.tolist())


def _family(column: Any) -> str:
    if isinstance(column, pa.ChunkedArray):
        return "arrow-chunked"
    return type(column).__module__.partition(".")[0]


def _expected(values: list[int | None], kind: str) -> list[int | None]:
    if kind == "numpy-uint64":
        values = [None if v is None or v < 0 else v for v in values]
    if kind == "numpy-uint16":
        values = [v % 65536 if v is not None else 0 for v in values]
    if kind == "pandas-UInt32":
        values = [None if v is not None and v < 0 else v for v in values]
    return values


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=40, deadline=None)
@given(values=VALUES)
def test_classify_many_agrees_with_classify_on_every_column_kind(
    kind: str, values: list[int | None]
) -> None:
    values = _expected(values, kind)
    column = KINDS[kind](values)
    codes = classify_many(column, errors="coerce")
    assert _family(codes) == _family(column)
    expected = [int(classify(v)) if _valid(v) else INVALID_CODE for v in values]
    assert _as_list(codes) == expected
    bad = [i for i, v in enumerate(values) if not _valid(v)]
    if bad:
        with pytest.raises(InvalidColumnError) as info:
            classify_many(column)
        assert list(info.value.positions) == bad
    else:
        assert _as_list(classify_many(column)) == expected


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=25, deadline=None)
@given(values=VALUES, system=st.sampled_from(["iana", "linux", "windows-legacy", "freebsd"]))
def test_is_ephemeral_many_agrees_with_is_ephemeral(
    kind: str, values: list[int | None], system: str
) -> None:
    values = _expected(values, kind)
    column = KINDS[kind](values)
    answer = is_ephemeral_many(column, system, errors="coerce")
    expected = [is_ephemeral(v, system) if _valid(v) else None for v in values]
    assert _as_list(answer) == expected
    if any(not _valid(v) for v in values):
        with pytest.raises(InvalidColumnError):
            is_ephemeral_many(column, system)


def test_a_pandas_series_keeps_its_index_and_name() -> None:
    s = pd.Series([22.0, 443.0, float("nan")], index=["a", "b", "c"], name="dport")
    codes = classify_many(s, errors="coerce")
    assert list(codes.index) == ["a", "b", "c"]
    assert codes.name == "dport"
    assert codes.tolist() == [0, 0, INVALID_CODE]


def test_a_float_series_of_whole_numbers_is_accepted() -> None:
    assert classify_many(pd.Series([22.0, 443.0])).tolist() == [0, 0]


def test_one_nan_makes_only_its_own_row_invalid_and_names_the_column() -> None:
    s = pd.Series(np.arange(2_000_000) % 65536, dtype="float64", name="dst")
    s[5] = np.nan
    codes = classify_many(s, errors="coerce")
    assert codes[5] == INVALID_CODE
    assert (codes.drop(5) != INVALID_CODE).all()
    with pytest.raises(InvalidColumnError, match="column 'dst'") as info:
        classify_many(s)
    assert info.value.positions == (5,)


def test_an_int64_series_is_classified_vectorised_into_a_series() -> None:
    s = pd.Series(np.arange(1_000_000) % 65536)
    codes = classify_many(s)
    assert isinstance(codes, pd.Series)
    assert codes.dtype == np.uint8
    assert codes.iloc[49152] == 2


def test_float16_column_holding_65535_is_invalid_not_an_index_error() -> None:
    with np.errstate(over="ignore"):
        column = np.array([1, 65504, 65535], dtype=np.float16)  # 65535 rounds to inf
    assert classify_many(column, errors="coerce").tolist() == [0, 2, INVALID_CODE]
    with pytest.raises(InvalidColumnError) as info:
        classify_many(column)
    assert info.value.positions == (2,)


def test_masked_float_array_with_nan_under_the_mask_keeps_its_mask() -> None:
    column = np.ma.array([22.0, np.nan, 50000.0], mask=[False, True, False])
    codes = classify_many(column)
    assert isinstance(codes, np.ma.MaskedArray)
    assert np.ma.getmaskarray(codes).tolist() == [False, True, False]
    assert codes.compressed().tolist() == [0, 2]


def test_masked_int_array_keeps_its_mask_under_coerce() -> None:
    column = np.ma.array([22, 99999, -1], mask=[False, True, False])
    codes = classify_many(column, errors="coerce")
    assert np.ma.getmaskarray(codes).tolist() == [False, True, False]
    assert codes.data[2] == INVALID_CODE


def test_bool_arrays_honour_coerce() -> None:
    assert classify_many(np.array([True, False]), errors="coerce").tolist() == [
        INVALID_CODE, INVALID_CODE]
    with pytest.raises(InvalidColumnError):
        classify_many(np.array([True]))


def test_bool_series_are_invalid_not_ports() -> None:
    with pytest.raises(InvalidColumnError) as info:
        classify_many(pd.Series([True, False], dtype="boolean"))
    assert info.value.positions == (0, 1)


def test_polars_and_arrow_answers_keep_their_kind() -> None:
    out = classify_many(pl.Series("dst", [22, None]), errors="coerce")
    assert isinstance(out, pl.Series) and out.name == "dst" and out.dtype == pl.UInt8
    chunked = classify_many(pa.chunked_array([[22], [50000]]))
    assert isinstance(chunked, pa.ChunkedArray)
    assert chunked.to_pylist() == [0, 2]


def test_ephemeral_of_a_pandas_column_is_boolean_with_na_under_coerce() -> None:
    out = is_ephemeral_many(pd.Series([22, 50000, -1]), "iana", errors="coerce")
    assert str(out.dtype) == "boolean"
    assert out.tolist()[:2] == [False, True]
    assert out.isna().tolist() == [False, False, True]


def test_ephemeral_of_this_host_reads_its_range() -> None:
    from portkit import ephemeral_range

    span = ephemeral_range()
    out = is_ephemeral_many(np.array([span.first, span.last, 0]))
    assert out.tolist() == [True, True, span.first == 0]


def test_a_wrong_column_of_millions_is_reported_without_building_millions_of_objects() -> None:
    column = np.full(3_000_000, 70000)
    with pytest.raises(InvalidColumnError, match="3000000 invalid port") as info:
        classify_many(column)
    error = info.value
    assert error.value == 70000
    assert isinstance(error._positions, np.ndarray)  # kept as numpy until read
    assert error.positions[:2] == (0, 1)
    assert len(error.values) == 3_000_000


def test_missing_values_are_reported_as_none() -> None:
    with pytest.raises(InvalidColumnError) as info:
        classify_many(pd.Series([22, None, 99999], dtype="Int64", name="dst"))
    assert info.value.values == (None, 99999)
    assert info.value.column == "dst"
