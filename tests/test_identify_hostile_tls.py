"""A TLS peer whose certificate ``cryptography`` refuses only ever affects its own
port: TLSProbe reads it with the built-in reader, and a scan over many such peers
reports every port (the API and ``portkit scan --tls``)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import given, settings
from hypothesis import strategies as st

import portkit
from hostile_tls import hostile_certificates, tls_server, write_key, write_pem
from portkit import PortSet, PortState
from portkit._cli import main
from portkit.identification import TLSInfo, TLSProbe
from portkit.identification._x509 import parse_certificate


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[int, tuple[str, bytes]]]:
    """One loopback TLS server per hostile certificate: {port: (name, der)}."""
    directory = tmp_path_factory.mktemp("hostile-tls")
    key = ec.generate_private_key(ec.SECP256R1())
    keyfile = write_key(directory, key)
    with contextlib.ExitStack() as stack:
        ports = {}
        for name, der in hostile_certificates(key).items():
            port = stack.enter_context(tls_server(write_pem(directory, name, der), keyfile))
            ports[port] = (name, der)
        yield ports


def test_cryptography_refuses_every_hostile_certificate(
    hostile: dict[int, tuple[str, bytes]],
) -> None:
    # The premise: each of these would have raised out of the probe.
    def read(der: bytes) -> None:
        cert = x509.load_der_x509_certificate(der)
        cert.subject.rfc4514_string()
        cert.public_key()
        for _extension in cert.extensions:
            pass
        cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)

    for der in (der for _, der in hostile.values()):
        with pytest.raises(Exception):  # noqa: B017, PT011 - each raises its own kind
            read(der)


@pytest.mark.anyio
async def test_a_scan_reports_every_port_whatever_certificates_peers_send(
    hostile: dict[int, tuple[str, bytes]],
) -> None:
    ports = PortSet.parse(",".join(map(str, hostile)))
    async with portkit.scan(
        "127.0.0.1", ports, probe=TLSProbe(verify=False), timeout=5.0
    ) as stream:
        results = [result async for result in stream]
    assert {r.port for r in results} == set(hostile)
    for result in results:
        name, der = hostile[result.port]
        assert result.state is PortState.OPEN, name
        info = result.details["tls"]
        assert isinstance(info, TLSInfo)
        assert info.error is None, (name, info.error)
        assert info.version in ("TLSv1.2", "TLSv1.3")
        assert info.certificate is not None, name
        assert info.certificate.sha256 == hashlib.sha256(der).hexdigest()
        assert info.certificate.serial_number == 0x15
        assert info.certificate.public_key == "EC secp256r1"


@pytest.mark.anyio
async def test_a_subject_value_that_is_not_a_string_is_printed_in_hex(
    hostile: dict[int, tuple[str, bytes]],
) -> None:
    (port,) = [p for p, (name, _) in hostile.items() if name == "subject-sequence"]
    result = await TLSProbe(verify=False)(portkit.Endpoint(host="127.0.0.1", port=port), 5.0)
    cert = result.details["tls"].certificate
    # RFC 4514: a value that is not a string is '#' and the hex of its encoding.
    assert cert.subject == "CN=#300c0c0a686f7374696c652e7465"
    assert cert.common_name == "#300c0c0a686f7374696c652e7465"


@pytest.mark.anyio
async def test_the_verifying_handshake_still_gives_a_verdict(
    hostile: dict[int, tuple[str, bytes]],
) -> None:
    port = next(iter(hostile))
    result = await TLSProbe()(portkit.Endpoint(host="127.0.0.1", port=port), 5.0)
    info = result.details["tls"]
    assert info.certificate is not None
    assert info.verified is False
    assert info.verify_error


def test_portkit_scan_tls_reports_every_port(
    hostile: dict[int, tuple[str, bytes]], capsys: pytest.CaptureFixture[str]
) -> None:
    spec = ",".join(map(str, sorted(hostile)))
    assert main(["scan", "127.0.0.1", "-p", spec, "--tls", "--json"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {r["port"] for r in records} == set(hostile)
    for record in records:
        tls = record["details"]["tls"]
        assert tls["error"] is None
        der = hostile[record["port"]][1]
        assert tls["certificate"]["sha256"] == hashlib.sha256(der).hexdigest()


@pytest.mark.parametrize("curve", ["secp160r1", "SM2"])
def test_a_certificate_on_a_curve_cryptography_does_not_know_is_read(
    curve: str, tmp_path: Path
) -> None:
    # No TLS client negotiates these curves, so the certificate is read directly.
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command")
    key, pem = tmp_path / "key.pem", tmp_path / "cert.pem"
    made = subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", f"ec_paramgen_curve:{curve}",
         "-nodes", "-keyout", str(key), "-out", str(pem), "-subj", "/CN=curve.test",
         "-days", "2", "-outform", "DER"],
        capture_output=True, check=False,
    )
    if made.returncode:
        pytest.skip(f"openssl cannot make a {curve} certificate: {made.stderr[-200:]!r}")
    der = pem.read_bytes()
    cert = parse_certificate(der)
    assert cert.common_name == "curve.test"
    assert cert.public_key.startswith("EC 1.")  # the curve's OID: no name is known for it


@pytest.mark.parametrize("size", [0, 1, 2, 10, 100])
def test_truncated_certificates_raise_value_error_only(
    hostile: dict[int, tuple[str, bytes]], size: int
) -> None:
    for _, der in hostile.values():
        with pytest.raises(ValueError, match=r"certificate|DER"):
            parse_certificate(der[:size])


_KEY = ec.generate_private_key(ec.SECP256R1())
_SEEDS = list(hostile_certificates(_KEY).values())


@settings(max_examples=300, deadline=None)
@given(
    seed=st.sampled_from(_SEEDS),
    edits=st.lists(st.tuples(st.integers(0, 400), st.integers(0, 255)), max_size=6),
    cut=st.integers(0, 400),
)
def test_any_mangled_certificate_reads_or_raises_value_error(
    seed: bytes, edits: list[tuple[int, int]], cut: int
) -> None:
    der = bytearray(seed)
    for at, value in edits:
        der[at % len(der)] = value
    for data in (bytes(der), bytes(der[:cut])):
        try:
            cert = parse_certificate(data)
        except ValueError:
            continue
        assert cert.sha256 == hashlib.sha256(data).hexdigest()


_ONE_FREE_DESCRIPTOR = """
import json, os, resource, sys
import anyio
import anyio.streams.tls, ssl  # imported before the descriptors run out
import cryptography.x509, cryptography.hazmat.primitives.asymmetric.ec
from portkit import Endpoint
from portkit.identification import TLSProbe

