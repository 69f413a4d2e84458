"""Service identification: portkit's BannerProbe against ``nmap -sV`` on the same servers.

Starts real servers from Debian packages on loopback (ssh, http, smtp, ftp, imap, pop3,
redis, memcached, mysql, postgresql over TCP; dnsmasq, chronyd, snmpd over UDP; see
tests/servers.py), all on free ports, then times

- TCP: ``portkit.scan(..., probe=BannerProbe())`` against ``nmap -sV -Pn -p PORTS``,
- UDP: ``portkit.scan(..., probe=UDPProbe(probe_all=True))`` against
  ``nmap -sU -sV -Pn -p PORTS`` (with ``--udp``, as it takes nmap long),

and prints each one's wall time and a table of what each said per port. Neither tool
is told which service listens where. Run as root (the servers need it) with nmap
installed::

    .venv/bin/python benchmarks/identify_vs_nmap.py [--udp]
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import anyio

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import portkit
import servers
from portkit._cli._output import render_table

NAMES = ["ssh", "http", "smtp", "ftp", "redis", "memcached", "mysql", "postgresql"]
UDP_NAMES = ["dns", "ntp", "snmp"]


async def portkit_scan(
    ports: list[int], probe: portkit.Probe
) -> dict[int, portkit.identification.Identification]:
    found: dict[int, portkit.identification.Identification] = {}
    async with portkit.scan("127.0.0.1", ports, probe=probe) as results:
        async for result in results:
            ident = result.details.get("identification")
            if isinstance(ident, portkit.identification.Identification):
                found[result.port] = ident
    return found


def nmap_scan(ports: list[int], udp: bool = False) -> dict[int, tuple[str, str, str]]:
    argv = ["nmap", *(["-sU"] if udp else []), "-sV", "-Pn", "-n", "-oX", "-", "-p",
            ",".join(map(str, ports)), "127.0.0.1"]
    xml = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    out = {}
    for port in ET.fromstring(xml).iter("port"):
        service = port.find("service")
        if service is None:
            continue
        out[int(port.get("portid", "0"))] = (
            service.get("name", ""), service.get("product", ""), service.get("version", "")
        )
    return out


def compare(
    title: str, started: dict[int, str], probe: portkit.Probe, udp: bool
) -> None:
    ports = sorted(started)
    t0 = time.perf_counter()
    ours = anyio.run(portkit_scan, ports, probe)
    t_portkit = time.perf_counter() - t0
    t0 = time.perf_counter()
    theirs = nmap_scan(ports, udp)
    t_nmap = time.perf_counter() - t0
    rows = []
    agree = 0
    for port in ports:
        ident = ours.get(port)
        mine = ("-", "", "")
        if ident is not None:
            mine = (ident.service or "?", ident.product or ident.info or "", ident.version or "")
        nm = theirs.get(port, ("-", "", ""))
        same = mine[0] == nm[0]
        agree += same
        rows.append((port, started[port], mine[0], f"{mine[1]} {mine[2]}".strip(), nm[0],
                     f"{nm[1]} {nm[2]}".strip(), "yes" if same else "NO"))
    print(f"== {title} ==")
    print(render_table(
        ["PORT", "SERVER", "PORTKIT", "PORTKIT PRODUCT/VERSION", "NMAP", "NMAP PRODUCT/VERSION",
         "SAME SERVICE"],
        rows,
    ))
    print()
    print(f"servers: {len(ports)}; same service name: {agree}/{len(ports)}")
    print(f"portkit: {t_portkit:7.3f} s")
    print(f"nmap:    {t_nmap:7.3f} s")
    print(f"speed-up: {t_nmap / t_portkit:.1f}x")
    print()


def main() -> int:
    if shutil.which("nmap") is None:
        print("nmap is not installed")
        return 1
    with contextlib.ExitStack() as stack:
        tcp: dict[int, str] = {}
        for name in NAMES:
            try:
                server = stack.enter_context(servers.SERVERS[name]())
            except servers.ServerUnavailable as e:
                print(f"skipping {name}: {e}")
                continue
            tcp[server.port] = server.name
        try:
            imap, pop3 = stack.enter_context(servers.start_dovecot())
            tcp[imap.port], tcp[pop3.port] = "dovecot imap", "dovecot pop3"
        except servers.ServerUnavailable as e:
            print(f"skipping dovecot: {e}")
        banner = portkit.identification.BannerProbe()
        compare("TCP: BannerProbe vs nmap -sV", tcp, banner, udp=False)
        if "--udp" in sys.argv[1:]:
            udp: dict[int, str] = {}
            for name in UDP_NAMES:
                try:
                    server = stack.enter_context(servers.SERVERS[name]())
                except servers.ServerUnavailable as e:
                    print(f"skipping {name}: {e}")
                    continue
                udp[server.port] = server.name
            compare("UDP: UDPProbe(probe_all=True) vs nmap -sU -sV", udp,
                    portkit.identification.UDPProbe(probe_all=True), udp=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
