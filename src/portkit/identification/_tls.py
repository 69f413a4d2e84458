"""The TLS probe: handshake, certificate and verification verdict."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar

import anyio
import anyio.abc
import attrs

from .._models import Endpoint, Protocol
from .._options import positive
from .._probe._results import PortState, ProbeResult
from .._probe._tcp import PRESSURE_ERRNOS
from ..exceptions import InvalidOptionError
from ._io import _errno_of, connect, read_reply
from ._x509 import Certificate, parse_certificate

# ssl and anyio's TLS streams are imported on first use: they cost more to import
# than the rest of portkit.
if TYPE_CHECKING:
    import ssl

    from anyio.streams.tls import TLSStream

__all__ = ["STARTTLS_PORTS", "STARTTLS_PROTOCOLS", "TLSInfo", "TLSProbe"]

#: What STARTTLS dialogues :class:`TLSProbe` speaks: ``(command, final reply)`` after
#: the greeting; SMTP says EHLO first.
STARTTLS_PROTOCOLS = ("smtp", "imap", "pop3")
_DIALOGUES: dict[str, tuple[tuple[bytes, re.Pattern[bytes]], ...]] = {
    "smtp": (
        (b"EHLO portkit.invalid\r\n", re.compile(rb"(?:\A|\n)250 [^\n]*\n")),
        (b"STARTTLS\r\n", re.compile(rb"\A220[ \r\n]")),
    ),
    "imap": ((b"a1 STARTTLS\r\n", re.compile(rb"(?:\A|\n)a1 OK")),),
    "pop3": ((b"STLS\r\n", re.compile(rb"\A\+OK")),),
}
#: The STARTTLS dialogue ``starttls="auto"`` speaks on each port.
STARTTLS_PORTS = {25: "smtp", 587: "smtp", 143: "imap", 110: "pop3"}
_GREETINGS = {
    "smtp": re.compile(rb"(?:\A|\n)220 [^\n]*\n"),
    "imap": re.compile(rb"\A\* OK[^\n]*\n"),
    "pop3": re.compile(rb"\A\+OK[^\n]*\n"),
}
_LIMIT = 16384


@attrs.frozen(kw_only=True)
class TLSInfo:
    """What a TLS handshake showed.

    Certificate facts are reported whether or not the certificate verified: the
    probe reads them from a handshake that does not verify, and asks for a
    verifying handshake separately for the verdict.

    Attributes:
        version: The negotiated protocol (``"TLSv1.3"``), or None when the
            handshake failed.
        cipher: The negotiated cipher suite's OpenSSL name.
        alpn: The application protocol the server chose (``"h2"``), or None.
        certificate: The server's certificate, or None when it sent none.
        verified: True when the chain verified against the trust store (and the
            host name matched, when one was given).
        verify_error: Why verification failed, in OpenSSL's words (``"certificate
            has expired"``, ``"self-signed certificate"``, ``"Hostname mismatch,
            ..."``), or None.
        days_left: Whole days until the certificate expires, from the probe's
            time; negative once expired.
        server_hostname: The name (or address) checked against the certificate,
            and sent as SNI when it is a name.
        starttls: The STARTTLS dialogue used (``"smtp"``, ...), or None.
        error: Why the handshake failed, or None when it succeeded.

    .. versionadded:: 0.1.0
    """

    version: str | None = None
    cipher: str | None = None
    alpn: str | None = None
    certificate: Certificate | None = None
    verified: bool = False
    verify_error: str | None = None
    days_left: int | None = None
    server_hostname: str | None = None
    starttls: str | None = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly dict."""
        return {
            "version": self.version,
            "cipher": self.cipher,
            "alpn": self.alpn,
            "certificate": None if self.certificate is None else self.certificate.to_dict(),
            "verified": self.verified,
            "verify_error": self.verify_error,
            "days_left": self.days_left,
            "server_hostname": self.server_hostname,
            "starttls": self.starttls,
            "error": self.error,
        }


def _check_starttls(
    instance: object, attribute: attrs.Attribute[str | None], value: object
) -> None:
    if value is not None and value not in STARTTLS_PROTOCOLS and value != "auto":
        raise InvalidOptionError(
            "starttls", value,
            f"starttls is None, 'auto' or one of {', '.join(STARTTLS_PROTOCOLS)}",
        )


def _alpn(value: str | Iterable[str]) -> tuple[str, ...]:
    names = (value,) if isinstance(value, str) else tuple(value)
    for name in names:
        if not isinstance(name, str) or not 0 < len(name.encode()) < 256:
            raise InvalidOptionError("alpn", value, "ALPN names are str of 1 to 255 bytes")
    return names


