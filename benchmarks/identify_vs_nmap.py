"""Service identification: portkit's BannerProbe against ``nmap -sV`` on the same servers.

Starts real servers from Debian packages on loopback, each on a free port (see
tests/servers.py and tests/servers_more.py: OpenSSH, nginx, Postfix, vsftpd, Dovecot,
Redis, Memcached, MariaDB, PostgreSQL, BIND, Unbound, OpenLDAP, Mosquitto, ngIRCd,
NATS, rsync, git daemon, iperf3, xinetd's echo and daytime, Apache, lighttpd,
tinyproxy, Squid, CUPS, coturn, beanstalkd, svnserve, Prosody, ProFTPD, Exim, Samba,
TigerVNC (RFB and X11), Kamailio, RabbitMQ, munin-node, telnetd, xrdp, ZooKeeper,
gearmand; over UDP dnsmasq, chronyd, snmpd, memcached, tftpd-hpa, coturn, Kamailio,
krb5-kdc), then times

- TCP: ``portkit.scan(..., probe=BannerProbe())`` against ``nmap -sV -Pn -p PORTS``,
- UDP (with ``--udp``): ``portkit.scan(..., probe=UDPProbe(probe_all=True))`` against
  ``nmap -sU -sV -Pn -p PORTS``,

and prints, per server, the service each tool named (and product and version), whether
it is the right service (the name nmap's conventions give it; a few servers have two
right names), and each tool's total time. Neither tool is told which service listens
where. Run as root (the servers need it) with nmap installed::

    .venv/bin/python benchmarks/identify_vs_nmap.py [--udp] [--only NAME,NAME]
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import portkit
import servers
import servers_more
from portkit._cli._output import render_table

#: server -> the right service names (nmap's conventions; the first is portkit's aim).
TCP: dict[str, tuple[str, ...]] = {
    "ssh": ("ssh",), "http": ("http",), "smtp": ("smtp",), "ftp": ("ftp",),
    "redis": ("redis",), "memcached": ("memcached",), "mysql": ("mysql",),
    "postgresql": ("postgresql",),
    "bind9": ("domain",), "unbound": ("domain",), "slapd": ("ldap",), "mosquitto": ("mqtt",),
    "ngircd": ("irc",), "nats": ("nats",), "rsyncd": ("rsync",), "git-daemon": ("git",),
    "iperf3": ("iperf3",), "echo": ("echo",), "daytime": ("daytime",),
    "apache2": ("http",), "lighttpd": ("http",), "tinyproxy": ("http-proxy", "http"),
    "squid": ("http-proxy",), "cupsd": ("ipp",), "coturn": ("stun",),
    "beanstalkd": ("beanstalkd",), "svnserve": ("svn", "svnserve"),
    "prosody": ("xmpp-client", "jabber"), "proftpd": ("ftp",), "exim4": ("smtp",),
    "smbd": ("microsoft-ds", "netbios-ssn"), "xvnc": ("vnc",), "x11": ("X11",),
    "kamailio": ("sip",), "rabbitmq": ("amqp",), "munin-node": ("munin",),
    "telnetd": ("telnet",), "xrdp": ("ms-wbt-server",), "zookeeper": ("zookeeper",),
    "gearmand": ("gearman",),
}
UDP: dict[str, tuple[str, ...]] = {
    "dns": ("domain",), "ntp": ("ntp",), "snmp": ("snmp",), "memcached-udp": ("memcached",),
    "tftpd": ("tftp",), "coturn-udp": ("stun",), "kamailio-udp": ("sip",),
    "krb5kdc": ("kerberos-sec", "kerberos"),
}


def starters() -> dict[str, Callable[[], contextlib.AbstractContextManager[Any]]]:
    return {**servers.SERVERS, **servers_more.MORE_SERVERS, **servers_more.UDP_SERVERS}


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
        name = service.get("name", "")
        if service.get("tunnel") == "ssl":
            name = f"ssl/{name}"
        out[int(port.get("portid", "0"))] = (
            name, service.get("product", ""), service.get("version", "")
        )
    return out


def compare(
    title: str, started: dict[int, str], right: dict[str, tuple[str, ...]],
    probe: portkit.Probe, udp: bool,
) -> None:
    ports = sorted(started)
    if not ports:
        return
    t0 = time.perf_counter()
    ours = anyio.run(portkit_scan, ports, probe)
    t_portkit = time.perf_counter() - t0
    t0 = time.perf_counter()
    theirs = nmap_scan(ports, udp)
    t_nmap = time.perf_counter() - t0
    rows = []
    ours_right = nmap_right = 0
    for port in ports:
        name = started[port]
        ident = ours.get(port)
        mine = ("-", "", "")
        if ident is not None and ident.service is not None:
            service = f"ssl/{ident.service}" if ident.tunnel == "ssl" else ident.service
            mine = (service, ident.product or "", ident.version or "")
        nm = theirs.get(port, ("-", "", ""))
        good = right[name]
        ok_mine, ok_nmap = mine[0] in good, nm[0] in good
        ours_right += ok_mine
        nmap_right += ok_nmap
        rows.append((port, name, good[0], mine[0], f"{mine[1]} {mine[2]}".strip()[:34],
                     "yes" if ok_mine else "NO", nm[0], f"{nm[1]} {nm[2]}".strip()[:34],
                     "yes" if ok_nmap else "NO"))
    print(f"== {title} ==")
    print(render_table(
        ["PORT", "SERVER", "RIGHT", "PORTKIT", "PORTKIT PRODUCT/VERSION", "OK", "NMAP",
         "NMAP PRODUCT/VERSION", "OK"],
        rows,
    ))
    print()
    n = len(ports)
    print(f"servers: {n}")
    print(f"right service: portkit {ours_right}/{n} ({100 * ours_right / n:.0f}%), "
          f"nmap {nmap_right}/{n} ({100 * nmap_right / n:.0f}%)")
    print(f"portkit: {t_portkit:8.3f} s")
    print(f"nmap:    {t_nmap:8.3f} s")
    print(f"speed-up: {t_nmap / t_portkit:.1f}x")
    print()


def start(
    stack: contextlib.ExitStack, names: list[str], only: set[str] | None
) -> dict[int, str]:
    table = starters()
    started: dict[int, str] = {}
    for name in names:
        if only is not None and name not in only:
            continue
        try:
            server = stack.enter_context(table[name]())
        except servers.ServerUnavailable as e:
            print(f"skipping {name}: {str(e)[:160]}")
            continue
        except Exception as e:  # a server that cannot start must not stop the others
            print(f"skipping {name}: {type(e).__name__}: {str(e)[:160]}")
            continue
        started[server.port] = name
    return started


def database_load_ms(runs: int = 11) -> float:
    """The median time to read the probe database in a fresh interpreter, in ms."""
    code = ("import time; from portkit.identification import _database as d; "
            "t = time.perf_counter(); d.database(); print(time.perf_counter() - t)")
    times = sorted(
        float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True).stdout)
        for _ in range(runs)
    )
    return 1000 * times[len(times) // 2]


def main() -> int:
    print(f"probe database: read in {database_load_ms():.1f} ms "
          "(median of 11 fresh processes; patterns compile when first needed)")
    if shutil.which("nmap") is None:
        print("nmap is not installed")
        return 1
    args = sys.argv[1:]
    only = None
    if "--only" in args:
        only = set(args[args.index("--only") + 1].split(","))
    with contextlib.ExitStack() as stack:
        tcp = start(stack, list(TCP), only)
        right = dict(TCP)
        if only is None or "dovecot" in only:
            try:
                imap, pop3 = stack.enter_context(servers.start_dovecot())
                tcp[imap.port], tcp[pop3.port] = "dovecot-imap", "dovecot-pop3"
                right["dovecot-imap"], right["dovecot-pop3"] = ("imap",), ("pop3",)
            except servers.ServerUnavailable as e:
                print(f"skipping dovecot: {e}")
        compare("TCP: BannerProbe vs nmap -sV", tcp, right,
                portkit.identification.BannerProbe(), udp=False)
    if "--udp" in args:
        with contextlib.ExitStack() as stack:
            udp = start(stack, list(UDP), only)
            compare("UDP: UDPProbe(probe_all=True) vs nmap -sU -sV", udp, UDP,
                    portkit.identification.UDPProbe(probe_all=True), udp=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
