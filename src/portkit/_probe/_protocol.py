"""The :class:`Probe` protocol: what the scan engine needs from a probe."""

from __future__ import annotations

from typing import Protocol as _TypingProtocol
from typing import runtime_checkable

from portkit._models import Endpoint

from ._results import ProbeResult

__all__ = ["Probe"]


@runtime_checkable
class Probe(_TypingProtocol):
    """Anything that can probe one endpoint: an async callable returning a result.

    The engine of :func:`portkit.scan` calls a probe once per attempt with an
    :class:`~portkit.Endpoint` whose host is always an IP address (names are
    resolved before probing) and the timeout the probe should keep to. It gives
    custom probes the same concurrency limit, rate limit, retries and streaming as
    the built-in :class:`~portkit.TCPConnectProbe`.

    The contract:

    - Return a :class:`~portkit.ProbeResult` for *endpoint*. The engine fills in
      ``target`` and ``attempts`` itself, so give ``target=endpoint.host``.
    - Let silence until *timeout* be the verdict ``filtered`` with reason
      ``"no-response"``: the engine retries exactly those (``retries=``).
    - Raise :class:`OSError` with errno ``EMFILE``, ``ENFILE``, ``ENOBUFS``,
      ``ENOMEM``, ``EAGAIN`` or ``EADDRNOTAVAIL`` when a local resource runs out:
      the engine backs off and tries again rather than report a verdict. Any other
      :class:`OSError` becomes an ``error`` result; any other exception ends the
      scan and reaches the caller of :func:`~portkit.scan` (or
      :func:`~portkit.scan_sync`) as it is, not wrapped in an ``ExceptionGroup``.
      Returning anything but a :class:`~portkit.ProbeResult` ends the scan with
      :class:`~portkit.exceptions.InvalidOptionError` naming the probe.
    - Close what you open on every path, cancellation included.

    A probe may have a ``protocol`` attribute (a :class:`~portkit.Protocol`); the
    engine puts it in the endpoints it passes, TCP when there is none.

    Example::

        class BannerProbe:
            protocol = portkit.Protocol.TCP

            async def __call__(self, endpoint, timeout):
                ...
                return portkit.ProbeResult(target=endpoint.host, address=endpoint.host,
                                           port=endpoint.port, state="open",
                                           reason="banner", details={"banner": text})

    .. versionadded:: 0.1.0
    """

    async def __call__(self, endpoint: Endpoint, timeout: float) -> ProbeResult:
        """Probe *endpoint* within *timeout* seconds and return the verdict."""
        ...
