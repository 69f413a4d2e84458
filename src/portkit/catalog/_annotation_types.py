"""The value types of the curated annotations: categories, severities, risks, entries.

Read by the table in :mod:`portkit.catalog._annotations_data` and by the lookups in
:mod:`portkit.catalog._annotations`; pure data types, no I/O.
"""

import enum
from collections.abc import Iterable

import attrs

from .._models import Protocol, check_port
from ..exceptions import InvalidServiceNameError

__all__ = ["Annotation", "Category", "Risk", "RiskKind", "Severity"]


class Category(enum.Enum):
    """What a service is for, in broad strokes.

    ``str()`` gives the value, lower case with dashes: ``str(Category.FILE_TRANSFER)``
    is ``"file-transfer"``.

    .. versionadded:: 0.1.0
    """

    WEB = "web"
    MAIL = "mail"
    FILE_TRANSFER = "file-transfer"
    REMOTE_ACCESS = "remote-access"
    NAME_SERVICE = "name-service"
    TIME = "time"
    NETWORK_MANAGEMENT = "network-management"
    DATABASE = "database"
    CACHE = "cache"
    MESSAGING = "messaging"
    DIRECTORY = "directory"
    MONITORING = "monitoring"
    CONTAINER_ORCHESTRATION = "container-orchestration"
    VOICE_VIDEO = "voice-video"
    PRINTING = "printing"
    FILE_SHARING = "file-sharing"
    AUTHENTICATION = "authentication"
    VPN_TUNNEL = "vpn-tunnel"
    CHAT = "chat"
    DEVELOPMENT = "development"
    OTHER = "other"

    def __str__(self) -> str:
        return self.value


class Severity(enum.IntEnum):
    """How much a risk matters, ``INFO`` (0) to ``CRITICAL`` (4); ordered like ints.

    ``str()`` gives the lower-case name: ``str(Severity.HIGH)`` is ``"high"``.

    .. versionadded:: 0.1.0
    """

    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    def __str__(self) -> str:
        return self.name.lower()


class RiskKind(enum.Enum):
    """The kind of trouble a listening service tends to bring.

    ``str()`` gives the value, lower case with dashes.

    .. versionadded:: 0.1.0
    """

    #: Passwords or other credentials cross the network unencrypted.
    CLEARTEXT_LOGIN = "cleartext-login"
    #: Databases and caches that commonly run without authentication.
    UNAUTHENTICATED_DATA = "unauthenticated-data"
    #: Remote desktops and shells; whoever logs in controls the host.
    REMOTE_ACCESS = "remote-access"
    #: Management interfaces (Docker, kubelet, etcd, admin consoles, ...).
    MANAGEMENT_API = "management-api"
    #: Obsolete protocols with known weaknesses and better replacements.
    LEGACY_PROTOCOL = "legacy-protocol"
    #: UDP services that answer small spoofed requests with large replies.
    AMPLIFICATION = "amplification"
    #: Shared files or block devices reachable over the network.
    FILE_SHARING_EXPOSURE = "file-sharing-exposure"

    def __str__(self) -> str:
        return self.value


def _check_reason(instance: object, attribute: "attrs.Attribute[str]", value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{attribute.name} must be a non-empty str, not {value!r}")


@attrs.frozen
class Risk:
    """One risk of a listening service, with its severity and the reason for it.

    Attributes:
        kind: What kind of risk it is.
        severity: How much it matters.
        reason: One sentence saying why.

    .. versionadded:: 0.1.0
    """

    kind: RiskKind = attrs.field(validator=attrs.validators.instance_of(RiskKind))
    severity: Severity = attrs.field(validator=attrs.validators.instance_of(Severity))
    reason: str = attrs.field(validator=_check_reason)


def _check_name(instance: object, attribute: "attrs.Attribute[str]", value: str) -> None:
    if not isinstance(value, str) or not value or value != value.strip().lower():
        raise InvalidServiceNameError(
            value, f"{attribute.name} must be a non-empty lower-case str without blanks"
        )


def _check_optional_name(
    instance: object, attribute: "attrs.Attribute[str | None]", value: str | None
) -> None:
    if value is not None:
        _check_name(instance, attribute, value)  # type: ignore[arg-type]


def _ports(values: Iterable[int]) -> tuple[int, ...]:
    return tuple(check_port(v) for v in values)


def _risks(values: Iterable[Risk]) -> tuple[Risk, ...]:
    return tuple(values)


def _protocols(values: Iterable[Protocol | str]) -> tuple[Protocol, ...]:
    return tuple(Protocol.parse(v) for v in values)


def _aliases(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(values)


def _check_aliases(
    instance: object, attribute: "attrs.Attribute[tuple[str, ...]]", value: tuple[str, ...]
) -> None:
    for alias in value:
        _check_name(instance, attribute, alias)  # type: ignore[arg-type]


@attrs.frozen(kw_only=True)
class Annotation:
    """The curated judgment about one service.

    >>> a = annotation("IMAP")
    >>> a.name, str(a.category), a.cleartext, a.tls_counterpart
    ('imap', 'mail', True, 'imaps')

    Attributes:
        name: The IANA service name, lower case (or, where IANA has none, the
            community's name, as the annotations guide lists).
        category: What the service is for.
        cleartext: True when the protocol (as usually deployed on its port) sends its
            data unencrypted, False when it is encrypted, None when not applicable or
            not known.
        tls_counterpart: The service name of the TLS variant (``"https"`` for
            ``"http"``), or None.
        cleartext_counterpart: The reverse: the service name of the cleartext variant
            (``"http"`` for ``"https"``), or None.
        risks: What tends to go wrong when the service listens, most severe first.
        ports: The usual ports, for information (the registry is the authority).
        protocols: The transport protocols the service usually runs on.
        aliases: Other names that :func:`portkit.catalog.annotation` accepts for it, lower case.
        reason: One sentence saying why the entry says what it says.

    .. versionadded:: 0.1.0
    """

    name: str = attrs.field(validator=_check_name)
    category: Category = attrs.field(validator=attrs.validators.instance_of(Category))
    cleartext: bool | None = attrs.field(
        validator=attrs.validators.optional(attrs.validators.instance_of(bool))
    )
    tls_counterpart: str | None = attrs.field(default=None, validator=_check_optional_name)
    cleartext_counterpart: str | None = attrs.field(
        default=None, validator=_check_optional_name
    )
    risks: tuple[Risk, ...] = attrs.field(
        default=(),
        converter=_risks,
        validator=attrs.validators.deep_iterable(attrs.validators.instance_of(Risk)),
    )
    ports: tuple[int, ...] = attrs.field(default=(), converter=_ports)
    protocols: tuple[Protocol, ...] = attrs.field(default=(Protocol.TCP,), converter=_protocols)
    aliases: tuple[str, ...] = attrs.field(
        default=(), converter=_aliases, validator=_check_aliases
    )
    reason: str = attrs.field(validator=_check_reason)

    @property
    def severity(self) -> Severity:
        """The highest severity among ``risks``; ``Severity.INFO`` when there are none."""
        return max((r.severity for r in self.risks), default=Severity.INFO)

    def __str__(self) -> str:
        return self.name
