"""X.509 certificates as values: :class:`Certificate` and :func:`parse_certificate`.

With the optional ``cryptography`` package (``pip install portkit[tls]``) it does the
parsing; without it a small DER reader here extracts the same fields (names,
validity, subject alternative names). No I/O here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
from collections.abc import Iterator
from typing import Any

import attrs

from ._ber import oid_text as _oid

__all__ = ["Certificate", "parse_certificate"]

_UTC = dt.timezone.utc


@attrs.frozen(kw_only=True)
class Certificate:
    """The facts of an X.509 certificate that a TLS probe reports.

    The peer chooses these names and they are kept as it sent them: pass them
    through :func:`portkit.reports.escape` before printing them on a terminal.

    Attributes:
        subject: The subject's distinguished name, RFC 4514 text
            (``"CN=www.example.org,O=Example"``).
        issuer: The issuer's distinguished name, RFC 4514 text.
        common_name: The subject's first common name, or None.
        dns_names: The DNS names of the subject alternative names.
        ip_addresses: The IP addresses of the subject alternative names.
        not_before: Start of validity (timezone-aware, UTC).
        not_after: End of validity (timezone-aware, UTC).
        serial_number: The serial number.
        sha256: The SHA-256 fingerprint of the DER encoding, lower-case hex.
        public_key: The subject's key: ``"RSA 2048"``, ``"EC secp256r1"``,
            ``"Ed25519"``, ``"Ed448"``, or the algorithm's OID when unknown.

    .. versionadded:: 0.1.0
    """

    subject: str
    issuer: str
    common_name: str | None
    dns_names: tuple[str, ...] = ()
    ip_addresses: tuple[str, ...] = ()
    not_before: dt.datetime
    not_after: dt.datetime
    serial_number: int
    sha256: str
    public_key: str = ""

    @property
    def self_issued(self) -> bool:
        """True when the issuer is the subject (a self-signed or root certificate)."""
        return self.subject == self.issuer

    def days_left(self, now: dt.datetime | None = None) -> int:
        """Whole days from *now* (default: the current time) until expiry; negative
        once expired."""
        now = now or dt.datetime.now(_UTC)
        return int((self.not_after - now).total_seconds() // 86400)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly dict (times in ISO 8601, the serial in hex)."""
        return {
            "subject": self.subject,
            "issuer": self.issuer,
            "common_name": self.common_name,
            "dns_names": list(self.dns_names),
            "ip_addresses": list(self.ip_addresses),
            "not_before": self.not_before.isoformat(),
            "not_after": self.not_after.isoformat(),
            "serial_number": f"{self.serial_number:x}",
            "sha256": self.sha256,
            "public_key": self.public_key,
            "self_issued": self.self_issued,
        }


def parse_certificate(der: bytes, *, use_cryptography: bool | None = None) -> Certificate:
    """Parse a DER-encoded certificate.

    Args:
        der: The certificate, as ``getpeercert(binary_form=True)`` gives it.
        use_cryptography: True to require the ``cryptography`` package, False to use
            the built-in reader, None (default) to use ``cryptography`` when present.

    A peer chooses what it sends, so whatever *der* holds ends in a
    :class:`Certificate` or a ValueError, never another exception: when
    ``cryptography`` refuses a certificate that OpenSSL accepted (a version field of
    3, a subject attribute of an unexpected type, an unsupported general name, a
    duplicated extension, an unknown curve), the built-in reader reads it instead.

    Raises:
        ValueError: *der* is not a certificate that can be read.
    """
    if use_cryptography is not False:
        try:
            from cryptography import x509  # noqa: F401
        except ImportError:
            if use_cryptography:
                raise
        else:
            try:
                return _with_cryptography(der)
            except Exception:  # any refusal falls back to the DER reader
                if use_cryptography:
                    raise
    return _with_der(der)


def _with_cryptography(der: bytes) -> Certificate:
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    cert = x509.load_der_x509_certificate(der)
    dns: list[str] = []
    ips: list[str] = []
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        pass
    else:
        dns = [str(name) for name in san.get_values_for_type(x509.DNSName)]
        ips = [str(ip) for ip in san.get_values_for_type(x509.IPAddress)]
    cns = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return Certificate(
        subject=cert.subject.rfc4514_string(),
        issuer=cert.issuer.rfc4514_string(),
        common_name=str(cns[0].value) if cns else None,
        dns_names=tuple(dns),
        ip_addresses=tuple(ips),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        serial_number=cert.serial_number,
        sha256=hashlib.sha256(der).hexdigest(),
        public_key=_describe_key(cert.public_key()),
    )


