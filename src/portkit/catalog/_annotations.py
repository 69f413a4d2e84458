"""Curated service annotations: judgment that IANA's registry does not carry.

IANA's registry says which name owns which port; it does not say that ``telnet`` sends
passwords in the clear, that ``imaps`` is the TLS form of ``imap``, or that a Docker
daemon listening on 2375 hands out root on its host. This module holds that judgment,
curated by hand, one :class:`Annotation` per service, each with a one-sentence reason.

Names are IANA service names (lower case) wherever IANA has one; where a service that
matters has no IANA name (``kubelet`` on 10250, ``elasticsearch`` on 9200, ...), the
entry uses the name its community uses and says so in its reason
(:data:`COMMUNITY_NAMES`). The table is data in :mod:`._annotations_data`, the types
in :mod:`._annotation_types`; this module builds the table on first use and answers
queries: pure functions, no I/O, no sockets, no anyio.
"""

# No ``from __future__ import annotations``: this module defines a function of that name.
from functools import lru_cache

from .._models import Protocol, check_port
from ..exceptions import InvalidServiceNameError
from ._annotation_types import Annotation, Category, Risk, RiskKind, Severity
from ._annotations_data import COMMUNITY_NAMES, ENTRIES

__all__ = [
    "COMMUNITY_NAMES",
    "Annotation",
    "Category",
    "Risk",
    "RiskKind",
    "Severity",
    "aliases",
    "annotation",
    "annotations",
    "annotations_on_port",
    "cleartext_counterpart",
    "is_cleartext",
    "risks_of",
    "tls_counterpart",
]



def _build() -> dict[str, Annotation]:
    plain_of = {e["tls_counterpart"]: e["name"] for e in ENTRIES if e["tls_counterpart"]}
    table = {}
    for entry in ENTRIES:
        a = Annotation(cleartext_counterpart=plain_of.get(entry["name"]), **entry)  # type: ignore[arg-type]
        if a.name in table:  # pragma: no cover - caught by the tests
            raise AssertionError(f"duplicate annotation {a.name!r}")
        table[a.name] = a
    return table


@lru_cache(maxsize=1)
def _table() -> dict[str, Annotation]:
    """The annotations by name, built on first use so ``import portkit`` stays light."""
    return _build()


@lru_cache(maxsize=1)
def aliases() -> dict[str, str]:
    """Every alias that :func:`annotation` accepts, mapped to the annotation's name."""
    return {alias: a.name for a in _table().values() for alias in a.aliases}


def _fold(name: object) -> str:
    if not isinstance(name, str):
        raise InvalidServiceNameError(name, "a service name is a str")
    folded = name.strip().lower()
    if not folded:
        raise InvalidServiceNameError(name, "a service name must not be empty")
    return folded


def annotation(name: str) -> Annotation | None:
    """The annotation of the service *name*, or None if there is none.

    Lookup ignores case and surrounding blanks, and accepts common aliases
    (``"www"`` for ``"http"``, ``"postgres"`` for ``"postgresql"``, ``"rdp"`` for
    ``"ms-wbt-server"``, ...; each annotation lists its ``aliases``).

    >>> annotation("Postgres").name
    'postgresql'
    >>> annotation("no-such-service") is None
    True

    Raises:
        InvalidServiceNameError: *name* is not a str, or is empty.

    .. versionadded:: 0.1.0
    """
    folded = _fold(name)
    table = _table()
    found = table.get(folded)
    if found is None:
        alias_of = aliases().get(folded)
        found = table[alias_of] if alias_of else None
    return found


def annotations() -> tuple[Annotation, ...]:
    """Every annotation, sorted by name.

    .. versionadded:: 0.1.0
    """
    return _sorted()


@lru_cache(maxsize=1)
def _sorted() -> tuple[Annotation, ...]:
    return tuple(sorted(_table().values(), key=lambda a: a.name))


def annotations_on_port(
    port: int, protocol: Protocol | str = Protocol.TCP
) -> tuple[Annotation, ...]:
    """The annotations whose usual ports include *port* on *protocol*, sorted by name.

    Useful when all one knows is a listening port: ``annotations_on_port(9200)`` finds
    ``elasticsearch`` although IANA's name for 9200 is ``wap-wsp``.

    Raises:
        InvalidPortError: *port* is not a port number.
        UnknownProtocolError: *protocol* is not tcp, udp, sctp or dccp.

    .. versionadded:: 0.1.0
    """
    port = check_port(port)
    proto = Protocol.parse(protocol)
    return tuple(a for a in _sorted() if port in a.ports and proto in a.protocols)


def tls_counterpart(name: str) -> str | None:
    """The service name of the TLS variant of *name* (``"imaps"`` for ``"imap"``), or None.

    None also when *name* has no annotation.

    Raises:
        InvalidServiceNameError: *name* is not a str, or is empty.

    .. versionadded:: 0.1.0
    """
    a = annotation(name)
    return a.tls_counterpart if a else None


def cleartext_counterpart(name: str) -> str | None:
    """The service name of the cleartext variant of *name* (``"imap"`` for ``"imaps"``).

    None when there is none, or when *name* has no annotation.

    Raises:
        InvalidServiceNameError: *name* is not a str, or is empty.

    .. versionadded:: 0.1.0
    """
    a = annotation(name)
    return a.cleartext_counterpart if a else None


def is_cleartext(name: str) -> bool | None:
    """Whether *name* sends its data unencrypted: True, False, or None when unknown.

    Raises:
        InvalidServiceNameError: *name* is not a str, or is empty.

    .. versionadded:: 0.1.0
    """
    a = annotation(name)
    return a.cleartext if a else None


def risks_of(name: str) -> tuple[Risk, ...]:
    """The risks of *name*, most severe first; empty when none are known.

    Raises:
        InvalidServiceNameError: *name* is not a str, or is empty.

    .. versionadded:: 0.1.0
    """
    a = annotation(name)
    return a.risks if a else ()
