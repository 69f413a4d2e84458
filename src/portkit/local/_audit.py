"""The exposure audit: findings about listening sockets, from rules and allow-lists.

A rule is any callable that takes one listening :class:`LocalSocket` and returns the
:class:`Finding` objects it has about it (usually none). The built-in rules
(:data:`AUDIT_RULES`) combine where a socket listens (its :class:`Exposure`) with what
portkit's annotations know about the service on it; :func:`audit` runs the rules over
the listening sockets and drops what the allow-list excuses.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Protocol as TypingProtocol

import attrs

from portkit._classify import ephemeral_range
from portkit._models import Protocol, check_port
from portkit.catalog._annotations import RiskKind, Severity
from portkit.exceptions import InvalidEndpointError, InvalidRuleError

from ._knowledge import daemon_services, port_services, socket_service
from ._models import Exposure, LocalSocket

__all__ = ["AUDIT_RULES", "Allow", "AuditRule", "Finding", "RiskRule", "audit"]

_BEYOND_LOOPBACK = frozenset({Exposure.SPECIFIC, Exposure.ALL})
_EVERY_INTERFACE = frozenset({Exposure.ALL})


@attrs.frozen(kw_only=True)
class Finding:
    """One thing the audit has to say about one listening socket.

    Attributes:
        severity: How much it matters (:class:`portkit.catalog.Severity`).
        rule: The id of the rule that found it (``"cleartext-login"``, ...), which
            :class:`Allow` entries can name.
        socket: The socket it is about.
        reason: One or two sentences saying what is wrong and why.
        service: The service the socket most likely runs, or None when unknown.

    .. versionadded:: 0.1.0
    """

    severity: Severity
    rule: str
    socket: LocalSocket
    reason: str
    service: str | None = None

    def __str__(self) -> str:
        return f"{self.severity} {self.rule}: {self.reason}"


class AuditRule(TypingProtocol):
    """What :func:`audit` accepts as a rule: ``(socket) -> Iterable[Finding]``.

    Any function or callable object of that shape will do; it is called once per
    listening socket and returns (or yields) the findings it has, usually none.

    >>> def no_high_udp(sock):
    ...     if sock.protocol is portkit.Protocol.UDP and sock.local_port > 40000:
    ...         yield portkit.local.Finding(severity=portkit.catalog.Severity.LOW, rule="high-udp",
    ...                               socket=sock, reason="a UDP listener on a high port")

    .. versionadded:: 0.1.0
    """

    def __call__(self, socket: LocalSocket, /) -> Iterable[Finding]: ...


def _where(sock: LocalSocket) -> str:
    address = sock.local_address
    shown = f"[{address}]" if ":" in address else address
    if sock.exposure is Exposure.ALL:
        scope = "on every interface"
        if sock.family == 6 and sock.takes_ipv4:
            scope += ", IPv4 included"
    else:
        scope = "on a non-loopback address"
    return f"{shown}:{sock.local_port}/{sock.protocol} ({scope})"


@attrs.frozen(kw_only=True)
class RiskRule:
    """A built-in rule: flag a known risk of a service when the listener is exposed.

    The service is identified by :func:`socket_service` (the owning program if it is a
    well-known daemon, else the port); the finding takes the severity and reason of
    the service's annotated :class:`portkit.catalog.Risk` of this kind.

    Attributes:
        id: The rule id, the value of :attr:`kind` (``"cleartext-login"``, ...).
        kind: The kind of annotated risk that this rule reports.
        exposures: The exposures that count (loopback never does).
        protocols: The protocols it applies to.
    """

    id: str
    kind: RiskKind
    exposures: frozenset[Exposure] = _BEYOND_LOOPBACK
    protocols: frozenset[Protocol] = frozenset({Protocol.TCP, Protocol.UDP})

    def __call__(self, socket: LocalSocket, /) -> Iterable[Finding]:
        if socket.exposure not in self.exposures or socket.protocol not in self.protocols:
            return ()
        process = socket.process
        name, found = socket_service(
            socket.local_port, socket.protocol, process.name if process else None
        )
        if found is None:
            return ()
        return tuple(
            Finding(
                severity=risk.severity,
                rule=self.id,
                socket=socket,
                reason=f"{found.name} listens on {_where(socket)}: {risk.reason}",
                service=name,
            )
            for risk in found.risks
            if risk.kind is self.kind
        )


def port_mismatch(socket: LocalSocket, /) -> Iterable[Finding]:
    """Audit rule ``port-mismatch``: a known daemon listens on a port known for another service.

    Deliberately modest: it fires only when the owning program is in
    :data:`portkit.local._knowledge.DAEMONS` (``sshd``, ``redis-server``, ...) and
    the port has a name (registry or annotations) that is none of that program's
    services. Firewall rules, scanners and people reading ``ss`` output judge ports by
    their registered service, so a service on someone else's port is misjudged.
    """
    process = socket.process
    if process is None or socket.exposure is Exposure.LOOPBACK:
        return ()
    own = daemon_services(process.name)
    on_port = port_services(socket.local_port, socket.protocol)
    if not own or not on_port or set(own) & set(on_port):
        return ()
    return (
        Finding(
            severity=Severity.LOW,
            rule="port-mismatch",
            socket=socket,
            reason=f"{process.name} ({own[0]}) listens on {_where(socket)}, a port known "
            f"for {on_port[0]}: firewall rules and scanners that go by port numbers "
            "will misjudge it",
            service=own[0],
        ),
    )


def ephemeral_listener(socket: LocalSocket, /) -> Iterable[Finding]:
    """Audit rule ``ephemeral-listener``: a TCP listener beyond loopback in the ephemeral range.

    Outgoing connections take their source ports from that range, so the service can
    fail to start when a client holds its port, and firewalls that admit "return
    traffic" to ephemeral ports may admit it too. UDP is left out: client programs
    routinely hold unconnected UDP sockets on ephemeral ports (DNS, DHCP, mDNS).
    """
    if socket.protocol is not Protocol.TCP or socket.exposure is Exposure.LOOPBACK:
        return ()
    span = ephemeral_range()
    if socket.local_port not in span:
        return ()
    process = socket.process
    who = f"{process.name} listens" if process and process.name else "a listener"
    return (
        Finding(
            severity=Severity.LOW,
            rule="ephemeral-listener",
            socket=socket,
            reason=f"{who} on {_where(socket)}, inside this host's ephemeral range "
            f"{span}: outgoing connections can take the port first, and firewalls "
            "that admit return traffic to that range may admit this service",
            service=None,
        ),
    )


#: The built-in rules, in the order their findings are produced. To add rules of
#: your own, pass ``rules=(*portkit.local.AUDIT_RULES, my_rule)``.
AUDIT_RULES: tuple[AuditRule, ...] = (
    RiskRule(id="cleartext-login", kind=RiskKind.CLEARTEXT_LOGIN),
    RiskRule(id="unauthenticated-data", kind=RiskKind.UNAUTHENTICATED_DATA),
    RiskRule(id="management-api", kind=RiskKind.MANAGEMENT_API, exposures=_EVERY_INTERFACE),
    RiskRule(id="remote-access", kind=RiskKind.REMOTE_ACCESS),
    RiskRule(id="file-sharing-exposure", kind=RiskKind.FILE_SHARING_EXPOSURE),
    RiskRule(id="amplification", kind=RiskKind.AMPLIFICATION, protocols=frozenset({Protocol.UDP})),
    RiskRule(id="legacy-protocol", kind=RiskKind.LEGACY_PROTOCOL),
    port_mismatch,
    ephemeral_listener,
)
#: The ids of the built-in rules that are plain functions (a RiskRule has an ``id``).
_FUNCTION_RULE_IDS: dict[object, str] = {
    port_mismatch: "port-mismatch",
    ephemeral_listener: "ephemeral-listener",
}


def _optional_port(value: int | None) -> int | None:
    return None if value is None else check_port(value)


_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _optional_network(value: str | _Network | None) -> _Network | None:
    if value is None or isinstance(value, (ipaddress.IPv4Network, ipaddress.IPv6Network)):
        return value
    try:
        return ipaddress.ip_network(value, strict=False)
    except ValueError:
        raise InvalidEndpointError(
            value, "an allow-list address is an IP address or network (10.0.0.0/8)"
        ) from None


def _optional_protocol(value: Protocol | str | None) -> Protocol | None:
    return None if value is None else Protocol.parse(value)


_KIND = "allow-list entry"
_KEYS = ("rule", "port", "address", "process", "protocol")
_SYNTAX = (
    "an allow-list entry is comma-separated key=value pairs with keys rule, port, "
    "address, process, protocol, as in 'rule=cleartext-login,port=21,address=10.0.0.0/8'"
)


def _check_not_empty(
    instance: Allow, attribute: attrs.Attribute[Protocol | None], value: Protocol | None
) -> None:
    # Validators run once every field is set, so this one sees the whole entry.
    if all(getattr(instance, f.name) is None for f in attrs.fields(Allow)):
        raise InvalidRuleError(
            "",
            "an allow-list entry names at least one of rule, port, address, process, protocol",
            kind=_KIND,
        )


def _rule_id(rule: AuditRule) -> str | None:
    """The id a rule's findings carry: its ``id`` attribute, or None when it has none."""
    found = getattr(rule, "id", None)
    if isinstance(found, str):
        return found
    return _FUNCTION_RULE_IDS.get(rule)


