"""Curated service annotations: names checked against IANA, counterparts, lookups."""

import csv
import os
import re
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import portkit
from portkit.catalog import (
    Annotation,
    Category,
    Risk,
    RiskKind,
    Severity,
    annotation,
    annotations,
    annotations_on_port,
    cleartext_counterpart,
    is_cleartext,
    risks_of,
    tls_counterpart,
)
from portkit.catalog._annotations import COMMUNITY_NAMES
from portkit.catalog._annotations import aliases as _aliases
from portkit.exceptions import InvalidPortError, InvalidServiceNameError, UnknownProtocolError

ALIASES = _aliases()

_CSV_NAME = "iana-service-names-port-numbers.csv"


def _iana_csv() -> Path | None:
    candidates = [
        os.environ.get("PORTKIT_IANA_CSV", ""),
        str(Path(__file__).resolve().parents[2] / "shared" / "data" / _CSV_NAME),
        f"/work/shared/data/{_CSV_NAME}",
    ]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


@pytest.fixture(scope="module")
def iana() -> dict[str, set[int]]:
    """IANA service name -> the ports IANA gives it (any protocol; empty for DNS-SD names)."""
    path = _iana_csv()
    if path is None:
        pytest.skip(f"IANA's {_CSV_NAME} is not available here to check names against")
    names: dict[str, set[int]] = {}
    with path.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            name = row["Service Name"].strip().lower()
            if not name:
                continue
            ports = names.setdefault(name, set())
            number = row["Port Number"].strip()
            if number:
                first, _, last = number.partition("-")
                ports.update(range(int(first), int(last or first) + 1))
    return names


#: Aliases that are IANA names too, and why they may still point at another entry.
IANA_NAMED_ALIASES = {
    "www": "IANA lists www on port 80 as a duplicate of http.",
    "www-http": "IANA lists www-http on port 80 as a duplicate of http.",
    "rdp": "IANA's DNS-SD name rdp is Windows Remote Desktop, which is ms-wbt-server.",
    "smb": "IANA's DNS-SD name smb is SMB over TCP/IP, which is microsoft-ds.",
    "rip": "IANA's DNS-SD name rip is the Routing Information Protocol on router's port.",
    "turn": "TURN shares 3478 with STUN, as an extension of it.",
    "turns": "TURN over TLS shares 5349 with STUN over TLS.",
    "h323": "IANA's DNS-SD name h323 is H.323, whose call signalling is h323hostcall.",
}

def all_lookup_names() -> list[str]:
    return [a.name for a in annotations()] + sorted(ALIASES)


# --- names against IANA -----------------------------------------------------------------


def test_every_name_and_counterpart_is_an_iana_or_a_listed_community_name(
    iana: dict[str, set[int]],
) -> None:
    bad = []
    for a in annotations():
        for name in (a.name, a.tls_counterpart, a.cleartext_counterpart):
            if name is not None and name not in iana and name not in COMMUNITY_NAMES:
                bad.append((a.name, name))
    assert bad == []


def test_community_names_are_not_iana_names_and_are_all_used(
    iana: dict[str, set[int]],
) -> None:
    assert [n for n in COMMUNITY_NAMES if n in iana] == []
    names = {a.name for a in annotations()}
    assert set(COMMUNITY_NAMES) <= names
    assert all(reason.endswith(".") for reason in COMMUNITY_NAMES.values())


def test_aliases_that_are_iana_names_are_listed_with_a_reason(
    iana: dict[str, set[int]],
) -> None:
    shadowing = {alias for alias in ALIASES if alias in iana}
    assert shadowing == set(IANA_NAMED_ALIASES)


def test_annotated_ports_of_iana_names_are_iana_ports_of_that_name(
    iana: dict[str, set[int]],
) -> None:
    wrong = [
        (a.name, port)
        for a in annotations()
        if a.name in iana
        for port in a.ports
        if port not in iana[a.name]
    ]
    assert wrong == []


# --- the table's own consistency ---------------------------------------------------------


