"""The built-in identification rules, and the extractors of the binary ones.

The rules are portkit's own, written from the protocols' specifications and from
what real servers send. They are compiled on first use, not when portkit is imported.
"""

from __future__ import annotations

import functools
import re
import struct
from collections.abc import Mapping

from ._bson import op_msg, read_op_msgs
from ._rules import Rule, RuleSet

__all__ = ["MONGODB_NUDGE", "SSL_REQUEST", "identify_rules"]

_HTTP_SERVER = re.compile(rb"\r?\nServer:[ \t]*([^\r\n]*)", re.IGNORECASE)
_SERVER_TOKEN = re.compile(r"([^/\s]+)(?:/(\S+))?\s*(.*)")


def _http(match: re.Match[bytes]) -> Mapping[str, object]:
    facts: dict[str, object] = {"status": int(match.group("status"))}
    end = match.string.find(b"\r\n\r\n")
    head = match.string if end < 0 else match.string[:end]
    server = _HTTP_SERVER.search(head)
    if server is not None:
        text = server.group(1).decode("utf-8", "replace").strip()
        token = _SERVER_TOKEN.match(text)
        if token is not None:
            facts["product"] = token.group(1)
            facts["version"] = token.group(2)
            facts["info"] = token.group(3).strip("() ") or None
        facts["server"] = text
    return facts


def _mysql(match: re.Match[bytes]) -> Mapping[str, object] | None:
    length = int.from_bytes(match.group("length"), "little")
    if not len(match.group("version")) + 2 <= length <= 1024:
        return None  # a handshake packet is short and holds the version
    version = match.group("version").decode("ascii", "replace")
    product = "MySQL"
    if "MariaDB" in version:
        product = "MariaDB"
        version = version.removeprefix("5.5.5-")
        version = version.split("-MariaDB", 1)[0]
    return {"product": product, "version": version, "protocol": 10}


def _postgresql_ssl(match: re.Match[bytes]) -> Mapping[str, object]:
    return {"ssl": match.group(0) == b"S"}


#: MongoDB wire versions by the server release that introduced them.
_MONGODB_WIRE = {6: "3.6", 7: "4.0", 8: "4.2", 9: "4.4", 13: "5.0", 17: "6.0", 21: "7.0",
                 25: "8.0"}


def _mongodb(match: re.Match[bytes]) -> Mapping[str, object] | None:
    facts: dict[str, object] = {}
    try:
        for doc in read_op_msgs(match.string):
            if isinstance(doc.get("version"), str):
                facts["version"] = doc["version"]
            wire = doc.get("maxWireVersion")
            if isinstance(wire, int) and not isinstance(wire, bool):
                facts["max_wire_version"] = wire
    except (ValueError, IndexError, struct.error):
        return None
    if not facts:
        return None
    wire = facts.get("max_wire_version")
    if "version" not in facts and isinstance(wire, int):
        known = [release for w, release in _MONGODB_WIRE.items() if w <= wire]
        if known:
            facts["info"] = f"wire version {wire} (release {known[-1]} or later)"
    return facts


def _http_get(host: str) -> bytes:
    name = f"[{host}]" if ":" in host else host
    return f"GET / HTTP/1.0\r\nHost: {name}\r\nUser-Agent: portkit\r\n\r\n".encode()


#: PostgreSQL's SSLRequest: length 8, code 80877103.
SSL_REQUEST = struct.pack("!ii", 8, 80877103)
#: MongoDB: hello, then buildInfo, in one write; both answer before authentication.
MONGODB_NUDGE = op_msg({"hello": 1, "$db": "admin"}, 1) + op_msg(
    {"buildInfo": 1, "$db": "admin"}, 2
)

