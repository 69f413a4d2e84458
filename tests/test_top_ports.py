"""The top-ports ranking: built-in tiers, n handling, weights files."""

import hashlib
import importlib.util
import tempfile
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import portkit
from portkit import PortSet, Protocol, top_ports
from portkit.catalog import TopPort, read_weights, top_port_entries
from portkit.catalog._top_ports import _HEAD_TCP, _HEAD_UDP
from portkit.catalog._top_ports_data import ASSIGNED, SOURCE_SHA256
from portkit.exceptions import (
    InvalidOptionError as InvalidCountError,
)
from portkit.exceptions import (
    InvalidWeightsError,
    UnknownProtocolError,
)

ROOT = Path(__file__).resolve().parents[1]
SERVICES = Path("/usr/share/wireshark/services")


# --- the built-in ranking ------------------------------------------------------------------


@pytest.mark.parametrize(("protocol", "minimum"), [("tcp", 1000), ("udp", 100)])
def test_builtin_ranking_is_large_unique_and_ranked(protocol: str, minimum: int) -> None:
    entries = top_port_entries(protocol)
    assert len(entries) >= minimum
    ports = [e.port for e in entries]
    assert len(ports) == len(set(ports))
    assert [e.rank for e in entries] == list(range(1, len(entries) + 1))
    assert all(1 <= p <= 65535 for p in ports)
    assert all(e.protocol is Protocol(protocol) for e in entries)
    assert all(e.reason.strip() for e in entries)
    assert top_ports(None, protocol) == tuple(ports)


def test_hand_ordered_heads_come_first_with_their_own_reasons() -> None:
    for protocol, head in (("tcp", _HEAD_TCP), ("udp", _HEAD_UDP)):
        ports = [port for port, _ in head]
        assert len(ports) == len(set(ports)), "a port appears twice in a hand-ordered head"
        entries = top_port_entries(protocol)[: len(head)]
        assert [e.port for e in entries] == ports
        assert [e.reason for e in entries] == [reason for _, reason in head]
        assert len({reason for _, reason in head}) >= len(head) - 5
    assert len(_HEAD_TCP) >= 100
    assert top_ports(5) == (22, 80, 443, 3389, 445)
    assert top_ports(3, "udp") == (53, 123, 161)


def test_annotated_ports_then_every_iana_assigned_port_follow() -> None:
    entries = top_port_entries("tcp")
    ranked = {e.port: e.rank for e in entries}
    tail_start = len(_HEAD_TCP)
    annotated = sorted(
        {p for a in portkit.catalog.annotations() if Protocol.TCP in a.protocols for p in a.ports}
        - {p for p, _ in _HEAD_TCP}
    )
    assert [e.port for e in entries[tail_start : tail_start + len(annotated)]] == annotated
    assigned = PortSet.parse(ASSIGNED["tcp"])
    assert all(port in ranked for port in assigned)
    rest = [e.port for e in entries[tail_start + len(annotated) :]]
    assert rest == sorted(rest)
    assert set(rest) <= set(assigned)


def test_sctp_and_dccp_have_rankings_from_the_derived_tiers() -> None:
    sctp = top_ports(protocol="sctp")
    assert 80 in sctp
    assert 2049 in sctp
    assert set(top_ports(protocol=Protocol.DCCP)) == set(PortSet.parse(ASSIGNED["dccp"]))


def test_top_port_is_a_frozen_value() -> None:
    first = top_port_entries()[0]
    assert first == TopPort(port=22, protocol=Protocol.TCP, rank=1, reason=first.reason)
    assert str(first) == "22/tcp"
    assert hash(first) == hash(top_port_entries()[0])


# --- n and protocol -------------------------------------------------------------------------


def test_n_takes_a_prefix() -> None:
    everything = top_ports()
    assert top_ports(1) == everything[:1]
    assert top_ports(100) == everything[:100]
    assert top_ports(n=10, protocol="UDP") == top_ports(protocol="udp")[:10]


def test_n_beyond_the_ranking_returns_all_of_it() -> None:
    everything = top_ports(protocol="udp")
    assert top_ports(len(everything) + 1000, "udp") == everything
    assert top_ports(10_000_000) == top_ports()


@pytest.mark.parametrize("bad", [0, -1, True, False, 2.0, "5"])
def test_bad_n_is_rejected_naming_the_value(bad: object) -> None:
    with pytest.raises(InvalidCountError) as info:
        top_ports(bad)  # type: ignore[arg-type]
    assert info.value.value is bad
    assert repr(bad) in str(info.value)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("bad", ["icmp", "", "tcp6", 6])
def test_bad_protocol_is_rejected_naming_the_value(bad: object) -> None:
    with pytest.raises(UnknownProtocolError, match=repr(bad).replace("'", ".")):
        top_ports(5, bad)  # type: ignore[arg-type]
    with pytest.raises(UnknownProtocolError):
        top_port_entries(bad)  # type: ignore[arg-type]


# --- weights files --------------------------------------------------------------------------


def write(tmp_path: Path, text: str, name: str = "weights.txt") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_weights_go_first_highest_first(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "# our own services\n"
        "\n"
        "8443/tcp 100   # admin console\n"
        "5432/TCP 90\n"
        "53/udp 500\n"
        "9999/tcp 90.0  # same weight as 5432: file order breaks the tie\n"
        "22/tcp 0       # leave ssh out\n",
    )
    ports = top_ports(None, "tcp", weights=path)
    assert ports[:3] == (8443, 5432, 9999)
    assert 22 not in ports
    assert len(ports) == len(set(ports))
    builtin = [p for p in top_ports() if p not in {8443, 5432, 9999, 22}]
    assert list(ports[3:]) == builtin
    assert top_ports(1, "udp", weights=str(path)) == (53,)
    entries = top_port_entries("tcp", weights=path)
    assert entries[0].reason == f"Weight 100 from {path} line 3: admin console"
    assert entries[1].reason == f"Weight 90 from {path} line 4"
    assert [e.rank for e in entries] == list(range(1, len(entries) + 1))


