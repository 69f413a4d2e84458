"""What identification learns about a service: :class:`Identification`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from .. import _frozen
from ._text import printable

__all__ = ["Identification"]


@attrs.frozen(kw_only=True)
class Identification:
    """The service behind a port, as its greeting or its reply to a nudge showed it.

    A :class:`~portkit.identification.BannerProbe` stores one in ``ProbeResult.details
    ["identification"]``; :meth:`RuleSet.identify` makes one from bytes.

    ``banner`` is safe to print; ``product``, ``version``, ``info``, ``hostname``,
    ``raw``, ``sent`` and ``extra`` hold the peer's words as it sent them, so that
    data formats (JSON, CSV, XML) carry them unchanged: pass them through
    :func:`portkit.reports.escape` before printing them on a terminal.

    Attributes:
        service: The service name (``"ssh"``, ``"http"``, ``"redis"``, ...), as nmap
            names services, or None when no rule matched.
        rule: The name of the :class:`~portkit.identification.Rule` that matched, or None.
        product: The software, such as ``"OpenSSH"`` or ``"nginx"``, when known.
        version: Its version, such as ``"9.2p1"``, when known.
        info: Further words the server volunteered (``"Debian-2+deb12u10"``).
        hostname: The host name the server gave itself, when it did.
        raw: The bytes the server sent, at most the probe's byte bound.
        truncated: True when the server had more to say than the bound kept.
        sent: The nudge sent to make the server talk, or None when it spoke first.
        tunnel: ``"ssl"`` when the service was found inside TLS (nmap's
            ``ssl/http``), else None.
        extra: Other facts a rule extracted (``{"max_wire_version": 21}``); takes
            no part in equality.

    .. versionadded:: 0.1.0
    """

    service: str | None = None
    rule: str | None = None
    product: str | None = None
    version: str | None = None
    info: str | None = None
    hostname: str | None = None
    raw: bytes = attrs.field(default=b"", repr=False)
    truncated: bool = False
    sent: bytes | None = attrs.field(default=None, repr=False)
    tunnel: str | None = None
    extra: Mapping[str, object] = attrs.field(
        default=None, converter=_frozen.freeze, eq=False, repr=False
    )

    def __getstate__(self) -> dict[str, Any]:
        """The fields, read-only mappings as plain dicts, for pickle."""
        return _frozen.getstate(self)

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Restore what :meth:`__getstate__` stored."""
        _frozen.setstate(self, state)

    @property
    def banner(self) -> str:
        """The raw bytes as printable text, every non-printable byte escaped (``\\xNN``)."""
        return printable(self.raw)

    @property
    def identified(self) -> bool:
        """True when a rule matched."""
        return self.service is not None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly dict; bytes appear as printable text."""
        return {
            "service": self.service,
            "rule": self.rule,
            "product": self.product,
            "version": self.version,
            "info": self.info,
            "hostname": self.hostname,
            "banner": self.banner,
            "banner_bytes": len(self.raw),
            "truncated": self.truncated,
            "sent": None if self.sent is None else printable(self.sent),
            "tunnel": self.tunnel,
            "extra": dict(self.extra),
        }
