"""Words people search for, and the services they mean, most usual first.

IANA's names and descriptions rarely say what people type: nobody searches for
``rfb`` to find VNC, and "mail" in a description matches ``mailq`` and ``mailbox-lm``
long before ``smtp``. :meth:`Registry.search` puts the services listed here first,
in this order, for the word or phrase that keys them; the tests check that every
name below is an IANA name of the bundled registry.
"""

from __future__ import annotations

__all__ = ["SEARCH_TERMS"]

_MAIL = ("smtp", "submission", "imap", "imaps", "pop3", "pop3s", "submissions")
_DATABASE = ("postgresql", "mysql", "ms-sql-s", "mongodb", "redis", "mysqlx",
             "ms-sql-m", "couchdb", "neo4j")
_REMOTE_DESKTOP = ("ms-wbt-server", "rfb", "x11", "xdmcp")
_REMOTE_SHELL = ("ssh", "telnet", "ms-wbt-server", "rfb", "wsman", "wsmans", "shell", "login",
                 "exec")
_WEB = ("http", "https", "http-alt", "www-http")
_FILE_SHARING = ("microsoft-ds", "netbios-ssn", "nfs", "afpovertcp")
_FILE_TRANSFER = ("ftp", "ftps", "ftp-data", "tftp", "sftp", "rsync")
_DNS = ("domain", "mdns", "llmnr", "domain-s")

SEARCH_TERMS: dict[str, tuple[str, ...]] = {
    "mail": _MAIL,
    "email": _MAIL,
    "e-mail": _MAIL,
    "database": _DATABASE,
    "databases": _DATABASE,
    "db": _DATABASE,
    "sql": ("mysql", "postgresql", "ms-sql-s", "ms-sql-m", "mysqlx"),
    "dns": _DNS,
    "name server": _DNS,
    "resolver": _DNS,
    "vnc": ("rfb",),
    "rdp": ("ms-wbt-server",),
    "remote desktop": _REMOTE_DESKTOP,
    "remote access": _REMOTE_SHELL,
    "remote shell": _REMOTE_SHELL,
    "web": _WEB,
    "web server": _WEB,
    "file sharing": _FILE_SHARING,
    "windows file sharing": _FILE_SHARING,
    "smb": ("microsoft-ds", "netbios-ssn"),
    "file transfer": _FILE_TRANSFER,
    "time": ("ntp", "time", "daytime", "ptp-event", "ptp-general"),
    "ntp": ("ntp",),
    "directory": ("ldap", "ldaps", "kerberos"),
    "cache": ("memcache", "redis"),
    "messaging": ("amqp", "amqps", "mqtt", "secure-mqtt", "xmpp-client", "xmpp-server"),
    "message queue": ("amqp", "amqps", "mqtt", "secure-mqtt"),
    "chat": ("xmpp-client", "xmpp-server", "ircu", "ircs-u", "sip", "sips"),
    "voip": ("sip", "sips"),
    "vpn": ("openvpn", "isakmp", "ipsec-nat-t", "l2tp", "pptp"),
    "printer": ("ipp", "printer", "pdl-datastream"),
    "printing": ("ipp", "printer", "pdl-datastream"),
    "monitoring": ("snmp", "snmptrap", "syslog"),
    "management": ("snmp", "snmptrap", "ssh", "wsman", "wsmans"),
    "kerberos": ("kerberos", "kpasswd", "kerberos-adm"),
    "tls": ("https", "imaps", "pop3s", "submissions", "ldaps", "ftps", "domain-s"),
    "ssl": ("https", "imaps", "pop3s", "submissions", "ldaps", "ftps"),
}