def _check_allow_ids(rules: tuple[AuditRule, ...], allow: tuple[Allow, ...]) -> None:
    """Refuse an allow entry whose rule id names none of *rules* (a typo excuses nothing).

    Rules without an ``id`` attribute cannot say which ids they use; with one of those
    among *rules*, any id is accepted.
    """
    ids = [_rule_id(rule) for rule in rules]
    if any(i is None for i in ids):
        return
    known = sorted({i for i in ids if i is not None})
    for entry in allow:
        if entry.rule is not None and entry.rule not in known:
            raise InvalidRuleError(
                f"rule={entry.rule}",
                f"the rule id names no rule of this audit; the known rule ids are "
                f"{', '.join(known)}",
                kind=_KIND,
            )


@attrs.frozen(kw_only=True)
class Allow:
    """An allow-list entry: findings it matches are dropped from :func:`audit`'s answer.

    Every field given must match; fields left None match anything. An entry with no
    field at all would excuse everything and is refused.

    >>> Allow(rule="cleartext-login", port=21, address="10.0.0.0/8")  # doctest: +SKIP
    >>> Allow.parse("rule=ephemeral-listener,process=java")  # doctest: +SKIP

    Attributes:
        rule: A rule id (``"cleartext-login"``).
        port: The local port.
        address: The local address, or a network that contains it (``"10.0.0.0/8"``).
        process: The name of a process holding the socket.
        protocol: ``tcp`` or ``udp``.

    .. versionadded:: 0.1.0
    """

    rule: str | None = None
    port: int | None = attrs.field(default=None, converter=_optional_port)
    address: _Network | None = attrs.field(default=None, converter=_optional_network)
    process: str | None = None
    protocol: Protocol | None = attrs.field(
        default=None, converter=_optional_protocol, validator=_check_not_empty
    )

    @classmethod
    def parse(cls, text: str) -> Allow:
        """Parse ``"rule=cleartext-login,port=21,address=10.0.0.0/8,process=vsftpd"``.

        Whether the rule id names a rule is checked by :func:`audit`, which knows the
        rules in use.

        Raises:
            InvalidRuleError: A part is not ``key=value`` with a known key, a key comes
                twice, or the port is not a number.
            InvalidPortError: The port is out of range.
            InvalidEndpointError: The address is not an IP address or network.
            UnknownProtocolError: The protocol is not tcp, udp, sctp or dccp.

        .. versionchanged:: 0.2
           :class:`~portkit.exceptions.InvalidRuleError` for a malformed entry (it was
           :class:`~portkit.exceptions.InvalidEndpointError`).
        """
        if not isinstance(text, str):
            raise InvalidRuleError(text, "an allow-list entry is parsed from a str", kind=_KIND)
        fields: dict[str, object] = {}
        for part in text.split(","):
            key, eq, value = part.partition("=")
            key, value = key.strip(), value.strip()
            if not eq or key not in _KEYS or not value:
                raise InvalidRuleError(text, f"{part.strip()!r} is not key=value; {_SYNTAX}",
                                       kind=_KIND)
            if key in fields:
                raise InvalidRuleError(text, f"{key!r} is given twice", kind=_KIND)
            if key == "port":
                if not (value.isascii() and value.isdigit()):
                    raise InvalidRuleError(text, f"port {value!r} is not a number",
                                           kind=_KIND)
                fields[key] = int(value)
            else:
                fields[key] = value
        return cls(**fields)  # type: ignore[arg-type]

    def matches(self, finding: Finding) -> bool:
        """True when every field given matches *finding*."""
        sock = finding.socket
        if self.rule is not None and finding.rule != self.rule:
            return False
        if self.port is not None and sock.local_port != self.port:
            return False
        if self.protocol is not None and sock.protocol is not self.protocol:
            return False
        if self.process is not None and not any(p.name == self.process for p in sock.processes):
            return False
        if self.address is not None:
            address = ipaddress.ip_address(sock.local_address.split("%", 1)[0])
            mapped = getattr(address, "ipv4_mapped", None)
            if address not in self.address and (mapped is None or mapped not in self.address):
                return False
        return True


