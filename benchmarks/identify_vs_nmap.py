"""Service identification: portkit's BannerProbe against ``nmap -sV`` on the same servers.

Starts real servers from Debian packages on loopback (ssh, http, smtp, ftp, imap, pop3,
redis, memcached, mysql, postgresql; see tests/servers.py), then times

- portkit: ``portkit.scan(..., probe=BannerProbe())`` over all their ports at once,
- nmap: ``nmap -sV -Pn -p PORTS 127.0.0.1``,

and prints each one's wall time and a table of what each said per port. Run as root
(the servers need it) with nmap installed::

    .venv/bin/python benchmarks/identify_vs_nmap.py
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


async def portkit_scan(ports: list[int]) -> dict[int, portkit.Identification]:
    found: dict[int, portkit.Identification] = {}
    async with portkit.scan("127.0.0.1", ports, probe=portkit.BannerProbe()) as results:
        async for result in results:
            ident = result.details.get("identification")
            if isinstance(ident, portkit.Identification):
                found[result.port] = ident
    return found


def nmap_scan(ports: list[int]) -> dict[int, tuple[str, str, str]]:
    argv = ["nmap", "-sV", "-Pn", "-n", "-oX", "-", "-p", ",".join(map(str, ports)),
            "127.0.0.1"]
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


def main() -> int:
    if shutil.which("nmap") is None:
        print("nmap is not installed")
        return 1
    with contextlib.ExitStack() as stack:
        started: dict[int, str] = {}
        for name in NAMES:
            try:
                server = stack.enter_context(servers.SERVERS[name]())
            except servers.ServerUnavailable as e:
                print(f"skipping {name}: {e}")
                continue
            started[server.port] = server.name
        try:
            imap, pop3 = stack.enter_context(servers.start_dovecot())
            started[imap.port], started[pop3.port] = "dovecot imap", "dovecot pop3"
        except servers.ServerUnavailable as e:
            print(f"skipping dovecot: {e}")
        ports = sorted(started)

        t0 = time.perf_counter()
        ours = anyio.run(portkit_scan, ports)
        t_portkit = time.perf_counter() - t0
        t0 = time.perf_counter()
        theirs = nmap_scan(ports)
        t_nmap = time.perf_counter() - t0

    rows = []
    agree = 0
    for port in ports:
        ident = ours.get(port)
        mine = ("-", "", "")
        if ident is not None:
            mine = (ident.service or "?", ident.product or "", ident.version or "")
        nm = theirs.get(port, ("-", "", ""))
        same = mine[0] == nm[0]
        agree += same
        rows.append((port, started[port], mine[0], f"{mine[1]} {mine[2]}".strip(), nm[0],
                     f"{nm[1]} {nm[2]}".strip(), "yes" if same else "NO"))
    print(render_table(
        ["PORT", "SERVER", "PORTKIT", "PORTKIT PRODUCT/VERSION", "NMAP", "NMAP PRODUCT/VERSION",
         "SAME SERVICE"],
        rows,
    ))
    print()
    print(f"servers: {len(ports)}; same service name: {agree}/{len(ports)}")
    print(f"portkit BannerProbe: {t_portkit:6.2f} s")
    print(f"nmap -sV:            {t_nmap:6.2f} s")
    print(f"speed-up:            {t_nmap / t_portkit:6.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
