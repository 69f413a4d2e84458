"""What every report says about one result: its service, product, version and TLS cells,
and the escaping of text that a peer or a local user chose."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from portkit import PortState, ProbeResult, lookup
from portkit.identification import Identification, TLSInfo

__all__ = ["columns", "escape", "is_safe", "plain", "record", "registered", "service_name"]

# C0 and C1 controls, DEL, and the invisible formatting characters that reorder or hide
# text on a terminal (bidirectional overrides and isolates, zero-width marks).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def _hex(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape(text: object) -> str:
    r"""*text* with control and invisible formatting characters written as escapes.

    ESC, BEL, carriage returns, newlines and the rest of C0/C1, DEL, and the Unicode
    characters that reorder or hide text (bidirectional overrides, zero-width marks)
    become ``\xNN`` or ``\uNNNN``, so that nothing a peer sends (a banner, a ``Server:``
    header, a certificate name) or a local user chooses (a process name) can move the
    cursor, retitle the window or hide itself on the terminal that shows a report.

    >>> escape("OpenSSH\x1b]0;pwned\x07")
    'OpenSSH\\x1b]0;pwned\\x07'

    .. versionadded:: 0.2
    """
    text = str(text)
    if _UNSAFE.search(text) is None:
        return text
    return _UNSAFE.sub(_hex, text)


def is_safe(text: str) -> bool:
    """True when *text* has nothing :func:`escape` would change."""
    return _UNSAFE.search(text) is None


_SERVICE_NAMES: dict[tuple[int, str], str] = {}


def registered(port: int, protocol: str) -> str:
    key = (port, protocol)
    name = _SERVICE_NAMES.get(key)
    if name is None:
        service = lookup(port, protocol)
        name = _SERVICE_NAMES[key] = service.name if service is not None else ""
    return name


def service_name(result: ProbeResult) -> str:
    """The identified service of *result*, else the one registered on its port, else ``""``."""
    ident = result.details.get("identification") if result.details else None
    if isinstance(ident, Identification) and ident.service:
        return f"{ident.tunnel}/{ident.service}" if ident.tunnel else ident.service
    return registered(result.port, result.protocol.value)


def columns(result: ProbeResult) -> tuple[str, str, str, str]:
    """SERVICE (as identified), PRODUCT, VERSION and TLS cells (unescaped) of *result*."""
    details = result.details
    if not details:
        return "", "", "", ""
    ident = details.get("identification")
    service = product = version = tls_cell = ""
    if isinstance(ident, Identification):
        service = ident.service or ("?" if result.state is PortState.OPEN else "")
        if ident.tunnel and ident.service:
            service = f"{ident.tunnel}/{service}"
        product = ident.product or ident.info or ""
        version = ident.version or ""
    tls = details.get("tls")
    if isinstance(tls, TLSInfo):
        if tls.error:
            tls_cell = f"no TLS ({tls.error})"
        else:
            verdict = "verified" if tls.verified else f"NOT verified: {tls.verify_error}"
            expiry = "" if tls.days_left is None else f", expires in {tls.days_left} d"
            tls_cell = f"{tls.version} {tls.alpn or ''} {verdict}{expiry}".replace("  ", " ")
    return service, product, version, tls_cell


def plain(value: object) -> object:
    """*value* as JSON-friendly data: identifications and TLS facts as dicts, bytes as hex."""
    if isinstance(value, Identification | TLSInfo):
        return value.to_dict()
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, bytes):
        return value.hex()
    return value


def record(result: ProbeResult) -> dict[str, Any]:
    """``result.to_dict()`` with the service name and plain details."""
    out = result.to_dict()
    out["service"] = service_name(result) or None
    out["details"] = plain(out["details"])
    return out
