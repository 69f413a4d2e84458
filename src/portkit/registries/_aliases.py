"""Names people type for services whose IANA name differs, and the ports they mean.

IANA calls PostgreSQL's port ``postgresql`` and RDP's ``ms-wbt-server``; people type
``postgres`` and ``rdp``. :meth:`Registry.port_of` and port specs accept the names
below as well as every IANA name and alias. A common name never hides an IANA name:
where IANA assigns the same name itself, IANA's meaning wins.

Each entry maps a common name to ``(iana_name, port, protocols)``:

- *iana_name* is the IANA service name the common name stands for; the tests check
  that the bundled data assigns it *port*.
- *iana_name* None marks a vendor's default port that IANA lists under another name
  or not at all (Elasticsearch's 9200 is IANA's ``wap-wsp``); the tests check that the
  common name is not an IANA name.

Some names people use are IANA names for other ports, and IANA wins: ``cifs`` is
3020, ``winrm`` 47001, ``sftp`` 115.
"""

from __future__ import annotations

__all__ = ["COMMON_NAMES"]

_TU = ("tcp", "udp")
_T = ("tcp",)

COMMON_NAMES: dict[str, tuple[str | None, int, tuple[str, ...]]] = {
    "dhcp": ("bootps", 67, _TU),
    "dns": ("domain", 53, _TU),
    "elasticsearch": (None, 9200, _T),
    "etcd": ("etcd-client", 2379, _T),
    "kafka": (None, 9092, _T),
    "kubernetes": (None, 6443, _T),
    "memcached": ("memcache", 11211, _TU),
    "mongo": ("mongodb", 27017, _T),
    "mssql": ("ms-sql-s", 1433, _TU),
    "netbios": ("netbios-ssn", 139, _TU),
    "postgres": ("postgresql", 5432, _TU),
    "rabbitmq": ("amqp", 5672, _T),
    "rdp": ("ms-wbt-server", 3389, _TU),
    "smb": ("microsoft-ds", 445, _TU),
    "smtps": ("submissions", 465, _T),
    "sqlserver": ("ms-sql-s", 1433, _TU),
    "vnc": ("rfb", 5900, _TU),
    "zookeeper": (None, 2181, _T),
}
