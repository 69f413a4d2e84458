"""The built-in identification rules: the code they need, and their compilation.

The table itself is data, in :mod:`portkit.identification._builtin_data`; this module
holds what the table names (the extractors of binary greetings, the nudges) and builds
the rules on first use, not when portkit is imported.
"""

from __future__ import annotations

import functools
import re
import struct
from collections.abc import Callable, Mapping

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

#: The code that the table names: extractors ...
EXTRACTORS: dict[str, Callable[[re.Match[bytes]], Mapping[str, object] | None]] = {
    "http": _http,
    "mongodb": _mongodb,
    "mysql": _mysql,
    "postgresql-ssl": _postgresql_ssl,
}
#: ... and nudges.
NUDGES: dict[str, bytes | Callable[[str], bytes]] = {
    "http-get": _http_get,
    "mongodb-hello": MONGODB_NUDGE,
    "postgresql-ssl-request": SSL_REQUEST,
}


def _rule(entry: Mapping[str, object]) -> Rule:
    """The :class:`Rule` of one table entry, its named code looked up."""
    fields = dict(entry)
    extract = fields.get("extract")
    if isinstance(extract, str):
        fields["extract"] = EXTRACTORS[extract]
    nudge = fields.get("nudge")
    if isinstance(nudge, str):
        fields["nudge"] = NUDGES[nudge]
    return Rule(**fields)  # type: ignore[arg-type]


@functools.cache
def _builtin() -> RuleSet:
    """The built-in rules, compiled on first use (not when portkit is imported)."""
    from ._builtin_data import RULES

    return RuleSet(tuple(_rule(entry) for entry in RULES))

def identify_rules() -> RuleSet:
    """The built-in identification rules (a :class:`RuleSet`; extend it with your own).

    .. versionadded:: 0.1.0
    """
    return _builtin()
