"""What to watch: :class:`Check`, and how one probe result is judged against it."""

from __future__ import annotations

from typing import Any, Literal

import attrs

from .._models import Endpoint, Protocol
from .._options import optional_positive, positive
from .._probe import PortState, Probe, ProbeResult
from ..exceptions import InvalidOptionError
from ._health import Health

__all__ = ["Check", "Expect"]

#: What a check expects of its port.
Expect = Literal["open", "closed"]


def _endpoint(value: Endpoint | str) -> Endpoint:
    if isinstance(value, Endpoint):
        return value
    if isinstance(value, str):
        return Endpoint.parse(value)
    raise InvalidOptionError("endpoint", value, "an endpoint is an Endpoint or 'host:port' text")


def _check_critical(instance: Check, attribute: attrs.Attribute[Any], value: object) -> None:
    optional_positive(instance, attribute, value)
    low = instance.degraded_latency
    if isinstance(value, (int, float)) and low is not None and value < low:
        raise InvalidOptionError(
            "critical_latency", value,
            f"critical_latency must not be below degraded_latency ({low})",
        )


def _count(instance: Check, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 1000:
        raise InvalidOptionError(
            attribute.name, value, f"{attribute.name} is an int from 1 to 1000"
        )


def _expect(value: object) -> Expect:
    if value == "open":
        return "open"
    if value == "closed":
        return "closed"
    raise InvalidOptionError("expect", value, "expect is 'open' or 'closed'")


def _probe(instance: Check, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None:
        if instance.endpoint.protocol is not Protocol.TCP:
            raise InvalidOptionError(
                "probe", value,
                f"the built-in probe is TCP; give a probe for {instance.endpoint.protocol}",
            )
        return
    if not isinstance(value, Probe):
        raise InvalidOptionError("probe", value, "a probe is an async callable (see Probe)")


def _name(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidOptionError("name", value, "a check's name is a non-empty str")
    return value


@attrs.frozen(kw_only=True)
class Check:
    """One port to watch, how often, and what counts as healthy.

    >>> Check(endpoint="127.0.0.1:5432", interval=5, fall=3)
    Check(endpoint=Endpoint.parse('127.0.0.1:5432'), name='127.0.0.1:5432', ...)

    Each result gets a verdict (see :meth:`judge`); the check's health changes to a
    verdict once ``rise`` (to ``Health.UP``) or ``fall`` (to anything else)
    consecutive results agree on it.

    Attributes:
        endpoint: What to probe (``"host:port"`` text is parsed). A host name is
            resolved before every probe.
        name: A unique name within a monitor; the endpoint's text by default.
        probe: Any ``portkit.Probe``; None for the built-in TCP connect probe.
        interval: Seconds from one scheduled probe to the next.
        timeout: Seconds a probe waits for an answer (silence is ``filtered``).
        expect: ``"open"`` (a service that must answer) or ``"closed"`` (a policy:
            the port must stay shut; an open port is ``Health.VIOLATED``).
        degraded_latency: An open port slower than this (seconds) is
            ``Health.DEGRADED``, like ``check_tcp -w``; None to ignore latency.
        critical_latency: An open port slower than this is ``Health.DOWN``, like
            ``check_tcp -c``; None to ignore. Not below ``degraded_latency``.
        rise: Consecutive UP verdicts needed to change to UP (1-1000).
        fall: Consecutive verdicts needed to change to any other health (1-1000).

    .. versionadded:: 0.1.0
    """

    endpoint: Endpoint = attrs.field(converter=_endpoint)
    name: str = attrs.field(
        default=attrs.Factory(lambda self: str(self.endpoint), takes_self=True),
        converter=_name,
    )
    probe: Probe | None = attrs.field(default=None, validator=_probe, eq=False)
    interval: float = attrs.field(default=10.0, validator=positive)
    timeout: float = attrs.field(default=1.0, validator=positive)
    expect: Expect = attrs.field(default="open", converter=_expect)
    degraded_latency: float | None = attrs.field(default=None, validator=optional_positive)
    critical_latency: float | None = attrs.field(default=None, validator=_check_critical)
    rise: int = attrs.field(default=1, validator=_count)
    fall: int = attrs.field(default=1, validator=_count)

    def judge(self, result: ProbeResult) -> tuple[Health, str]:
        """The verdict on one result and its reason.

        ============= ============================== ========== ====================
        expect        result                         verdict    reason
        ============= ============================== ========== ====================
        ``"open"``    open, latency >= critical      DOWN       ``latency-critical``
        ``"open"``    open, latency >= degraded      DEGRADED   ``latency-degraded``
        ``"open"``    open                           UP         the probe's reason
        ``"open"``    anything else                  DOWN       the probe's reason
        ``"closed"``  open                           VIOLATED   the probe's reason
        ``"closed"``  error (the probe failed)       DOWN       the probe's reason
        ``"closed"``  closed or filtered             UP         the probe's reason
        ============= ============================== ========== ====================
        """
        state = result.state
        if self.expect == "closed":
            if state is PortState.OPEN:
                return Health.VIOLATED, result.reason
            if state is PortState.ERROR:
                return Health.DOWN, result.reason
            return Health.UP, result.reason
        if state is not PortState.OPEN:
            return Health.DOWN, result.reason
        latency = result.latency
        if latency is not None:
            if self.critical_latency is not None and latency >= self.critical_latency:
                return Health.DOWN, "latency-critical"
            if self.degraded_latency is not None and latency >= self.degraded_latency:
                return Health.DEGRADED, "latency-degraded"
        return Health.UP, result.reason

    def to_dict(self) -> dict[str, object]:
        """A JSON-friendly dict of the check's settings (the probe by its repr)."""
        return {
            "name": self.name,
            "endpoint": str(self.endpoint),
            "probe": None if self.probe is None else repr(self.probe),
            "interval": self.interval,
            "timeout": self.timeout,
            "expect": self.expect,
            "degraded_latency": self.degraded_latency,
            "critical_latency": self.critical_latency,
            "rise": self.rise,
            "fall": self.fall,
        }
