"""Certificates that OpenSSL serves but strict parsers refuse, and a TLS server on
loopback that presents one of them to every client (for the hostile-input tests)."""

from __future__ import annotations

import contextlib
import datetime as dt
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

_CN = b"\x06\x03\x55\x04\x03\x0c\x0chostile.test"  # CN as a 12-byte UTF8String


def _build(key: ec.EllipticCurvePrivateKey, extensions: list[x509.ExtensionType]) -> bytes:
    now = dt.datetime.now(dt.timezone.utc)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "hostile.test")])
    builder = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(0x15)
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
    )
    for extension in extensions:
        builder = builder.add_extension(extension, critical=False)
    return builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def _unknown(oid: str) -> x509.UnrecognizedExtension:
    return x509.UnrecognizedExtension(x509.ObjectIdentifier(oid), b"\x05\x00")


def _patched(der: bytes, old: bytes, new: bytes, count: int = 1) -> bytes:
    """*der* with *old* replaced by *new* (same length, so no length changes)."""
    assert len(old) == len(new) and der.count(old) >= count
    return der.replace(old, new, count)


def hostile_certificates(key: ec.EllipticCurvePrivateKey) -> dict[str, bytes]:
    """Named DER certificates for *key*, each with one oddity that ``cryptography``
    refuses and OpenSSL accepts. Signatures are not redone: the probe does not need
    them to hold, and OpenSSL does not check them when it loads its own certificate."""
    san = x509.SubjectAlternativeName([x509.DNSName("zzzz.test")])
    plain = _build(key, [san])
    return {
        # version INTEGER 3 (v4, which does not exist)
        "version-3": _patched(plain, b"\xa0\x03\x02\x01\x02", b"\xa0\x03\x02\x01\x03"),
        # the subject's CN a SEQUENCE instead of a string (and the issuer's)
        "subject-sequence": _patched(
            plain, _CN, b"\x06\x03\x55\x04\x03\x30\x0c\x0c\x0ahostile.te", 2
        ),
        # the subject's CN a BIT STRING (cryptography raises TypeError on it)
        "subject-bit-string": _patched(
            plain, _CN, b"\x06\x03\x55\x04\x03\x03\x0c\x00ostile.test", 2
        ),
        # a SAN general name of type x400Address ([3])
        "san-x400": _patched(plain, b"\x82\x09zzzz.test", b"\xa3\x09zzzz.test"),
        # the same extension twice
        "duplicate-extension": _patched(
            _build(key, [san, _unknown("1.2.3.4"), _unknown("1.2.3.5")]),
            b"\x06\x03\x2a\x03\x05", b"\x06\x03\x2a\x03\x04",
        ),
    }


def _handshake(context: ssl.SSLContext, conn: socket.socket) -> None:
    """One server-side handshake over memory BIOs (no SSLSocket: CPython's leaks one
    when the client resets the connection before the handshake)."""
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = context.wrap_bio(incoming, outgoing, server_side=True)
    with conn, contextlib.suppress(OSError):  # ssl.SSLError is an OSError
        conn.settimeout(5)
        for _ in range(64):  # a handshake takes a few round trips
            try:
                tls.do_handshake()
            except ssl.SSLWantReadError:
                pass
            else:
                conn.sendall(outgoing.read())
                return
            pending = outgoing.read()
            if pending:
                conn.sendall(pending)
            data = conn.recv(65536)
            if not data:
                return
            incoming.write(data)


@contextlib.contextmanager
def tls_server(certfile: Path, keyfile: Path) -> Iterator[int]:
    """A TLS server on 127.0.0.1 presenting *certfile*; yields its port. Each
    connection gets one handshake (each read bounded to 5 s) on a thread of its own,
    and is closed."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certfile, keyfile)
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    stop = threading.Event()
    threads: list[threading.Thread] = []

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            thread = threading.Thread(target=_handshake, args=(context, conn), daemon=True)
            thread.start()
            threads.append(thread)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(5)
        listener.close()
        for handler in threads:
            handler.join(10)


def write_pem(directory: Path, name: str, der: bytes) -> Path:
    path = directory / f"{name}.pem"
    path.write_text(ssl.DER_cert_to_PEM_cert(der))
    return path


def write_key(directory: Path, key: ec.EllipticCurvePrivateKey) -> Path:
    path = directory / "key.pem"
    path.write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ))
    return path


Starter = Callable[[Path, Path], contextlib.AbstractContextManager[int]]