class _Refused(Exception):
    """The server did not agree to STARTTLS."""


@attrs.frozen(kw_only=True)
class TLSProbe:
    """A TCP probe that shakes hands with TLS and reports the session and certificate.

    It connects, optionally upgrades with STARTTLS (*starttls* = ``"smtp"``,
    ``"imap"`` or ``"pop3"``), and shakes hands offering *alpn*, sending
    *server_hostname* as SNI. The certificate is read from a handshake that does not
    verify, so its facts are there even when it is expired, self-signed or for
    another name; a second handshake on a new connection verifies it against the
    system's trust store (or *cafile*) and the host name, and gives the verdict.
    Works on asyncio and trio (anyio's TLS streams over TCP).

    Closed and filtered ports get the verdicts of ``TCPConnectProbe``;
    an open port's result has ``reason="syn-ack"`` and a :class:`~portkit.identification.TLSInfo`
    in ``details["tls"]`` (its ``error`` says why, when the handshake failed).

    ::

        probe = portkit.identification.TLSProbe(server_hostname="www.example.org")
        result = await probe(portkit.Endpoint.parse("93.184.215.14:443"), 5.0)
        tls = result.details["tls"]
        print(tls.version, tls.certificate.not_after, tls.verified, tls.verify_error)

    Attributes:
        server_hostname: The name to send as SNI and to check the certificate
            against; None checks the probed IP address and sends no SNI.
        cafile: A PEM file of CA certificates to verify against instead of the
            system's trust store.
        alpn: The application protocols to offer, in order of preference.
        starttls: None for TLS from the first byte, else the dialogue to speak;
            ``"auto"`` speaks SMTP's on ports 25 and 587, IMAP's on 143, POP3's on
            110, and TLS from the first byte elsewhere.
        handshake_wait: Seconds each dialogue step and handshake may take.
        verify: False to skip the verifying handshake (``verified`` stays False).

    .. versionadded:: 0.1.0
    """

    protocol: ClassVar[Protocol] = Protocol.TCP

    server_hostname: str | None = None
    cafile: str | None = None
    alpn: tuple[str, ...] = attrs.field(default=("h2", "http/1.1"), converter=_alpn)
    starttls: str | None = attrs.field(default=None, validator=_check_starttls)
    handshake_wait: float = attrs.field(default=5.0, validator=positive)
    verify: bool = True

    def dialogue_for(self, port: int) -> str | None:
        """The STARTTLS dialogue this probe speaks on *port*, or None for plain TLS."""
        if self.starttls == "auto":
            return STARTTLS_PORTS.get(port)
        return self.starttls

    def _context(self, verify: bool) -> ssl.SSLContext:
        import ssl

        if verify:
            ctx = ssl.create_default_context(cafile=self.cafile)
        else:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        if self.alpn:
            ctx.set_alpn_protocols(list(self.alpn))
        return ctx

    async def __call__(self, endpoint: Endpoint, timeout: float) -> ProbeResult:
        """Connect to *endpoint* within *timeout*, shake hands and verify.

        Raises:
            OSError: a local resource ran out (``EMFILE``, ``EADDRNOTAVAIL``, ...).
        """
        # The contexts come first, before any socket: loading the trust store opens
        # files, and a descriptor shortage there is the engine's to back off from,
        # not a verdict on the peer's certificate.
        look_context = self._context(False)
        verify_context: ssl.SSLContext | str | None = None
        if self.verify:
            try:
                verify_context = self._context(True)
            except OSError as e:
                _raise_if_pressure(e)
                verify_context = _describe(e)  # a cafile that cannot be read, say
        connected = await connect(endpoint, timeout)
        if isinstance(connected, ProbeResult):
            return connected
        stream, latency = connected
        hostname = self.server_hostname or endpoint.host
        dialogue = self.dialogue_for(endpoint.port)
        try:
            info = await self._look(stream, hostname, look_context, dialogue)
        finally:
            await anyio.aclose_forcefully(stream)  # closed already, unless cancelled
        if isinstance(verify_context, str) and info.error is None:
            info = attrs.evolve(info, verified=False, verify_error=verify_context)
        elif verify_context is not None and not isinstance(verify_context, str) \
                and info.error is None:
            info = await self._verify(
                endpoint, timeout, info, hostname, context=verify_context, dialogue=dialogue
            )
        return ProbeResult(
            target=endpoint.host, address=endpoint.host, port=endpoint.port,
            protocol=Protocol.TCP, state=PortState.OPEN, reason="syn-ack",
            latency=latency, details={"tls": info},
        )

    async def _handshake(
        self, stream: anyio.abc.SocketStream, hostname: str, context: ssl.SSLContext,
        dialogue: str | None,
    ) -> TLSStream:
        from anyio.streams.tls import TLSStream

        with anyio.fail_after(self.handshake_wait):
            if dialogue is not None:
                await self._upgrade(stream, dialogue)
            return await TLSStream.wrap(
                stream,
                server_side=False,
                hostname=hostname,
                ssl_context=context,
                standard_compatible=False,
            )

    async def _upgrade(self, stream: anyio.abc.SocketStream, dialogue: str) -> None:
        await _read_until(stream, _GREETINGS[dialogue], self.handshake_wait)
        for command, reply in _DIALOGUES[dialogue]:
            await stream.send(command)
            await _read_until(stream, reply, self.handshake_wait)

    async def _look(
        self, stream: anyio.abc.SocketStream, hostname: str, context: ssl.SSLContext,
        dialogue: str | None,
    ) -> TLSInfo:
        base = TLSInfo(server_hostname=hostname, starttls=dialogue)
        try:
            tls = await self._handshake(stream, hostname, context, dialogue)
        except (OSError, anyio.BrokenResourceError, anyio.EndOfStream, TimeoutError,
                _Refused) as e:
            if isinstance(e, OSError):
                _raise_if_pressure(e)
            return attrs.evolve(base, error=_describe(e))
        from anyio.streams.tls import TLSAttribute

        try:
            der = tls.extra(TLSAttribute.peer_certificate_binary, None)
            cert = None
            if der:
                try:
                    cert = parse_certificate(der)
                except ValueError as e:
                    base = attrs.evolve(base, error=f"certificate does not parse: {e}")
            cipher = tls.extra(TLSAttribute.cipher, None)
            return attrs.evolve(
                base,
                version=tls.extra(TLSAttribute.tls_version, None),
                cipher=cipher[0] if cipher else None,
                alpn=tls.extra(TLSAttribute.alpn_protocol, None),
                certificate=cert,
                days_left=None if cert is None else cert.days_left(),
            )
        finally:
            await anyio.aclose_forcefully(tls)

    async def _verify(
        self, endpoint: Endpoint, timeout: float, info: TLSInfo, hostname: str, *,
        context: ssl.SSLContext, dialogue: str | None,
    ) -> TLSInfo:
        import ssl

        connected = await connect(endpoint, timeout)
        if isinstance(connected, ProbeResult):
            return attrs.evolve(info, verify_error=f"reconnect failed: {connected.reason}")
        stream = connected[0]
        try:
            tls = await self._handshake(stream, hostname, context, dialogue)
        except ssl.SSLCertVerificationError as e:
            return attrs.evolve(info, verified=False, verify_error=e.verify_message or str(e))
        except (OSError, anyio.BrokenResourceError, anyio.EndOfStream, TimeoutError,
                _Refused) as e:
            if isinstance(e, OSError):
                _raise_if_pressure(e)
            return attrs.evolve(info, verified=False, verify_error=_describe(e))
        else:
            await anyio.aclose_forcefully(tls)
            return attrs.evolve(info, verified=True, verify_error=None)
        finally:
            await anyio.aclose_forcefully(stream)