def test_weights_override_the_builtin_order(tmp_path: Path) -> None:
    builtin = top_ports(5)
    path = write(tmp_path, "".join(f"{p}/tcp {i + 1}\n" for i, p in enumerate(builtin)))
    assert top_ports(5, weights=path) == tuple(reversed(builtin))


def test_read_weights_returns_the_entries(tmp_path: Path) -> None:
    path = write(tmp_path, "443/tcp 2.5 # web\n  161/udp   7\n")
    first, second = read_weights(path)
    assert (first.port, first.protocol, first.weight, first.line, first.comment) == (
        443, Protocol.TCP, 2.5, 1, "web",
    )
    assert (second.port, second.protocol, second.weight, second.line, second.comment) == (
        161, Protocol.UDP, 7.0, 2, "",
    )
    assert read_weights(write(tmp_path, "", "empty.txt")) == ()


@pytest.mark.parametrize(
    ("text", "line", "rule"),
    [
        ("443/tcp\n", 1, "found 1 field"),
        ("# fine\n443/tcp 1 2\n", 2, "found 3 field"),
        ("22/tcp 1\n443 5\n", 2, "lacks '/PROTO'"),
        ("\n\nhttp/tcp 5\n", 3, "not a port"),
        ("0/tcp 5\n", 1, "not a port from 1 to 65535"),
        ("65536/tcp 5\n", 1, "not a port from 1 to 65535"),
        ("-1/tcp 5\n", 1, "not a port"),
        ("22/icmp 5\n", 1, "'icmp' is not one of tcp"),
        ("22/tcp -1\n", 1, "not a number of at least 0"),
        ("22/tcp lots\n", 1, "not a number"),
        ("22/tcp nan\n", 1, "not a number"),
        ("22/tcp inf\n", 1, "not a number"),
        ("22/tcp 1\n80/tcp 2\n22/TCP 3\n", 3, "appears again (first on line 1)"),
    ],
)
def test_malformed_weights_name_the_line(tmp_path: Path, text: str, line: int, rule: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(InvalidWeightsError) as info:
        top_ports(10, weights=path)
    error = info.value
    assert error.line == line
    assert rule in error.rule
    assert f"line {line}" in str(error)
    assert str(path) in str(error)
    assert error.text == text.splitlines()[line - 1]
    assert isinstance(error, ValueError)
    with pytest.raises(InvalidWeightsError):
        read_weights(path)


def test_weights_file_that_is_not_utf8_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "weights.txt"
    path.write_bytes(b"22/tcp 1 # caf\xe9\n")
    with pytest.raises(InvalidWeightsError, match="not UTF-8") as info:
        top_ports(weights=path)
    assert info.value.line is None


def test_missing_weights_file_raises_oserror(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        top_ports(weights=tmp_path / "absent.txt")


_entry = st.tuples(
    st.integers(1, 65535), st.sampled_from(["tcp", "udp"]), st.integers(0, 1000)
)


@settings(max_examples=60)
@given(st.lists(_entry, max_size=30, unique_by=lambda e: (e[0], e[1])))
def test_weighted_ranking_orders_by_weight_then_file_order(
    entries: list[tuple[int, str, int]],
) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "w.txt"
        path.write_text("".join(f"{p}/{proto} {w}\n" for p, proto, w in entries))
        ranked = top_ports(None, "tcp", weights=path)
    tcp = [(p, w, i) for i, (p, proto, w) in enumerate(entries) if proto == "tcp"]
    expected_head = [p for p, w, _ in sorted(tcp, key=lambda e: (-e[1], e[2])) if w > 0]
    assert list(ranked[: len(expected_head)]) == expected_head
    named = {p for p, _, _ in tcp}
    assert list(ranked[len(expected_head) :]) == [p for p in top_ports() if p not in named]


# --- the generated data is reproducible from its public source -----------------------------


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_top_ports", ROOT / "scripts" / "build_top_ports.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_data_matches_its_source() -> None:
    if not SERVICES.is_file():
        pytest.skip(f"{SERVICES} is absent (Debian package libwireshark-data)")
    data = SERVICES.read_bytes()
    if hashlib.sha256(data).hexdigest() != SOURCE_SHA256:
        pytest.skip(f"{SERVICES} is another version than the one the data was built from")
    script = _load_script()
    fresh = script.assigned_ports(data.decode("utf-8"))
    for protocol, text in ASSIGNED.items():
        assert list(PortSet.parse(text)) == fresh[protocol]
        assert script.compress(fresh[protocol]) == text
    data = ROOT / "src" / "portkit" / "catalog" / "_top_ports_data.py"
    committed = data.read_text(encoding="utf-8")
    assert script.render(SERVICES).split('"""', 2)[2] == committed.split('"""', 2)[2]


def test_compress_collapses_runs() -> None:
    script = _load_script()
    assert script.compress([1, 2, 3, 7, 9, 10]) == "1-3,7,9-10"
    assert script.compress([]) == ""
    assert script.assigned_ports("x 6000-6002/tcp/udp # X\n# c\ny 0/tcp\n")["udp"] == [
        6000, 6001, 6002,
    ]


def test_public_names_are_exported() -> None:
    assert "top_ports" in portkit.__all__
    for name in ["TopPort", "Weight", "top_port_entries", "read_weights"]:
        assert name in portkit.catalog.__all__
        assert getattr(portkit.catalog, name) is not None