def _describe_key(key: object) -> str:
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa

    if isinstance(key, rsa.RSAPublicKey):
        return f"RSA {key.key_size}"
    if isinstance(key, ec.EllipticCurvePublicKey):
        return f"EC {key.curve.name}"
    if isinstance(key, ed25519.Ed25519PublicKey):
        return "Ed25519"
    if isinstance(key, ed448.Ed448PublicKey):
        return "Ed448"
    if isinstance(key, dsa.DSAPublicKey):
        return f"DSA {key.key_size}"
    return type(key).__name__


# -- a minimal DER reader -------------------------------------------------------------

_NAMES = {
    "2.5.4.3": "CN", "2.5.4.7": "L", "2.5.4.8": "ST", "2.5.4.10": "O", "2.5.4.11": "OU",
    "2.5.4.6": "C", "2.5.4.9": "STREET", "0.9.2342.19200300.100.1.25": "DC",
    "0.9.2342.19200300.100.1.1": "UID",
}
_SAN = "2.5.29.17"


def _tlv(data: bytes, pos: int) -> tuple[int, int, int]:
    """(tag, start of contents, end of contents) of the element at *pos*."""
    if pos + 2 > len(data):
        raise ValueError("DER element runs past the data")
    tag, first = data[pos], data[pos + 1]
    pos += 2
    if first < 0x80:
        length = first
    else:
        count = first & 0x7F
        if count == 0 or count > 4 or pos + count > len(data):
            raise ValueError("bad DER length")
        length = int.from_bytes(data[pos : pos + count], "big")
        pos += count
    if pos + length > len(data):
        raise ValueError("DER element runs past the data")
    return tag, pos, pos + length


def _children(data: bytes, start: int, end: int) -> Iterator[tuple[int, int, int]]:
    pos = start
    while pos < end:
        tag, s, e = _tlv(data, pos)
        if e > end:
            raise ValueError("DER element runs past its parent")
        yield tag, s, e
        pos = e


def _string(tag: int, raw: bytes) -> str:
    if tag == 0x1E:  # BMPString
        return raw.decode("utf-16-be", "replace")
    if tag == 0x1C:  # UniversalString
        return raw.decode("utf-32-be", "replace")
    return raw.decode("utf-8", "replace")


def _escape(value: str) -> str:
    out = []
    for i, ch in enumerate(value):
        if ch in '\\"+,;<>' or (i == 0 and ch in "# ") or (i == len(value) - 1 and ch == " "):
            out.append("\\" + ch)
        elif ch == "\x00":
            out.append("\\00")
        else:
            out.append(ch)
    return "".join(out)


#: The string types whose contents :func:`_name` prints as text; any other value is
#: printed as RFC 4514 says, ``#`` and the hex of its encoding.
_STRING_TAGS = frozenset({0x0C, 0x12, 0x13, 0x14, 0x16, 0x1A, 0x1C, 0x1E})


def _name(data: bytes, start: int, end: int) -> tuple[str, str | None]:
    """(RFC 4514 text, first common name) of a Name."""
    rdns: list[str] = []
    cn: str | None = None
    for _tag, s, e in _children(data, start, end):  # SET OF AttributeTypeAndValue
        parts = []
        for _t, s2, e2 in _children(data, s, e):
            (_, os_, oe), (vtag, vs, ve) = list(_children(data, s2, e2))[:2]
            oid = _oid(data[os_:oe])
            if vtag in _STRING_TAGS:
                value = _string(vtag, data[vs:ve])
                text = _escape(value)
            else:  # not a string: RFC 4514's hex form of the whole element
                value = text = "#" + data[oe:ve].hex()  # the value's element follows the OID
            if oid == "2.5.4.3" and cn is None:
                cn = value
            parts.append(f"{_NAMES.get(oid, oid)}={text}")
        rdns.append("+".join(parts))
    return ",".join(reversed(rdns)), cn


_RSA, _EC, _DSA = "1.2.840.113549.1.1.1", "1.2.840.10045.2.1", "1.2.840.10040.4.1"
_KEY_NAMES = {"1.3.101.112": "Ed25519", "1.3.101.113": "Ed448"}
_CURVES = {
    "1.2.840.10045.3.1.7": "secp256r1", "1.3.132.0.34": "secp384r1",
    "1.3.132.0.35": "secp521r1", "1.3.132.0.10": "secp256k1",
}


