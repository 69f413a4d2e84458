"""TLS health in the monitor: blackbox_exporter's TLS metrics from checks that shake
hands (TLS from the first byte, and STARTTLS), and declarative send/expect checks,
against real servers on loopback; the exposition is checked with promtool."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest

import portkit
import servers
from identify_helpers import Certs, make_certs, running
from portkit import Endpoint, PortState
from portkit.exceptions import InvalidOptionError
from portkit.identification import TLSInfo, TLSProbe
from portkit.monitoring import Check, CheckResult, ExpectProbe

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certs:
    return make_certs(tmp_path_factory.mktemp("certs"))


@pytest.fixture(scope="module")
def nginx_tls(certs: Certs) -> Iterator[servers.Server]:
    yield from running(servers.start_nginx(tls=certs.valid))


@pytest.fixture(scope="module")
def redis() -> Iterator[servers.Server]:
    yield from running(servers.start_redis())


async def metrics_after_one_result(*checks: Check) -> tuple[str, list[CheckResult]]:
    seen: list[CheckResult] = []
    with anyio.fail_after(30):
        async with portkit.monitoring.monitor(checks, spread=0) as mon:
            async for event in mon:
                if isinstance(event, CheckResult):
                    seen.append(event)
                if len({r.check.name for r in seen}) == len(checks):
                    break
            return mon.metrics(), seen


def promtool_accepts(body: str) -> None:
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool (Debian package prometheus) is not installed")
    done = subprocess.run([promtool, "check", "metrics"], input=body, capture_output=True,
                          text=True, timeout=30, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def sample(body: str, family: str) -> list[str]:
    return [line for line in body.splitlines() if line.startswith(family + "{")]


async def test_tls_check_exports_blackbox_tls_metrics(
    nginx_tls: servers.Server, certs: Certs
) -> None:
    probe = TLSProbe(server_hostname="localhost", cafile=str(certs.ca_file), alpn=())
    check = Check(endpoint=f"127.0.0.1:{nginx_tls.port}", name="web", probe=probe,
                  interval=0.05, timeout=5)
    body, results = await metrics_after_one_result(check)
    tls = results[0].result.details["tls"]
    assert isinstance(tls, TLSInfo) and tls.verified and tls.certificate is not None
    expiry = int(tls.certificate.not_after.timestamp())
    (earliest,) = sample(body, "probe_ssl_earliest_cert_expiry")
    assert earliest.endswith(f" {expiry}")
    assert 'check="web"' in earliest
    (chain,) = sample(body, "probe_ssl_last_chain_expiry_timestamp_seconds")
    assert chain.endswith(f" {expiry}")
    (version,) = sample(body, "probe_tls_version_info")
    assert 'version="TLS 1.3"' in version and version.endswith(" 1")
    (cipher,) = sample(body, "probe_tls_cipher_info")
    assert 'cipher="TLS_AES_' in cipher or 'cipher="TLS_CHACHA20' in cipher
    assert "# TYPE probe_ssl_earliest_cert_expiry gauge" in body
    promtool_accepts(body)


async def test_unverified_chain_has_no_last_chain_expiry(tmp_path: Path) -> None:
    other = make_certs(tmp_path)
    with servers.start_nginx(tls=other.self_signed) as server:
        check = Check(endpoint=f"127.0.0.1:{server.port}", name="self",
                      probe=TLSProbe(server_hostname="localhost"), interval=0.05, timeout=5)
        body, _ = await metrics_after_one_result(check)
    assert len(sample(body, "probe_ssl_earliest_cert_expiry")) == 1
    assert sample(body, "probe_ssl_last_chain_expiry_timestamp_seconds") == []
    promtool_accepts(body)


async def test_starttls_check_exports_tls_metrics(certs: Certs) -> None:
    try:
        with servers.start_postfix(tls=certs.valid) as smtp:
            check = Check(endpoint=f"127.0.0.1:{smtp.port}", name="mail", interval=0.05,
                          timeout=5, probe=TLSProbe(starttls="smtp", server_hostname="localhost",
                                                    cafile=str(certs.ca_file)))
            body, results = await metrics_after_one_result(check)
    except servers.ServerUnavailable as e:
        pytest.skip(f"server unavailable: {e}")
    assert results[0].result.details["tls"].starttls == "smtp"
    assert len(sample(body, "probe_tls_version_info")) == 1
    assert len(sample(body, "probe_ssl_last_chain_expiry_timestamp_seconds")) == 1
    promtool_accepts(body)


async def test_monitor_without_tls_checks_has_no_tls_families(redis: servers.Server) -> None:
    body, _ = await metrics_after_one_result(
        Check(endpoint=f"127.0.0.1:{redis.port}", interval=0.05)
    )
    assert "probe_tls_version_info" not in body
    assert "probe_ssl_earliest_cert_expiry" not in body


async def test_expect_check_is_up_when_the_dialogue_matches(redis: servers.Server) -> None:
    probe = ExpectProbe.query_response([{"send": "PING\r\n"}, {"expect": r"^\+PONG\r\n"}])
    result = await probe(Endpoint(host="127.0.0.1", port=redis.port), 2.0)
    assert (result.state, result.reason) == (PortState.OPEN, "expect-matched")
    assert result.details["received"] == b"+PONG\r\n"


async def test_expect_check_is_down_when_the_reply_differs(redis: servers.Server) -> None:
    probe = ExpectProbe(steps=[("send", b"PING\r\n"), ("expect", rb"^\+HELLO")], wait=0.5)
    check = Check(endpoint=f"127.0.0.1:{redis.port}", name="redis", probe=probe,
                  interval=0.05, timeout=2)
    _, results = await metrics_after_one_result(check)
    result = results[0]
    assert (result.result.state, result.result.reason) == (PortState.ERROR, "expect-failed")
    assert result.result.details["failed_step"] == 1
    assert str(result.health) == "down"


async def test_expect_check_inside_tls_exports_tls_metrics(nginx_tls: servers.Server) -> None:
    probe = ExpectProbe(
        steps=[("send", b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n"),
               ("expect", rb"\AHTTP/1\.[01] 200 (?s:.*)^portkit test page$")],
        tls=True, server_hostname="localhost",
    )
    check = Check(endpoint=f"127.0.0.1:{nginx_tls.port}", name="page", probe=probe,
                  interval=0.05, timeout=5)
    body, results = await metrics_after_one_result(check)
    assert results[0].result.reason == "expect-matched"
    assert len(sample(body, "probe_tls_version_info")) == 1
    assert sample(body, "probe_ssl_last_chain_expiry_timestamp_seconds") == []  # unverified
    promtool_accepts(body)


def test_expect_probe_refuses_bad_steps() -> None:
    with pytest.raises(InvalidOptionError, match="a step is"):
        ExpectProbe(steps=[("wait", b"x")])
    with pytest.raises(InvalidOptionError, match="does not compile"):
        ExpectProbe(steps=[("expect", b"(")])
    with pytest.raises(InvalidOptionError, match="at least one step"):
        ExpectProbe(steps=[])
    with pytest.raises(InvalidOptionError, match="'expect' and/or 'send'"):
        ExpectProbe.query_response([{"sned": "x"}])
