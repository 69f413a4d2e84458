"""portkit's probe-and-match database for service identification.

Plain data, read on first use by ``portkit.identification._database`` (which
checks it, compiles the patterns on first use and documents the format; see also
docs/identification.md). Every probe and pattern here is portkit's own, written from
the protocols' specifications and from replies captured from real servers
(tests/fixtures/replies/, each with its source and version).

PROBES: what to send. Keys:

- ``name``: unique; ``null`` sends nothing and waits for a greeting.
- ``send``: the bytes; ``{host}`` in them becomes the target's host name. Or
  ``hex``: the bytes in hex (spaces allowed). Or ``build``: the name of a builder
  function in the reader (for a TLS ClientHello).
- ``ports``: where the services that answer it usually listen; on these ports the
  probe is tried first (and sent at once, without waiting for a greeting).
- ``tls_ports``: the same, for ports where the service speaks inside TLS.
- ``rarity``: 1 (tried on every port) to 9 (only on its own ports).
- ``wait``: seconds to wait for the first bytes of the reply.
- ``home``: the services the probe is meant for, besides those of the matches that
  name it. When replies to several probes match, a match of the probe's own
  services wins over one that any probe could have drawn (nginx answers the TLS
  hello with an HTTP error, but its answer to the HTTP GET is the one to read).

MATCHES: how to read replies. Keys:

- ``probes``: the probe names whose replies the pattern reads, or ``"*"`` for any.
- ``service``: the service name, as nmap names it.
- ``pattern``: a bytes regular expression, searched with ``re.DOTALL``; its named
  groups ``product``, ``version``, ``info``, ``hostname`` and ``service`` give those
  fields, others go to ``extra`` and may be used in templates.
- ``product``, ``version``, ``info``, ``hostname``: literal values, or templates with
  ``{group}`` fields filled from the pattern's named groups.
- ``extract``: the name of an extractor function in the reader, for binary replies.
- ``soft``: True when the match names the service but not the product: the next
  probes are narrowed to those with rules for the service.
- ``port_service``: ``{port: service}`` for services named by port (SMB on 139 is
  ``netbios-ssn``, on 445 ``microsoft-ds``).
"""

from __future__ import annotations

from typing import Any

