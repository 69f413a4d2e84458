"""``portkit scan --identify / --tls / --udp`` against real loopback servers."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import pytest

import servers
from identify_helpers import make_certs, running
from portkit._cli import main


@pytest.fixture(scope="module")
def sshd() -> Iterator[servers.Server]:
    yield from running(servers.start_sshd())


def test_identify_adds_service_product_and_version_columns(
    sshd: servers.Server, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["scan", "127.0.0.1", "-p", str(sshd.port), "--identify"]) == 0
    out = capsys.readouterr().out
    header = next(line for line in out.splitlines() if line.startswith("PORT"))
    assert header.split() == ["PORT", "STATE", "SERVICE", "REASON", "LATENCY", "PRODUCT",
                              "VERSION"]
    row = next(line for line in out.splitlines() if line.startswith(f"{sshd.port}/tcp"))
    assert row.split()[2] == "ssh"
    assert row.split()[5] == "OpenSSH"


def test_json_lines_carry_the_identification(
    sshd: servers.Server, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["scan", "127.0.0.1", "-p", str(sshd.port), "--identify", "--json"]) == 0
    (record,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    ident = record["details"]["identification"]
    assert ident["service"] == "ssh"
    assert ident["product"] == "OpenSSH"
    assert ident["banner"].startswith("SSH-2.0-OpenSSH_")
    assert ident["sent"] is None


def test_mixed_spec_scans_tcp_and_udp(
    sshd: servers.Server, capsys: pytest.CaptureFixture[str]
) -> None:
    udp_port = servers.free_port(socket.SOCK_DGRAM)
    spec = f"T:{sshd.port},U:{udp_port}"
    assert main(["scan", "127.0.0.1", "-p", spec, "--identify", "--json", "--retries", "0"]) == 0
    lines = capsys.readouterr().out.splitlines()
    records = {(r["protocol"], r["port"]): r for r in map(json.loads, lines)}
    assert records[("tcp", sshd.port)]["details"]["identification"]["service"] == "ssh"
    assert records[("udp", udp_port)]["state"] == "closed"
    assert records[("udp", udp_port)]["reason"] == "port-unreach"


def test_tls_column_reports_a_plain_service(
    sshd: servers.Server, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["scan", "127.0.0.1", "-p", str(sshd.port), "--tls", "--json"]) == 0
    (record,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    tls = record["details"]["tls"]
    assert tls["version"] is None
    assert tls["error"]


@pytest.fixture(scope="module")
def nginx_tls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[servers.Server, str]]:
    certs = make_certs(tmp_path_factory.mktemp("cli-certs"))
    for server in running(servers.start_nginx(tls=certs.valid)):
        yield server, str(certs.ca_file)


def test_identify_and_tls_together(
    nginx_tls: tuple[servers.Server, str], capsys: pytest.CaptureFixture[str]
) -> None:
    server, ca_file = nginx_tls
    argv = ["scan", "127.0.0.1", "-p", str(server.port), "--identify", "--tls",
            "--sni", "localhost", "--cafile", ca_file]
    assert main(argv) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith(f"{server.port}/tcp"))
    assert "ssl/http" in row.split()  # found inside TLS, as nmap says it
    assert "verified" in row and "NOT verified" not in row
    assert main([*argv, "--json"]) == 0
    (record,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    tls = record["details"]["tls"]
    assert tls["verified"] is True
    assert tls["certificate"]["dns_names"] == ["localhost", "www.portkit.test"]
    assert record["details"]["identification"]["service"] == "http"


def test_udp_without_ports_probes_the_common_udp_ports(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from portkit._cli._identify import COMMON_UDP_PORTS

    argv = ["scan", "127.0.0.1", "--udp", "--json", "--retries", "0", "--timeout", "0.3"]
    assert main(argv) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {r["protocol"] for r in records} == {"udp"}
    assert sorted(r["port"] for r in records) == list(COMMON_UDP_PORTS)


def test_csv_gets_identification_columns(
    sshd: servers.Server, capsys: pytest.CaptureFixture[str]
) -> None:
    import csv
    import io

    assert main(["scan", "127.0.0.1", "-p", str(sshd.port), "--identify", "--csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == 1
    assert (rows[0]["service"], rows[0]["product"], rows[0]["state"]) == ("ssh", "OpenSSH", "open")


@pytest.fixture(scope="module")
def imaps_peer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """A TLS server that greets as an IMAP server does, inside TLS (like port 993).

    It is a protocol peer written here, not an IMAP server: it sends the greeting
    after the handshake and closes.
    """
    import ssl
    import threading

    certs = make_certs(tmp_path_factory.mktemp("imaps-certs"))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certs.valid)
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    port = listener.getsockname()[1]
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=greet, args=(conn,), daemon=True).start()

    def greet(conn: socket.socket) -> None:
        # One thread per connection: identification probes a port several at a time.
        with conn:
            conn.settimeout(2)
            tls = None
            try:
                # A client that already hung up would make wrap_socket leak its
                # SSLSocket (it raises from getpeername() without closing it).
                conn.getpeername()
                # A peer that connects and leaves at once (a connect scan) is not
                # wrapped either.
                if not conn.recv(1, socket.MSG_PEEK):
                    return
                tls = context.wrap_socket(conn, server_side=True)
                tls.sendall(b"* OK [CAPABILITY IMAP4rev1] Dovecot ready.\r\n")
                tls.recv(100)
            except OSError:
                pass  # plain probes and hang-ups
            finally:
                if tls is not None:
                    tls.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield port
    finally:
        stop.set()
        thread.join(5)
        listener.close()


def test_identify_with_tls_looks_inside_tls(
    imaps_peer: int, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["scan", "127.0.0.1", "-p", str(imaps_peer), "--identify", "--tls", "--json"]
    assert main(argv) == 0
    (record,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    ident = record["details"]["identification"]
    assert (ident["tunnel"], ident["service"], ident["product"]) == ("ssl", "imap", "Dovecot imapd")
    assert record["details"]["tls"]["version"] in ("TLSv1.2", "TLSv1.3")
    assert main(argv[:-1]) == 0
    assert "ssl/imap" in capsys.readouterr().out
