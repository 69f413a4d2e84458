"""Classification: IANA classes at every boundary, ephemeral ranges, whole columns."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import portkit
from portkit import (
    EPHEMERAL_RANGES,
    INVALID_CODE,
    PortClass,
    PortRange,
    classify,
    classify_many,
    ephemeral_range,
    is_dynamic,
    is_ephemeral,
    is_registered,
    is_well_known,
)
from portkit import strategies as pks
from portkit.exceptions import InvalidColumnError, InvalidPortError, UnknownSystemError

np = pytest.importorskip("numpy")

BOUNDARIES = {
    0: PortClass.WELL_KNOWN,
    1023: PortClass.WELL_KNOWN,
    1024: PortClass.REGISTERED,
    49151: PortClass.REGISTERED,
    49152: PortClass.DYNAMIC,
    65535: PortClass.DYNAMIC,
}


@pytest.mark.parametrize(("port", "expected"), BOUNDARIES.items())
def test_boundaries(port: int, expected: PortClass) -> None:
    assert classify(port) is expected
    assert is_well_known(port) == (expected is PortClass.WELL_KNOWN)
    assert is_registered(port) == (expected is PortClass.REGISTERED)
    assert is_dynamic(port) == (expected is PortClass.DYNAMIC)


@given(pks.ports())
def test_every_answer_agrees_with_the_range_boundaries(port: int) -> None:
    cls = classify(port)
    assert port in cls.range
    assert cls.range.first <= port <= cls.range.last
    assert sum([is_well_known(port), is_registered(port), is_dynamic(port)]) == 1


def test_all_ports_classified_consistently_with_the_table() -> None:
    codes = classify_many(np.arange(65536))
    assert [int(c) for c in classify_many(list(range(65536)))] == codes.tolist()
    assert codes[:1024].tolist() == [0] * 1024
    assert set(codes[1024:49152].tolist()) == {1}
    assert set(codes[49152:].tolist()) == {2}


@pytest.mark.parametrize("bad", [-1, 65536, True, False, 3.0, "80", None, 2**70])
def test_invalid_ports_raise_naming_the_value(bad: object) -> None:
    with pytest.raises(InvalidPortError) as info:
        classify(bad)  # type: ignore[arg-type]
    assert info.value.value is bad
    assert repr(bad)[:10] in str(info.value)
    assert "0 to 65535" in str(info.value)
    assert isinstance(info.value, ValueError)


def test_numpy_integers_are_ports() -> None:
    assert classify(np.int64(443)) is PortClass.WELL_KNOWN
    assert classify(np.uint16(50000)) is PortClass.DYNAMIC


class TestEphemeral:
    def test_named_systems(self) -> None:
        assert ephemeral_range("iana") == PortRange(49152, 65535)
        assert ephemeral_range("linux") == PortRange(32768, 60999)
        assert ephemeral_range("windows") == PortRange(49152, 65535)
        assert ephemeral_range("macos") == PortRange(49152, 65535)
        assert ephemeral_range("Darwin") == ephemeral_range("macos")
        assert ephemeral_range("freebsd") == PortRange(10000, 65535)
        assert ephemeral_range(" LINUX ") == PortRange(32768, 60999)

    def test_unknown_system_lists_the_known_ones(self) -> None:
        with pytest.raises(UnknownSystemError, match="plan9") as info:
            ephemeral_range("plan9")
        assert "linux" in info.value.known
        assert isinstance(info.value, LookupError)

    @pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads Linux /proc")
    def test_this_host_matches_proc(self) -> None:
        first, last = map(
            int, Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        )
        assert ephemeral_range() == PortRange(first, last)
        assert is_ephemeral(first) and is_ephemeral(last)
        if first > 0:
            assert not is_ephemeral(first - 1)

    @given(pks.ports(), st.sampled_from(sorted(EPHEMERAL_RANGES)))
    def test_is_ephemeral_agrees_with_range(self, port: int, system: str) -> None:
        assert is_ephemeral(port, system) == (port in ephemeral_range(system))

    def test_is_ephemeral_validates_port(self) -> None:
        with pytest.raises(InvalidPortError):
            is_ephemeral(-5, "linux")


class TestClassifyMany:
    def test_lists_give_port_classes(self) -> None:
        assert classify_many([22, 8080, 50000]) == [
            PortClass.WELL_KNOWN, PortClass.REGISTERED, PortClass.DYNAMIC
        ]
        assert classify_many(iter([1])) == [PortClass.WELL_KNOWN]
        assert classify_many([]) == []

    def test_invalid_values_are_reported_with_positions(self) -> None:
        with pytest.raises(InvalidColumnError) as info:
            classify_many([1, -1, 2, 70000, "x", 3])
        assert info.value.positions == (1, 3, 4)
        assert info.value.values == (-1, 70000, "x")
        assert "[1]=-1" in str(info.value)
        assert isinstance(info.value, InvalidPortError)

    def test_coerce_marks_invalid_values(self) -> None:
        assert classify_many([1, -1], errors="coerce") == [PortClass.WELL_KNOWN, None]
        codes = classify_many(np.array([1, -1, 70000, 60000]), errors="coerce")
        assert codes.tolist() == [0, INVALID_CODE, INVALID_CODE, 2]

    def test_strings_are_not_columns(self) -> None:
        with pytest.raises(InvalidPortError):
            classify_many("22")  # type: ignore[call-overload]

    def test_unknown_errors_mode(self) -> None:
        with pytest.raises(ValueError, match="errors"):
            classify_many([1], errors="ignore")  # type: ignore[call-overload]

    @pytest.mark.parametrize(
        "dtype", ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
                  ">i4", "float32", "float64"]
    )
    def test_numpy_dtypes(self, dtype: str) -> None:
        values = [0, 1, 127, 255, 1023, 1024, 32767, 49151, 49152, 65535]
        if np.dtype(dtype).kind in "iu":
            values = [v for v in values if v <= np.iinfo(dtype).max]
        arr = np.array(values, dtype=dtype)
        codes = classify_many(arr)
        assert codes.dtype == np.uint8
        assert codes.tolist() == [int(classify(v)) for v in values]

    def test_numpy_shape_is_kept(self) -> None:
        arr = np.array([[22, 1024], [49152, 65535]])
        assert classify_many(arr).tolist() == [[0, 1], [2, 2]]

    @pytest.mark.parametrize(
        ("values", "dtype", "positions"),
        [
            ([1, -1, 65536, 5], "int64", [1, 2]),
            ([1, -1], "int8", [1]),
            ([1.0, 1.5, float("nan"), -0.5, 70000.0], "float64", [1, 2, 3, 4]),
            ([2**40], "uint64", [0]),
        ],
    )
    def test_numpy_invalid_positions(
        self, values: list[float], dtype: str, positions: list[int]
    ) -> None:
        with pytest.raises(InvalidColumnError) as info:
            classify_many(np.array(values, dtype=dtype))
        assert list(info.value.positions) == positions

    def test_numpy_bool_and_object_columns(self) -> None:
        with pytest.raises(InvalidColumnError):
            classify_many(np.array([True, False]))
        obj = np.array([22, "x", 50000], dtype=object)
        with pytest.raises(InvalidColumnError) as info:
            classify_many(obj)
        assert info.value.positions == (1,)
        assert classify_many(obj, errors="coerce").tolist() == [0, INVALID_CODE, 2]

    @given(st.lists(st.integers(-10, 70000), max_size=50))
    def test_numpy_and_list_paths_agree(self, values: list[int]) -> None:
        codes = classify_many(np.array(values, dtype=np.int64), errors="coerce")
        expected = [INVALID_CODE if c is None else int(c)
                    for c in classify_many(values, errors="coerce")]
        assert codes.tolist() == expected


def test_public_names_are_reexported() -> None:
    assert portkit.classify is classify