PROBES: list[dict[str, Any]] = [
    {"name": "null", "send": b"", "rarity": 1, "wait": 1.0,
     "ports": "21,22,23,25,110,119,143,587,873,2000,3306,4222,4949,3690,5900-5910,6000-6009,"
              "13,37"},
    {"name": "tls-hello", "build": "tls_client_hello", "rarity": 1, "wait": 1.0,
     "home": ["ssl"],
     "ports": "443,465,563,636,853,989,990,992-995,2376,3269,4433,5061,5223,5986,6443,"
              "6697,8443,8883,9443"},
    {"name": "http-get", "send": b"GET / HTTP/1.0\r\nHost: {host}\r\nUser-Agent: portkit\r\n"
                                 b"Accept: */*\r\n\r\n",
     "rarity": 1, "wait": 1.0, "home": ["http", "http-proxy", "ipp"],
     "ports": "80,81,88,591,593,631,3000,3128,5000,5985,7001,8000,8008,8080,8081,8088,8118,"
              "8888,9000,9090,9200,10000,15672",
     "tls_ports": "443,4443,5986,8443,9443"},
    {"name": "generic-lines", "send": b"\r\n\r\n", "rarity": 1, "wait": 1.0,
     "home": ["echo", "daytime", "irc"],
     "ports": "7,13,79,113,1080,11300"},
    {"name": "dns-version-bind", "rarity": 2, "wait": 1.0, "ports": "53,5353",
     # 2-byte length, id 0x7064, no flags, 1 question: version.bind CH TXT
     "hex": "00 1e 70 64 00 00 00 01 00 00 00 00 00 00 07 76 65 72 73 69 6f 6e 04 62"
            "69 6e 64 00 00 10 00 03"},
    {"name": "smb-negotiate", "rarity": 3, "wait": 1.0, "ports": "139,445",
     # NetBIOS session message; SMB1 NEGOTIATE offering NT LM 0.12, SMB 2.002, SMB 2.???
     "hex": "00 00 00 45 ff 53 4d 42 72 00 00 00 00 18 53 c8 00 00 00 00 00 00 00 00"
            "00 00 00 00 00 00 ff fe 00 00 00 00 00 22 00 02 4e 54 20 4c 4d 20 30 2e"
            "31 32 00 02 53 4d 42 20 32 2e 30 30 32 00 02 53 4d 42 20 32 2e 3f 3f 3f 00"},
    {"name": "ldap-rootdse", "rarity": 3, "wait": 1.0, "ports": "389,3268",
     "tls_ports": "636,3269",
     # LDAPMessage 1: SearchRequest base "" scope base, (objectClass=*), five attributes
     "hex": "30 73 02 01 01 63 6e 04 00 0a 01 00 0a 01 00 02 01 00 02 01 00 01 01 00"
            "87 0b 6f 62 6a 65 63 74 43 6c 61 73 73 30 4e 04 0b 6f 62 6a 65 63 74 43"
            "6c 61 73 73 04 0a 76 65 6e 64 6f 72 4e 61 6d 65 04 0d 76 65 6e 64 6f 72"
            "56 65 72 73 69 6f 6e 04 0e 6e 61 6d 69 6e 67 43 6f 6e 74 65 78 74 73 04"
            "14 73 75 70 70 6f 72 74 65 64 4c 44 41 50 56 65 72 73 69 6f 6e"},
    {"name": "redis-info", "send": b"INFO server\r\n", "rarity": 3, "wait": 1.0,
     "ports": "6379,6380,26379"},
    {"name": "version-line", "send": b"version\r\n", "rarity": 3, "wait": 1.0,
     "ports": "11211,4730"},
    {"name": "pgsql-sslrequest", "hex": "00 00 00 08 04 d2 16 2f", "rarity": 4, "wait": 1.0,
     "ports": "5432,5433"},
    {"name": "mqtt-connect", "rarity": 4, "wait": 1.0, "ports": "1883", "tls_ports": "8883",
     # CONNECT, MQTT 3.1.1, clean session, keep-alive 10 s, client id "portkit"
     "hex": "10 13 00 04 4d 51 54 54 04 02 00 0a 00 07 70 6f 72 74 6b 69 74"},
    {"name": "amqp-header", "send": b"AMQP\x00\x00\x09\x01", "rarity": 4, "wait": 1.0,
     "ports": "5672", "tls_ports": "5671"},
    {"name": "stun-binding", "rarity": 4, "wait": 1.0, "ports": "3478,3479",
     "tls_ports": "5349",
     # Binding request, no attributes, magic cookie, transaction id "portkit-stun"
     "hex": "00 01 00 00 21 12 a4 42 70 6f 72 74 6b 69 74 2d 73 74 75 6e"},
    {"name": "irc-register", "send": b"NICK portkit\r\nUSER portkit 0 * :portkit\r\n",
     "home": ["irc"], "rarity": 4, "wait": 2.0, "ports": "194,6660-6669,7000", "tls_ports": "6697"},
    {"name": "xmpp-stream",
     "send": b"<?xml version='1.0'?><stream:stream to='{host}' xmlns='jabber:client' "
             b"xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>",
     "rarity": 4, "wait": 1.0, "ports": "5222,5269", "tls_ports": "5223"},
    {"name": "rtsp-options", "send": b"OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n\r\n", "rarity": 5,
     "home": ["rtsp"],
     "wait": 1.0, "ports": "554,8554"},
    {"name": "sip-options",
     "send": b"OPTIONS sip:nobody@{host} SIP/2.0\r\n"
             b"Via: SIP/2.0/TCP portkit.invalid;branch=z9hG4bK-portkit\r\n"
             b"From: <sip:portkit@portkit.invalid>;tag=portkit\r\nTo: <sip:nobody@{host}>\r\n"
             b"Call-ID: portkit@portkit.invalid\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n"
             b"Contact: <sip:portkit@portkit.invalid>\r\nContent-Length: 0\r\n\r\n",
     "rarity": 5, "wait": 1.0, "ports": "5060", "tls_ports": "5061", "home": ["sip"]},
    {"name": "git-upload-pack", "send": b"0025git-upload-pack /\x00host=localhost\x00",
     "rarity": 5, "wait": 1.0, "ports": "9418"},
    {"name": "x11-setup", "send": b"l\x00\x0b\x00\x00\x00\x00\x00\x00\x00\x00\x00",
     "rarity": 5, "wait": 1.0, "ports": "6000-6009"},
    {"name": "rdp-request", "rarity": 5, "wait": 1.0, "ports": "3389",
     # TPKT + X.224 Connection Request + RDP Negotiation Request (TLS | CredSSP)
     "hex": "03 00 00 13 0e e0 00 00 00 00 00 01 00 08 00 03 00 00 00"},
    {"name": "kafka-apiversions", "rarity": 6, "wait": 1.0, "ports": "9092,9093",
     # ApiVersions v0, correlation id 0x706b, client id "portkit"
     "hex": "00 00 00 11 00 12 00 00 00 00 70 6b 00 07 70 6f 72 74 6b 69 74"},
    {"name": "zookeeper-srvr", "send": b"srvr", "rarity": 6, "wait": 1.0, "ports": "2181"},
    {"name": "cql-options", "hex": "04 00 00 01 05 00 00 00 00", "rarity": 6, "wait": 1.0,
     "ports": "9042"},
    {"name": "beanstalk-stats", "send": b"stats\r\n", "rarity": 6, "wait": 1.0,
     "ports": "11300"},
    {"name": "iperf3-cookie", "send": b"portkitportkitportkitportkitportkit0\x00",
     "rarity": 7, "wait": 1.0, "ports": "5201"},
    {"name": "mongodb-hello", "build": "mongodb_hello", "rarity": 6, "wait": 1.0,
     "ports": "27017-27019"},
]