def test_annotations_are_sorted_by_name_and_unique() -> None:
    names = [a.name for a in annotations()]
    assert names == sorted(names)
    assert len(names) == len(set(names))
    assert len(names) >= 100


def test_aliases_point_at_annotations_and_never_at_another_entrys_name() -> None:
    names = {a.name for a in annotations()}
    assert not set(ALIASES) & names
    assert set(ALIASES.values()) <= names
    for a in annotations():
        for alias in a.aliases:
            assert ALIASES[alias] == a.name


def test_counterparts_are_symmetric_and_annotated() -> None:
    for a in annotations():
        if a.tls_counterpart is not None:
            other = annotation(a.tls_counterpart)
            assert other is not None, a.name
            assert other.cleartext_counterpart == a.name
        if a.cleartext_counterpart is not None:
            other = annotation(a.cleartext_counterpart)
            assert other is not None, a.name
            assert other.tls_counterpart == a.name


def test_cleartext_flags_agree_with_counterparts() -> None:
    for a in annotations():
        if a.tls_counterpart is not None:
            assert a.cleartext is True, a.name
        if a.cleartext_counterpart is not None:
            assert a.cleartext is False, a.name
        assert not (a.tls_counterpart and a.cleartext_counterpart), a.name


def test_cleartext_login_risk_is_never_on_an_encrypted_service() -> None:
    for a in annotations():
        if a.cleartext is False:
            assert RiskKind.CLEARTEXT_LOGIN not in {r.kind for r in a.risks}, a.name


def test_risks_are_most_severe_first_and_severity_is_the_maximum() -> None:
    for a in annotations():
        severities = [r.severity for r in a.risks]
        assert severities == sorted(severities, reverse=True), a.name
        assert a.severity == (severities[0] if severities else Severity.INFO)


def _one_sentence(text: str) -> bool:
    return (
        text.endswith(".")
        and "\n" not in text
        and "  " not in text
        and re.search(r"[.!?]\s+[A-Z]", text) is None
        and len(text) <= 200
    )


def test_every_reason_is_one_sentence() -> None:
    bad = []
    for a in annotations():
        if not _one_sentence(a.reason):
            bad.append(a.reason)
        bad.extend(r.reason for r in a.risks if not _one_sentence(r.reason))
    assert bad == []


def test_ports_and_protocols_are_given() -> None:
    for a in annotations():
        assert a.ports, a.name
        assert a.protocols, a.name
        assert all(1 <= p <= 65535 for p in a.ports)


REQUIRED = [
    "http", "https", "http-alt", "ftp", "ftps", "ftp-data", "ssh", "telnet", "telnets", "smtp",
    "submission", "submissions", "pop3", "pop3s", "imap", "imaps", "domain", "dns", "ntp",
    "snmp", "snmptrap", "ldap", "ldaps", "kerberos", "microsoft-ds", "smb", "netbios-ns",
    "netbios-dgm", "netbios-ssn", "nfs", "rpcbind", "sunrpc", "ms-wbt-server", "rdp", "vnc",
    "rfb", "x11", "mysql", "postgresql", "ms-sql-s", "oracle-tns", "mongodb", "redis",
    "memcached", "memcache", "elasticsearch", "cassandra", "couchdb", "rabbitmq", "amqp",
    "amqps", "mqtt", "secure-mqtt", "kafka", "zookeeper", "etcd", "docker", "docker-s",
    "kube-apiserver", "kubernetes", "kubelet", "prometheus", "rsync", "tftp", "syslog", "ssdp",
    "chargen", "echo", "finger", "rlogin", "rsh", "rexec", "login", "shell", "exec", "sip",
    "sips", "xmpp-client", "irc", "ircs", "nntp", "nntps", "git", "svn", "ipp", "cups",
    "printer", "lpd", "bgp",
]


@pytest.mark.parametrize("name", REQUIRED)
def test_required_service_is_annotated(name: str) -> None:
    assert annotation(name) is not None


# --- the judgments the project stands behind ---------------------------------------------


