"""PortRange, PortSet, PortSpec and Protocol: construction, algebra, round trips."""

from __future__ import annotations

import pickle

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from portkit import PortClass, PortRange, PortSet, PortSpec, Protocol
from portkit import strategies as pks
from portkit.exceptions import InvalidPortError, InvalidSpecError, UnknownProtocolError

small_sets = pks.port_sets(max_port=300)


def expand(ports: PortSet) -> set[int]:
    return {p for r in ports.ranges for p in range(r.first, r.last + 1)}


class TestProtocol:
    @pytest.mark.parametrize("text", ["tcp", "TCP", " Tcp ", Protocol.TCP])
    def test_parse_is_case_insensitive(self, text: str) -> None:
        assert Protocol.parse(text) is Protocol.TCP
        assert Protocol(text) is Protocol.TCP

    @pytest.mark.parametrize("text", ["", "icmp", "t", "tcp6"])
    def test_unknown_names_raise_naming_the_value(self, text: str) -> None:
        with pytest.raises(UnknownProtocolError, match=repr(text)) as info:
            Protocol.parse(text)
        assert isinstance(info.value, ValueError)
        assert info.value.value == text

    def test_str_and_letters(self) -> None:
        assert [str(p) for p in Protocol] == ["tcp", "udp", "sctp", "dccp"]
        assert [p.letter for p in Protocol] == ["T", "U", "S", "D"]


class TestPortClass:
    def test_codes_and_ranges_cover_the_port_space_in_order(self) -> None:
        assert [int(c) for c in PortClass] == [0, 1, 2]
        assert [str(c.range) for c in PortClass] == ["0-1023", "1024-49151", "49152-65535"]
        assert PortClass.WELL_KNOWN.rfc6335_name == "System Ports"
        assert PortClass.REGISTERED.rfc6335_name == "User Ports"
        assert PortClass.DYNAMIC.rfc6335_name == "Dynamic and/or Private Ports"
        assert str(PortClass.WELL_KNOWN) == "well-known"


class TestPortRange:
    def test_basics(self) -> None:
        r = PortRange(8000, 8100)
        assert 8000 in r and 8100 in r and 7999 not in r and 8101 not in r
        assert "8000" not in r and 8000.0 not in r
        assert len(r) == 101
        assert list(PortRange(5, 7)) == [5, 6, 7]
        assert repr(r) == "PortRange(8000, 8100)"
        assert str(PortRange(80, 80)) == "80"
        assert PortRange.single(80) == PortRange(80, 80)

    @pytest.mark.parametrize(
        ("first", "last"), [(-1, 5), (0, 65536), (True, 5), (3.0, 5), ("1", 5), (10, 9)]
    )
    def test_invalid_bounds_raise(self, first: object, last: object) -> None:
        with pytest.raises(InvalidPortError):
            PortRange(first, last)  # type: ignore[arg-type]

    def test_backwards_range_names_both_ends(self) -> None:
        with pytest.raises(InvalidPortError, match="10-9"):
            PortRange(10, 9)

    def test_is_frozen_hashable_and_ordered(self) -> None:
        r = PortRange(1, 2)
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            r.first = 0  # type: ignore[misc]
        assert {r, PortRange(1, 2)} == {r}
        assert sorted([PortRange(5, 6), PortRange(1, 9), PortRange(1, 2)]) == [
            PortRange(1, 2), PortRange(1, 9), PortRange(5, 6)
        ]

    @pytest.mark.parametrize(
        ("text", "expected"),
        [("80", (80, 80)), ("8000-8100", (8000, 8100)), ("-1024", (1, 1024)),
         ("60000-", (60000, 65535)), ("-", (1, 65535)), (" 1 - 2 ", (1, 2)), ("0", (0, 0))],
    )
    def test_parse(self, text: str, expected: tuple[int, int]) -> None:
        assert PortRange.parse(text) == PortRange(*expected)

    @pytest.mark.parametrize("text", ["", "1,2", "http", "100-50", "1--5", "70000", "a-b"])
    def test_parse_rejects(self, text: str) -> None:
        with pytest.raises(InvalidSpecError):
            PortRange.parse(text)

    @given(pks.port_ranges())
    def test_str_parses_back(self, r: PortRange) -> None:
        assert PortRange.parse(str(r)) == r
        assert len(r) == r.last - r.first + 1


