"""Capture replies from real servers on loopback as fixtures for the identification tests.

Starts each server of tests/servers_more.py (and tests/servers.py), identifies it with
BannerProbe, and writes tests/fixtures/replies/<name>.json: the probe, what was sent,
the reply (hex), what portkit made of it, and the source (Debian package and version).
Run as root::

    .venv/bin/python scripts/capture_replies.py [NAME[@PROBE] ...]

``NAME@PROBE`` sends only the database's probe PROBE to the server NAME;
``udp:NAME`` captures the UDP server NAME's reply to UDPProbe's payload.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
from pathlib import Path

import anyio

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import servers  # noqa: E402
import servers_more  # noqa: E402
from portkit import Endpoint  # noqa: E402
from portkit.identification import (  # noqa: E402
    BannerProbe,
    Identification,
    UDPProbe,
    identify_rules,
)
from portkit.identification._banner import _read, _Step  # noqa: E402
from portkit.identification._database import database  # noqa: E402
from portkit.identification._io import read_reply  # noqa: E402

#: The Debian package behind each server, for the fixture's source note.
PACKAGES = {
    "bind9": "bind9", "unbound": "unbound", "slapd": "slapd", "mosquitto": "mosquitto",
    "ngircd": "ngircd", "nats": "nats-server", "rsyncd": "rsync", "git-daemon": "git",
    "iperf3": "iperf3", "echo": "xinetd", "daytime": "xinetd", "apache2": "apache2",
    "lighttpd": "lighttpd", "tinyproxy": "tinyproxy", "squid": "squid",
    "cupsd": "cups-daemon", "coturn": "coturn", "beanstalkd": "beanstalkd",
    "svnserve": "subversion", "prosody": "prosody", "proftpd": "proftpd-core",
    "exim4": "exim4-daemon-light", "smbd": "samba", "xvnc": "tigervnc-standalone-server",
    "x11": "tigervnc-standalone-server", "kamailio": "kamailio", "rabbitmq": "rabbitmq-server",
    "munin-node": "munin-node", "telnetd": "inetutils-telnetd", "ssh": "openssh-server",
    "http": "nginx-light", "redis": "redis-server", "memcached": "memcached",
    "mysql": "mariadb-server", "postgresql": "postgresql", "xrdp": "xrdp",
    "zookeeper": "zookeeper", "gearmand": "gearman-job-server",
}
OUT = ROOT / "tests" / "fixtures" / "replies"


def package_version(package: str) -> str:
    done = subprocess.run(["dpkg-query", "-W", "-f=${Version}", package],
                          capture_output=True, text=True, check=False)
    return done.stdout.strip() or "unknown"


async def identify(port: int, probe: str | None = None) -> Identification:
    if probe is not None:
        return await exchange(port, probe)
    result = await BannerProbe()(Endpoint(host="127.0.0.1", port=port), 2.0)
    ident = result.details["identification"]
    assert isinstance(ident, Identification)
    return ident


async def exchange(port: int, name: str) -> Identification:
    """Send the database's probe *name* alone and identify the reply."""
    db = database()
    probe = db.probe(name)
    step = _Step(name, probe.bytes_for("127.0.0.1"), db.services_of(probe), db.home_of(probe))
    async with await anyio.connect_tcp("127.0.0.1", port) as stream:
        if step.payload:
            await stream.send(step.payload)
        data, cut = await read_reply(stream, 4096, 2.0, 0.3)
    return _read(identify_rules(), db, data, step, port=port, cut=cut)


UDP_SERVICES = {"memcached-udp": "memcached", "tftpd": "tftp", "coturn-udp": "stun",
                "kamailio-udp": "sip", "nmbd": "netbios-ns", "krb5kdc": "kerberos-sec",
                "rpcbind": "rpcbind"}
UDP_PACKAGES = {"memcached-udp": "memcached", "tftpd": "tftpd-hpa", "coturn-udp": "coturn",
                "kamailio-udp": "kamailio", "nmbd": "samba", "krb5kdc": "krb5-kdc",
                "rpcbind": "rpcbind"}


async def identify_udp(port: int, service: str) -> Identification | None:
    probe = UDPProbe(services={port: service})
    result = await probe(Endpoint(host="127.0.0.1", port=port, protocol="udp"), 2.0)
    ident = result.details.get("identification")
    return ident if isinstance(ident, Identification) else None


def capture_udp(name: str) -> None:
    try:
        with servers_more.UDP_SERVERS[name]() as server:
            ident = anyio.run(identify_udp, server.port, UDP_SERVICES[name])
    except servers.ServerUnavailable as e:
        print(f"{name}: unavailable: {str(e)[:300]}")
        return
    print(f"{name}: {ident}")
    if ident is None or not ident.raw:
        return
    package = UDP_PACKAGES[name]
    record = {
        "source": f"{package} {package_version(package)} (Debian 12), on loopback",
        "udp_service": UDP_SERVICES[name],
        "reply_hex": ident.raw.hex(),
        "expect": {"service": ident.service, "product": ident.product,
                   "version": ident.version},
    }
    (OUT / f"udp-{name}.json").write_text(json.dumps(record, indent=1) + "\n")


def main(names: list[str]) -> int:
    table = {**{k: v for k, v in servers.SERVERS.items()
                if k in ("ssh", "http", "redis", "memcached", "mysql", "postgresql")},
             **servers_more.MORE_SERVERS}
    for wanted in names or [*table, *(f"udp:{n}" for n in servers_more.UDP_SERVERS)]:
        if wanted.startswith("udp:"):
            capture_udp(wanted[4:])
            continue
        name, _, probe = wanted.partition("@")
        try:
            with contextlib.ExitStack() as stack:
                server = stack.enter_context(table[name]())
                ident = anyio.run(identify, server.port, probe or None)
        except servers.ServerUnavailable as e:
            print(f"{name}: unavailable: {str(e)[:300]}")
            continue
        package = PACKAGES.get(name, name)
        print(f"{name}: {ident.service} {ident.product} {ident.version} {ident.info} "
              f"tunnel={ident.tunnel} probe={ident.extra.get('probe')} {ident.banner[:100]}")
        if not ident.raw:
            continue
        record = {
            "source": f"{package} {package_version(package)} (Debian 12), on loopback",
            "probe": ident.extra.get("probe"),
            "port": None,
            "reply_hex": ident.raw.hex(),
            "expect": {"service": ident.service, "product": ident.product,
                       "version": ident.version},
        }
        path = OUT / f"{name}{'@' + probe if probe else ''}.json"
        path.write_text(json.dumps(record, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
