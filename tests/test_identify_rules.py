"""The rule set and the wire-format parsers: pure functions of bytes."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import re
import time

import pytest
import trustme
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import portkit
from portkit.exceptions import InvalidOptionError, InvalidRuleError, PortkitError
from portkit.identification import Identification, Rule, RuleSet, identify_rules
from portkit.identification._ber import SYS_DESCR, decode, snmp_get, snmp_response_values
from portkit.identification._bson import decode_document, encode_document, op_msg, read_op_msgs
from portkit.identification._dns import dns_query, parse_dns_reply
from portkit.identification._ntp import ntp_request, parse_ntp_reply
from portkit.identification._text import printable
from portkit.identification._x509 import parse_certificate

RULES = identify_rules()

# Greetings as real servers of these products send them.
GREETINGS = [
    (b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n", "ssh", "OpenSSH", "9.2p1"),
    (b"SSH-2.0-dropbear_2022.83\r\n", "ssh", "Dropbear sshd", "2022.83"),
    (b"SSH-2.0-libssh_0.10.6\r\n", "ssh", "libssh", "0.10.6"),
    (b"220 mx.example.org ESMTP Postfix (Debian/GNU)\r\n", "smtp", "Postfix smtpd", None),
    (b"220 mail.example.org ESMTP Exim 4.96 Tue, 24 Nov 2026\r\n", "smtp", "Exim smtpd", "4.96"),
    (b"220 (vsFTPd 3.0.3)\r\n", "ftp", "vsftpd", "3.0.3"),
    (b"220 ProFTPD 1.3.8 Server (Debian) [::ffff:10.0.0.1]\r\n", "ftp", "ProFTPD", "1.3.8"),
    (b"* OK [CAPABILITY IMAP4rev1 LITERAL+] Dovecot (Debian) ready.\r\n", "imap",
     "Dovecot imapd", None),
    (b"+OK Dovecot (Debian) ready.\r\n", "pop3", "Dovecot pop3d", None),
    (b"HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\n\r\n", "http", "nginx", "1.22.1"),
    (b"HTTP/1.1 404 Not Found\r\nServer: Apache/2.4.62 (Debian)\r\n\r\n", "http", "Apache",
     "2.4.62"),
    (b"VERSION 1.6.18\r\n", "memcached", "Memcached", "1.6.18"),
    (b"-NOAUTH Authentication required.\r\n", "redis", "Redis key-value store", None),
    (b"E\x00\x00\x00\x54SFATAL\x00VFATAL\x00C28000\x00Mno pg_hba.conf entry\x00\x00",
     "postgresql", "PostgreSQL DB", None),
]


@pytest.mark.parametrize(("data", "service", "product", "version"), GREETINGS)
def test_builtin_rules_identify_real_greetings(
    data: bytes, service: str, product: str, version: str | None
) -> None:
    ident = RULES.identify(data)
    assert (ident.service, ident.product, ident.version) == (service, product, version)
    assert ident.raw == data


def test_mysql_handshake_packet() -> None:
    version = b"8.0.36"
    body = b"\x0a" + version + b"\x00" + b"\x08\x00\x00\x00" + b"x" * 40
    packet = len(body).to_bytes(3, "little") + b"\x00" + body
    ident = RULES.identify(packet)
    assert (ident.service, ident.product, ident.version) == ("mysql", "MySQL", "8.0.36")


def test_postgresql_one_byte_answer_counts_only_after_its_nudge() -> None:
    ssl_request = RULES["postgresql"].nudge
    assert isinstance(ssl_request, bytes) and len(ssl_request) == 8
    assert RULES.identify(b"N", sent=ssl_request).service == "postgresql"
    assert RULES.identify(b"N").service is None


def test_unknown_bytes_give_an_unidentified_result() -> None:
    ident = RULES.identify(b"hello there\r\n")
    assert ident == Identification(raw=b"hello there\r\n")
    assert not ident.identified


def test_every_builtin_rule_has_a_unique_name_and_a_service() -> None:
    names = [rule.name for rule in RULES]
    assert len(names) == len(set(names)) >= 20
    assert {rule.service for rule in RULES} >= {
        "ssh", "smtp", "ftp", "pop3", "imap", "http", "redis", "mysql", "postgresql",
        "memcached", "mongodb",
    }


def test_extend_puts_user_rules_first_and_replaces_by_name() -> None:
    mine = Rule(name="acme", service="acme", pattern=rb"\AHTTP/1\.1 ", product="Acme")
    rules = RULES.extend(mine)
    assert rules.identify(b"HTTP/1.1 200 OK\r\n\r\n").rule == "acme"
    replaced = RULES.extend(Rule(name="http", service="web", pattern=rb"\AHTTP/"))
    assert len(replaced) == len(RULES)
    assert replaced.identify(b"HTTP/1.1 200 OK\r\n\r\n").service == "web"
    assert RULES.without("http").identify(b"HTTP/1.1 200 OK\r\n\r\n").service is None


def test_port_hints_order_rules_and_nudges() -> None:
    assert RULES.for_port(11211)[0].name == "memcached"
    nudge, rule = RULES.nudges(80, "www.example.org")[0]
    assert rule.name == "http"
    assert b"Host: www.example.org\r\n" in nudge
    assert b"Host: [::1]\r\n" in RULES.nudges(80, "::1")[0][0]


def test_extractor_may_reject_and_named_groups_fill_fields() -> None:
    rule = Rule(
        name="x", service="x", pattern=rb"\AX (?P<version>\d+) (?P<rest>\w+)",
        extract=lambda m: None if m.group("rest") == b"no" else {"flavour": "plain"},
    )
    rules = RuleSet([rule])
    ident = rules.identify(b"X 12 yes")
    assert (ident.version, ident.extra["flavour"]) == ("12", "plain")
    assert not rules.identify(b"X 12 no").identified


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"pattern": "text, not bytes"}, "bytes regular expression"),
        ({"pattern": rb"(unclosed"}, "does not compile"),
        ({"name": ""}, "non-empty"),
        ({"after_nudge": True}, "bytes nudge"),
        ({"nudge": "text"}, "nudge is bytes"),
        ({"nudge": b""}, "not empty"),
        ({"extract": 42}, "extract is a callable"),
    ],
)
def test_bad_rules_are_rejected(kwargs: dict[str, object], match: str) -> None:
    fields: dict[str, object] = {"name": "r", "service": "s", "pattern": rb"x", **kwargs}
    with pytest.raises(InvalidRuleError, match=match):
        Rule(**fields)  # type: ignore[arg-type]


def test_duplicate_rule_names_are_rejected() -> None:
    rule = Rule(name="r", service="s", pattern=rb"x")
    with pytest.raises(InvalidRuleError, match="unique"):
        RuleSet([rule, rule])


def test_default_rules_are_public() -> None:
    assert portkit.identification.identify_rules() is RULES
    assert isinstance(RULES, RuleSet)


@given(st.binary(max_size=300))
def test_printable_has_no_control_characters_and_keeps_printable_ascii(data: bytes) -> None:
    text = printable(data)
    assert text.isascii()
    assert not re.search(r"[\x00-\x1f\x7f]", text)
    assert text.encode().decode("unicode_escape").encode("latin-1") == data


@given(st.binary(max_size=600))
def test_identify_never_fails_on_arbitrary_bytes(data: bytes) -> None:
    for sent in (None, RULES["postgresql"].nudge):
        ident = RULES.identify(data, sent=sent)  # type: ignore[arg-type]
        assert ident.raw == data


documents = st.dictionaries(
    st.text("abcxyz$_.é", max_size=8),
    st.one_of(st.booleans(), st.integers(-(2**63), 2**63 - 1), st.text(max_size=20),
              st.floats(allow_nan=False)),
    max_size=6,
)


# Nested documents are expensive to generate: on a loaded host hypothesis's too-slow
# health check would fail the test for the host's sake, not the code's.
@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(documents)
def test_bson_round_trip(doc: dict[str, object]) -> None:
    assert decode_document(encode_document(doc)) == doc


@given(st.binary(max_size=200))
def test_bson_and_op_msg_readers_raise_only_value_error(data: bytes) -> None:
    for reader in (decode_document, lambda d: list(read_op_msgs(d))):
        with contextlib.suppress(ValueError):
            reader(data)


def test_op_msg_round_trip() -> None:
    data = op_msg({"hello": 1, "$db": "admin"}) + op_msg({"buildInfo": 1, "$db": "admin"})
    assert list(read_op_msgs(data)) == [
        {"hello": 1, "$db": "admin"}, {"buildInfo": 1, "$db": "admin"},
    ]


def test_snmp_get_request_decodes_as_ber() -> None:
    ((tag, message),) = decode(snmp_get("public", [SYS_DESCR]))
    assert tag == 0x30
    assert isinstance(message, list) and message[1] == (0x04, b"public")
    assert message[2][0] == 0xA0


@given(st.binary(max_size=200))
def test_wire_parsers_raise_only_value_error(data: bytes) -> None:
    for parse in (snmp_response_values, parse_dns_reply, parse_ntp_reply):
        with contextlib.suppress(ValueError):
            parse(data)


def test_dns_query_layout() -> None:
    query = dns_query("version.bind", "TXT", "CH", 0x1234)
    assert query[:2] == b"\x12\x34"
    assert query.endswith(b"\x07version\x04bind\x00\x00\x10\x00\x03")


def test_ntp_request_is_a_version_4_client_packet() -> None:
    request = ntp_request(time.time())
    assert len(request) == 48
    assert request[0] == 0x23
    with pytest.raises(ValueError, match="mode 3"):
        parse_ntp_reply(request)  # a client's packet is no server's reply


def test_certificate_days_left_counts_whole_days() -> None:
    from portkit.identification import Certificate

    cert = Certificate(
        subject="CN=a", issuer="CN=a", common_name="a",
        not_before=dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc),
        not_after=dt.datetime(2030, 1, 11, tzinfo=dt.timezone.utc),
        serial_number=1, sha256="00",
    )
    assert cert.days_left(dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc)) == 10
    assert cert.days_left(dt.datetime(2030, 1, 12, tzinfo=dt.timezone.utc)) == -1
    assert cert.self_issued
    assert cert.to_dict()["serial_number"] == "1"


@pytest.mark.parametrize("data", [b"", b"\x30\x00", b"\x30\x02\x30\x00", b"\x30\x03\x02\x01\x00"])
def test_der_reader_rejects_truncated_structures(data: bytes) -> None:
    with pytest.raises(ValueError, match=r"certificate|DER"):
        parse_certificate(data, use_cryptography=False)


@given(st.binary(max_size=400))
def test_der_reader_raises_only_value_error(data: bytes) -> None:
    with contextlib.suppress(ValueError):
        parse_certificate(data, use_cryptography=False)


@functools.cache
def _sample_der() -> bytes:
    pem = trustme.CA().cert_pem.bytes()
    return x509.load_pem_x509_certificate(pem).public_bytes(Encoding.DER)


@settings(deadline=None)  # the first example makes the sample certificate
@given(st.binary(min_size=1, max_size=60), st.integers(0, 300))
def test_der_reader_on_corrupted_certificates(patch: bytes, offset: int) -> None:
    der = bytearray(_sample_der())
    der[offset : offset + len(patch)] = patch
    with contextlib.suppress(ValueError):
        parse_certificate(bytes(der), use_cryptography=False)


@given(st.binary(min_size=1, max_size=8), st.integers(0, 80))
def test_op_msg_reader_on_corrupted_messages(patch: bytes, offset: int) -> None:
    data = bytearray(op_msg({"version": "7.0.14", "maxWireVersion": 21, "x": {"y": 1}}))
    data[offset : offset + len(patch)] = patch
    with contextlib.suppress(ValueError):
        list(read_op_msgs(bytes(data)))
    assert RULES.identify(bytes(data)).raw == bytes(data)


@pytest.mark.parametrize(
    ("data", "sent"),
    [("SSH-2.0-OpenSSH_9.6\r\n", None), (None, None), (22, None),
     (b"SSH-2.0-OpenSSH_9.6\r\n", "GET /")],
)
def test_identify_takes_bytes_and_says_so(data: object, sent: object) -> None:
    # Regression: a str reached re and raised a bare TypeError.
    rules = identify_rules()
    with pytest.raises(InvalidOptionError) as info:
        rules.identify(data, sent=sent)  # type: ignore[arg-type]
    assert isinstance(info.value, PortkitError)
    assert info.value.name == ("data" if not isinstance(data, bytes) else "sent")
    assert "bytes" in info.value.rule
    if isinstance(info.value.value, str):
        assert "encode" in info.value.rule


def test_identify_takes_bytearray_and_memoryview() -> None:
    greeting = b"SSH-2.0-OpenSSH_9.6p1 Ubuntu-3\r\n"
    rules = identify_rules()
    want = rules.identify(greeting).service
    assert want == "ssh"
    assert rules.identify(bytearray(greeting)).service == want
    assert rules.identify(memoryview(greeting)).service == want