class TestPortSet:
    def test_collapses_overlapping_and_adjacent_input(self) -> None:
        s = PortSet([5, 3, 4, PortRange(10, 20), PortRange(15, 25), 26, 100])
        assert s.ranges == (PortRange(3, 5), PortRange(10, 26), PortRange(100, 100))
        assert str(s) == "3-5,10-26,100"
        assert repr(s) == "PortSet.parse('3-5,10-26,100')"
        assert repr(PortSet()) == "PortSet()"

    def test_full_range_is_one_range_not_65536_ints(self) -> None:
        everything = PortSet(range(65536))
        assert everything.ranges == (PortRange(0, 65535),)
        assert everything == PortSet.all()
        assert len(everything) == 65536
        assert 0 in everything and 65535 in everything and 65536 not in everything

    def test_rejects_text_and_bad_members(self) -> None:
        with pytest.raises(InvalidPortError, match=r"PortSet\.parse"):
            PortSet("22,80")  # type: ignore[arg-type]
        with pytest.raises(InvalidPortError):
            PortSet([80, 70000])
        with pytest.raises(InvalidPortError):
            PortSet([True])

    def test_iteration_is_ascending_and_reversible(self) -> None:
        s = PortSet([9, 1, PortRange(3, 5)])
        assert list(s) == [1, 3, 4, 5, 9]
        assert list(reversed(s)) == [9, 5, 4, 3, 1]

    def test_operators_only_take_port_sets_like_frozenset(self) -> None:
        s = PortSet([1])
        with pytest.raises(TypeError):
            _ = s | {2}  # type: ignore[operator]
        assert s.union({2}) == PortSet([1, 2])

    def test_pickles_and_hashes(self) -> None:
        s = PortSet.parse("1-10,20")
        assert pickle.loads(pickle.dumps(s)) == s
        assert hash(s) == hash(PortSet([PortRange(1, 10), 20]))

    @given(small_sets, small_sets)
    def test_algebra_agrees_with_python_sets(self, a: PortSet, b: PortSet) -> None:
        sa, sb = expand(a), expand(b)
        assert expand(a | b) == sa | sb
        assert expand(a & b) == sa & sb
        assert expand(a - b) == sa - sb
        assert expand(a ^ b) == sa ^ sb
        assert (a <= b) == (sa <= sb)
        assert (a < b) == (sa < sb)
        assert (a >= b) == (sa >= sb)
        assert (a > b) == (sa > sb)
        assert a.isdisjoint(b) == sa.isdisjoint(sb)
        assert (a == b) == (sa == sb)

    @given(small_sets)
    def test_set_views_agree(self, a: PortSet) -> None:
        expanded = expand(a)
        assert list(a) == sorted(expanded)
        assert len(a) == len(expanded)
        assert bool(a) == bool(expanded)
        for port in range(302):
            assert (port in a) == (port in expanded)
        assert expand(~a) == set(range(65536)) - expanded

    @given(small_sets)
    def test_ranges_are_sorted_disjoint_and_never_adjacent(self, a: PortSet) -> None:
        for left, right in zip(a.ranges, a.ranges[1:], strict=False):
            assert left.last + 1 < right.first

    @given(pks.port_sets(min_ranges=1))
    def test_str_parses_back(self, a: PortSet) -> None:
        assert PortSet.parse(str(a)) == a

    @given(st.lists(pks.ports(), max_size=40))
    def test_constructor_agrees_with_set_of_ints(self, ports: list[int]) -> None:
        assert expand(PortSet(ports)) == set(ports)

    def test_parse_rejects_qualifiers_and_points_to_portspec(self) -> None:
        with pytest.raises(InvalidSpecError, match=r"PortSpec\.parse"):
            PortSet.parse("T:22,U:53")


class TestPortSpec:
    def test_parse_keeps_protocols_apart(self) -> None:
        spec = PortSpec.parse("T:22,80,U:53,161,S:9")
        assert spec[Protocol.TCP] == PortSet([22, 80])
        assert spec["udp"] == PortSet([53, 161])
        assert spec.get(Protocol.SCTP) == PortSet([9])
        assert spec.get(Protocol.DCCP) == PortSet()
        assert spec.protocols == (Protocol.TCP, Protocol.UDP, Protocol.SCTP)
        assert len(spec) == 5
        assert (Protocol.UDP, 53) in spec and (Protocol.TCP, 53) not in spec
        assert list(spec.pairs())[:2] == [(Protocol.TCP, 22), (Protocol.TCP, 80)]
        assert str(spec) == "T:22,80,U:53,161,S:9"

    def test_unqualified_items_take_the_default_protocol(self) -> None:
        assert PortSpec.parse("22,U:53") == PortSpec({"tcp": [22], "udp": [53]})
        assert PortSpec.parse("53", default="udp") == PortSpec({Protocol.UDP: [53]})

    def test_repeated_qualifiers_merge(self) -> None:
        assert PortSpec.parse("T:1,U:2,T:3")[Protocol.TCP] == PortSet([1, 3])

    def test_constructor_drops_empty_protocols(self) -> None:
        assert PortSpec({"tcp": [], "udp": [1]}).protocols == (Protocol.UDP,)
        assert not PortSpec()
        assert repr(PortSpec()) == "PortSpec()"

    @given(pks.port_specs())
    def test_str_parses_back(self, spec: PortSpec) -> None:
        assert PortSpec.parse(str(spec)) == spec
        assert len(spec) == sum(len(p) for _, p in spec.entries)


@pytest.mark.parametrize("value", [22, None, 3.5, True, object()])
def test_portset_of_a_non_iterable_names_the_rule(value: object) -> None:
    # Regression: PortSet(22) raised "'int' object is not iterable".
    with pytest.raises(InvalidSpecError, match=r"iterable of ports and PortRanges") as info:
        PortSet(value)  # type: ignore[arg-type]
    assert info.value.spec is value
    with pytest.raises(InvalidSpecError):
        PortSpec({"tcp": value})  # type: ignore[dict-item]


def test_portset_of_one_int_suggests_a_list() -> None:
    with pytest.raises(InvalidSpecError, match=r"PortSet\(\[22\]\) holds port 22"):
        PortSet(22)  # type: ignore[arg-type]
    assert PortSet([22]) == PortSet.parse("22")