def audit(
    sockets: Iterable[LocalSocket] | None = None,
    *,
    rules: Iterable[AuditRule] | None = None,
    allow: Iterable[Allow] = (),
) -> tuple[Finding, ...]:
    """Findings about the listening sockets: exposed risky services and odd listeners.

    >>> for finding in portkit.local.audit():  # doctest: +SKIP
    ...     print(finding.severity, finding.rule, finding.socket.local_port, finding.reason)

    Args:
        sockets: The sockets to judge; only the listening ones among them count.
            None reads :func:`listening` now (this host's namespace).
        rules: The rules to run, each a :class:`AuditRule`; :data:`AUDIT_RULES` when None.
        allow: Allow-list entries; a finding any of them matches is left out.

    Returns:
        The findings, most severe first, then by protocol, port and rule id.

    Raises:
        InvalidRuleError: An allow entry's rule id names none of the rules (each
            rule's ``id`` attribute; a rule without one lets any id through).
        LocalSocketsError: *sockets* was None and the socket table cannot be read.

    .. versionadded:: 0.1.0
    """
    if sockets is None:
        from ._sockets import listening

        sockets = listening()
    chosen = AUDIT_RULES if rules is None else tuple(rules)
    excuses = tuple(allow)
    _check_allow_ids(chosen, excuses)
    findings: list[Finding] = []
    seen: set[tuple[str, int | None, str, int, str]] = set()
    for sock in sockets:
        if not sock.is_listening:
            continue
        for rule in chosen:
            for finding in rule(sock):
                key = (
                    finding.rule,
                    sock.inode,
                    sock.local_address,
                    sock.local_port,
                    finding.reason,
                )
                if key in seen or any(entry.matches(finding) for entry in excuses):
                    continue
                seen.add(key)
                findings.append(finding)
    findings.sort(key=lambda f: (-f.severity, str(f.socket.protocol), f.socket.local_port, f.rule))
    return tuple(findings)
