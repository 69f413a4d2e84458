"""Loading registries: IANA's CSV, the /etc/services format, the bundled data format."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portkit import PortRange, PortStatus, Protocol, Service
from portkit.exceptions import RegistryFormatError
from portkit.registries import Registry
from portkit.registries._data import dump_data, parse_data
from portkit.registries._loaders import IANA_COLUMNS

REFERENCE_CSV = Path("/work/shared/data/iana-service-names-port-numbers.csv")
ETC_SERVICES = Path("/etc/services")
HEADER = ",".join(IANA_COLUMNS)


def _protocols(text: str) -> tuple[str, ...]:
    return (text,) if text else ("tcp", "udp")


def _ports(text: str) -> tuple[int, int]:
    first, _, last = text.partition("-")
    return int(first), int(last or first)


@pytest.fixture(scope="module")
def reference() -> tuple[list[dict[str, str]], Registry]:
    if not REFERENCE_CSV.is_file():
        pytest.skip(f"IANA's CSV is not at {REFERENCE_CSV}")
    with REFERENCE_CSV.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return rows, Registry.from_iana_csv(REFERENCE_CSV, strict=True)


def test_every_port_bearing_iana_row_is_found(
    reference: tuple[list[dict[str, str]], Registry],
) -> None:
    rows, reg = reference
    assert reg.problems == ()
    ports_of: dict[tuple[str, str], set[int]] = {}
    for service in reg.all_services:
        for alias in service.names:
            ports_of.setdefault((alias.lower(), service.protocol.value), set()).add(service.port)
    checked = 0
    for row in rows:
        if not row["Port Number"]:
            continue
        first, last = _ports(row["Port Number"])
        name = row["Service Name"]
        for protocol in _protocols(row["Transport Protocol"]):
            for port in {first, last}:
                found = reg.services(port, protocol)
                if name:
                    holders = [s for s in found if name in s.names]
                    assert holders, (name, port, protocol)
                    assert holders[0].ports == PortRange(first, last)
                    assert reg.status(port, protocol) is PortStatus.ASSIGNED
                    assert reg.port_of(name, protocol) in ports_of[name.lower(), protocol]
                elif not found:
                    word = row["Description"].strip().lower()
                    expected = (PortStatus.RESERVED if word.startswith(("reserved", "any private"))
                                else PortStatus.UNASSIGNED)
                    # A range marker may be overridden by a single-port one.
                    if first == last:
                        assert reg.status(port, protocol) is expected, (port, protocol)
                checked += 1
    assert checked > 13000


def test_primary_is_the_first_named_row_of_each_single_port(
    reference: tuple[list[dict[str, str]], Registry],
) -> None:
    rows, reg = reference
    first_name: dict[tuple[int, str], str] = {}
    for row in rows:
        port_text, name = row["Port Number"], row["Service Name"]
        if name and port_text and "-" not in port_text:
            for protocol in _protocols(row["Transport Protocol"]):
                first_name.setdefault((int(port_text), protocol), name)
    for (port, protocol), name in first_name.items():
        service = reg.lookup(port, protocol)
        assert service is not None, (port, protocol)
        assert service.name == name, (port, protocol, service)


def test_counts_per_protocol_match_the_csv_module(
    reference: tuple[list[dict[str, str]], Registry], capsys: pytest.CaptureFixture[str],
) -> None:
    rows, reg = reference
    # Independently: distinct (name, first, last) per protocol, from the csv module.
    expected: Counter[str] = Counter()
    seen: set[tuple[str, str, str]] = set()
    blank_port = 0
    for row in rows:
        if not row["Port Number"]:
            blank_port += 1
            continue
        if not row["Service Name"]:
            continue
        for protocol in _protocols(row["Transport Protocol"]):
            key = (row["Service Name"].lower(), row["Port Number"], protocol)
            if key not in seen:
                seen.add(key)
                expected[protocol] += 1
    loaded: Counter[str] = Counter()
    for service in reg.all_services:
        loaded[service.protocol.value] += len({n.lower() for n in service.names})
    with capsys.disabled():
        print(f"\nIANA CSV: {len(rows)} records, {blank_port} without a port")
        for protocol in Protocol:
            print(f"  {protocol.value:5} csv module: {expected[protocol.value]:5}  "
                  f"portkit: {loaded[protocol.value]:5} names, "
                  f"{sum(1 for s in reg.all_services if s.protocol is protocol):5} services")
    assert loaded == expected
    assert reg.provenance["records"] == len(rows)
    assert reg.provenance["records"] - reg.provenance["port_rows"] == blank_port


# -- small files of our own ---------------------------------------------------------------

GOOD_CSV = f"""{HEADER}
http,80,tcp,World Wide Web HTTP,[IESG],[IETF_Chair],,2021-10-01,[RFC9110],,,"notes"
www,80,tcp,World Wide Web HTTP,,,,,[RFC9110],,,"This is a duplicate of the ""http"" service
and should not be used for discovery purposes."
whoispp,63,tcp,"whois++
IANA assigned this well-formed service name as a replacement for ""whois++"".",,,,,,,,
whois++,63,tcp,whois++,,,,,,,,
x11,6000-6063,tcp,X Window System,,,,,[RFC1013],,,
active-net,3322-3325,,Active Networks,,,,,,,,
,0,tcp,Reserved,,,,,[RFC6335],,,
,4,tcp,Unassigned,,,,,,,,
,272-279,,Unassigned,,,,,,,,
,275,udp,Reserved,,,,,,,,
zigbee-gateway,,tcp,ZigBee IP Gateway,,,,,,,,
"""


def _write(tmp_path: Path, text: str, name: str = "registry.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_iana_csv_fixture_loads_names_aliases_ranges_and_markers(tmp_path: Path) -> None:
    reg = Registry.from_iana_csv(_write(tmp_path, GOOD_CSV), strict=True)
    http = reg.lookup(80)
    assert http is not None
    assert http.names == ("http", "www")
    assert http.references == ("RFC9110",)
    whois = reg.lookup(63)
    assert whois is not None
    assert whois.names == ("whoispp", "whois++")
    assert whois.description == "whois++"
    assert reg.lookup(6063) is reg.lookup(6000)
    assert reg.lookup(3325, "udp") is not None
    assert reg.status(0) is PortStatus.RESERVED
    assert reg.status(4) is PortStatus.UNASSIGNED
    assert reg.status(276, "udp") is PortStatus.UNASSIGNED
    assert reg.status(275, "udp") is PortStatus.RESERVED  # a single port beats a range
    assert reg.status(9) is PortStatus.UNASSIGNED  # not mentioned at all
    with pytest.raises(LookupError):
        reg.port_of("zigbee-gateway")  # registered without a port
    assert reg.provenance["records"] == 11
    assert reg.provenance["port_rows"] == 10


BAD_CSV = f"""{HEADER}
good,1000,tcp,"a description
over two lines",,,,,,,,
badport,80x,tcp,x,,,,,,,,
toobig,70000,tcp,x,,,,,,,,
backwards,10-5,udp,x,,,,,,,,
oddproto,81,icmp,x,,,,,,,,
short,82,tcp
blank name,83,tcp,x,,,,,,,,
fine,1001,udp,y,,,,,,,,
"""


def test_malformed_csv_rows_are_reported_with_line_numbers(tmp_path: Path) -> None:
    path = _write(tmp_path, BAD_CSV)
    reg = Registry.from_iana_csv(path)
    assert [(p.line, p.path) for p in reg.problems] == [(n, str(path)) for n in range(4, 10)]
    rules = [p.rule for p in reg.problems]
    assert "'80x'" in rules[0]
    assert "'70000'" in rules[1]
    assert "backwards" in rules[2]
    assert "'icmp'" in rules[3]
    assert "expected 12 fields" in rules[4]
    assert "blank" in rules[5]
    assert all(isinstance(p, ValueError) for p in reg.problems)
    assert f"{path}, line 4:" in str(reg.problems[0])
    # The rest still loaded.
    assert [s.name for s in reg.all_services] == ["good", "fine"]
    assert reg.lookup(1000) is not None
    assert reg.lookup(1000).description == "a description over two lines"  # type: ignore[union-attr]


def test_strict_loading_raises_the_first_malformed_row(tmp_path: Path) -> None:
    with pytest.raises(RegistryFormatError) as info:
        Registry.from_iana_csv(_write(tmp_path, BAD_CSV), strict=True)
    assert info.value.line == 4


@pytest.mark.parametrize(
    ("text", "rule"),
    [("", "empty"), ("Port,Name\n80,http\n", "'Service Name'"), ("<html>\n", "header")],
)
def test_a_file_without_iana_header_is_refused(tmp_path: Path, text: str, rule: str) -> None:
    with pytest.raises(RegistryFormatError) as info:
        Registry.from_iana_csv(_write(tmp_path, text))
    assert info.value.line == 1
    assert rule in str(info.value)


SERVICES_FILE = """\
# A comment line
tcpmux\t\t1/tcp\t\t\t\t# TCP port service multiplexer
http\t\t80/tcp\t\twww www-http\t# WorldWideWeb HTTP
http\t\t80/udp
x11\t\t6000-6063/tcp/udp\t# X Window System

