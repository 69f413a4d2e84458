"""What a scan learns about each host: round trips, loss, signs of life.

One :class:`HostBook` per scan decides, for every attempt, how long to wait and
whether a silent port is tried again:

- **Timeouts.** A host that has answered waits its own ``srtt + 4 * rttvar``
  (RFC 6298, as :class:`RttTable` keeps it). A host that never answered waits the
  same figure computed over every answer of the scan (the network's round trip),
  doubled on each further try, never more than the scan's ``timeout``; before the
  scan has any answer at all, :data:`INITIAL_TIMEOUT` (or ``timeout`` when shorter),
  doubled likewise, and the port's last try the full ``timeout``.
- **Loss-aware tries.** A port that answered only on a retry, after silence, is a
  measure of loss. A host's loss estimate is ``late / max(answered, 20)`` over its
  ports (the scan's over all hosts until the host has 20 answers). A silent port
  is tried until ``loss ** tries <= 1e-4``, at least :data:`BASE_TRIES` times, at
  least one more time than the latest try that ever got this host to answer
  (nmap's rule), and at most :data:`MAX_TRIES` times.
- **Dead address space.** A host with no sign of life (no answer of any kind,
  ever) after :data:`SILENT_LIMIT` silent ports is presumed down: its further
  ports get one try each. Any answer revives it.

An explicit ``retries=`` replaces the tries rule: every silent port is tried
exactly ``1 + retries`` times. Memory is bounded: at most *max_hosts* hosts are
remembered, the oldest forgotten first.
"""

from __future__ import annotations

import math

__all__ = ["BASE_TRIES", "MAX_TRIES", "SILENT_LIMIT", "HostBook"]

#: Tries for a silent port before any loss is seen.
BASE_TRIES = 2
#: The most tries the loss estimate can ask for (nmap -T4 allows 7).
MAX_TRIES = 6
#: Silent ports, with no answer ever, after which a host is presumed down.
SILENT_LIMIT = 10
#: The chance of a false ``filtered`` verdict the tries rule aims below.
TARGET_MISS = 1e-4
#: Answers a loss estimate needs before it stands on its own.
LOSS_PRIOR = 20
#: The first try's timeout before the scan has any answer (nmap -T4's
#: ``--initial-rtt-timeout``), when the scan's ``timeout`` is longer.
INITIAL_TIMEOUT = 0.5


class _Host:
    __slots__ = ("answered", "best_try", "late", "rttvar", "silent", "srtt", "timeout")

    def __init__(self) -> None:
        self.answered = 0
        self.late = 0
        self.silent = 0
        self.best_try = 0
        self.srtt = 0.0
        self.rttvar = 0.0
        self.timeout = 0.0


def tries_for_loss(loss: float) -> int:
    """How many tries keep ``loss ** tries`` at or below :data:`TARGET_MISS`."""
    if loss <= 0.0:
        return 1
    if loss >= 1.0:
        return MAX_TRIES
    return max(1, math.ceil(math.log(TARGET_MISS) / math.log(loss)))


class HostBook:
    """Per-host round trips, loss and signs of life for one scan (see the module)."""

    def __init__(
        self,
        *,
        low: float,
        high: float,
        retries: int | None,
        adaptive: bool = True,
        max_hosts: int = 4096,
    ) -> None:
        self.low = low
        self.high = high
        self.fixed = None if retries is None else 1 + retries
        self.adaptive = adaptive
        self.max_hosts = max_hosts
        self.hosts: dict[str, _Host] = {}
        # The scan's figures over all hosts.
        self.answered = 0
        self.late = 0
        self.srtt = 0.0
        self.rttvar = 0.0
        self.seed: float | None = None  # the timeout for hosts never heard from

    def _host(self, address: str) -> _Host:
        host = self.hosts.get(address)
        if host is None:
            if len(self.hosts) >= self.max_hosts:
                del self.hosts[next(iter(self.hosts))]
            host = self.hosts[address] = _Host()
        return host

    def timeout(self, address: str, attempt: int = 1) -> float:
        """How long the *attempt*-th try (from 1) of a port of *address* waits."""
        if not self.adaptive:
            return self.high
        host = self.hosts.get(address)
        if host is not None and host.answered:
            return host.timeout
        seed = self.seed
        if seed is None:
            # Nothing heard yet: a short first wait, but the last try waits in full.
            if attempt >= self.tries(address):
                return self.high
            seed = INITIAL_TIMEOUT if self.high > INITIAL_TIMEOUT else self.high
        if attempt > 1:
            seed *= 2 ** (attempt - 1)
        return seed if seed < self.high else self.high

    def tries(self, address: str) -> int:
        """How many tries in all a silent port of *address* gets."""
        if self.fixed is not None:
            return self.fixed
        host = self.hosts.get(address)
        if host is None or not host.answered:
            if host is not None and host.silent >= SILENT_LIMIT:
                return 1
            return BASE_TRIES
        if host.answered >= LOSS_PRIOR:
            loss = host.late / host.answered
        else:
            loss = self.late / max(self.answered, LOSS_PRIOR)
        wanted = max(BASE_TRIES, host.best_try + 1, tries_for_loss(loss))
        return wanted if wanted < MAX_TRIES else MAX_TRIES

    def answer(self, address: str, attempt: int, latency: float) -> None:
        """A port of *address* answered on its *attempt*-th try after *latency* s."""
        host = self._host(address)
        host.answered += 1
        self.answered += 1
        if attempt > 1:
            host.late += 1
            self.late += 1
        host.best_try = max(host.best_try, attempt)
        # RFC 6298, per host and over the scan.
        if host.answered == 1:
            host.srtt, host.rttvar = latency, latency / 2
        else:
            host.rttvar = 0.75 * host.rttvar + 0.25 * abs(host.srtt - latency)
            host.srtt = 0.875 * host.srtt + 0.125 * latency
        host.timeout = self._clamp(host.srtt + 4 * host.rttvar)
        if self.answered == 1:
            self.srtt, self.rttvar = latency, latency / 2
        else:
            self.rttvar = 0.75 * self.rttvar + 0.25 * abs(self.srtt - latency)
            self.srtt = 0.875 * self.srtt + 0.125 * latency
        self.seed = self._clamp(self.srtt + 4 * self.rttvar)

    def silence(self, address: str) -> None:
        """A port of *address* stayed silent on every try."""
        host = self._host(address)
        host.silent += 1

    def presumed_down(self, address: str) -> bool:
        """True when *address* never answered and :data:`SILENT_LIMIT` ports were silent."""
        host = self.hosts.get(address)
        return host is not None and not host.answered and host.silent >= SILENT_LIMIT

    def _clamp(self, value: float) -> float:
        return self.low if value < self.low else self.high if value > self.high else value
