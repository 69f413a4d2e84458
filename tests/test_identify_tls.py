"""TLSProbe against nginx (valid, expired and self-signed certificates made by trustme)
and STARTTLS against postfix and dovecot."""

from __future__ import annotations

import ssl
from collections.abc import Iterator

import pytest
import trustme

import servers
from identify_helpers import Certs, make_certs, running
from portkit import Endpoint, PortState
from portkit.identification import TLSInfo, TLSProbe
from portkit.identification._x509 import parse_certificate

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certs:
    return make_certs(tmp_path_factory.mktemp("certs"))


@pytest.fixture(scope="module")
def nginx_valid(certs: Certs) -> Iterator[servers.Server]:
    yield from running(servers.start_nginx(tls=certs.valid))


@pytest.fixture(scope="module")
def nginx_expired(certs: Certs) -> Iterator[servers.Server]:
    yield from running(servers.start_nginx(tls=certs.expired))


@pytest.fixture(scope="module")
def nginx_self_signed(certs: Certs) -> Iterator[servers.Server]:
    yield from running(servers.start_nginx(tls=certs.self_signed))


async def tls_of(port: int, probe: TLSProbe) -> TLSInfo:
    result = await probe(Endpoint(host="127.0.0.1", port=port), 2.0)
    assert result.state is PortState.OPEN
    info = result.details["tls"]
    assert isinstance(info, TLSInfo)
    return info


async def test_valid_certificate_verifies_against_the_given_ca(
    nginx_valid: servers.Server, certs: Certs
) -> None:
    info = await tls_of(
        nginx_valid.port, TLSProbe(server_hostname="localhost", cafile=str(certs.ca_file))
    )
    assert info.error is None
    assert info.version in ("TLSv1.2", "TLSv1.3")
    assert info.cipher
    assert info.alpn == "h2"  # nginx was built with http2 and offered it
    assert (info.verified, info.verify_error) == (True, None)
    cert = info.certificate
    assert cert is not None
    assert cert.common_name == "localhost"
    assert cert.dns_names == ("localhost", "www.portkit.test")
    assert cert.ip_addresses == ("127.0.0.1",)
    assert "O=Portkit Test CA" in cert.issuer
    assert not cert.self_issued
    assert cert.public_key == "EC secp256r1"  # trustme's default key
    assert info.days_left is not None and info.days_left > 300


async def test_alpn_can_offer_http1_only(nginx_valid: servers.Server, certs: Certs) -> None:
    probe = TLSProbe(server_hostname="localhost", cafile=str(certs.ca_file), alpn=["http/1.1"])
    assert (await tls_of(nginx_valid.port, probe)).alpn == "http/1.1"


async def test_hostname_mismatch_is_reported_with_certificate_facts(
    nginx_valid: servers.Server, certs: Certs
) -> None:
    info = await tls_of(
        nginx_valid.port, TLSProbe(server_hostname="other.example", cafile=str(certs.ca_file))
    )
    assert info.verified is False
    assert info.verify_error is not None and "Hostname mismatch" in info.verify_error
    assert info.certificate is not None and info.certificate.common_name == "localhost"


async def test_system_trust_store_does_not_know_the_test_ca(nginx_valid: servers.Server) -> None:
    info = await tls_of(nginx_valid.port, TLSProbe(server_hostname="localhost"))
    assert info.verified is False
    assert info.verify_error == "unable to get local issuer certificate"


async def test_expired_certificate(nginx_expired: servers.Server, certs: Certs) -> None:
    info = await tls_of(
        nginx_expired.port, TLSProbe(server_hostname="localhost", cafile=str(certs.ca_file))
    )
    assert info.verified is False
    assert info.verify_error == "certificate has expired"
    cert = info.certificate
    assert cert is not None
    assert cert.not_after.year == 2021 and cert.not_before.year == 2020
    assert cert.common_name == "expired.portkit.test"
    assert info.days_left is not None and info.days_left < 0


async def test_self_signed_certificate(nginx_self_signed: servers.Server, certs: Certs) -> None:
    info = await tls_of(
        nginx_self_signed.port, TLSProbe(server_hostname="localhost", cafile=str(certs.ca_file))
    )
    assert info.verified is False
    assert info.verify_error == "self-signed certificate"
    assert info.certificate is not None and info.certificate.self_issued


async def test_verification_can_be_skipped(nginx_valid: servers.Server, certs: Certs) -> None:
    info = await tls_of(nginx_valid.port, TLSProbe(server_hostname="localhost", verify=False))
    assert info.certificate is not None
    assert (info.verified, info.verify_error) == (False, None)


@pytest.fixture(scope="module")
def plain_redis() -> Iterator[servers.Server]:
    yield from running(servers.start_redis())


@pytest.fixture(scope="module")
def plain_postfix() -> Iterator[servers.Server]:
    yield from running(servers.start_postfix())


async def test_a_plain_server_is_a_handshake_error_not_a_crash(
    plain_redis: servers.Server,
) -> None:
    info = await tls_of(plain_redis.port, TLSProbe(handshake_wait=1.0))
    assert info.version is None and info.certificate is None
    assert info.error


