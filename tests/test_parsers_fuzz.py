"""Every public text parser, fuzzed: whatever the text, it either returns a value whose
``str()`` parses back to the same value, or raises a PortkitError; and it takes time
linear in its input (a ratio at two sizes, never a time)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bounds import assert_linear
from portkit import Endpoint, PortkitError, PortRange, PortSet, PortSpec, Protocol
from portkit.catalog import read_weights
from portkit.monitoring import load_checks
from portkit.registries import Registry
from portkit.registries._loaders import IANA_COLUMNS

FUZZ = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
#: File parsers write a file per example: fewer examples keep the suite fast.
FUZZ_FILES = settings(FUZZ, max_examples=100)

#: Characters that the grammars use, plus some that they must refuse.
SPEC_CHARS = "0123456789,-:/TUSDtcpudsx \t\n٣８\x00"
ENDPOINT_CHARS = "0123456789abcdef.:[]%/@?#-_ TUDPtcpu\x00\n"


def _spec_text() -> st.SearchStrategy[str]:
    return st.one_of(st.text(SPEC_CHARS, max_size=40), st.text(max_size=20))


@FUZZ
@given(_spec_text())
def test_portset_parse_round_trips_or_raises(text: str) -> None:
    try:
        value = PortSet.parse(text)
    except PortkitError:
        return
    assert PortSet.parse(str(value)) == value


@FUZZ
@given(_spec_text())
def test_portspec_parse_round_trips_or_raises(text: str) -> None:
    try:
        value = PortSpec.parse(text)
    except PortkitError:
        return
    assert PortSpec.parse(str(value)) == value


@FUZZ
@given(_spec_text())
def test_portrange_parse_round_trips_or_raises(text: str) -> None:
    try:
        value = PortRange.parse(text)
    except PortkitError:
        return
    assert PortRange.parse(str(value)) == value


@FUZZ
@given(st.one_of(st.text(ENDPOINT_CHARS, max_size=40), st.text(max_size=30)))
def test_endpoint_parse_round_trips_or_raises(text: str) -> None:
    try:
        value = Endpoint.parse(text)
    except PortkitError:
        return
    assert Endpoint.parse(str(value)) == value


@FUZZ
@given(st.text(max_size=12))
def test_protocol_parse_round_trips_or_raises(text: str) -> None:
    try:
        value = Protocol.parse(text)
    except PortkitError:
        return
    assert Protocol.parse(str(value)) is value


# -- files -------------------------------------------------------------------------------

WEIGHT_LINES = st.one_of(
    st.builds(
        lambda port, proto, weight, comment: f"{port}/{proto} {weight}{comment}",
        st.one_of(st.integers(-5, 70000).map(str), st.text("0123456789٣", max_size=6)),
        st.sampled_from(["tcp", "UDP", "sctp", "dccp", "icmp", ""]),
        st.one_of(st.floats(allow_nan=True).map(repr), st.text("0123456789.e-+_", max_size=8)),
        st.sampled_from(["", " # c", "#", " extra"]),
    ),
    st.text(max_size=30),
)


@FUZZ_FILES
@given(st.lists(WEIGHT_LINES, max_size=8))
def test_weights_files_read_or_raise(tmp_path_factory: pytest.TempPathFactory,
                                     lines: list[str]) -> None:
    path = tmp_path_factory.mktemp("w") / "weights"
    path.write_text("\n".join(lines), encoding="utf-8", errors="surrogatepass")
    try:
        weights = read_weights(path)
    except PortkitError:
        return
    # What was read writes back as a file that reads to the same weights.
    again = path.with_name("again")
    again.write_text("".join(f"{w.port}/{w.protocol} {w.weight!r}\n" for w in weights))
    assert [(w.port, w.protocol, w.weight) for w in read_weights(again)] == [
        (w.port, w.protocol, w.weight) for w in weights
    ]


TOML_VALUES = st.one_of(
    st.integers(-(10**6), 10**6).map(str), st.floats(allow_nan=False).map(repr),
    st.text("abc127.0.0.1:[]{}=\"' ", max_size=12).map(repr),
    st.sampled_from(["true", "[1, 2]", "{a = 1}", "'open'", "'closed'", "'127.0.0.1:22'",
                     "9" * 5000, "[" * 2000 + "]" * 2000]),
)
TOML_KEYS = st.sampled_from(["endpoint", "name", "interval", "timeout", "expect", "rise",
                             "fall", "degraded_latency", "critical_latency", "bogus"])


@FUZZ_FILES
@given(st.lists(st.dictionaries(TOML_KEYS, TOML_VALUES, max_size=5), max_size=4),
       st.text(max_size=20))
def test_monitor_configs_load_or_raise(tmp_path_factory: pytest.TempPathFactory,
                                       tables: list[dict[str, str]], junk: str) -> None:
    text = "".join(
        "[[check]]\n" + "".join(f"{k} = {v}\n" for k, v in table.items()) for table in tables
    ) + junk
    path = tmp_path_factory.mktemp("c") / "checks.toml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        checks = load_checks(path)
    except PortkitError:
        return
    assert len({c.name for c in checks}) == len(checks) == len(tables)


REGISTRY_FIELDS = st.one_of(
    st.sampled_from(["http", "80", "0-65535", "65536", "10-5", "tcp", "UDP", "", " ",
                     "Reserved", "Unassigned", "[RFC1][RFC2]", "a b",
                     'IANA assigned this well-formed service name as a replacement for "x".']),
    st.text(max_size=15),
)


@FUZZ_FILES
@given(st.lists(st.lists(REGISTRY_FIELDS, min_size=0, max_size=14), max_size=8))
def test_registry_rows_load_or_raise(tmp_path_factory: pytest.TempPathFactory,
                                     rows: list[list[str]]) -> None:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(IANA_COLUMNS)
    writer.writerows(rows)
    directory = tmp_path_factory.mktemp("r")
    path = directory / "iana.csv"
    path.write_text(out.getvalue(), encoding="utf-8", errors="surrogatepass")
    services_path = directory / "services"
    services_path.write_text("\n".join(" ".join(r) for r in rows), encoding="utf-8",
                             errors="surrogatepass")
    for load in (Registry.from_iana_csv, Registry.from_services_file):
        try:
            registry = load(path if load is Registry.from_iana_csv else services_path)
        except PortkitError:
            continue
        # Whatever loaded answers every question about itself.
        for service in registry.all_services:
            assert service in registry.services(service.port, service.protocol)
            assert registry.lookup(service.port, service.protocol) is not None
        assert all(problem.line >= 1 for problem in registry.problems)


# -- linear time -------------------------------------------------------------------------

PARSER_INPUTS: dict[str, tuple[Callable[[str], object], Callable[[int], str]]] = {
    "portset-list": (PortSet.parse, lambda n: ",".join(str(i % 65536) for i in range(n))),
    "portset-dashes": (PortSet.parse, lambda n: "-" * n),
    "portset-commas": (PortSet.parse, lambda n: "," * n + "1"),
    "portspec-qualifiers": (PortSpec.parse, lambda n: "T:1,U:2," * n + "S:3"),
    "endpoint-brackets": (Endpoint.parse, lambda n: "[" * n + "::1]:80"),
    "endpoint-colons": (Endpoint.parse, lambda n: ":" * n + "80"),
    "endpoint-long-host": (Endpoint.parse, lambda n: "a." * n + "b:80"),
}


def parser_runs(name: str) -> tuple[Callable[[int], Callable[[], object]], int]:
    """For input shape *name*: the run of its parser on its text of size n, for each n,
    and the small size to measure it at (also benchmarks/input_growth.py's)."""
    parse, make_text = PARSER_INPUTS[name]

    def make(n: int) -> Callable[[], object]:
        text = make_text(n)

        def run() -> object:
            try:
                return parse(text)
            except PortkitError as e:
                return e

        return run

    return make, 500 if name.startswith("portspec") else 2000


@pytest.mark.parametrize("name", sorted(PARSER_INPUTS))
def test_parsers_hold_memory_linear_in_their_input(name: str) -> None:
    assert_linear(*parser_runs(name))


def test_weights_files_hold_memory_linear_in_their_size(tmp_path: Path) -> None:
    def make(n: int) -> Callable[[], object]:
        path = tmp_path / f"w{n}"
        path.write_text("#" + " " * (50 * n) + "x\n" + "22/tcp " + "1" * 40 + "\n")

        def run() -> object:
            return read_weights(path)

        return run

    assert_linear(make, 200)
