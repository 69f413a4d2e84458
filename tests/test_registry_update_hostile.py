"""``registry update`` against servers that misbehave, all on 127.0.0.1: every
failure is a RegistryUpdateError, the download has an overall deadline, only http
and https are fetched (redirects included), and nothing partial is left behind."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import portkit
from misbehaving_http import misbehaving
from portkit._cli import main
from portkit.exceptions import InvalidOptionError, RegistryUpdateError
from portkit.registries import _data, update_registry
from portkit.registries._cache import CSV_NAME, META_NAME

OK = b"HTTP/1.1 200 OK\r\n"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    _data.reset_default()
    yield tmp_path / "xdg" / "portkit"
    _data.reset_default()


def _left_in(cache: Path) -> list[str]:
    return sorted(p.name for p in cache.iterdir()) if cache.exists() else []


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (OK + b"Transfer-Encoding: chunked\r\n\r\n10\r\nport,proto", "download failed"),
        (OK + b"Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n", "download failed"),
        (OK + b"Transfer-Encoding: chunked\r\n\r\n" + b"f" * 5000 + b"\r\n", "download failed"),
        (b"HTTP/1.1 2x0 Fine\r\n\r\n", "download failed"),
        (b"\x00\xff garbage \x1b[2J\r\n\r\n", "download failed"),
        (b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n", "download failed"),
        (OK + b"".join(b"X-%d: y\r\n" % i for i in range(500)) + b"\r\n", "download failed"),
        (OK + b"X-Long: " + b"y" * 200_000 + b"\r\n\r\n", "download failed"),
        (OK + b"Content-Length: 100000\r\n\r\nService Name,Port", "short of its Content-Length"),
        (b"HTTP/1.1 500 \x1b]0;owned\x07Oops\r\nContent-Length: 0\r\n\r\n", "HTTP 500"),
        (b"HTTP/1.1 302 Found\r\nContent-Length: 0\r\n\r\n", "without a Location"),
    ],
    ids=["truncated-chunk", "bad-chunk-size", "huge-chunk-size", "garbage-status",
         "binary-status", "not-http", "too-many-headers", "long-header",
         "truncated-body", "status-escapes", "redirect-nowhere"],
)
def test_a_misbehaving_server_is_a_registry_update_error(
    cache: Path, reply: bytes, reason: str
) -> None:
    with misbehaving(reply) as base, pytest.raises(RegistryUpdateError) as info:
        update_registry(f"{base}/x.csv", timeout=5)
    assert reason in info.value.reason
    assert "\x1b" not in str(info.value) and "\x07" not in str(info.value)
    assert [n for n in _left_in(cache) if n.startswith(".")] == []
    assert portkit.registries.default().provenance["origin"] == "bundled"


def test_a_server_sending_a_byte_at_a_time_meets_the_deadline(cache: Path) -> None:
    # Each byte arrives well within the per-read timeout; only the deadline ends it.
    body = OK + b"Content-Length: 1000000\r\n\r\n" + b"x" * 1000
    with misbehaving(body, pace=0.05) as base, pytest.raises(RegistryUpdateError) as info:
        update_registry(f"{base}/x.csv", timeout=5, deadline=1.0)
    assert "deadline of 1 s" in info.value.reason


def test_headers_sent_a_byte_at_a_time_meet_the_deadline(cache: Path) -> None:
    body = OK + b"".join(b"X-%d: y\r\n" % i for i in range(50))
    with misbehaving(body, pace=0.05) as base, pytest.raises(RegistryUpdateError) as info:
        update_registry(f"{base}/x.csv", timeout=5, deadline=1.0)
    assert "deadline" in info.value.reason


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "data:text/plain,port", "ftp://127.0.0.1/x.csv",
     "gopher://127.0.0.1/", "127.0.0.1/x.csv", "//127.0.0.1/x.csv"],
)
def test_only_http_and_https_are_fetched(cache: Path, url: str) -> None:
    with pytest.raises(RegistryUpdateError, match="only http and https") as info:
        update_registry(url, timeout=5)
    assert info.value.url == url
    assert not cache.exists() or _left_in(cache) == []


@pytest.mark.parametrize("target", ["ftp://127.0.0.1/x.csv", "file:///etc/services"])
def test_a_redirect_to_another_scheme_is_refused(cache: Path, target: str) -> None:
    reply = b"HTTP/1.1 302 Found\r\nLocation: %s\r\nContent-Length: 0\r\n\r\n" % target.encode()
    with misbehaving(reply) as base, pytest.raises(RegistryUpdateError) as info:
        update_registry(f"{base}/x.csv", timeout=5)
    assert f"a redirect to {target!r}" in info.value.reason
    assert "only http and https" in info.value.reason


def test_endless_redirects_are_refused(cache: Path) -> None:
    reply = b"HTTP/1.1 301 Moved\r\nLocation: /again\r\nContent-Length: 0\r\n\r\n"
    with misbehaving(reply) as base, pytest.raises(RegistryUpdateError, match="redirects"):
        update_registry(f"{base}/x.csv", timeout=5)


def _registry_csv() -> bytes:
    from portkit.registries import Registry
    from portkit.registries._loaders import IANA_COLUMNS

    rows = [",".join(IANA_COLUMNS)]
    for service in Registry.bundled().all_services:
        for name in service.names:
            rows.append(f"{name},{service.ports},{service.protocol.value},,,,,,,,,")
    return ("\n".join(rows) + "\n").encode()


def test_provenance_records_the_address_after_redirects(cache: Path) -> None:
    body = _registry_csv()

    def reply(head: bytes) -> tuple[bytes, float]:
        if head.startswith(b"GET /final.csv "):
            return OK + b"Content-Length: %d\r\n\r\n" % len(body) + body, 0.0
        return b"HTTP/1.1 307 Temporary\r\nLocation: /final.csv\r\nContent-Length: 0\r\n\r\n", 0.0

    with misbehaving(reply) as base:
        registry = update_registry(f"{base}/start.csv", timeout=10)
    assert registry.provenance["download_url"] == f"{base}/final.csv"
    assert registry.provenance["download_requested_url"] == f"{base}/start.csv"
    assert _left_in(cache) == [CSV_NAME, META_NAME]


def test_a_killed_update_leaves_no_partial_file(cache: Path) -> None:
    body = OK + b"Content-Length: 1000000\r\n\r\n" + b"Service Name," * 2000
    with misbehaving(body, pace=0.001, limit=20) as base:
        child = subprocess.Popen(
            [sys.executable, "-c", "import portkit.registries as r, sys; "
             "r.update_registry(sys.argv[1], timeout=10)", f"{base}/x.csv"],
            env={**os.environ}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        try:
            for _ in range(200):  # bounded: 20 s at most for the child to start downloading
                if cache.exists():
                    break
                time.sleep(0.1)
            time.sleep(0.5)
            assert child.poll() is None
            child.send_signal(signal.SIGKILL)
        finally:
            child.wait(10)
    assert _left_in(cache) == []
    assert portkit.registries.default().provenance["origin"] == "bundled"


def test_leftovers_of_a_killed_update_are_swept_by_the_next(cache: Path) -> None:
    cache.mkdir(parents=True)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    leftover = cache / f".download-{dead.stdout.strip()}-abc.csv"
    leftover.write_bytes(b"partial")
    with misbehaving(b"HTTP/1.1 404 Nope\r\nContent-Length: 0\r\n\r\n") as base, \
            pytest.raises(RegistryUpdateError):
        update_registry(f"{base}/x.csv", timeout=5)
    assert _left_in(cache) == []


@pytest.mark.parametrize("option", ["timeout", "deadline"])
@pytest.mark.parametrize("value", [0, -1, float("nan"), "5"])
def test_bad_timeouts_are_invalid_options(cache: Path, option: str, value: object) -> None:
    with pytest.raises(InvalidOptionError, match=option):
        update_registry("http://127.0.0.1:9/x.csv", **{option: value})  # type: ignore[arg-type]


def test_cli_reports_a_misbehaving_server_without_a_traceback(
    cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with misbehaving(OK + b"Transfer-Encoding: chunked\r\n\r\nzz\r\n") as base:
        assert main(["registry", "update", "--url", f"{base}/x.csv"]) == 2
    err = capsys.readouterr().err
    assert "download failed" in err
    assert "Traceback" not in err
    assert main(["registry", "update", "--url", "file:///etc/passwd"]) == 2
    assert "only http and https" in capsys.readouterr().err


def test_https_and_a_redirect_from_http_to_https(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ssl
    import threading

    import trustme

    ca = trustme.CA()
    leaf = ca.issue_cert("127.0.0.1")
    cafile = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(cafile))
    monkeypatch.setenv("SSL_CERT_FILE", str(cafile))  # the default context trusts it
    body = _registry_csv()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    leaf.configure_cert(context)
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve_once() -> None:
        conn, _ = listener.accept()
        with context.wrap_socket(conn, server_side=True) as tls:
            tls.settimeout(10)
            head = b""
            while b"\r\n\r\n" not in head:
                head += tls.recv(4096)
            tls.sendall(OK + b"Content-Length: %d\r\n\r\n" % len(body) + body)

    thread = threading.Thread(target=serve_once, daemon=True)
    thread.start()
    try:
        redirect = (b"HTTP/1.1 301 Moved\r\nLocation: https://127.0.0.1:%d/iana.csv\r\n"
                    b"Content-Length: 0\r\n\r\n" % port)
        with misbehaving(redirect) as base:
            registry = update_registry(f"{base}/x.csv", timeout=10)
    finally:
        thread.join(10)
        listener.close()
    assert registry.provenance["download_url"] == f"https://127.0.0.1:{port}/iana.csv"
    assert len(registry) > 5000
