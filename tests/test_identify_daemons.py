"""BannerProbe and UDPProbe against real servers from Debian packages, each started on
loopback on a free port (so no probe is helped by the port number)."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import anyio
import pytest

import servers_more
from portkit import Endpoint, PortState
from portkit.identification import BannerProbe, Identification, UDPProbe
from servers import ServerUnavailable

#: server -> (service, product) as BannerProbe names them. The slowest servers to start
#: (RabbitMQ, ZooKeeper) are left to the benchmark and the captured fixtures.
TCP = {
    "bind9": ("domain", "ISC BIND"),
    "unbound": ("domain", "Unbound"),
    "slapd": ("ldap", "OpenLDAP"),
    "mosquitto": ("mqtt", None),
    "ngircd": ("irc", "ngircd"),
    "nats": ("nats", "NATS server"),
    "rsyncd": ("rsync", None),
    "git-daemon": ("git", None),
    "iperf3": ("iperf3", "iperf3"),
    "echo": ("echo", None),
    "daytime": ("daytime", None),
    "apache2": ("http", "Apache httpd"),
    "lighttpd": ("http", "lighttpd"),
    "tinyproxy": ("http-proxy", "tinyproxy"),
    "squid": ("http-proxy", "Squid http proxy"),
    "cupsd": ("ipp", "CUPS"),
    "coturn": ("stun", "Coturn"),
    "beanstalkd": ("beanstalkd", "beanstalkd"),
    "svnserve": ("svn", "Subversion"),
    "prosody": ("xmpp-client", None),
    "proftpd": ("ftp", "ProFTPD"),
    "exim4": ("smtp", "Exim smtpd"),
    "smbd": ("microsoft-ds", "Samba smbd"),
    "xvnc": ("vnc", "VNC"),
    "x11": ("X11", "X.Org"),
    "kamailio": ("sip", "kamailio"),
    "munin-node": ("munin", "Munin"),
    "telnetd": ("telnet", None),
    "xrdp": ("ms-wbt-server", "xrdp"),
    "gearmand": ("gearman", "Gearman Job Queue System"),
}
#: Servers whose probe is tried off its own port only at a higher intensity.
RARE: dict[str, int] = {}
UDP = {
    "memcached-udp": ("memcached", "memcached", "Memcached"),
    "tftpd": ("tftp", "tftp", None),
    "coturn-udp": ("stun", "stun", "Coturn"),
    "kamailio-udp": ("sip", "sip", "kamailio"),
    "krb5kdc": ("kerberos-sec", "kerberos-sec", None),
}
FIXTURES = Path(__file__).parent / "fixtures" / "replies"


def _start(table: dict[str, Any], name: str) -> contextlib.AbstractContextManager[Any]:
    return table[name]()  # type: ignore[no-any-return]


@pytest.mark.parametrize("name", sorted(TCP))
def test_banner_probe_names_the_real_server(name: str) -> None:
    service, product = TCP[name]
    try:
        with _start(servers_more.MORE_SERVERS, name) as server:
            probe = BannerProbe(intensity=RARE.get(name, 7))
            result = anyio.run(probe, Endpoint(host="127.0.0.1", port=server.port), 2.0)
    except ServerUnavailable as e:
        pytest.skip(f"server unavailable: {e}")
    ident = result.details["identification"]
    assert isinstance(ident, Identification)
    assert (ident.service, ident.product) == (service, product), ident.banner[:200]


@pytest.mark.parametrize("name", sorted(UDP))
def test_udp_probe_names_the_real_server(name: str) -> None:
    payload, service, product = UDP[name]
    try:
        with _start(servers_more.UDP_SERVERS, name) as server:
            endpoint = Endpoint(host="127.0.0.1", port=server.port, protocol="udp")
            result = anyio.run(UDPProbe(services={server.port: payload}), endpoint, 2.0)
    except ServerUnavailable as e:
        pytest.skip(f"server unavailable: {e}")
    ident = result.details.get("identification")
    assert isinstance(ident, Identification)
    assert (ident.service, ident.product) == (service, product)



def test_probe_all_names_tftp_which_answers_from_another_port() -> None:
    """TFTP answers from a new port (its transfer id): sent with every other payload to
    a port of no known service, its request must still draw the identification."""
    try:
        with _start(servers_more.UDP_SERVERS, "tftpd") as server:
            endpoint = Endpoint(host="127.0.0.1", port=server.port, protocol="udp")
            result = anyio.run(UDPProbe(probe_all=True), endpoint, 2.0)
    except ServerUnavailable as e:
        pytest.skip(f"server unavailable: {e}")
    assert result.state is PortState.OPEN
    ident = result.details.get("identification")
    assert isinstance(ident, Identification)
    assert ident.service == "tftp"


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("udp-*.json")), ids=lambda p: p.stem)
def test_captured_udp_reply_is_identified(path: Path) -> None:
    record = json.loads(path.read_text())
    assert "Debian" in record["source"]
    _, read = UDPProbe().payload(record["udp_service"])
    ident = read(bytes.fromhex(record["reply_hex"]))
    expect = record["expect"]
    assert (ident.service, ident.product, ident.version) == (
        expect["service"], expect["product"], expect["version"]
    )
