"""Bytes from the network as safely printable text."""

from __future__ import annotations

__all__ = ["printable", "safe_text", "safe_texts"]

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


def safe_text(text: str | None) -> str | None:
    r"""*text* (a peer's words, decoded) with every character that is not printable
    escaped as Python writes it (``\x1b``, ``\u202e``): control characters, the
    C1 range, line and paragraph separators, and format characters such as
    bidirectional overrides. Printable text, non-ASCII letters included, is kept.

    >>> safe_text("nginx\x1b]0;owned\x07")
    'nginx\\x1b]0;owned\\x07'
    """
    if text is None or text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)


def safe_texts(texts: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """:func:`safe_text` of each of *texts*."""
    return tuple(str(safe_text(t)) for t in texts)