@functools.cache
def _builtin() -> RuleSet:
    """The built-in rules, compiled on first use (not when portkit is imported)."""
    return RuleSet((
        Rule(
            name="openssh",
            service="ssh",
            product="OpenSSH",
            pattern=rb"\ASSH-[\d.]+-OpenSSH_(?P<version>[\w.]+)(?:[ -](?P<info>[^\r\n]*))?",
            ports="22",
        ),
        Rule(
            name="dropbear",
            service="ssh",
            product="Dropbear sshd",
            pattern=rb"\ASSH-[\d.]+-dropbear_(?P<version>[\w.]+)",
            ports="22",
        ),
        Rule(
            name="ssh",
            service="ssh",
            pattern=rb"\ASSH-(?:2\.0|1\.99|1\.5)-(?P<product>[!-,.-~]+)[-_](?P<version>[\w.]+)",
            ports="22",
        ),
        Rule(
            name="postfix",
            service="smtp",
            product="Postfix smtpd",
            pattern=rb"\A220[ -](?P<hostname>\S+) ESMTP Postfix(?: \((?P<info>[^)\r\n]*)\))?",
            ports="25,465,587",
        ),
        Rule(
            name="exim",
            service="smtp",
            product="Exim smtpd",
            pattern=rb"\A220[ -](?P<hostname>\S+) ESMTP Exim (?P<version>[\w.]+)",
            ports="25,465,587",
        ),
        Rule(
            name="opensmtpd",
            service="smtp",
            product="OpenSMTPD",
            pattern=rb"\A220[ -](?P<hostname>\S+) ESMTP OpenSMTPD",
            ports="25,465,587",
        ),
        Rule(
            name="smtp",
            service="smtp",
            pattern=rb"\A220[ -](?P<hostname>[\w.-]+) [^\r\n]*E?SMTP",
            ports="25,465,587",
        ),
        Rule(
            name="vsftpd",
            service="ftp",
            product="vsftpd",
            pattern=rb"\A220 \(vsFTPd (?P<version>[\w.]+)\)",
            ports="21",
        ),
        Rule(
            name="proftpd",
            service="ftp",
            product="ProFTPD",
            pattern=rb"\A220[ -]ProFTPD (?:(?P<version>\d[\w.]*) )?Server",
            ports="21",
        ),
        Rule(
            name="pure-ftpd",
            service="ftp",
            product="Pure-FTPd",
            pattern=rb"\A220-+ ?Welcome to Pure-FTPd",
            ports="21",
        ),
        Rule(
            name="ftp",
            service="ftp",
            pattern=rb"\A220[ -][^\r\n]*FTP",
            ports="21",
        ),
        Rule(
            name="dovecot-imap",
            service="imap",
            product="Dovecot imapd",
            pattern=rb"\A\* OK (?:\[[^\]\r\n]*\] )?Dovecot(?: \((?P<info>[^)\r\n]*)\))? ready",
            ports="143",
        ),
        Rule(
            name="imap",
            service="imap",
            pattern=rb"\A\* (?:OK|PREAUTH) [^\r\n]*(?:IMAP4|ready)",
            ports="143",
        ),
        Rule(
            name="dovecot-pop3",
            service="pop3",
            product="Dovecot pop3d",
            pattern=rb"\A\+OK (?:\[[^\]\r\n]*\] )?Dovecot(?: \((?P<info>[^)\r\n]*)\))? ready",
            ports="110",
        ),
        Rule(
            name="pop3",
            service="pop3",
            pattern=rb"\A\+OK [^\r\n]*(?:POP3?|ready)",
            ports="110",
        ),
        Rule(
            name="mysql",
            service="mysql",
            pattern=(
                rb"\A(?P<length>[\x00-\xff]{3})\x00\x0a(?P<version>[0-9][\x20-\x7e]{0,60}?)\x00"
            ),
            extract=_mysql,
            ports="3306",
        ),
        Rule(
            name="mysql-refused",
            service="mysql",
            pattern=(
                rb"\A[\x00-\xff]{3}\x00\xff[\x00-\xff]{2}(?:#\w{5})?Host [^\r\n]{0,300}?"
                rb"is not allowed to connect to this (?P<product>MySQL|MariaDB) server"
            ),
            info="client host not allowed",
            ports="3306",
        ),
        Rule(
            name="http",
            service="http",
            pattern=rb"\AHTTP/(?:1\.[01]|2) (?P<status>\d{3})[ \r\n]",
            extract=_http,
            ports="80,591,8000,8008,8080,8081,8888,3000,5000,9000",
            nudge=_http_get,
        ),
        Rule(
            name="redis",
            service="redis",
            product="Redis key-value store",
            pattern=rb"\A\$\d+\r\n# Server\r\n[^$]*?redis_version:(?P<version>[\w.]+)",
            ports="6379",
            nudge=b"INFO server\r\n",
        ),
        Rule(
            name="redis-reply",
            service="redis",
            product="Redis key-value store",
            pattern=(
                rb"\A(?:-NOAUTH Authentication required|-DENIED Redis is running|\+PONG\r\n"
                rb"|-ERR unknown command [`'])"
            ),
            ports="6379",
        ),
        Rule(
            name="memcached",
            service="memcached",
            product="Memcached",
            pattern=rb"\AVERSION (?P<version>\d[\w.-]*)\r\n",
            ports="11211",
            nudge=b"version\r\n",
        ),
        Rule(
            name="postgresql",
            service="postgresql",
            product="PostgreSQL DB",
            pattern=rb"\A[NS]\Z",
            extract=_postgresql_ssl,
            ports="5432",
            nudge=SSL_REQUEST,
            after_nudge=True,
        ),
        Rule(
            name="postgresql-error",
            service="postgresql",
            product="PostgreSQL DB",
            pattern=rb"\AE[\x00-\xff]{4}S(?:FATAL|ERROR|PANIC)\x00(?:V\w+\x00)?C[0-9A-Z]{5}\x00",
            ports="5432",
        ),
        Rule(
            name="mongodb",
            service="mongodb",
            product="MongoDB",
            pattern=rb"\A[\x00-\xff]{12}\xdd\x07\x00\x00",
            extract=_mongodb,
            ports="27017",
            nudge=MONGODB_NUDGE,
        ),
    ))

def identify_rules() -> RuleSet:
    """The built-in identification rules (a :class:`RuleSet`; extend it with your own).

    .. versionadded:: 0.1.0
    """
    return _builtin()