def test_the_der_reader_agrees_with_cryptography_on_rsa_keys() -> None:
    ca = trustme.CA(key_type=trustme.KeyType.RSA)
    leaf = ca.issue_cert("rsa.portkit.test", key_type=trustme.KeyType.RSA)
    der = ssl.PEM_cert_to_DER_cert(leaf.cert_chain_pems[0].bytes().decode())
    mine = parse_certificate(der, use_cryptography=False)
    assert mine == parse_certificate(der, use_cryptography=True)
    assert mine.public_key == "RSA 2048"
    assert mine.dns_names == ("rsa.portkit.test",)


def test_the_der_reader_agrees_with_cryptography(certs: Certs) -> None:
    for chain, _key in (certs.valid, certs.expired, certs.self_signed):
        end = "-----END CERTIFICATE-----"
        pem = chain.read_text().split(end)[0] + end + "\n"
        der = ssl.PEM_cert_to_DER_cert(pem)
        assert parse_certificate(der, use_cryptography=False) == parse_certificate(
            der, use_cryptography=True
        )


@pytest.fixture(scope="module")
def postfix_tls(certs: Certs) -> Iterator[servers.Server]:
    yield from running(servers.start_postfix(tls=certs.valid))


@pytest.fixture(scope="module")
def dovecot_tls(certs: Certs) -> Iterator[tuple[servers.Server, servers.Server]]:
    yield from running(servers.start_dovecot(tls=certs.valid))


async def test_smtp_starttls(postfix_tls: servers.Server, certs: Certs) -> None:
    probe = TLSProbe(server_hostname="localhost", cafile=str(certs.ca_file), starttls="smtp")
    info = await tls_of(postfix_tls.port, probe)
    assert info.error is None
    assert info.starttls == "smtp"
    assert info.verified is True
    assert info.certificate is not None and info.certificate.common_name == "localhost"


@pytest.mark.parametrize("dialogue", ["imap", "pop3"])
async def test_imap_and_pop3_starttls(
    dovecot_tls: tuple[servers.Server, servers.Server], certs: Certs, dialogue: str
) -> None:
    server = dovecot_tls[0] if dialogue == "imap" else dovecot_tls[1]
    probe = TLSProbe(server_hostname="localhost", cafile=str(certs.ca_file), starttls=dialogue)
    info = await tls_of(server.port, probe)
    assert info.error is None
    assert info.verified is True
    assert info.version in ("TLSv1.2", "TLSv1.3")


async def test_starttls_refused_is_reported(plain_postfix: servers.Server) -> None:
    info = await tls_of(plain_postfix.port, TLSProbe(starttls="smtp", handshake_wait=2.0))
    assert info.version is None
    assert info.error is not None and "STARTTLS" in info.error


def test_auto_starttls_follows_the_port() -> None:
    probe = TLSProbe(starttls="auto")
    assert [probe.dialogue_for(p) for p in (25, 587, 143, 110, 443, 993)] == [
        "smtp", "smtp", "imap", "pop3", None, None,
    ]
    assert TLSProbe(starttls="imap").dialogue_for(25) == "imap"
    assert TLSProbe().dialogue_for(25) is None


async def test_auto_starttls_off_the_usual_ports_is_plain_tls(
    nginx_valid: servers.Server, certs: Certs
) -> None:
    probe = TLSProbe(server_hostname="localhost", cafile=str(certs.ca_file), starttls="auto")
    info = await tls_of(nginx_valid.port, probe)
    assert (info.starttls, info.verified) == (None, True)


def test_unknown_starttls_dialogue_is_rejected() -> None:
    from portkit.exceptions import InvalidOptionError

    with pytest.raises(InvalidOptionError, match="starttls"):
        TLSProbe(starttls="ftp")




async def test_banner_probe_inside_tls_finds_http(nginx_valid: servers.Server) -> None:
    from portkit.identification import BannerProbe, Identification

    result = await BannerProbe(tls=True, greeting_wait=0.3)(
        Endpoint(host="127.0.0.1", port=nginx_valid.port), 2.0
    )
    ident = result.details["identification"]
    assert isinstance(ident, Identification)
    assert (ident.tunnel, ident.service, ident.product) == ("ssl", "http", "nginx")
    assert ident.extra["status"] == 200  # the page, not the plain-HTTP-on-TLS error


async def test_banner_probe_inside_tls_on_a_plain_port_reports_the_tls_error(
    plain_redis: servers.Server,
) -> None:
    from portkit.identification import BannerProbe, Identification

    result = await BannerProbe(tls=True, greeting_wait=0.3, reply_wait=0.3)(
        Endpoint(host="127.0.0.1", port=plain_redis.port), 2.0
    )
    ident = result.details["identification"]
    assert isinstance(ident, Identification)
    assert ident.service is None
    assert ident.tunnel == "ssl"
    assert ident.extra["tls_error"]
