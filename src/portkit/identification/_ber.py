"""Just enough BER (ASN.1) for an SNMP v2c get-request and its response.

No I/O here; the decoder raises :class:`ValueError` on anything malformed.
"""

from __future__ import annotations

__all__ = ["SYS_DESCR", "decode", "oid_text", "snmp_get", "snmp_response_values"]

#: sysDescr.0 from the SNMPv2 MIB.
SYS_DESCR = "1.3.6.1.2.1.1.1.0"

_INTEGER, _OCTETS, _NULL, _OID, _SEQUENCE = 0x02, 0x04, 0x05, 0x06, 0x30
_GET_REQUEST, _RESPONSE = 0xA0, 0xA2
_MAX_DEPTH = 12


def _length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def _tlv(tag: int, value: bytes) -> bytes:
    return bytes([tag]) + _length(len(value)) + value


def _integer(n: int) -> bytes:
    return _tlv(_INTEGER, n.to_bytes(max(1, (n.bit_length() + 8) // 8), "big", signed=True))


def _oid(text: str) -> bytes:
    parts = [int(p) for p in text.split(".")]
    out = bytearray([40 * parts[0] + parts[1]])
    for part in parts[2:]:
        chunk = [part & 0x7F]
        rest = part >> 7
        while rest:
            chunk.append(0x80 | (rest & 0x7F))
            rest >>= 7
        out += bytes(reversed(chunk))
    return _tlv(_OID, bytes(out))


def snmp_get(community: str, oids: list[str], request_id: int = 1) -> bytes:
    """An SNMP v2c GetRequest for *oids*."""
    binds = b"".join(_tlv(_SEQUENCE, _oid(oid) + _tlv(_NULL, b"")) for oid in oids)
    pdu = _tlv(
        _GET_REQUEST, _integer(request_id) + _integer(0) + _integer(0) + _tlv(_SEQUENCE, binds)
    )
    return _tlv(_SEQUENCE, _integer(1) + _tlv(_OCTETS, community.encode()) + pdu)


def decode(data: bytes, depth: int = 0) -> list[tuple[int, object]]:
    """Decode a run of BER elements into ``(tag, value)`` pairs.

    Constructed elements (tags with bit 0x20) decode to lists of pairs; the rest
    stay bytes.
    """
    if depth > _MAX_DEPTH:
        raise ValueError("BER nested too deeply")
    out: list[tuple[int, object]] = []
    pos = 0
    while pos < len(data):
        if pos + 2 > len(data):
            raise ValueError("BER element runs past the data")
        tag, first = data[pos], data[pos + 1]
        pos += 2
        if first & 0x80:
            count = first & 0x7F
            if not 0 < count <= 4 or pos + count > len(data):
                raise ValueError("bad BER length")
            length = int.from_bytes(data[pos : pos + count], "big")
            pos += count
        else:
            length = first
        if pos + length > len(data):
            raise ValueError("BER element runs past the data")
        value = data[pos : pos + length]
        pos += length
        out.append((tag, decode(value, depth + 1) if tag & 0x20 else value))
    return out


def oid_text(raw: bytes) -> str:
    """The dotted text of a BER-encoded object identifier."""
    if not raw:
        raise ValueError("empty OID")
    first = min(raw[0] // 40, 2)
    parts = [first, raw[0] - 40 * first]
    value = 0
    for byte in raw[1:]:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            parts.append(value)
            value = 0
    return ".".join(map(str, parts))


def snmp_response_values(data: bytes) -> tuple[str, int, dict[str, object]]:
    """``(community, error_status, {oid: value})`` of an SNMP GetResponse.

    OCTET STRING values decode as text, INTEGERs as ints, others stay bytes.

    Raises:
        ValueError: *data* is not an SNMP v1/v2c response.
    """
    try:
        ((tag, message),) = decode(data)
        if tag != _SEQUENCE or not isinstance(message, list):
            raise ValueError("not an SNMP message")
        (_, _version), (_, community), (pdu_tag, pdu) = message[:3]
        if pdu_tag != _RESPONSE or not isinstance(pdu, list) or not isinstance(community, bytes):
            raise ValueError("not an SNMP response")
        (_, _rid), (_, status), _index, (_, binds) = pdu[:4]
        values: dict[str, object] = {}
        if not isinstance(binds, list) or not isinstance(status, bytes):
            raise ValueError("malformed SNMP PDU")
        for _bind_tag, bind in binds:
            if not isinstance(bind, list):
                raise ValueError("malformed SNMP variable binding")
            (_, oid), (vtag, value) = bind[:2]
            if not isinstance(oid, bytes) or not isinstance(value, bytes):
                raise ValueError("malformed SNMP variable binding")
            if vtag == _OCTETS:
                values[oid_text(oid)] = value.decode("utf-8", "replace")
            elif vtag == _INTEGER:
                values[oid_text(oid)] = int.from_bytes(value, "big", signed=True)
            else:
                values[oid_text(oid)] = value
        return community.decode("utf-8", "replace"), int.from_bytes(status, "big"), values
    except TypeError as e:
        raise ValueError(f"malformed SNMP response: {e}") from None