async def main():
    probe = TLSProbe(server_hostname="localhost", cafile=sys.argv[2])
    held = []
    try:
        while True:
            held.append(os.open(os.devnull, os.O_RDONLY))
    except OSError:
        pass
    os.close(held.pop())  # exactly one descriptor is free
    try:
        result = await probe(Endpoint(host="127.0.0.1", port=int(sys.argv[1])), 5.0)
    except OSError as e:
        print(json.dumps({"raised": e.errno}))
    else:
        info = result.details["tls"]
        print(json.dumps({"verified": info.verified, "verify_error": info.verify_error}))

resource.setrlimit(resource.RLIMIT_NOFILE, (64, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))
anyio.run(main)
"""


def test_running_out_of_descriptors_is_never_a_verification_verdict(tmp_path: Path) -> None:
    import errno
    import sys

    import trustme

    ca = trustme.CA()
    leaf = ca.issue_cert("localhost")
    cafile, chain, keyfile = tmp_path / "ca.pem", tmp_path / "chain.pem", tmp_path / "key.pem"
    ca.cert_pem.write_to_path(str(cafile))
    leaf.private_key_pem.write_to_path(str(keyfile))
    chain.write_bytes(b"".join(blob.bytes() for blob in leaf.cert_chain_pems))
    with tls_server(chain, keyfile) as port:
        run = subprocess.run(
            [sys.executable, "-c", _ONE_FREE_DESCRIPTOR, str(port), str(cafile)],
            capture_output=True, text=True, timeout=60, check=False,
        )
    assert run.returncode == 0, run.stderr[-2000:]
    outcome = json.loads(run.stdout)
    # Either the probe worked within the one descriptor, or it raised EMFILE for the
    # engine to back off from; never "Too many open files" as the certificate's fault.
    assert outcome in ({"verified": True, "verify_error": None}, {"raised": errno.EMFILE})
