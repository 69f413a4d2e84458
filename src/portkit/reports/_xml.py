"""nmap's XML output format (``-oX``), streamed host by host."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO
from xml.sax.saxutils import quoteattr

from portkit import PortState, ProbeResult, __version__

from ._fields import columns, registered
from ._hosts import HostSummary
from ._writers import _PerHost

__all__ = ["NmapXMLWriter"]


def _attrs(**values: object) -> str:
    return "".join(f" {k}={quoteattr(_xml_text(v))}" for k, v in values.items())


def _xml_text(value: object) -> str:
    # XML 1.0 cannot hold most control characters, even escaped: write them as \\xNN.
    text = str(value)
    if any(ord(c) < 0x20 and c not in "\t\n\r" for c in text) or "\ufffe" in text:
        text = "".join(
            f"\\x{ord(c):02x}" if ord(c) < 0x20 and c not in "\t\n\r" else c
            for c in text.replace("\ufffe", "\\ufffe")
        )
    return text


def _ttl(result: ProbeResult) -> object:
    return result.details.get("ttl", 0) if result.details else 0


def _service(result: ProbeResult) -> str:
    service, product, version, _ = columns(result)
    method = "probed" if service and service != "?" else "table"
    name = service if method == "probed" else registered(result.port, result.protocol.value)
    if not name:
        name = "unknown"  # as nmap writes a port its table does not name
    extra = {}
    if product:
        extra["product"] = product
    if version:
        extra["version"] = version
    tunnel = ""
    if "/" in name:  # "ssl/http": nmap writes the tunnel apart
        tunnel, _, name = name.partition("/")
    if tunnel:
        extra["tunnel"] = tunnel
    conf = 10 if method == "probed" else 3
    return f"<service{_attrs(name=name, **extra, method=method, conf=conf)}/>"


class NmapXMLWriter(_PerHost):
    """nmap's XML format (``-oX``), as read by nmap's tools and python-libnmap.

    ``scaninfo`` says ``type="connect"``; each host has its status, address,
    hostname (the target as given, when a name), its ports with state, reason and
    ``reason_ttl``, and the service (``method="table"`` from the registry,
    ``"probed"`` when identified), with ``extraports`` and ``extrareasons`` for the
    states of more than 25 ports, as nmap writes them. The document is closed by
    :meth:`ReportWriter.close`, interrupted or not, so it is always well formed.

    Args:
        command: The command line to record in ``args``.
        ports: The scanned ports as a spec text, for ``scaninfo``.
        protocol: The scanned protocol, for ``scaninfo``.
        count: How many ports were scanned per host, for ``scaninfo``.

    .. versionadded:: 0.2
    """

    def __init__(
        self,
        file: TextIO,
        *,
        show_all: bool = False,
        expected: Callable[[ProbeResult], int | None] | None = None,
        command: str = "portkit",
        ports: str = "",
        protocol: str = "tcp",
        count: int = 0,
    ) -> None:
        """See the class's documentation; the document's head is written at once."""
        super().__init__(file, show_all=show_all, expected=expected)
        # Every state but open is listed when it has few ports, counted otherwise.
        self.grouper._few_states = frozenset(s for s in PortState if s is not PortState.OPEN)
        self.up = 0
        start = int(self.started)
        stamp = time.strftime("%a %b %d %H:%M:%S %Y", time.localtime(self.started))
        scan_type = "udp" if protocol == "udp" else "connect"
        run = _attrs(scanner="portkit", args=command, start=start, startstr=stamp,
                     version=__version__, xmloutputversion="1.05")
        info = _attrs(type=scan_type, protocol=protocol, numservices=count, services=ports)
        file.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE nmaprun>\n'
            f"<nmaprun{run}>\n<scaninfo{info}/>\n"
            '<verbose level="0"/>\n<debugging level="0"/>\n'
        )

    #: Hosts that answered.
    up: int

    def host(self, host: HostSummary) -> None:
        """Write one ``<host>`` element (names that did not resolve have none)."""
        up = host.is_up
        self.up += up
        if host.error is not None:
            return  # nmap leaves out names it could not resolve
        reason = "conn-refused" if up else "no-response"
        version = "ipv6" if ":" in host.address else "ipv4"
        parts = [
            f"<host{_attrs(starttime=int(host.started), endtime=int(host.ended))}>"
            f"<status{_attrs(state='up' if up else 'down', reason=reason, reason_ttl=0)}/>\n"
            f"<address{_attrs(addr=host.address, addrtype=version)}/>\n"
        ]
        if host.hostname is not None:
            parts.append(
                f"<hostnames>\n<hostname{_attrs(name=host.hostname, type='user')}/>\n"
                "</hostnames>\n"
            )
        else:
            parts.append("<hostnames>\n</hostnames>\n")
        parts.append("<ports>")
        by_state: dict[str, dict[str, int]] = {}
        for (state, reason_), n in host.rest.items():
            by_state.setdefault(state, {})[reason_] = n
        for state, reasons in sorted(by_state.items()):
            total = sum(reasons.values())
            parts.append(f"<extraports{_attrs(state=state, count=total)}>\n")
            for reason_, n in sorted(reasons.items()):
                parts.append(f"<extrareasons{_attrs(reason=reason_, count=n)}/>\n")
            parts.append("</extraports>\n")
        for r in host.listed:
            parts.append(
                f"<port{_attrs(protocol=r.protocol.value, portid=r.port)}>"
                f"<state{_attrs(state=r.state.value, reason=r.reason, reason_ttl=_ttl(r))}/>"
                f"{_service(r)}</port>\n"
            )
        parts.append("</ports>\n</host>\n")
        self.file.write("".join(parts))

    def close(self, *, interrupted: bool = False) -> None:
        """Write the hosts still held, ``<runstats>`` and the end of the document."""
        if self.closed:
            return
        super().close(interrupted=interrupted)
        now = time.time()
        stamp = time.strftime("%a %b %d %H:%M:%S %Y", time.localtime(now))
        elapsed = f"{now - self.started:.2f}"
        summary = (f"portkit done at {stamp}; {self.hosts} IP address(es) ({self.up} host(s) "
                   f"up) scanned in {elapsed} seconds")
        finished = _attrs(time=int(now), timestr=stamp, summary=summary, elapsed=elapsed,
                          exit="error" if interrupted else "success")
        self.file.write(
            f"<runstats><finished{finished}/>"
            f"<hosts{_attrs(up=self.up, down=self.hosts - self.up, total=self.hosts)}/>\n"
            "</runstats>\n</nmaprun>\n"
        )
