"""The probe-and-match database: its format, its plan, and every probe and match
against replies captured from real servers (tests/fixtures/replies/, each with its
source and version)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from portkit.exceptions import InvalidRuleError
from portkit.identification import BannerProbe, Identification, identify_rules
from portkit.identification._banner import _read, _Step
from portkit.identification._database import (
    _load_match,
    _load_probe,
    database,
    normalize,
    tls_client_hello,
)
from portkit.identification._dns import split_dns_version

FIXTURES = Path(__file__).parent / "fixtures" / "replies"
RECORDS = {path.stem: json.loads(path.read_text()) for path in sorted(FIXTURES.glob("*.json"))
           if not path.stem.startswith("udp-")}

#: Probes with no server in Debian to capture a reply from: their payloads follow the
#: protocols' specifications, and their matches are tested on replies built from them.
SPEC_ONLY_PROBES = {"kafka-apiversions": "Kafka is not in Debian",
                    "cql-options": "Cassandra is not in Debian",
                    "rtsp-options": "no RTSP server in Debian 12",
                    "mongodb-hello": "MongoDB is not in Debian (tested in test_identify_rules)"}


def identify_record(record: dict[str, Any]) -> Identification:
    db = database()
    probe = db.probe(record["probe"])
    step = _Step(probe.name, probe.bytes_for("127.0.0.1"), db.services_of(probe),
                 db.home_of(probe))
    data = bytes.fromhex(record["reply_hex"])
    return _read(identify_rules(), db, data, step, port=record.get("port") or 40000, cut=False)


@pytest.mark.parametrize("name", sorted(RECORDS))
def test_captured_reply_is_identified(name: str) -> None:
    record = RECORDS[name]
    assert "Debian" in record["source"]
    ident = identify_record(record)
    expect = record["expect"]
    assert (ident.service, ident.product, ident.version) == (
        expect["service"], expect["product"], expect["version"]
    )


def test_every_probe_has_a_captured_reply_or_a_reason() -> None:
    captured = {record["probe"] for record in RECORDS.values()}
    missing = {p.name for p in database().probes} - captured - set(SPEC_ONLY_PROBES)
    assert not missing


def test_every_match_is_drawn_by_a_captured_reply_or_a_spec_reply() -> None:
    hit = {identify_record(record).rule for record in RECORDS.values()}
    hit |= {ident.rule for ident in SPEC_REPLIES.values()}
    db = database()
    names = {f"{probe}/{m.index}" for m in db.matches
             for probe in (m.probes or {p.name for p in db.probes})}
    by_index = {int(rule.split("/")[1]) for rule in hit if rule and "/" in rule}
    unmatched = {m.index for m in db.matches} - by_index - UNREACHED
    assert names and not unmatched, {i: db.matches[i].source for i in sorted(unmatched)}


def _spec(probe: str, data: bytes, port: int = 40000) -> Identification:
    return identify_record({"probe": probe, "reply_hex": data.hex(), "port": port})


#: Replies built from the protocols' specifications, for probes with no Debian server
#: and for matches that the servers above do not draw.
SPEC_REPLIES = {
    "kafka": _spec("kafka-apiversions", b"\x00\x00\x00\x0e\x00\x00\x70\x6b\x00\x23\x00\x00\x00\x00"
                                        b"\x00\x00"),
    "cassandra": _spec("cql-options", b"\x84\x00\x00\x01\x06\x00\x00\x00\x30\x00\x03"),
    "rtsp": _spec("rtsp-options", b"RTSP/1.0 200 OK\r\nCSeq: 1\r\nServer: GStreamer RTSP server\r\n"
                                  b"Public: OPTIONS, DESCRIBE\r\n\r\n"),
    "tls-alert": _spec("tls-hello", b"\x15\x03\x03\x00\x02\x02\x28"),
    "smb1": _spec("smb-negotiate", b"\x00\x00\x00\x55\xffSMBr\x00\x00\x00\x00", port=139),
    "netbios": _spec("smb-negotiate", b"\x83\x00\x00\x01\x8f"),
    "mysql-denied": _spec("null", b"E\x00\x00\x00\xffj\x04Host '10.0.0.9' is not allowed to "
                                  b"connect to this MariaDB server"),
    "ssh-other": _spec("null", b"SSH-2.0-Go\r\n"),
    "smtp-other": _spec("null", b"220 mx.portkit.test ESMTP Sendmail 8.17; ready\r\n"),
    "imap-other": _spec("null", b"* OK [CAPABILITY IMAP4rev1] Courier-IMAP ready.\r\n"),
    "pop3-other": _spec("null", b"+OK POP3 server ready <1.2@portkit.test>\r\n"),
    "ftp-other": _spec("null", b"220 Microsoft FTP Service\r\n"),
    "vsftpd-oops": _spec("null", b"500 OOPS: vsftpd: refusing to run with writable root\r\n"),
    "xmpp-error": _spec("xmpp-stream", b"<stream:error><host-unknown/></stream:error>"),
    "zookeeper-refused": _spec("zookeeper-srvr", b"srvr is not executed because it is not in the "
                                                 b"whitelist.\n"),
    "amqp-refused": _spec("amqp-header", b"AMQP\x00\x00\x09\x01"),
    "iperf3-busy": _spec("iperf3-cookie", b"\xfe"),
}
UNREACHED: set[int] = set()


@pytest.mark.parametrize(("name", "service"), [
    ("kafka", "kafka"), ("cassandra", "cassandra"), ("rtsp", "rtsp"), ("tls-alert", "ssl"),
    ("smb1", "netbios-ssn"), ("netbios", "netbios-ssn"),
    ("mysql-denied", "mysql"), ("ssh-other", "ssh"), ("smtp-other", "smtp"),
    ("imap-other", "imap"), ("pop3-other", "pop3"), ("ftp-other", "ftp"),
    ("vsftpd-oops", "ftp"), ("xmpp-error", "xmpp-client"), ("zookeeper-refused", "zookeeper"),
    ("amqp-refused", "amqp"), ("iperf3-busy", "iperf3"),
])
def test_replies_built_from_the_specifications_are_identified(name: str, service: str) -> None:
    assert SPEC_REPLIES[name].service == service


def test_database_loads_in_a_fresh_interpreter_without_compiling_patterns() -> None:
    code = (
        "import re\n"
        "from portkit.identification import _database\n"
        "count = [0]\n"
        "real = re.compile\n"
        "def counting(pattern, *args, **kwargs):\n"
        "    count[0] += isinstance(pattern, bytes)\n"
        "    return real(pattern, *args, **kwargs)\n"
        "re.compile = counting\n"
        "db = _database.database()\n"
        "print(len(db.probes), len(db.matches), count[0])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert int(out[0]) >= 25 and int(out[1]) >= 30
    assert out[2] == "0"  # no pattern is compiled until a reply is read


def test_plan_puts_the_likely_probe_first_and_leaves_rare_ones_to_their_ports() -> None:
    probe = BannerProbe()
    assert probe.plan(80, "h")[0][0] == "http-get"
    assert probe.plan(389, "h")[0][0] == "ldap-rootdse"
    assert probe.plan(22, "h")[0] == ("null", b"")
    assert probe.plan(40000, "h")[0] == ("null", b"")
    assert "iperf3-cookie" not in [name for name, _ in BannerProbe(intensity=6).plan(40000, "h")]
    assert "iperf3-cookie" in [name for name, _ in probe.plan(40000, "h")]
    assert probe.plan(5201, "h")[0][0] == "iperf3-cookie"
    assert probe.plan(443, "h", tls=True)[0][0] == "http-get"
    assert "tls-hello" not in [name for name, _ in probe.plan(443, "h", tls=True)]


def test_http_get_carries_the_host() -> None:
    assert b"Host: [::1]\r\n" in dict(BannerProbe().plan(80, "::1"))["http-get"]


def test_tls_client_hello_is_a_well_formed_record() -> None:
    hello = tls_client_hello()
    assert hello[:3] == b"\x16\x03\x01"
    assert int.from_bytes(hello[3:5], "big") == len(hello) - 5
    assert hello[5] == 1 and int.from_bytes(hello[6:9], "big") == len(hello) - 9


@pytest.mark.parametrize(("told", "expect"), [
    ("9.18.49-1~deb12u3-Debian", {"product": "ISC BIND", "version": "9.18.49-1~deb12u3",
                                  "info": "Debian"}),
    ("9.16.1", {"product": "ISC BIND", "version": "9.16.1"}),
    ("dnsmasq-2.89", {"product": "dnsmasq", "version": "2.89"}),
    ("unbound 1.17.1", {"product": "Unbound", "version": "1.17.1"}),
    ("Knot DNS 3.2.6", {"product": "Knot DNS", "version": "3.2.6"}),
    ("NSD 4.6.1", {"product": "NLnet Labs NSD", "version": "4.6.1"}),
    ("PowerDNS Authoritative Server 4.7.3 (built Jan 1 2023)",
     {"product": "PowerDNS Authoritative Server", "version": "4.7.3",
      "info": "built Jan 1 2023"}),
    ("none of your business", {"version": "none of your business"}),
])
def test_dns_version_strings_split_by_product(told: str, expect: dict[str, str]) -> None:
    assert split_dns_version(told) == expect


@pytest.mark.parametrize(("server", "service", "product"), [
    (b"Apache/2.4.71 (Debian)", "http", "Apache httpd"),
    (b"squid/5.7", "http-proxy", "Squid http proxy"),
    (b"CUPS/2.4 IPP/2.1", "ipp", "CUPS"),
    (b"nginx/1.22.1", "http", "nginx"),
    (b"SomethingElse/1.0", "http", "SomethingElse"),
])
def test_http_products_get_nmaps_names(server: bytes, service: str, product: str) -> None:
    ident = identify_rules().identify(b"HTTP/1.1 200 OK\r\nServer: " + server + b"\r\n\r\n")
    assert (normalize(ident).service, normalize(ident).product) == (service, product)


def test_bad_database_entries_are_refused_with_the_rule() -> None:
    with pytest.raises(InvalidRuleError, match="send, hex or build"):
        _load_probe({"name": "x"})
    with pytest.raises(InvalidRuleError, match="rarity is 1 to 9"):
        _load_probe({"name": "x", "send": b"x", "rarity": 12})
    with pytest.raises(InvalidRuleError, match="unknown probes"):
        _load_match(0, {"probes": "nope", "service": "x", "pattern": rb"x"}, {"null"})
    with pytest.raises(InvalidRuleError, match="bytes regular expression"):
        _load_match(0, {"probes": "*", "service": "x", "pattern": "x"}, {"null"})