# Matches are tried in order, after the built-in rules of ``identify_rules()`` (which
# already know SSH, SMTP, FTP, IMAP, POP3, HTTP, MySQL, PostgreSQL, Redis, memcached and
# MongoDB); more specific ones first.
MATCHES: list[dict[str, Any]] = [
    # -- greetings (the NULL wait), also read after any probe --
    {"probes": "*", "service": "rsync", "pattern": rb"\A@RSYNCD: (?P<proto>\d+(?:\.\d+)?)[ \n]",
     "info": "protocol version {proto}"},
    {"probes": "*", "service": "nats", "product": "NATS server",
     "pattern": rb"\AINFO \{[^\r\n]*?\"version\":\"(?P<version>[\w.+-]+)\"", "extract": "nats"},
    {"probes": "*", "service": "vnc", "product": "VNC",
     "pattern": rb"\ARFB (?P<major>\d{3})\.(?P<minor>\d{3})\n", "extract": "rfb"},
    {"probes": "*", "service": "svn", "product": "Subversion",
     "pattern": rb"\A\( success \( \d+ \d+ \( [^)]*\) \( (?:[\w-]+ )*edit-pipeline"},
    {"probes": "*", "service": "munin", "product": "Munin",
     "pattern": rb"\A# munin node at (?P<hostname>[\w.-]+)\r?\n"},
    {"probes": "*", "service": "telnet", "pattern": rb"\A(?:\xff[\xfb-\xfe][\x00-\xff]){2,}"},
    {"probes": ("null", "generic-lines"), "service": "daytime",
     "pattern": rb"\A(?:\w+,? )?(?:\d{1,2} \w{3}|\w{3} +\d{1,2}),? (?:\d{4} )?\d\d:\d\d:\d\d"
                rb"(?: \d{4})?(?: [A-Z]{2,5})?(?: \d{4})?\r?\n\Z"},
    {"probes": "*", "service": "irc", "extract": "irc",
     "pattern": rb"\A(?::[\w.-]+ (?:NOTICE|0\d\d|ERROR|PING)|NOTICE AUTH|ERROR :)"},
    {"probes": "*", "service": "ftp", "product": "vsftpd",
     "pattern": rb"\A500 OOPS: "},
    # -- HTTP and kin --
    {"probes": "*", "service": "rtsp", "extract": "http",
     "pattern": rb"\ARTSP/1\.[0-9] (?P<status>\d{3})[ \r\n]"},
    {"probes": "*", "service": "sip", "extract": "http",
     "pattern": rb"\ASIP/2\.0 (?P<status>\d{3})[ \r\n]"},
    {"probes": "*", "service": "ssh", "pattern": rb"\ASSH-\d\.\d+-(?P<info>[^\r\n]{1,200})"},
    # -- TLS --
    {"probes": "*", "service": "ssl", "extract": "tls", "soft": True,
     "pattern": rb"\A(?:\x16\x03[\x00-\x04][\x00-\xff]{2}\x02|\x15\x03[\x00-\x04]\x00\x02)"},
    # -- protocol hellos --
    {"probes": "dns-version-bind", "service": "domain", "extract": "dns_tcp",
     "pattern": rb"\A[\x00-\xff]{2}\x70\x64[\x80-\xff]"},
    {"probes": "smb-negotiate", "service": "microsoft-ds", "extract": "smb",
     "port_service": {139: "netbios-ssn"},
     "pattern": rb"\A\x00[\x00-\xff]{3}(?:\xfeSMB|\xffSMBr)"},
    {"probes": "smb-negotiate", "service": "netbios-ssn",
     "pattern": rb"\A\x83\x00\x00\x01[\x80-\x8f]"},
    {"probes": "ldap-rootdse", "service": "ldap", "extract": "ldap",
     "pattern": rb"\A0[\x00-\xff]{1,5}?\x02\x01\x01[de]"},
    {"probes": "mqtt-connect", "service": "mqtt", "extract": "mqtt",
     "pattern": rb"\A\x20\x02[\x00\x01](?P<code>[\x00-\x05])"},
    {"probes": "amqp-header", "service": "amqp", "extract": "amqp",
     "pattern": rb"\A\x01\x00\x00[\x00-\xff]{4}\x00\x0a\x00\x0a"},
    {"probes": "amqp-header", "service": "amqp", "soft": True,
     "pattern": rb"\AAMQP[\x00-\x03][\x00-\x01][\x00-\x0a][\x00-\x01]"},
    {"probes": "stun-binding", "service": "stun", "extract": "stun",
     "pattern": rb"\A\x01[\x01\x11][\x00-\xff]{2}\x21\x12\xa4\x42portkit-stun"},
    {"probes": "xmpp-stream", "service": "xmpp-client", "extract": "xmpp",
     "port_service": {5269: "xmpp-server"},
     "pattern": rb"\A(?:<\?xml[^>]*\?>)?\s*<stream:stream[^>]*>"},
    {"probes": "xmpp-stream", "service": "xmpp-client", "soft": True,
     "pattern": rb"<stream:error>"},
    {"probes": "git-upload-pack", "service": "git",
     "pattern": rb"\A(?:[0-9a-f]{4}ERR |[0-9a-f]{4}[0-9a-f]{40} |0000\Z)"},
    {"probes": "x11-setup", "service": "X11", "extract": "x11",
     "pattern": rb"\A[\x00\x01\x02][\x00-\xff]\x0b\x00\x00\x00"},
    {"probes": "rdp-request", "service": "ms-wbt-server", "extract": "rdp",
     "pattern": rb"\A\x03\x00[\x00-\xff]{2}[\x00-\xff]\xd0"},
    {"probes": "kafka-apiversions", "service": "kafka",
     "pattern": rb"\A[\x00-\xff]{4}\x00\x00\x70\x6b\x00[\x00\x23]"},
    {"probes": "zookeeper-srvr", "service": "zookeeper", "product": "Apache ZooKeeper",
     "pattern": rb"\AZookeeper version: (?P<version>[\w.]+)(?:-(?P<build>[0-9a-f]+))?"},
    {"probes": "zookeeper-srvr", "service": "zookeeper", "product": "Apache ZooKeeper",
     "info": "srvr refused", "pattern": rb"\Asrvr is not executed because it is not in the"},
    {"probes": "cql-options", "service": "cassandra",
     "pattern": rb"\A[\x84\x85\x83]\x00\x00\x01\x06[\x00-\xff]{4}[\x00-\xff]{2}"},
    {"probes": "beanstalk-stats", "service": "beanstalkd", "product": "beanstalkd",
     "pattern": rb"\AOK \d+\r\n---\n.*?\nversion: \"?(?P<version>[\w.]+)"},
    {"probes": "version-line", "service": "gearman", "product": "Gearman Job Queue System",
     "pattern": rb"\AOK (?P<version>\d+\.[\w.+~-]+)\n"},
    {"probes": "iperf3-cookie", "service": "iperf3", "product": "iperf3",
     "pattern": rb"\A[\x09\xfe\xff]\Z"},
    # iperf3 takes the first 37 bytes any client sends as its cookie, and answers
    # PARAM_EXCHANGE (9): a lone 0x09 to a longer probe is iperf3 too.
    {"probes": "*", "service": "iperf3", "product": "iperf3", "pattern": rb"\A\x09\Z"},
    # -- echo: the reply is what was sent --
    {"probes": ("generic-lines", "version-line", "http-get"), "service": "echo",
     "extract": "echo", "pattern": rb"\A"},
]

