"""Bytes from the network as safely printable text."""

from __future__ import annotations

__all__ = ["printable"]

_ESCAPES = {0x09: "\\t", 0x0A: "\\n", 0x0D: "\\r", 0x5C: "\\\\"}


def printable(data: bytes) -> str:
    r"""*data* as ASCII text that is safe to print: what is not printable is escaped.

    Printable ASCII stays as it is; tab, newline, carriage return and the backslash
    become ``\t``, ``\n``, ``\r`` and ``\\``; every other byte becomes ``\xNN``. The
    result has no control characters, so a hostile banner cannot drive a terminal.

    >>> printable(b"SSH-2.0-OpenSSH_9.2p1\r\n")
    'SSH-2.0-OpenSSH_9.2p1\\r\\n'
    >>> printable(b"\x1b[2J\xff")
    '\\x1b[2J\\xff'
    """
    out = []
    for byte in data:
        escape = _ESCAPES.get(byte)
        if escape is not None:
            out.append(escape)
        elif 0x20 <= byte < 0x7F:
            out.append(chr(byte))
        else:
            out.append(f"\\x{byte:02x}")
    return "".join(out)

