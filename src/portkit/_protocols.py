"""The transport protocols that have port numbers.

The bottom of portkit's value types: the range algebra, the spec parser, the registry
and the models all name protocols, so this module imports nothing of portkit's but
its exceptions.
"""

from __future__ import annotations

import enum

from .exceptions import UnknownProtocolError

__all__ = ["Protocol"]


class Protocol(str, enum.Enum):
    """A transport protocol that has port numbers.

    Parsing is case-insensitive: ``Protocol("TCP") is Protocol.TCP``, and so is
    ``Protocol.parse(" tcp ")``. ``str()`` gives the lower-case name.
    """

    TCP = "tcp"
    UDP = "udp"
    SCTP = "sctp"
    DCCP = "dccp"

    def __str__(self) -> str:
        return self.value

    @classmethod
    def _missing_(cls, value: object) -> Protocol | None:
        if isinstance(value, str):
            folded = value.strip().lower()
            for member in cls:
                if member.value == folded:
                    return member
        return None

    @classmethod
    def parse(cls, value: str | Protocol) -> Protocol:
        """Return the protocol named by *value* (any case, surrounding blanks ignored).

        Raises:
            UnknownProtocolError: *value* names no protocol portkit knows.
        """
        try:
            return cls(value)
        except ValueError:
            raise UnknownProtocolError(value) from None

    @property
    def letter(self) -> str:
        """The letter that qualifies this protocol's ports in specs.

        ``T``, ``U`` and ``S`` as in nmap, ``D`` for dccp.
        """
        return self.value[0].upper()