discard\t9/tcp/udp/sctp/dccp\tsink null
broken
rtmp\t\t1/ddp\t\t\t# Routing Table Maintenance Protocol
bad\t\t99999/tcp
nocolon\t80
"""


def test_services_file_loads_aliases_ranges_and_comments(tmp_path: Path) -> None:
    path = _write(tmp_path, SERVICES_FILE, "services")
    reg = Registry.from_services_file(path)
    http = reg.lookup(80)
    assert http is not None
    assert http.names == ("http", "www", "www-http")
    assert http.description == "WorldWideWeb HTTP"
    udp = reg.lookup(80, "udp")
    assert udp is not None
    assert udp.names == ("http",)
    assert reg.lookup(6001, "udp") == Service(
        name="x11", ports=PortRange(6000, 6063), protocol="udp", description="X Window System"
    )
    assert reg.port_of("null", "dccp") == 9
    assert [(p.line, p.rule.split(" ")[0]) for p in reg.problems] == [
        (8, "expected"), (9, "transport"), (10, "port"), (11, "'80'")
    ]
    with pytest.raises(RegistryFormatError) as info:
        Registry.from_services_file(path, strict=True)
    assert info.value.line == 8


# Where Debian's /etc/services and IANA's registry name a port differently, and why.
# Keys are the /etc/services names; each reason explains every name in its group.
ETC_SERVICES_DISAGREEMENTS: dict[str, tuple[str, ...]] = {
    "IANA assigns the port to another name; Debian keeps an older or a second name": (
        "fsp", "z3950", "datametrics", "sip-tls", "bbs",
    ),
    "Debian names each X display port; IANA assigns x11 the range 6000-6063": (
        "x11-1", "x11-2", "x11-3", "x11-4", "x11-5", "x11-6", "x11-7",
    ),
    "IANA's ircu range 6665-6669 holds the port Debian calls ircd": ("ircd",),
    "IANA de-assigned the port (15/tcp is 'Unassigned [was netstat]')": ("netstat",),
    "Kerberos IV and Athena services that Debian lists on ports IANA gives others": (
        "kerberos4", "kerberos-master", "passwd-server", "krb-prop", "iprop", "supfilesrv",
        "supfiledbg", "poppassd", "moira-db", "moira-update", "moira-ureg", "skkserv",
        "predict", "rmtcfg", "xtel", "xtelw",
    ),
    "Debian's local additions for packaged daemons, not in IANA's registry": (
        "spamd", "fax", "zebrasrv", "zebra", "ripd", "ripngd", "ospfd", "bgpd", "ospf6d",
        "ospfapi", "isisd", "rplay", "nsca", "canna", "zope-ftp", "tproxy", "omniorb",
        "clc-build-daemon", "xinetd", "zope", "webmin", "kamanda", "amandaidx",
        "amidxtape", "sgi-cmsd", "sgi-crsd", "sgi-gcd", "sgi-cad", "asp", "csync2",
        "dircproxy", "tfido", "fido",
    ),
}


def test_bundled_lookup_agrees_with_etc_services(capsys: pytest.CaptureFixture[str]) -> None:
    if not ETC_SERVICES.is_file():
        pytest.skip("this machine has no /etc/services")
    bundled = Registry.bundled()
    etc = Registry.from_services_file(ETC_SERVICES)
    explained = {name: reason for reason, names in ETC_SERVICES_DISAGREEMENTS.items()
                 for name in names}
    agreed, unexplained, used = 0, [], set()
    for entry in etc.all_services:
        found = bundled.lookup(entry.port, entry.protocol)
        ours = {n.lower() for n in found.names} if found else set()
        if ours & {n.lower() for n in entry.names}:
            agreed += 1
        elif entry.name in explained:
            used.add(entry.name)
        else:
            unexplained.append(f"{entry} {entry.aliases} -> {found!r}")
    with capsys.disabled():
        print(f"\n/etc/services: {len(etc)} entries, {agreed} agree with the bundled "
              f"registry, {len(etc) - agreed} explained disagreements; "
              f"table names not on this machine: {sorted(set(explained) - used)}")
    assert not unexplained, unexplained
    assert agreed > len(etc) * 0.7


# -- the bundled data format --------------------------------------------------------------

_NAME = st.text("abcdefghijklmnopqrstuvwxyz0123456789-+._", min_size=1, max_size=15)
_TEXT = st.text(st.characters(exclude_categories=("Cs", "Cc", "Zl", "Zp")),
                max_size=30).map(lambda t: " ".join(t.split()))


@st.composite
def services(draw: st.DrawFn) -> Service:
    first = draw(st.integers(0, 65535))
    last = draw(st.integers(first, min(first + 100, 65535)))
    names = draw(st.lists(_NAME, min_size=1, max_size=3, unique=True))
    return Service(
        name=names[0], aliases=names[1:], ports=PortRange(first, last),
        protocol=draw(st.sampled_from(list(Protocol))), description=draw(_TEXT),
        references=draw(st.lists(st.integers(1, 9999).map(lambda n: f"RFC{n}"), max_size=2)),
    )


@given(st.lists(services(), max_size=20),
       st.lists(st.tuples(st.sampled_from([PortStatus.RESERVED, PortStatus.UNASSIGNED]),
                          st.integers(0, 65535).map(lambda p: PortRange(p, p)),
                          st.sampled_from(list(Protocol))), max_size=5))
def test_data_format_round_trips(
    items: list[Service], markers: list[tuple[PortStatus, PortRange, Protocol]]
) -> None:
    text = dump_data(items, markers, {"origin": "test"})
    again = parse_data(text)
    assert list(again.all_services) == items
    assert again.provenance["origin"] == "test"
    for _status, ports, protocol in markers:
        if again.lookup(ports.first, protocol) is None:
            assert again.status(ports.first, protocol) in (PortStatus.RESERVED,
                                                           PortStatus.UNASSIGNED)
    for service in items:
        assert again.lookup(service.ports.first, service.protocol) is not None