def _raise_if_pressure(exc: OSError) -> None:
    """Raise a plain OSError when *exc* means a local resource ran out (EMFILE, ...):
    the scan engine backs off and tries the port again; it is no verdict."""
    code = _errno_of(exc)
    if code in PRESSURE_ERRNOS:
        raise OSError(code, os.strerror(code)) from exc


def _describe(exc: BaseException) -> str:
    import ssl

    if isinstance(exc, TimeoutError):
        return "handshake timed out"
    if isinstance(exc, anyio.EndOfStream | anyio.BrokenResourceError):
        cause = exc.__cause__
        return f"connection closed during handshake{f': {cause}' if cause else ''}"
    if isinstance(exc, ssl.SSLError):
        return exc.reason or str(exc)
    return str(exc) or type(exc).__name__


async def _read_until(
    stream: anyio.abc.SocketStream, pattern: re.Pattern[bytes], wait: float
) -> bytes:
    """Read until *pattern* matches what was read (bounded in bytes and time)."""
    buf = b""
    while not pattern.search(buf):
        if len(buf) >= _LIMIT:
            raise _Refused("reply too long")
        data, _ = await read_reply(stream, _LIMIT - len(buf), wait, 0.05)
        if not data:
            raise _Refused(f"unexpected reply: {buf[:80]!r}" if buf else "no reply")
        buf += data
        if re.search(rb"(?:\A|\n)(?:[45]\d\d |-ERR|a1 (?:NO|BAD))", buf):
            raise _Refused(f"STARTTLS refused: {buf[-120:]!r}")
    return buf