@pytest.mark.parametrize(
    ("plain", "tls"),
    [
        ("http", "https"),
        ("imap", "imaps"),
        ("pop3", "pop3s"),
        ("submission", "submissions"),
        ("ldap", "ldaps"),
        ("ftp", "ftps"),
        ("telnet", "telnets"),
        ("nntp", "nntps"),
        ("irc", "ircs-u"),
        ("sip", "sips"),
        ("domain", "domain-s"),
        ("docker", "docker-s"),
        ("mqtt", "secure-mqtt"),
        ("amqp", "amqps"),
        ("http-alt", "https-alt"),
    ],
)
def test_tls_and_cleartext_counterparts(plain: str, tls: str) -> None:
    assert tls_counterpart(plain) == tls
    assert cleartext_counterpart(tls) == plain
    assert is_cleartext(plain) is True
    assert is_cleartext(tls) is False
    assert tls_counterpart(tls) is None
    assert cleartext_counterpart(plain) is None


def test_docker_without_tls_is_a_critical_management_api() -> None:
    (risk,) = risks_of("docker")
    assert risk.kind is RiskKind.MANAGEMENT_API
    assert risk.severity is Severity.CRITICAL
    assert annotation("docker-s").severity < Severity.CRITICAL  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("telnet", RiskKind.CLEARTEXT_LOGIN),
        ("redis", RiskKind.UNAUTHENTICATED_DATA),
        ("memcached", RiskKind.AMPLIFICATION),
        ("chargen", RiskKind.AMPLIFICATION),
        ("ntp", RiskKind.AMPLIFICATION),
        ("ssdp", RiskKind.AMPLIFICATION),
        ("rdp", RiskKind.REMOTE_ACCESS),
        ("kubelet", RiskKind.MANAGEMENT_API),
        ("etcd", RiskKind.MANAGEMENT_API),
        ("smb", RiskKind.FILE_SHARING_EXPOSURE),
        ("rsh", RiskKind.LEGACY_PROTOCOL),
    ],
)
def test_known_risks(name: str, kind: RiskKind) -> None:
    assert kind in {r.kind for r in risks_of(name)}


def test_ssh_is_encrypted_with_only_a_low_risk() -> None:
    a = annotation("ssh")
    assert a is not None
    assert a.cleartext is False
    assert a.category is Category.REMOTE_ACCESS
    assert a.severity is Severity.LOW


def test_categories() -> None:
    assert annotation("postgres").category is Category.DATABASE  # type: ignore[union-attr]
    assert annotation("memcached").category is Category.CACHE  # type: ignore[union-attr]
    assert annotation("kubelet").category is Category.CONTAINER_ORCHESTRATION  # type: ignore[union-attr]
    assert {a.category for a in annotations()} - {Category.OTHER} == set(Category) - {
        Category.OTHER
    }


# --- lookup ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("alias", "name"),
    [
        ("www", "http"),
        ("postgres", "postgresql"),
        ("mongo", "mongodb"),
        ("dns", "domain"),
        ("rdp", "ms-wbt-server"),
        ("vnc", "rfb"),
        ("rpcbind", "sunrpc"),
        ("memcached", "memcache"),
        ("etcd", "etcd-client"),
        ("kubernetes", "kube-apiserver"),
        ("lpd", "printer"),
        ("cups", "ipp"),
        ("rabbitmq", "amqp"),
    ],
)
def test_aliases_resolve(alias: str, name: str) -> None:
    a = annotation(alias)
    assert a is not None
    assert a.name == name


@given(
    name=st.sampled_from(all_lookup_names()),
    flips=st.lists(st.booleans(), min_size=40, max_size=40),
    before=st.sampled_from(["", " ", "\t"]),
    after=st.sampled_from(["", " ", "\n"]),
)
def test_lookup_ignores_case_and_surrounding_blanks(
    name: str, flips: list[bool], before: str, after: str
) -> None:
    mixed = "".join(c.upper() if flip else c for c, flip in zip(name, flips, strict=False))
    expected = annotation(name)
    assert expected is not None
    assert annotation(before + mixed + after) is expected


