"""BannerProbe against real servers from Debian packages, on loopback, on both backends."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import portkit
import servers
from identify_helpers import running
from portkit import Endpoint, PortState
from portkit.identification import BannerProbe, Identification

pytestmark = pytest.mark.anyio


def _fixture(name: str):  # type: ignore[no-untyped-def]
    @pytest.fixture(scope="module", name=f"{name}_server")
    def fixture() -> Iterator[servers.Server]:
        yield from running(servers.SERVERS[name]())

    return fixture


ssh_server = _fixture("ssh")
http_server = _fixture("http")
smtp_server = _fixture("smtp")
ftp_server = _fixture("ftp")
redis_server = _fixture("redis")
memcached_server = _fixture("memcached")
mysql_server = _fixture("mysql")
postgresql_server = _fixture("postgresql")


@pytest.fixture(scope="module")
def dovecot_servers() -> Iterator[tuple[servers.Server, servers.Server]]:
    yield from running(servers.start_dovecot())


async def identify(port: int, probe: BannerProbe | None = None) -> Identification:
    result = await (probe or BannerProbe())(Endpoint(host="127.0.0.1", port=port), 2.0)
    assert result.state is PortState.OPEN
    assert result.reason == "syn-ack"
    ident = result.details["identification"]
    assert isinstance(ident, Identification)
    return ident


async def test_openssh_greeting_gives_product_and_version(ssh_server: servers.Server) -> None:
    ident = await identify(ssh_server.port)
    assert (ident.service, ident.rule, ident.product) == ("ssh", "openssh", "OpenSSH")
    assert ident.version is not None and ident.version[0].isdigit()
    assert ident.sent is None  # it spoke first
    assert ident.banner.startswith("SSH-2.0-OpenSSH_")
    assert ident.banner.endswith("\\r\\n")


async def test_nginx_answers_the_http_nudge_with_its_server_header(
    http_server: servers.Server,
) -> None:
    ident = await identify(http_server.port)
    assert (ident.service, ident.product) == ("http", "nginx")
    assert ident.version is not None and ident.version.count(".") == 2
    assert ident.extra["status"] == 200
    assert ident.sent is not None and ident.sent.startswith(b"GET / HTTP/1.0\r\nHost: 127.0.0.1")


async def test_postfix_greeting_gives_smtp_and_hostname(smtp_server: servers.Server) -> None:
    ident = await identify(smtp_server.port)
    assert (ident.service, ident.product) == ("smtp", "Postfix smtpd")
    assert ident.hostname == "mail.portkit.test"


async def test_vsftpd_greeting_gives_ftp_and_version(ftp_server: servers.Server) -> None:
    ident = await identify(ftp_server.port)
    assert (ident.service, ident.product) == ("ftp", "vsftpd")
    assert ident.version is not None and ident.version[0].isdigit()


async def test_dovecot_imap_and_pop3_greetings(
    dovecot_servers: tuple[servers.Server, servers.Server],
) -> None:
    imap, pop3 = dovecot_servers
    ident = await identify(imap.port)
    assert (ident.service, ident.product) == ("imap", "Dovecot imapd")
    ident = await identify(pop3.port)
    assert (ident.service, ident.product) == ("pop3", "Dovecot pop3d")


async def test_redis_info_gives_redis_version(redis_server: servers.Server) -> None:
    ident = await identify(redis_server.port)
    assert (ident.service, ident.rule) == ("redis", "redis")
    assert ident.version is not None and ident.version[0].isdigit()
    assert ident.sent == b"INFO server\r\n"


async def test_memcached_version_command(memcached_server: servers.Server) -> None:
    ident = await identify(memcached_server.port)
    assert (ident.service, ident.product) == ("memcached", "Memcached")
    assert ident.version is not None and ident.version.startswith("1.")
    assert ident.sent == b"version\r\n"


async def test_mariadb_handshake_packet(mysql_server: servers.Server) -> None:
    ident = await identify(mysql_server.port)
    assert (ident.service, ident.product) == ("mysql", "MariaDB")
    assert ident.version is not None and ident.version[0].isdigit()
    assert "MariaDB" not in ident.version
    assert ident.extra["protocol"] == 10


async def test_postgresql_answers_the_ssl_request(postgresql_server: servers.Server) -> None:
    ident = await identify(postgresql_server.port)
    assert (ident.service, ident.rule) == ("postgresql", "postgresql")
    assert ident.extra["ssl"] is False  # the test server has no certificate
    assert ident.raw == b"N"


async def test_a_rule_for_the_port_goes_first(redis_server: servers.Server) -> None:
    # A user's rule hinted for the port nudges first: redis answers PING with +PONG.
    rule = portkit.identification.Rule(
        name="redis-ping", service="redis", pattern=rb"\A\+PONG\r\n", product="Redis",
        ports=[redis_server.port], nudge=b"PING\r\n",
    )
    probe = BannerProbe(rules=portkit.identification.identify_rules().extend(rule))
    ident = await identify(redis_server.port, probe)
    assert (ident.rule, ident.sent, ident.raw) == ("redis-ping", b"PING\r\n", b"+PONG\r\n")


async def test_scan_streams_identifications(
    ssh_server: servers.Server, redis_server: servers.Server
) -> None:
    closed = servers.free_port()
    ports = [ssh_server.port, redis_server.port, closed]
    async with portkit.scan("127.0.0.1", ports, probe=BannerProbe()) as results:
        by_port = {r.port: r async for r in results}
    assert by_port[closed].state is PortState.CLOSED
    assert by_port[closed].reason == "conn-refused"
    services = {p: by_port[p].details["identification"].service for p in ports[:2]}  # type: ignore[attr-defined]
    assert services == {ssh_server.port: "ssh", redis_server.port: "redis"}