def _key(der: bytes, start: int, end: int) -> str:
    """A SubjectPublicKeyInfo described as the cryptography path describes it."""
    (_, algs, alge), (_, bits, _bite) = list(_children(der, start, end))[:2]
    algorithm = list(_children(der, algs, alge))
    oid = _oid(der[algorithm[0][1] : algorithm[0][2]])
    if oid == _RSA:
        # BIT STRING: one byte of unused bits, then SEQUENCE { modulus, exponent }.
        _tag, ks, ke = _tlv(der, bits + 1)
        _mtag, ms, me = next(_children(der, ks, ke))
        return f"RSA {int.from_bytes(der[ms:me], 'big').bit_length()}"
    if oid == _EC and len(algorithm) > 1:
        if algorithm[1][0] != 0x06:  # specifiedCurve: explicit parameters, no name
            return "EC explicit"
        curve = _oid(der[algorithm[1][1] : algorithm[1][2]])
        return f"EC {_CURVES.get(curve, curve)}"
    if oid == _DSA and len(algorithm) > 1:
        params = list(_children(der, algorithm[1][1], algorithm[1][2]))
        return f"DSA {int.from_bytes(der[params[0][1] : params[0][2]], 'big').bit_length()}"
    return _KEY_NAMES.get(oid, oid)


def _time(tag: int, raw: bytes) -> dt.datetime:
    text = raw.decode("ascii")
    if tag == 0x17:  # UTCTime YYMMDDHHMMSSZ
        year = int(text[:2])
        text = f"{1900 + year if year >= 50 else 2000 + year}{text[2:]}"
    return dt.datetime.strptime(text, "%Y%m%d%H%M%SZ").replace(tzinfo=_UTC)


def _with_der(der: bytes) -> Certificate:
    try:
        return _read_der(der)
    except ValueError:
        raise
    except Exception as e:  # a peer's bytes: any failure is "unreadable"
        raise ValueError(f"not a readable certificate: {type(e).__name__}: {e}") from None


def _read_der(der: bytes) -> Certificate:
    _tag, s, e = _tlv(der, 0)
    tbs_tag, ts, te = next(_children(der, s, e))  # StopIteration when empty
    if tbs_tag != 0x30:
        raise ValueError("not a certificate")
    fields = list(_children(der, ts, te))
    if fields and fields[0][0] == 0xA0:  # explicit version
        fields = fields[1:]
    if len(fields) < 6:
        raise ValueError("certificate has too few fields")
    serial = int.from_bytes(der[fields[0][1] : fields[0][2]], "big", signed=True)
    issuer, _ = _name(der, fields[2][1], fields[2][2])
    times = list(_children(der, fields[3][1], fields[3][2]))
    not_before = _time(times[0][0], der[times[0][1] : times[0][2]])
    not_after = _time(times[1][0], der[times[1][1] : times[1][2]])
    subject, cn = _name(der, fields[4][1], fields[4][2])
    public_key = _key(der, fields[5][1], fields[5][2])
    dns: list[str] = []
    ips: list[str] = []
    for tag, fs, fe in fields[6:]:
        if tag != 0xA3:  # [3] extensions
            continue
        (_, xs, xe), = list(_children(der, fs, fe))[:1]
        for _t, es, ee in _children(der, xs, xe):
            parts = list(_children(der, es, ee))
            if _oid(der[parts[0][1] : parts[0][2]]) != _SAN:
                continue
            _vt, vs, _ve = parts[-1]  # OCTET STRING holding GeneralNames
            _gt, gs, ge = _tlv(der, vs)
            for gtag, ns, ne in _children(der, gs, ge):
                if gtag == 0x82:
                    dns.append(der[ns:ne].decode("ascii", "replace"))
                elif gtag == 0x87:
                    ips.append(str(ipaddress.ip_address(der[ns:ne])))
    return Certificate(
        subject=subject,
        issuer=issuer,
        common_name=cn,
        dns_names=tuple(dns),
        ip_addresses=tuple(ips),
        not_before=not_before,
        not_after=not_after,
        serial_number=serial,
        sha256=hashlib.sha256(der).hexdigest(),
        public_key=public_key,
    )
