"""Just enough BSON and MongoDB wire protocol to ask a server who it is.

The encoder writes the few value types a ``hello`` or ``buildInfo`` command needs;
the decoder reads every fixed-size BSON type and the common variable-size ones, and
raises :class:`ValueError` on anything malformed or unknown. No I/O here.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator, Mapping

__all__ = ["OP_MSG", "decode_document", "encode_document", "op_msg", "read_op_msgs"]

#: The opcode of OP_MSG, the message format of MongoDB 3.6 and later.
OP_MSG = 2013
_INT32 = struct.Struct("<i")
_HEADER = struct.Struct("<iiii")
_FIXED = {0x01: 8, 0x07: 12, 0x08: 1, 0x09: 8, 0x0A: 0, 0x11: 8, 0x12: 8, 0x13: 16, 0x7F: 0,
          0xFF: 0}
_MAX_DEPTH = 16


def _cstring(name: str) -> bytes:
    data = name.encode()
    if b"\x00" in data:
        raise ValueError(f"BSON key {name!r} holds a NUL byte")
    return data + b"\x00"


def encode_document(doc: Mapping[str, object]) -> bytes:
    """Encode *doc*: values are bool, int (32 or 64 bit), float, str or a mapping."""
    body = bytearray()
    for key, value in doc.items():
        if isinstance(value, bool):
            body += b"\x08" + _cstring(key) + (b"\x01" if value else b"\x00")
        elif isinstance(value, int):
            if -(2**31) <= value < 2**31:
                body += b"\x10" + _cstring(key) + _INT32.pack(value)
            else:
                body += b"\x12" + _cstring(key) + struct.pack("<q", value)
        elif isinstance(value, float):
            body += b"\x01" + _cstring(key) + struct.pack("<d", value)
        elif isinstance(value, str):
            data = value.encode() + b"\x00"
            body += b"\x02" + _cstring(key) + _INT32.pack(len(data)) + data
        elif isinstance(value, Mapping):
            body += b"\x03" + _cstring(key) + encode_document(value)
        else:
            raise TypeError(f"cannot encode {type(value).__name__} as BSON")
    return _INT32.pack(len(body) + 5) + bytes(body) + b"\x00"


def decode_document(data: bytes, depth: int = 0) -> dict[str, object]:
    """Decode one BSON document that fills *data* exactly.

    Strings, documents, arrays (as lists), booleans, numbers and null decode to
    Python values; other types decode to their raw bytes.

    Raises:
        ValueError: *data* is not a well-formed document.
    """
    try:
        return _decode(data, depth)
    except (struct.error, IndexError) as e:
        raise ValueError(f"malformed BSON: {e}") from None


def _decode(data: bytes, depth: int) -> dict[str, object]:
    if depth > _MAX_DEPTH:
        raise ValueError("BSON nested too deeply")
    if len(data) < 5 or _INT32.unpack_from(data)[0] != len(data) or data[-1] != 0:
        raise ValueError("BSON document length does not match")
    out: dict[str, object] = {}
    pos, end = 4, len(data) - 1
    while pos < end:
        kind = data[pos]
        nul = data.index(b"\x00", pos + 1, end)
        key = data[pos + 1 : nul].decode("utf-8", "replace")
        pos = nul + 1
        value: object
        if kind in _FIXED:
            size = _FIXED[kind]
            raw = data[pos : pos + size]
            if len(raw) != size:
                raise ValueError("BSON value runs past the document")
            if kind == 0x01:
                value = struct.unpack("<d", raw)[0]
            elif kind == 0x08:
                value = raw != b"\x00"
            elif kind == 0x12:
                value = struct.unpack("<q", raw)[0]
            elif kind in (0x0A, 0x7F, 0xFF):
                value = None
            else:
                value = raw
            pos += size
        elif kind == 0x10:
            value = _INT32.unpack_from(data, pos)[0]
            pos += 4
        elif kind in (0x02, 0x0D, 0x0E):
            size = _INT32.unpack_from(data, pos)[0]
            if size < 1 or pos + 4 + size > end:
                raise ValueError("BSON string runs past the document")
            value = data[pos + 4 : pos + 3 + size].decode("utf-8", "replace")
            pos += 4 + size
        elif kind in (0x03, 0x04):
            size = _INT32.unpack_from(data, pos)[0]
            if size < 5 or pos + size > end:
                raise ValueError("BSON document runs past its parent")
            inner = _decode(data[pos : pos + size], depth + 1)
            value = list(inner.values()) if kind == 0x04 else inner
            pos += size
        elif kind == 0x05:
            size = _INT32.unpack_from(data, pos)[0]
            if size < 0 or pos + 5 + size > end:
                raise ValueError("BSON binary runs past the document")
            value = data[pos + 5 : pos + 5 + size]
            pos += 5 + size
        else:
            raise ValueError(f"unsupported BSON type 0x{kind:02x}")
        out[key] = value
    if pos != end:
        raise ValueError("BSON element runs past the document")
    return out


def op_msg(doc: Mapping[str, object], request_id: int = 1) -> bytes:
    """An OP_MSG carrying *doc* as its body (section kind 0), flags 0."""
    body = b"\x00\x00\x00\x00" + b"\x00" + encode_document(doc)
    return _HEADER.pack(_HEADER.size + len(body), request_id, 0, OP_MSG) + body


def read_op_msgs(data: bytes) -> Iterator[dict[str, object]]:
    """The body documents of the complete OP_MSG messages at the start of *data*.

    Stops quietly at a truncated message; raises :class:`ValueError` on one that
    is not an OP_MSG or does not parse.
    """
    pos = 0
    while len(data) - pos >= _HEADER.size:
        length, _request, _response_to, opcode = _HEADER.unpack_from(data, pos)
        if opcode != OP_MSG or length < _HEADER.size + 10:
            raise ValueError("not an OP_MSG")
        if pos + length > len(data):
            return
        message = data[pos + _HEADER.size : pos + length]
        if message[4] != 0:
            raise ValueError("OP_MSG does not start with a body section")
        size = _INT32.unpack_from(message, 5)[0]  # the message has >= 10 bytes
        yield decode_document(message[5 : 5 + size])
        pos += length
