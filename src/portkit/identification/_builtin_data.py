"""The table of built-in identification rules: data only.

Each entry holds the keyword arguments of :class:`~portkit.identification.Rule`.
Where a rule needs code (an extractor that reads a binary greeting, a nudge built for
the target), the entry names it (``"extract": "mysql"``, ``"nudge": "http-get"``) and
:mod:`portkit.identification._builtin`, which holds that code, builds the rules. The
rules are portkit's own, written from the protocols' specifications and from what real
servers send.
"""

from __future__ import annotations

__all__ = ["RULES"]

#: The built-in rules, most specific first.
RULES: tuple[dict[str, object], ...] = (
    {
        "name": "openssh",
        "service": "ssh",
        "product": "OpenSSH",
        "pattern": rb"\ASSH-[\d.]+-OpenSSH_(?P<version>[\w.]+)(?:[ -](?P<info>[^\r\n]*))?",
        "ports": "22",
    },
    {
        "name": "dropbear",
        "service": "ssh",
        "product": "Dropbear sshd",
        "pattern": rb"\ASSH-[\d.]+-dropbear_(?P<version>[\w.]+)",
        "ports": "22",
    },
    {
        "name": "ssh",
        "service": "ssh",
        "pattern": rb"\ASSH-(?:2\.0|1\.99|1\.5)-(?P<product>[!-,.-~]+)[-_](?P<version>[\w.]+)",
        "ports": "22",
    },
    {
        "name": "postfix",
        "service": "smtp",
        "product": "Postfix smtpd",
        "pattern": rb"\A220[ -](?P<hostname>\S+) ESMTP Postfix(?: \((?P<info>[^)\r\n]*)\))?",
        "ports": "25,465,587",
    },
    {
        "name": "exim",
        "service": "smtp",
        "product": "Exim smtpd",
        "pattern": rb"\A220[ -](?P<hostname>\S+) ESMTP Exim (?P<version>[\w.]+)",
        "ports": "25,465,587",
    },
    {
        "name": "opensmtpd",
        "service": "smtp",
        "product": "OpenSMTPD",
        "pattern": rb"\A220[ -](?P<hostname>\S+) ESMTP OpenSMTPD",
        "ports": "25,465,587",
    },
    {
        "name": "smtp",
        "service": "smtp",
        "pattern": rb"\A220[ -](?P<hostname>[\w.-]+) [^\r\n]*E?SMTP",
        "ports": "25,465,587",
    },
    {
        "name": "vsftpd",
        "service": "ftp",
        "product": "vsftpd",
        "pattern": rb"\A220 \(vsFTPd (?P<version>[\w.]+)\)",
        "ports": "21",
    },
    {
        "name": "proftpd",
        "service": "ftp",
        "product": "ProFTPD",
        "pattern": rb"\A220[ -]ProFTPD (?:(?P<version>\d[\w.]*) )?Server",
        "ports": "21",
    },
    {
        "name": "pure-ftpd",
        "service": "ftp",
        "product": "Pure-FTPd",
        "pattern": rb"\A220-+ ?Welcome to Pure-FTPd",
        "ports": "21",
    },
    {
        "name": "ftp",
        "service": "ftp",
        "pattern": rb"\A220[ -][^\r\n]*FTP",
        "ports": "21",
    },
    {
        "name": "dovecot-imap",
        "service": "imap",
        "product": "Dovecot imapd",
        "pattern": rb"\A\* OK (?:\[[^\]\r\n]*\] )?Dovecot(?: \((?P<info>[^)\r\n]*)\))? ready",
        "ports": "143",
    },
    {
        "name": "imap",
        "service": "imap",
        "pattern": rb"\A\* (?:OK|PREAUTH) [^\r\n]*(?:IMAP4|ready)",
        "ports": "143",
    },
    {
        "name": "dovecot-pop3",
        "service": "pop3",
        "product": "Dovecot pop3d",
        "pattern": rb"\A\+OK (?:\[[^\]\r\n]*\] )?Dovecot(?: \((?P<info>[^)\r\n]*)\))? ready",
        "ports": "110",
    },
    {
        "name": "pop3",
        "service": "pop3",
        "pattern": rb"\A\+OK [^\r\n]*(?:POP3?|ready)",
        "ports": "110",
    },
    {
        "name": "mysql",
        "service": "mysql",
        "pattern": (
            rb"\A(?P<length>[\x00-\xff]{3})\x00\x0a(?P<version>[0-9][\x20-\x7e]{0,60}?)\x00"
        ),
        "extract": "mysql",
        "ports": "3306",
    },
    {
        "name": "mysql-refused",
        "service": "mysql",
        "pattern": (
            rb"\A[\x00-\xff]{3}\x00\xff[\x00-\xff]{2}(?:#\w{5})?Host [^\r\n]{0,300}?"
            rb"is not allowed to connect to this (?P<product>MySQL|MariaDB) server"
        ),
        "info": "client host not allowed",
        "ports": "3306",
    },
    {
        "name": "http",
        "service": "http",
        "pattern": rb"\AHTTP/(?:1\.[01]|2) (?P<status>\d{3})[ \r\n]",
        "extract": "http",
        "ports": "80,591,8000,8008,8080,8081,8888,3000,5000,9000",
        "nudge": "http-get",
    },
    {
        "name": "redis",
        "service": "redis",
        "product": "Redis key-value store",
        "pattern": rb"\A\$\d+\r\n# Server\r\n[^$]*?redis_version:(?P<version>[\w.]+)",
        "ports": "6379",
        "nudge": b"INFO server\r\n",
    },
    {
        "name": "redis-reply",
        "service": "redis",
        "product": "Redis key-value store",
        "pattern": (
            rb"\A(?:-NOAUTH Authentication required|-DENIED Redis is running|\+PONG\r\n"
            rb"|-ERR unknown command [`'])"
        ),
        "ports": "6379",
    },
    {
        "name": "memcached",
        "service": "memcached",
        "product": "Memcached",
        "pattern": rb"\AVERSION (?P<version>\d[\w.-]*)\r\n",
        "ports": "11211",
        "nudge": b"version\r\n",
    },
    {
        "name": "postgresql",
        "service": "postgresql",
        "product": "PostgreSQL DB",
        "pattern": rb"\A[NS]\Z",
        "extract": "postgresql-ssl",
        "ports": "5432",
        "nudge": "postgresql-ssl-request",
        "after_nudge": True,
    },
    {
        "name": "postgresql-error",
        "service": "postgresql",
        "product": "PostgreSQL DB",
        "pattern": rb"\AE[\x00-\xff]{4}S(?:FATAL|ERROR|PANIC)\x00(?:V\w+\x00)?C[0-9A-Z]{5}\x00",
        "ports": "5432",
    },
    {
        "name": "mongodb",
        "service": "mongodb",
        "product": "MongoDB",
        "pattern": rb"\A[\x00-\xff]{12}\xdd\x07\x00\x00",
        "extract": "mongodb",
        "ports": "27017",
        "nudge": "mongodb-hello",
    },
)