#: Service names by product, for products whose service nmap names apart from the
#: protocol (an HTTP proxy is ``http-proxy``, CUPS is ``ipp``).
HTTP_PRODUCTS = {
    # Server header token (lower case): (service, product as nmap names it)
    "apache": ("http", "Apache httpd"),
    "nginx": ("http", "nginx"),
    "lighttpd": ("http", "lighttpd"),
    "squid": ("http-proxy", "Squid http proxy"),
    "tinyproxy": ("http-proxy", "tinyproxy"),
    "privoxy": ("http-proxy", "Privoxy http proxy"),
    "cups": ("ipp", "CUPS"),
    "varnish": ("http", "Varnish http accelerator"),
    "microsoft-iis": ("http", "Microsoft IIS httpd"),
    "caddy": ("http", "Caddy httpd"),
    "gunicorn": ("http", "Gunicorn"),
    "werkzeug": ("http", "Werkzeug httpd"),
    "simplehttp": ("http", "SimpleHTTPServer"),
    "jetty": ("http", "Jetty"),
    "openresty": ("http", "OpenResty web app server"),
    "mini_httpd": ("http", "mini_httpd"),
    "thttpd": ("http", "thttpd"),
    "boa": ("http", "Boa httpd"),
    "cherokee": ("http", "Cherokee httpd"),
    "kestrel": ("http", "Microsoft Kestrel httpd"),
    "envoy": ("http", "Envoy"),
    "cowboy": ("http", "Cowboy httpd"),
    "tornadoserver": ("http", "Tornado httpd"),
    "icecast": ("http", "Icecast streaming media server"),
    "minio": ("http", "MinIO"),
}

#: HTTP replies that say the port speaks TLS and the request did not.
HTTP_WANTS_TLS = [
    rb"The plain HTTP request was sent to HTTPS port",
    rb"speaking plain HTTP to an SSL-enabled server port",
    rb"Client sent an HTTP request to an HTTPS server",
    rb"This combination of host and port requires TLS",
]
