"""What a probe learns: :class:`PortState` and :class:`ProbeResult`.

The vocabulary is nmap's: a port is ``open``, ``closed`` or ``filtered`` (or one of
the two ambiguous states), and every verdict carries the *reason* that decided it,
named as nmap names them (``syn-ack``, ``conn-refused``, ``no-response``,
``host-unreach``, ...). This module does no I/O.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

import attrs

from portkit import _frozen
from portkit._models import Endpoint, Protocol, check_port

__all__ = ["PortState", "ProbeResult"]


class PortState(str, enum.Enum):
    """The verdict on one port, as nmap states it.

    ``str()`` gives nmap's spelling (``"open|filtered"``), and so does ``.value``.
    """

    #: Something accepts connections (or datagrams) on the port.
    OPEN = "open"
    #: The host answered that nothing listens there (a TCP reset).
    CLOSED = "closed"
    #: Something in the way stopped the probe (silence, or an ICMP unreachable).
    FILTERED = "filtered"
    #: No answer, which can mean open or filtered (typical of UDP).
    OPEN_FILTERED = "open|filtered"
    #: Either closed or filtered, and the probe cannot tell which.
    CLOSED_FILTERED = "closed|filtered"
    #: The probe could not be carried out; the name did not resolve, or a local
    #: resource (descriptors, buffers, source ports) ran out for good.
    ERROR = "error"

    def __str__(self) -> str:
        return self.value




def _protocol(value: Protocol | str) -> Protocol:
    return Protocol.parse(value)


def _state(value: PortState | str) -> PortState:
    return PortState(value)


def _check_attempts(instance: ProbeResult, attribute: attrs.Attribute[int], value: int) -> None:
    if value < 0:
        from portkit.exceptions import InvalidOptionError

        raise InvalidOptionError("attempts", value, "attempts is an int >= 0")


@attrs.frozen(kw_only=True)
class ProbeResult:
    """The outcome of probing one port of one address.

    Results are values: frozen, hashable, comparable. ``details`` takes no part in
    equality or hashing, so two results that agree on everything else are equal
    whatever extra facts a probe recorded.

    Attributes:
        target: The target as given (a host name, an address, a network such as
            ``"192.0.2.0/30"``, or an endpoint's host).
        address: The IP address actually probed, or ``""`` when there was none
            (a name that did not resolve).
        port: The port number.
        protocol: The transport protocol.
        state: The verdict.
        reason: Why, in nmap's words: ``"syn-ack"``, ``"conn-refused"``,
            ``"no-response"``, ``"host-unreach"``, ``"net-unreach"``,
            ``"admin-prohibited"``, ``"port-unreach"``, ``"resolve-failed"``, ...
        latency: Seconds from sending the probe to the answer that decided it
            (monotonic clock), or None when nothing answered.
        attempts: How many times the port was probed (more than one when silent
            ports were retried).
        details: Extra facts a probe learnt, such as the ICMP type and code of an
            unreachable or a banner. An immutable mapping; empty by default.
    """

    target: str
    address: str
    port: int = attrs.field(converter=check_port)
    protocol: Protocol = attrs.field(default=Protocol.TCP, converter=_protocol)
    state: PortState = attrs.field(converter=_state)
    reason: str
    latency: float | None = None
    attempts: int = attrs.field(default=1, validator=_check_attempts)
    details: Mapping[str, object] = attrs.field(
        default=None, converter=_frozen.freeze, eq=False, repr=False
    )

    def __getstate__(self) -> dict[str, Any]:
        """The fields, read-only mappings as plain dicts, for pickle."""
        return _frozen.getstate(self)

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Restore what :meth:`__getstate__` stored."""
        _frozen.setstate(self, state)

    @property
    def endpoint(self) -> Endpoint:
        """The probed address, port and protocol as an :class:`~portkit.Endpoint`.

        Raises:
            InvalidEndpointError: there is no address (the target did not resolve).
        """
        return Endpoint(host=self.address, port=self.port, protocol=self.protocol)

    @property
    def is_open(self) -> bool:
        """True when the state is :attr:`PortState.OPEN`."""
        return self.state is PortState.OPEN

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly dict: enums as their values, details as a plain dict.

        Detail values that JSON cannot hold are the caller's to convert.
        """
        return {
            "target": self.target,
            "address": self.address,
            "port": self.port,
            "protocol": self.protocol.value,
            "state": self.state.value,
            "reason": self.reason,
            "latency": self.latency,
            "attempts": self.attempts,
            "details": dict(self.details),
        }


def _fast_result(  # noqa: PLR0917 - positional for speed in the engine's loop
    target: str,
    address: str,
    port: int,
    protocol: Protocol,
    state: PortState,
    reason: str,
    latency: float | None,
    attempts: int,
    details: Mapping[str, object],
) -> ProbeResult:
    """Build a :class:`ProbeResult` from values already known to be valid.

    The engine makes a result per probe; skipping the converters matters there.
    """
    new = object.__new__(ProbeResult)
    setattr_ = object.__setattr__
    setattr_(new, "target", target)
    setattr_(new, "address", address)
    setattr_(new, "port", port)
    setattr_(new, "protocol", protocol)
    setattr_(new, "state", state)
    setattr_(new, "reason", reason)
    setattr_(new, "latency", latency)
    setattr_(new, "attempts", attempts)
    setattr_(new, "details", details)
    return new