@given(st.text(alphabet=st.characters(codec="ascii"), min_size=1, max_size=20))
def test_lookup_of_any_text_is_total(text: str) -> None:
    if not text.strip():
        with pytest.raises(InvalidServiceNameError):
            annotation(text)
        return
    a = annotation(text)
    assert a is None or text.strip().lower() in {a.name, *a.aliases}


def test_unknown_names_give_none_and_empty_results() -> None:
    assert annotation("no-such-service") is None
    assert tls_counterpart("no-such-service") is None
    assert cleartext_counterpart("no-such-service") is None
    assert is_cleartext("no-such-service") is None
    assert risks_of("no-such-service") == ()


@pytest.mark.parametrize("bad", [42, None, b"http", "", "   ", ["http"]])
@pytest.mark.parametrize(
    "function", [annotation, tls_counterpart, cleartext_counterpart, is_cleartext, risks_of]
)
def test_invalid_names_raise_naming_the_value(bad: object, function: object) -> None:
    with pytest.raises(InvalidServiceNameError) as info:
        function(bad)  # type: ignore[operator]
    assert info.value.value == bad
    assert repr(bad) in str(info.value)
    assert isinstance(info.value, ValueError)


def test_annotations_on_port() -> None:
    assert [a.name for a in annotations_on_port(9200)] == ["elasticsearch"]
    assert "domain" in [a.name for a in annotations_on_port(53, "udp")]
    assert annotations_on_port(11211, "UDP")[0].name == "memcache"
    assert annotations_on_port(514, "tcp")[0].name == "shell"
    assert annotations_on_port(514, "udp")[0].name == "syslog"
    assert annotations_on_port(1) == ()
    with pytest.raises(InvalidPortError):
        annotations_on_port(70000)
    with pytest.raises(UnknownProtocolError):
        annotations_on_port(80, "icmp")


# --- the model ---------------------------------------------------------------------------


def test_enum_strings() -> None:
    assert str(Category.FILE_TRANSFER) == "file-transfer"
    assert str(Category.CONTAINER_ORCHESTRATION) == "container-orchestration"
    assert str(Severity.CRITICAL) == "critical"
    assert str(RiskKind.CLEARTEXT_LOGIN) == "cleartext-login"
    assert all(c.value == c.name.lower().replace("_", "-") for c in Category)
    assert all(k.value == k.name.lower().replace("_", "-") for k in RiskKind)
    assert [int(s) for s in Severity] == [0, 1, 2, 3, 4]
    assert Severity.LOW < Severity.HIGH


def test_str_of_an_annotation_looks_it_up_again() -> None:
    for a in annotations():
        assert annotation(str(a)) is a


def test_annotations_are_frozen_and_hashable() -> None:
    a = annotation("http")
    assert a is not None
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        a.name = "x"  # type: ignore[misc]
    assert len({*annotations()}) == len(annotations())


def test_annotation_constructor_is_strict() -> None:
    good = {"name": "x", "category": Category.OTHER, "cleartext": None, "reason": "Why."}
    assert Annotation(**good).protocols == (portkit.Protocol.TCP,)  # type: ignore[arg-type]
    with pytest.raises(InvalidServiceNameError):
        Annotation(**{**good, "name": "HTTP"})  # type: ignore[arg-type]
    with pytest.raises(InvalidServiceNameError):
        Annotation(**{**good, "tls_counterpart": ""})  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Annotation(**{**good, "category": "web"})  # type: ignore[arg-type]
    with pytest.raises(InvalidPortError):
        Annotation(**{**good, "ports": (70000,)})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="reason"):
        Annotation(**{**good, "reason": " "})  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Risk("amplification", Severity.LOW, "Why.")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Annotation("x", Category.OTHER, None, reason="Why.")  # type: ignore[call-arg]


def test_public_names_are_exported() -> None:
    for name in [
        "Annotation", "Category", "Risk", "RiskKind", "Severity", "annotation",
        "annotations", "tls_counterpart", "cleartext_counterpart", "is_cleartext",
        "risks_of", "annotations_on_port",
    ]:
        assert name in portkit.catalog.__all__
        assert getattr(portkit.catalog, name).__module__ == "portkit.catalog"
