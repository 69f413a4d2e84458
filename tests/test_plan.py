"""Plans and shards: building, exclusions, partitions, JSON and pickle round trips."""

from __future__ import annotations

import ipaddress
import pickle
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import portkit
from portkit.exceptions import InvalidOptionError, InvalidTargetError
from portkit.planning import Plan, Shard

# Small IPv4 and IPv6 networks inside documentation ranges (never probed here).
networks = st.one_of(
    st.builds(
        lambda host, prefix: str(ipaddress.ip_network(f"192.0.2.{host}/{prefix}", strict=False)),
        st.integers(0, 255), st.integers(26, 32),
    ),
    st.builds(
        lambda host, prefix: str(
            ipaddress.ip_network(f"2001:db8::{host:x}/{prefix}", strict=False)
        ),
        st.integers(0, 255), st.integers(124, 128),
    ),
)
port_lists = st.lists(st.integers(0, 65535), min_size=1, max_size=6, unique=True)


def expected_pairs(
    targets: list[str], ports: list[int], exclude: list[str]
) -> set[tuple[str, int]]:
    """The pairs a plan should hold, computed with ipaddress sets, independently."""
    out = {ipaddress.ip_network(e, strict=False) for e in exclude}
    addresses: set[str] = set()
    for target in targets:
        for a in ipaddress.ip_network(target, strict=False):
            if not any(a in n for n in out if n.version == a.version):
                addresses.add(str(a))
    return {(a, p) for a in addresses for p in ports}


@settings(max_examples=60, deadline=None)
@given(
    targets=st.lists(networks, min_size=1, max_size=4),
    ports=port_lists,
    exclude=st.lists(networks, max_size=3),
    count=st.integers(1, 9),
    seed=st.integers(0, 2**64),
)
def test_shards_partition_the_plan_for_any_count_and_seed(
    targets: list[str], ports: list[int], exclude: list[str], count: int, seed: int
) -> None:
    plan = Plan.build(targets, ports, exclude=exclude, seed=seed)
    want = expected_pairs(targets, ports, exclude)
    assert plan.total == len(want)
    seen = Counter(
        (address, port) for shard in plan.shards(count) for _, address, port in shard.pairs()
    )
    assert set(seen) == want
    assert all(n == 1 for n in seen.values())
    assert sum(s.total for s in plan.shards(count)) == plan.total


@settings(max_examples=60, deadline=None)
@given(targets=st.lists(networks, min_size=1, max_size=4), ports=port_lists,
       exclude=st.lists(networks, max_size=3), seed=st.none() | st.integers(0, 2**64))
def test_plans_round_trip_through_json_and_pickle(
    targets: list[str], ports: list[int], exclude: list[str], seed: int | None
) -> None:
    plan = Plan.build(targets, ports, exclude=exclude, seed=seed)
    for copy in (Plan.from_json(plan.to_json()), pickle.loads(pickle.dumps(plan))):
        assert copy == plan
        assert copy.fingerprint == plan.fingerprint
        assert list(copy.pairs()) == list(plan.pairs())
    shard = plan.shard(0, 2)
    assert pickle.loads(pickle.dumps(shard)) == shard


def test_the_default_seed_is_the_same_wherever_the_plan_is_built() -> None:
    one = Plan.build(["192.0.2.0/28"], "22,80")
    two = Plan.build(["192.0.2.0/28"], portkit.PortSet.parse("80,22"))
    assert one.seed == two.seed
    assert list(one.shard(1, 3).pairs()) == list(two.shard(1, 3).pairs())
    assert Plan.build(["192.0.2.0/28"], "22,81").seed != one.seed


def test_the_seed_changes_the_order_not_the_pairs() -> None:
    one = Plan.build(["192.0.2.0/26"], "1-20", seed=1)
    two = Plan.build(["192.0.2.0/26"], "1-20", seed=2)
    assert list(one.pairs()) != list(two.pairs())
    assert set(one.pairs()) == set(two.pairs())


def test_overlapping_targets_give_each_address_once_with_the_first_label() -> None:
    plan = Plan.build(["192.0.2.4/30", "192.0.2.0/29"], [22])
    labels = {address: label for label, address, _ in plan.pairs()}
    assert len(labels) == 8
    assert labels["192.0.2.5"] == "192.0.2.4/30"
    assert labels["192.0.2.1"] == "192.0.2.0/29"


def test_exclusions_come_from_addresses_networks_and_files(tmp_path: Path) -> None:
    listing = tmp_path / "exclude.txt"
    listing.write_text("# lab gear\n192.0.2.8/30   # switches\n\n192.0.2.15\n")
    plan = Plan.build("192.0.2.0/28", [80], exclude=["192.0.2.0", listing])
    addresses = {address for _, address, _ in plan.pairs()}
    assert addresses == {f"192.0.2.{i}" for i in (1, 2, 3, 4, 5, 6, 7, 12, 13, 14)}
    assert plan.exclude == ("192.0.2.0", str(listing))


def test_octet_ranges_in_nmaps_syntax_become_address_ranges() -> None:
    plan = Plan.build(["192.0.2.1-3,7", "10.0.*.1"], [22], exclude=["10.0.5.0/24"])
    assert plan.targets[:2] == (
        ("192.0.2.1-3,7", "192.0.2.1", "192.0.2.3"), ("192.0.2.1-3,7", "192.0.2.7", "192.0.2.7"),
    )
    assert plan.addresses == 4 + 255


def test_names_are_resolved_when_the_plan_is_built() -> None:
    plan = Plan.build(["localhost"], [80], family="ipv4")
    assert plan.targets == (("localhost", "127.0.0.1", "127.0.0.1"),)
    assert "localhost" not in Plan.from_json(plan.to_json()).targets[0][1:]


@pytest.mark.parametrize(
    ("targets", "exclude"),
    [(["192.0.2.0/33"], []), (["192.0.2.1:80"], []), (["192.0.2.0/30"], ["not an address"]),
     ([portkit.Endpoint.parse("192.0.2.1:80")], []), (["192.0.2.0/30"], [Path("/nonexistent/x")])],
)
def test_bad_targets_and_exclusions_are_refused(
    targets: list[object], exclude: list[object]
) -> None:
    with pytest.raises(InvalidTargetError):
        Plan.build(targets, [80], exclude=exclude)  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["3/3", "-1/2", "1", "a/b", "0/0"])
def test_shard_numbers_break_the_rule_clearly(text: str) -> None:
    plan = Plan.build("192.0.2.0/30", [80])
    with pytest.raises(InvalidOptionError, match="shard"):
        Shard.parse(plan, text)


def test_shard_parse_and_str_agree() -> None:
    plan = Plan.build("192.0.2.0/30", [80])
    shard = Shard.parse(plan, "2/5")
    assert (shard.index, shard.count, str(shard)) == (2, 5, "2/5")


@pytest.mark.parametrize("text", ["{}", "[]", "not json", '{"format": 1, "targets": 3}'])
def test_malformed_plan_json_is_refused(text: str) -> None:
    with pytest.raises(InvalidOptionError, match="plan"):
        Plan.from_json(text)
