"""The table of curated annotations: one entry per service, each with its reason.

Data only, curated by hand; :mod:`portkit.catalog._annotations` builds and queries
the :class:`~portkit.catalog.Annotation` objects, and ``scripts/annotations_doc.py``
writes the guide's table from them. Names are IANA service names (lower case) where
IANA has one; :data:`COMMUNITY_NAMES` gives the reason for every other name.
"""

from __future__ import annotations

from ._annotation_types import Category, Risk, RiskKind, Severity

__all__ = ["COMMUNITY_NAMES", "ENTRIES"]

_C = Category
_S = Severity
_K = RiskKind
_TCP = ("tcp",)
_UDP = ("udp",)
_BOTH = ("tcp", "udp")


def _r(kind: RiskKind, severity: Severity, reason: str) -> Risk:
    return Risk(kind, severity, reason)


def _e(
    name: str,
    category: Category,
    cleartext: bool | None,
    ports: tuple[int, ...],
    reason: str,
    *,
    tls: str | None = None,
    risks: tuple[Risk, ...] = (),
    protocols: tuple[str, ...] = _TCP,
    aliases: tuple[str, ...] = (),
) -> dict[str, object]:
    return {
        "name": name,
        "category": category,
        "cleartext": cleartext,
        "tls_counterpart": tls,
        "risks": tuple(sorted(risks, key=lambda r: -r.severity)),
        "ports": ports,
        "protocols": protocols,
        "aliases": aliases,
        "reason": reason,
    }


_CLEAR_WEB = _r(
    _K.CLEARTEXT_LOGIN,
    _S.MEDIUM,
    "Logins and session cookies sent over plain HTTP can be read and replayed by "
    "anyone on the path.",
)

#: Names of entries that IANA's registry does not have, each with the reason for
#: the name used instead.
COMMUNITY_NAMES: dict[str, str] = {
    "https-alt": "IANA assigns 8443 to pcsync-https, but 8443 is everywhere the "
    "alternate HTTPS port, as 8080 (http-alt) is for HTTP.",
    "kube-apiserver": "IANA assigns 6443 to sun-sr-https; 6443 is the Kubernetes API "
    "server's default port and kube-apiserver its program name.",
    "kubelet": "IANA has no name for 10250, the kubelet's API port, so the program "
    "name is used.",
    "elasticsearch": "IANA assigns 9200 to wap-wsp, but 9200 is Elasticsearch's (and "
    "OpenSearch's) HTTP API port.",
    "cassandra": "IANA has no name for 9042, Apache Cassandra's native protocol port.",
    "kafka": "IANA assigns 9092 to xmlipcregsvc, but 9092 is Apache Kafka's broker port.",
    "zookeeper": "IANA assigns 2181 to eforward, but 2181 is Apache ZooKeeper's client port.",
    "prometheus": "IANA assigns 9090 to websm, but 9090 is the Prometheus server's port.",
    "oracle-tns": "IANA assigns 1521 to ncube-lm (its 'oracle' is an unrelated 2005/udp "
    "entry), but 1521 is the Oracle database TNS listener.",
    "wireguard": "IANA has no name for WireGuard, whose conventional port is 51820/udp.",
}

#: The entries, as keyword arguments of :class:`~portkit.catalog.Annotation`
#: (``cleartext_counterpart`` is derived from the others' ``tls_counterpart``).
ENTRIES = [
    # --- web ---------------------------------------------------------------------------
    _e("http", _C.WEB, True, (80,),
       "HTTP without TLS: every request, response and cookie crosses the network readable.",
       tls="https", risks=(_CLEAR_WEB,), protocols=("tcp", "sctp"),
       aliases=("www", "www-http")),
    _e("https", _C.WEB, False, (443,),
       "HTTP over TLS (and HTTP/3 over QUIC on udp), the encrypted form of http.",
       protocols=("tcp", "udp", "sctp")),
    _e("http-alt", _C.WEB, True, (8080, 8008, 591),
       "The usual port of proxies, application servers and development web servers, "
       "which serve plain HTTP there.",
       tls="https-alt", risks=(_CLEAR_WEB,), protocols=_TCP),
    _e("https-alt", _C.WEB, False, (8443,),
       "The community name for HTTPS on 8443, the TLS twin of 8080 used by application "
       "servers and admin consoles."),
    # --- mail ---------------------------------------------------------------------------
    _e("smtp", _C.MAIL, True, (25,),
       "Mail relay between servers starts in cleartext and upgrades with STARTTLS when "
       "both sides offer it, so it has no separate TLS port (submissions pairs with "
       "submission).",
       risks=(_r(_K.CLEARTEXT_LOGIN, _S.LOW,
                 "AUTH on port 25 without STARTTLS sends the password readable."),)),
    _e("submission", _C.MAIL, True, (587,),
       "Message submission by mail clients (RFC 6409) begins in cleartext and needs "
       "STARTTLS before AUTH to keep the password private.",
       tls="submissions",
       risks=(_r(_K.CLEARTEXT_LOGIN, _S.MEDIUM,
                 "A client that does not insist on STARTTLS sends its password readable."),)),
    _e("submissions", _C.MAIL, False, (465,),
       "Message submission over implicit TLS (RFC 8314), the encrypted form of "
       "submission."),
    _e("pop3", _C.MAIL, True, (110,),
       "POP3 sends USER and PASS in cleartext unless STARTTLS (STLS) is used.",
       tls="pop3s",
       risks=(_r(_K.CLEARTEXT_LOGIN, _S.MEDIUM,
                 "Mailbox passwords cross the network readable without STLS."),)),
    _e("pop3s", _C.MAIL, False, (995,), "POP3 over implicit TLS (RFC 8314)."),
    _e("imap", _C.MAIL, True, (143,),
       "IMAP sends LOGIN credentials in cleartext unless STARTTLS is used.",
       tls="imaps",
       risks=(_r(_K.CLEARTEXT_LOGIN, _S.MEDIUM,
                 "Mailbox passwords cross the network readable without STARTTLS."),)),
    _e("imaps", _C.MAIL, False, (993,), "IMAP over implicit TLS (RFC 8314)."),
    # --- file transfer ------------------------------------------------------------------
    _e("ftp", _C.FILE_TRANSFER, True, (21,),
       "FTP's control channel carries USER and PASS in cleartext, and many servers "
       "still allow anonymous logins.",
       tls="ftps",
       risks=(_r(_K.CLEARTEXT_LOGIN, _S.HIGH,
                 "FTP passwords are sent in cleartext on the control connection."),
              _r(_K.FILE_SHARING_EXPOSURE, _S.MEDIUM,
                 "Anonymous FTP can expose or accept files without any account."),
              _r(_K.LEGACY_PROTOCOL, _S.LOW,
                 "SFTP over ssh or HTTPS replace FTP for nearly every use.")),
       aliases=("ftp-control",)),
    _e("ftps", _C.FILE_TRANSFER, False, (990,),
       "FTP control channel over implicit TLS, the encrypted form of ftp."),
    _e("ftp-data", _C.FILE_TRANSFER, True, (20,),
       "Active-mode FTP data connections carry file contents in cleartext.",
       tls="ftps-data",
       risks=(_r(_K.LEGACY_PROTOCOL, _S.LOW,
                 "Active-mode FTP data connections need firewall holes and are rarely "
                 "needed today."),)),
    _e("ftps-data", _C.FILE_TRANSFER, False, (989,),
       "FTP data connections over implicit TLS, the encrypted form of ftp-data."),
    _e("tftp", _C.FILE_TRANSFER, True, (69,),
       "TFTP has no authentication at all: anyone who can reach it can read (and often "
       "write) the files it serves.",
       risks=(_r(_K.FILE_SHARING_EXPOSURE, _S.HIGH,
                 "Boot images and device configurations on TFTP servers often hold "
                 "secrets and are readable by anyone."),
              _r(_K.AMPLIFICATION, _S.LOW,
                 "A spoofed read request makes the server send a file to the victim."),
              _r(_K.LEGACY_PROTOCOL, _S.LOW,
                 "TFTP has no authentication and no encryption by design.")),
       protocols=_UDP),
    _e("rsync", _C.FILE_TRANSFER, True, (873,),
       "The rsync daemon protocol is unencrypted and its modules are often configured "
       "without authentication.",
       risks=(_r(_K.FILE_SHARING_EXPOSURE, _S.MEDIUM,
                 "An rsync module without 'auth users' can be listed and copied by "
                 "anyone."),)),
    # --- remote access ------------------------------------------------------------------
    _e("ssh", _C.REMOTE_ACCESS, False, (22,),
       "SSH is encrypted and authenticated, the standard way to reach a shell remotely.",
       risks=(_r(_K.REMOTE_ACCESS, _S.LOW,
                 "An Internet-facing ssh draws constant password guessing; keys-only "
                 "logins make that harmless."),)),
    _e("telnet", _C.REMOTE_ACCESS, True, (23,),
       "Telnet sends the login, the password and the whole session in cleartext.",
       tls="telnets",
       risks=(_r(_K.CLEARTEXT_LOGIN, _S.HIGH,
                 "Telnet passwords can be read by anyone on the path."),
              _r(_K.REMOTE_ACCESS, _S.HIGH,
                 "Telnet gives a remote shell, and embedded devices often keep default "
                 "passwords on it."),
              _r(_K.LEGACY_PROTOCOL, _S.MEDIUM,
                 "ssh has replaced telnet for remote shells.")),
       aliases=("telnetd",)),
    _e("telnets", _C.REMOTE_ACCESS, False, (992,),
       "Telnet over TLS, the encrypted form of telnet; rarely deployed.",
       risks=(_r(_K.REMOTE_ACCESS, _S.MEDIUM,
                 "It still gives a remote shell to whoever logs in."),)),
    _e("login", _C.REMOTE_ACCESS, True, (513,),
       "rlogin trusts the client host's word about who the user is (.rhosts) and sends "
       "passwords in cleartext.",
       risks=(_r(_K.REMOTE_ACCESS, _S.CRITICAL,
                 "Host-based trust lets anyone who can spoof or control a trusted host "
                 "log in without a password."),
              _r(_K.CLEARTEXT_LOGIN, _S.HIGH,
                 "Passwords and sessions cross the network in cleartext."),
              _r(_K.LEGACY_PROTOCOL, _S.HIGH,
                 "The r-commands are obsolete; ssh replaces them.")),
       aliases=("rlogin",)),
    _e("shell", _C.REMOTE_ACCESS, True, (514,),
       "rsh runs commands on the strength of host-based trust (.rhosts), with no "
       "encryption.",
       risks=(_r(_K.REMOTE_ACCESS, _S.CRITICAL,
                 "Host-based trust lets anyone who can spoof or control a trusted host "
                 "run commands without a password."),
              _r(_K.LEGACY_PROTOCOL, _S.HIGH,
                 "The r-commands are obsolete; ssh replaces them.")),
       aliases=("rsh", "cmd")),
    _e("exec", _C.REMOTE_ACCESS, True, (512,),
       "rexec runs commands after a username and password sent in cleartext.",
       risks=(_r(_K.CLEARTEXT_LOGIN, _S.HIGH,
                 "The password crosses the network in cleartext with every command."),
              _r(_K.REMOTE_ACCESS, _S.HIGH,
                 "Whoever has the password runs arbitrary commands."),
              _r(_K.LEGACY_PROTOCOL, _S.HIGH,
                 "The r-commands are obsolete; ssh replaces them.")),
       aliases=("rexec",)),
    _e("ms-wbt-server", _C.REMOTE_ACCESS, False, (3389,),
       "Microsoft's Remote Desktop Protocol, encrypted by TLS, and a full desktop for "
       "whoever logs in.",
       risks=(_r(_K.REMOTE_ACCESS, _S.HIGH,
                 "Exposed RDP is a favourite target of password guessing and of "
                 "pre-authentication exploits such as BlueKeep."),),
       protocols=_BOTH, aliases=("rdp", "remote-desktop", "terminal-services")),
    _e("rfb", _C.REMOTE_ACCESS, True, (5900,),
       "VNC's Remote Framebuffer protocol is unencrypted in most servers and its "
       "classic password authentication is weak.",
       risks=(_r(_K.REMOTE_ACCESS, _S.HIGH,
                 "VNC servers are often left with no password or an eight-character "
                 "one, giving away the desktop."),
              _r(_K.CLEARTEXT_LOGIN, _S.MEDIUM,
                 "Without a TLS or ssh tunnel the session, keystrokes included, is "
                 "readable.")),
       aliases=("vnc",)),
    _e("x11", _C.REMOTE_ACCESS, True, (6000,),
       "An X server listening on TCP accepts unencrypted connections that can watch the "
       "screen and inject keystrokes when access control is loose.",
       risks=(_r(_K.REMOTE_ACCESS, _S.HIGH,
                 "With 'xhost +' any client can log keystrokes and take screenshots."),
              _r(_K.LEGACY_PROTOCOL, _S.MEDIUM,
                 "Modern systems run X without TCP and forward it over ssh when needed.")),
       aliases=("xwindows", "x-window-system")),
    _e("xdmcp", _C.REMOTE_ACCESS, True, (177,),
       "XDMCP offers graphical logins over UDP, unencrypted.",
       risks=(_r(_K.REMOTE_ACCESS, _S.MEDIUM,
                 "It offers a login screen to anyone who asks."),
              _r(_K.AMPLIFICATION, _S.LOW,
                 "A small spoofed query draws a larger reply."),
              _r(_K.LEGACY_PROTOCOL, _S.MEDIUM,
                 "ssh with X forwarding or a modern remote desktop replaces it.")),
       protocols=_UDP),
    _e("wsman", _C.REMOTE_ACCESS, True, (5985,),
       "WS-Management over HTTP (Windows Remote Management), which runs PowerShell "
       "remotely; messages are encrypted by Kerberos or NTLM but the transport is not.",
       tls="wsmans",
       risks=(_r(_K.REMOTE_ACCESS, _S.MEDIUM,
                 "Administrators who log in get remote PowerShell on the host."),),
       aliases=("winrm-http",)),
    _e("wsmans", _C.REMOTE_ACCESS, False, (5986,),
       "WS-Management over HTTPS, the TLS form of wsman.",
       risks=(_r(_K.REMOTE_ACCESS, _S.MEDIUM,
                 "Administrators who log in get remote PowerShell on the host."),),
       aliases=("winrm-https",)),
    _e("distcc", _C.DEVELOPMENT, True, (3632,),
       "distccd compiles whatever a client sends and, without an allow-list, lets "
       "anyone run commands as its user.",
       risks=(_r(_K.REMOTE_ACCESS, _S.CRITICAL,
                 "An open distccd is remote code execution by design."),)),
    # --- name services ------------------------------------------------------------------
    _e("domain", _C.NAME_SERVICE, True, (53,),
       "Classic DNS answers in cleartext over UDP and TCP.",
       tls="domain-s",
       risks=(_r(_K.AMPLIFICATION, _S.MEDIUM,
                 "An open resolver answers spoofed ANY or DNSSEC queries with replies "
                 "dozens of times larger."),),
       protocols=_BOTH, aliases=("dns",)),
    _e("domain-s", _C.NAME_SERVICE, False, (853,),
       "DNS over TLS (RFC 7858) and DNS over QUIC (RFC 9250), the encrypted form of "
       "domain.",
       protocols=_BOTH, aliases=("dot", "dns-over-tls")),
    _e("mdns", _C.NAME_SERVICE, True, (5353,),
       "Multicast DNS is meant for the local link and answers in cleartext.",
       risks=(_r(_K.AMPLIFICATION, _S.LOW,
                 "mDNS responders that answer unicast queries from off-link can be used "
                 "for reflection and leak host details."),),
       protocols=_UDP),
    _e("llmnr", _C.NAME_SERVICE, True, (5355,),
       "Link-Local Multicast Name Resolution is trusted by Windows without any "
       "authentication.",
       risks=(_r(_K.LEGACY_PROTOCOL, _S.MEDIUM,
                 "Spoofed LLMNR answers are a classic way to capture NTLM hashes on a "
                 "LAN."),),
       protocols=_UDP),
    _e("netbios-ns", _C.NAME_SERVICE, True, (137,),
       "The NetBIOS name service resolves Windows names by broadcast, without "
       "authentication.",
       risks=(_r(_K.LEGACY_PROTOCOL, _S.MEDIUM,
                 "Spoofed NBNS answers capture NTLM hashes, and modern networks need "
                 "no NetBIOS."),
              _r(_K.AMPLIFICATION, _S.LOW,
                 "A node-status query draws a reply a few times larger.")),
       protocols=_UDP, aliases=("nbns", "nbname")),
    _e("netbios-dgm", _C.FILE_SHARING, True, (138,),
       "The NetBIOS datagram service carries Windows browser announcements in "
       "cleartext.",
       risks=(_r(_K.LEGACY_PROTOCOL, _S.LOW,
                 "It only serves the legacy NetBIOS browser and can usually be "
                 "disabled."),),
       protocols=_UDP, aliases=("nbdgm", "nbdatagram")),
    # --- time ---------------------------------------------------------------------------
    _e("ntp", _C.TIME, True, (123,),
       "NTP is unauthenticated cleartext UDP, and old servers answer the 'monlist' "
       "query.",
       risks=(_r(_K.AMPLIFICATION, _S.MEDIUM,
                 "The monlist and other mode 6/7 queries answer a spoofed packet with "
                 "hundreds of times more data."),),
       protocols=_UDP),
    _e("daytime", _C.TIME, True, (13,),
       "The daytime service answers anyone with the time as text; it is a relic of "
       "early network testing.",
       risks=(_r(_K.LEGACY_PROTOCOL, _S.LOW,
                 "Nothing needs it today, so it only widens the attack surface."),
              _r(_K.AMPLIFICATION, _S.LOW,
                 "Over UDP it answers spoofed packets.")),
       protocols=_BOTH),
    _e("time", _C.TIME, True, (37,),
       "The RFC 868 time service answers anyone with a 32-bit timestamp; NTP replaced it.",
       risks=(_r(_K.LEGACY_PROTOCOL, _S.LOW,
                 "Nothing needs it today, so it only widens the attack surface."),),
       protocols=_BOTH),
    # --- diagnostics relics -------------------------------------------------------------
    _e("echo", _C.OTHER, True, (7,),
       "The echo service returns whatever it receives; it survives only as a test relic.",
       risks=(_r(_K.AMPLIFICATION, _S.MEDIUM,
                 "Spoofed UDP packets can bounce traffic at a victim or set two echo "
                 "services ping-ponging forever."),
              _r(_K.LEGACY_PROTOCOL, _S.LOW,
                 "Nothing needs it today, so it only widens the attack surface.")),
       protocols=_BOTH),
    _e("discard", _C.OTHER, True, (9,),
       "The discard service swallows what it receives; it is a relic of network testing.",
       risks=(_r(_K.LEGACY_PROTOCOL, _S.LOW,
                 "Nothing needs it today, so it only widens the attack surface."),),
       protocols=_BOTH),
    _e("chargen", _C.OTHER, True, (19,),
       "The character generator sends a stream of text to anyone, up to 512 bytes per "
       "UDP packet it receives.",
       risks=(_r(_K.AMPLIFICATION, _S.HIGH,
                 "Each tiny spoofed UDP packet draws up to 512 bytes, a long-standing "
                 "DDoS reflection vector."),
              _r(_K.LEGACY_PROTOCOL, _S.MEDIUM,
                 "Nothing needs it today, so it only widens the attack surface.")),
       protocols=_BOTH),
    _e("qotd", _C.OTHER, True, (17,),
       "The quote-of-the-day service answers anyone with text; it is a relic.",
       risks=(_r(_K.AMPLIFICATION, _S.MEDIUM,
                 "Each spoofed UDP packet draws a quote many times its size."),
              _r(_K.LEGACY_PROTOCOL, _S.LOW,
                 "Nothing needs it today, so it only widens the attack surface.")),
       protocols=_BOTH),
    _e("finger", _C.DIRECTORY, True, (79,),
       "finger tells anyone which users exist and when they last logged in.",
       risks=(_r(_K.LEGACY_PROTOCOL, _S.MEDIUM,
                 "It hands attackers a list of valid user names for password guessing."),)),
    # --- network management -------------------------------------------------------------
    _e("snmp", _C.NETWORK_MANAGEMENT, True, (161,),
       "SNMPv1 and v2c authenticate with a community string sent in cleartext, often "
       "the default 'public'.",
       tls="snmptls",
       risks=(_r(_K.CLEARTEXT_LOGIN, _S.MEDIUM,
                 "Community strings, the only credential of v1/v2c, are readable on the "
                 "wire and often left at 'public' or 'private'."),
              _r(_K.MANAGEMENT_API, _S.MEDIUM,
                 "A write community lets anyone reconfigure the device."),
              _r(_K.AMPLIFICATION, _S.MEDIUM,
                 "GetBulk requests with a guessed community draw replies many times "
                 "larger.")),
       protocols=_UDP),
    _e("snmptrap", _C.NETWORK_MANAGEMENT, True, (162,),
       "SNMP traps and informs arrive in cleartext with a community string.",
       tls="snmptls-trap",
       risks=(_r(_K.CLEARTEXT_LOGIN, _S.LOW,
                 "Community strings in v1/v2c traps are readable on the wire."),),
       protocols=_UDP),
    _e("snmptls", _C.NETWORK_MANAGEMENT, False, (10161,),
       "SNMP over TLS or DTLS (RFC 6353), the encrypted form of snmp.",
       protocols=_BOTH),
    _e("snmptls-trap", _C.NETWORK_MANAGEMENT, False, (10162,),
       "SNMP notifications over TLS or DTLS (RFC 6353), the encrypted form of snmptrap.",
       protocols=_BOTH),
    _e("syslog", _C.MONITORING, True, (514,),
       "Classic syslog is unauthenticated cleartext UDP.",
       tls="syslog-tls",
       risks=(_r(_K.LEGACY_PROTOCOL, _S.LOW,
                 "Anyone can read log lines in transit or forge them into the log."),),
       protocols=_UDP),
    _e("syslog-tls", _C.MONITORING, False, (6514,),
       "Syslog over TLS (RFC 5425), the encrypted form of syslog."),
    _e("bgp", _C.NETWORK_MANAGEMENT, True, (179,),
       "BGP sessions are cleartext TCP, protected at most by TCP-MD5 or TCP-AO.",
       risks=(_r(_K.MANAGEMENT_API, _S.MEDIUM,
                 "A BGP speaker reachable from outside its peers invites session resets "
                 "and route injection attempts."),)),
    _e("asf-rmcp", _C.NETWORK_MANAGEMENT, True, (623,),
       "IPMI's RMCP on 623/udp is the baseboard management controller, which controls "
       "the machine below its operating system.",
       risks=(_r(_K.MANAGEMENT_API, _S.HIGH,
                 "IPMI 2.0 hands out a crackable password hash for any valid user name "
                 "(RAKP), and BMCs often keep default accounts."),
              _r(_K.AMPLIFICATION, _S.LOW,
                 "Some RMCP queries draw larger replies.")),
       protocols=_UDP, aliases=("ipmi", "rmcp")),
    _e("ws-discovery", _C.NETWORK_MANAGEMENT, True, (3702,),
       "WS-Discovery finds printers and cameras on the local network by multicast SOAP.",
       risks=(_r(_K.AMPLIFICATION, _S.MEDIUM,
                 "Devices answering it from outside the LAN have been used for large "
                 "reflection attacks."),),
       protocols=_UDP, aliases=("wsd",)),
    _e("ssdp", _C.NETWORK_MANAGEMENT, True, (1900,),
       "SSDP, UPnP's discovery protocol, is meant for the local link only.",
       risks=(_r(_K.AMPLIFICATION, _S.MEDIUM,
                 "An M-SEARCH answered from outside the LAN is a known reflection vector "
                 "and leaks device details."),),
       protocols=_UDP, aliases=("upnp-discovery",)),
    _e("bootps", _C.NETWORK_MANAGEMENT, True, (67,),
       "The DHCP (BOOTP) server hands out addresses, unauthenticated, to the local "
       "link.",
       protocols=_UDP, aliases=("dhcp", "dhcp-server")),
    _e("bootpc", _C.NETWORK_MANAGEMENT, True, (68,),
       "The DHCP (BOOTP) client port, where address offers arrive.",
       protocols=_UDP, aliases=("dhcp-client",)),
    _e("router", _C.NETWORK_MANAGEMENT, True, (520,),
       "RIP routing updates in cleartext UDP; RIPv1 has no authentication at all.",
       risks=(_r(_K.LEGACY_PROTOCOL, _S.MEDIUM,
                 "Forged RIP updates can reroute traffic on the local network."),),
       protocols=_UDP, aliases=("rip",)),
    # --- directory and authentication ---------------------------------------------------
    _e("ldap", _C.DIRECTORY, True, (389,),
       "LDAP simple binds send the password in cleartext unless StartTLS is used.",
       tls="ldaps",
       risks=(_r(_K.CLEARTEXT_LOGIN, _S.MEDIUM,
                 "A simple bind without StartTLS exposes the directory password."),
              _r(_K.AMPLIFICATION, _S.MEDIUM,
                 "Connectionless LDAP (CLDAP) on 389/udp answers spoofed queries with "
                 "replies dozens of times larger.")),
       protocols=_BOTH),
    _e("ldaps", _C.DIRECTORY, False, (636,), "LDAP over implicit TLS, the encrypted form of ldap."),
    _e("msft-gc", _C.DIRECTORY, True, (3268,),
       "The Active Directory global catalog over plain LDAP.",
       tls="msft-gc-ssl",
       risks=(_r(_K.CLEARTEXT_LOGIN, _S.MEDIUM,
                 "Simple binds to the global catalog without TLS expose passwords."),),
       aliases=("global-catalog",)),
    _e("msft-gc-ssl", _C.DIRECTORY, False, (3269,),
       "The Active Directory global catalog over LDAPS, the encrypted form of msft-gc."),
    _e("kerberos", _C.AUTHENTICATION, False, (88,),
       "Kerberos never sends passwords; its tickets are encrypted, though weak keys can "
       "be cracked offline.",
       risks=(_r(_K.LEGACY_PROTOCOL, _S.LOW,
                 "Accounts with RC4 keys or without pre-authentication give out "
                 "crackable material (AS-REP roasting, Kerberoasting)."),),
       protocols=_BOTH, aliases=("kerberos5", "krb5")),
    _e("kpasswd", _C.AUTHENTICATION, False, (464,),
       "The Kerberos password-change service; changes are encrypted with the user's "
       "ticket.",
       protocols=_BOTH),
    _e("radius", _C.AUTHENTICATION, True, (1812,),
       "RADIUS over UDP hides only the password attribute, with MD5 and a shared secret.",
       tls="radsec",
       risks=(_r(_K.LEGACY_PROTOCOL, _S.MEDIUM,
                 "MD5-based RADIUS is open to forgery (Blast-RADIUS) and offline secret "
                 "cracking."),),
       protocols=_UDP),
    _e("radius-acct", _C.AUTHENTICATION, True, (1813,),
       "RADIUS accounting records travel in cleartext UDP.",
       protocols=_UDP),
    _e("radsec", _C.AUTHENTICATION, False, (2083,),
       "RADIUS over TLS (RFC 6614), the encrypted form of radius."),
    _e("tacacs", _C.AUTHENTICATION, None, (49,),
       "TACACS+ obfuscates its body with MD5 and a shared key, which is not real "
       "encryption, and the original TACACS is cleartext.",
       risks=(_r(_K.LEGACY_PROTOCOL, _S.LOW,
                 "Its MD5 obfuscation falls to anyone who recovers the shared key."),),
       aliases=("tacacs-plus", "tacacs+")),
    # --- Windows and file sharing -------------------------------------------------------
    _e("microsoft-ds", _C.FILE_SHARING, None, (445,),
       "SMB over TCP: Windows file sharing and remote administration, encrypted only "
       "when SMB 3 encryption is turned on.",
       risks=(_r(_K.FILE_SHARING_EXPOSURE, _S.HIGH,
                 "SMB reachable from untrusted networks has carried worms such as "
                 "WannaCry and exposes shares to password guessing."),),
       aliases=("smb", "cifs-tcp")),
    _e("netbios-ssn", _C.FILE_SHARING, None, (139,),
       "SMB over NetBIOS sessions, the older transport of Windows file sharing, "
       "encrypted only when SMB 3 encryption is turned on.",
       risks=(_r(_K.FILE_SHARING_EXPOSURE, _S.HIGH,
                 "It exposes the same shares as 445, through a legacy transport."),
              _r(_K.LEGACY_PROTOCOL, _S.MEDIUM,
                 "SMB over TCP on 445 has replaced NetBIOS sessions.")),
       aliases=("nbss", "nbsession")),
    _e("epmap", _C.REMOTE_ACCESS, None, (135,),
       "The Microsoft RPC endpoint mapper tells callers where each DCOM and RPC service "
       "listens.",
       risks=(_r(_K.MANAGEMENT_API, _S.MEDIUM,
                 "It is the doorway to remote administration over RPC and leaks the "
                 "services a host runs."),),
       aliases=("msrpc", "ms-rpc")),
    _e("nfs", _C.FILE_SHARING, True, (2049,),
       "NFS carries file data in cleartext and, with AUTH_SYS, believes whatever user "
       "id the client claims.",
       risks=(_r(_K.FILE_SHARING_EXPOSURE, _S.HIGH,
                 "Exports open to the wrong hosts let any client read and write files "
                 "as any user id."),),
       protocols=("tcp", "udp", "sctp"), aliases=("nfsd",)),
    _e("sunrpc", _C.FILE_SHARING, True, (111,),
       "The ONC RPC portmapper (rpcbind) tells callers where NFS and other RPC services "
       "listen.",
       risks=(_r(_K.AMPLIFICATION, _S.MEDIUM,
                 "A spoofed DUMP request over UDP draws a reply many times larger."),
              _r(_K.FILE_SHARING_EXPOSURE, _S.LOW,
                 "It maps out the NFS and RPC services for an attacker.")),
       protocols=_BOTH, aliases=("rpcbind", "portmapper", "portmap")),
    _e("mountd", _C.FILE_SHARING, True, (20048,),
       "The NFS mount daemon hands out file handles to clients of exported file systems.",
       risks=(_r(_K.FILE_SHARING_EXPOSURE, _S.MEDIUM,
                 "It lists the exports to anyone who asks ('showmount -e')."),),
       protocols=_BOTH),
    _e("afpovertcp", _C.FILE_SHARING, None, (548,),
       "Apple Filing Protocol over TCP, deprecated by Apple in favour of SMB.",
       risks=(_r(_K.FILE_SHARING_EXPOSURE, _S.MEDIUM,
                 "AFP shares, often on old NAS boxes, are open to password guessing."),
              _r(_K.LEGACY_PROTOCOL, _S.LOW,
                 "Apple has deprecated AFP; SMB replaces it.")),
       aliases=("afp",)),
    _e("iscsi-target", _C.FILE_SHARING, True, (3260,),
       "iSCSI exports whole block devices, in cleartext, often protected only by CHAP "
       "or nothing.",
       risks=(_r(_K.FILE_SHARING_EXPOSURE, _S.HIGH,
                 "A target without CHAP lets anyone mount the disk."),)),
    # --- databases ----------------------------------------------------------------------
    _e("mysql", _C.DATABASE, None, (3306,),
       "MySQL and MariaDB require a password, and their connections are encrypted only "
       "when TLS is negotiated in-band.",
       aliases=("mariadb",)),
    _e("mysqlx", _C.DATABASE, None, (33060,),
       "The MySQL X Protocol (document store) port, with the same accounts as mysql."),
    _e("postgresql", _C.DATABASE, None, (5432,),
       "PostgreSQL requires authentication per pg_hba.conf and negotiates TLS in-band "
       "when configured.",
       aliases=("postgres", "pgsql", "psql")),
    _e("ms-sql-s", _C.DATABASE, None, (1433,),
       "The Microsoft SQL Server database port, which negotiates TLS in-band.",
       aliases=("mssql", "sqlserver", "sql-server")),
    _e("ms-sql-m", _C.DATABASE, True, (1434,),
       "The SQL Server Browser (monitor) answers anyone over UDP with the instances a "
       "host runs.",
       risks=(_r(_K.AMPLIFICATION, _S.MEDIUM,
                 "Its instance-list reply is many times the request, a known reflection "
                 "vector."),),
       protocols=_UDP, aliases=("sql-browser",)),
    _e("oracle-tns", _C.DATABASE, None, (1521,),
       "The Oracle database TNS listener, on IANA's ncube-lm port; encryption is "
       "negotiated by Oracle Native Network Encryption or TLS.",
       aliases=("tns", "oracle-listener")),
    _e("mongodb", _C.DATABASE, True, (27017,),
       "MongoDB speaks cleartext unless TLS is configured, and ran without "
       "authentication by default for years.",
       risks=(_r(_K.UNAUTHENTICATED_DATA, _S.HIGH,
                 "Unauthenticated MongoDB instances have been wiped and ransomed en "
                 "masse."),),
       aliases=("mongo", "mongod")),
    _e("couchdb", _C.DATABASE, True, (5984,),
       "CouchDB serves its HTTP API in cleartext, and old versions started in 'admin "
       "party' mode without any account.",
       risks=(_r(_K.UNAUTHENTICATED_DATA, _S.HIGH,
                 "An instance without admins gives anyone full access."),
              _r(_K.MANAGEMENT_API, _S.MEDIUM,
                 "The same port serves the administration API.")),
       aliases=("couch",)),
    _e("elasticsearch", _C.DATABASE, True, (9200, 9300),
       "Elasticsearch's REST API was unauthenticated cleartext HTTP by default before "
       "version 8, and exposed clusters leak whole data sets.",
       risks=(_r(_K.UNAUTHENTICATED_DATA, _S.HIGH,
                 "Clusters without security enabled let anyone read, change and delete "
                 "every index."),),
       aliases=("opensearch", "es")),
    _e("cassandra", _C.DATABASE, True, (9042,),
       "Apache Cassandra's CQL port ships with AllowAllAuthenticator and client "
       "encryption off, so it is open cleartext unless configured.",
       risks=(_r(_K.UNAUTHENTICATED_DATA, _S.HIGH,
                 "With the default authenticator anyone can read and write every "
                 "keyspace."),)),
    _e("neo4j", _C.DATABASE, True, (7474,),
       "Neo4j's HTTP browser and API port, cleartext unless HTTPS (7473) is used.",
       risks=(_r(_K.CLEARTEXT_LOGIN, _S.MEDIUM,
                 "Database credentials sent to the HTTP port are readable."),)),
    # --- caches -------------------------------------------------------------------------
    _e("redis", _C.CACHE, True, (6379,),
       "Redis speaks cleartext and, unless a password or ACL is set, accepts every "
       "command from anyone.",
       risks=(_r(_K.UNAUTHENTICATED_DATA, _S.HIGH,
                 "An open Redis can be read, wiped, and made to write files such as "
                 "authorized_keys through CONFIG SET."),)),
    _e("memcache", _C.CACHE, True, (11211,),
       "memcached has no authentication in its text protocol and once listened on UDP "
       "by default.",
       risks=(_r(_K.AMPLIFICATION, _S.CRITICAL,
                 "Over UDP a tiny spoofed 'stats' or 'get' draws replies up to 50,000 "
                 "times larger, the largest amplifier known."),
              _r(_K.UNAUTHENTICATED_DATA, _S.HIGH,
                 "Anyone who reaches it can read and overwrite cached data.")),
       protocols=_BOTH, aliases=("memcached",)),
    # --- messaging ----------------------------------------------------------------------
    _e("amqp", _C.MESSAGING, True, (5672,),
       "AMQP (RabbitMQ and others) in cleartext; RabbitMQ's 'guest' account works only "
       "from localhost by default.",
       tls="amqps",
       risks=(_r(_K.CLEARTEXT_LOGIN, _S.MEDIUM,
                 "Broker credentials and messages cross the network readable."),),
       protocols=("tcp", "sctp"), aliases=("rabbitmq",)),
    _e("amqps", _C.MESSAGING, False, (5671,), "AMQP over TLS, the encrypted form of amqp."),
    _e("mqtt", _C.MESSAGING, True, (1883,),
       "MQTT brokers in cleartext, frequently configured to allow anonymous clients.",
       tls="secure-mqtt",
       risks=(_r(_K.UNAUTHENTICATED_DATA, _S.MEDIUM,
                 "Anonymous brokers let anyone read and publish on every topic, "
                 "including device commands."),
              _r(_K.CLEARTEXT_LOGIN, _S.MEDIUM,
                 "Usernames and passwords in CONNECT packets are readable.")),
       aliases=("mosquitto",)),
    _e("secure-mqtt", _C.MESSAGING, False, (8883,),
       "MQTT over TLS, the encrypted form of mqtt.",
       aliases=("mqtts", "mqtt-tls")),
    _e("kafka", _C.MESSAGING, True, (9092,),
       "Apache Kafka's default PLAINTEXT listener has neither encryption nor "
       "authentication.",
       risks=(_r(_K.UNAUTHENTICATED_DATA, _S.HIGH,
                 "Anyone who reaches a PLAINTEXT listener can read and write every "
                 "topic."),)),
    _e("zookeeper", _C.OTHER, True, (2181,),
       "Apache ZooKeeper, the coordination service under Kafka, Hadoop and others, "
       "serves clients in cleartext without authentication by default.",
       risks=(_r(_K.UNAUTHENTICATED_DATA, _S.MEDIUM,
                 "Open ZooKeeper ensembles expose and accept changes to the "
                 "configuration of the systems built on them."),)),
    _e("epmd", _C.OTHER, True, (4369,),
       "The Erlang port mapper, which RabbitMQ and other Erlang clusters expose, lists "
       "node names and distribution ports.",
       risks=(_r(_K.MANAGEMENT_API, _S.MEDIUM,
                 "It points the way to Erlang distribution, which runs any code for a "
                 "peer that knows the cookie."),)),
    _e("rmiregistry", _C.DEVELOPMENT, True, (1099,),
       "The Java RMI registry takes serialized Java objects from the network.",
       risks=(_r(_K.MANAGEMENT_API, _S.HIGH,
                 "Unpatched RMI endpoints are open to deserialization attacks that run "
                 "code."),),
       aliases=("java-rmi", "rmi")),
    # --- monitoring ---------------------------------------------------------------------
    _e("prometheus", _C.MONITORING, True, (9090,),
       "The Prometheus server serves its UI and API over plain HTTP without "
       "authentication by default.",
       risks=(_r(_K.UNAUTHENTICATED_DATA, _S.MEDIUM,
                 "Its API reveals host names, labels and metrics of everything it "
                 "scrapes, sometimes secrets."),)),
    _e("zabbix-agent", _C.MONITORING, True, (10050,),
       "The Zabbix agent answers its server in cleartext unless PSK or certificates are "
       "configured.",
       risks=(_r(_K.MANAGEMENT_API, _S.MEDIUM,
                 "With remote commands enabled, whoever passes its Server= check runs "
                 "commands on the host."),)),
    _e("zabbix-trapper", _C.MONITORING, True, (10051,),
       "The Zabbix server's trapper port receives agent data in cleartext unless "
       "encryption is configured."),
    _e("munin", _C.MONITORING, True, (4949,),
       "munin-node serves system metrics in cleartext to the hosts in its allow list.",
       risks=(_r(_K.UNAUTHENTICATED_DATA, _S.LOW,
                 "An allow list that is too wide leaks detailed system information."),),
       aliases=("munin-node",)),
    _e("nrpe", _C.MONITORING, None, (5666,),
       "The Nagios remote plugin executor runs checks for its monitoring server.",
       risks=(_r(_K.MANAGEMENT_API, _S.MEDIUM,
                 "With command arguments allowed it can run commands for any host in its "
                 "allowed_hosts."),)),
    # --- containers and orchestration ---------------------------------------------------
    _e("docker", _C.CONTAINER_ORCHESTRATION, True, (2375,),
       "The Docker Engine API without TLS on 2375 gives anyone who connects root on the "
       "host.",
       tls="docker-s",
       risks=(_r(_K.MANAGEMENT_API, _S.CRITICAL,
                 "Anyone can start a privileged container that mounts the host's root "
                 "file system."),)),
    _e("docker-s", _C.CONTAINER_ORCHESTRATION, False, (2376,),
       "The Docker Engine API over TLS, the encrypted form of docker.",
       risks=(_r(_K.MANAGEMENT_API, _S.MEDIUM,
                 "It still gives root on the host to any client whose certificate the "
                 "daemon accepts, so it must verify clients (tlsverify)."),)),
    _e("kube-apiserver", _C.CONTAINER_ORCHESTRATION, False, (6443,),
       "The Kubernetes API server, over TLS, controls the whole cluster.",
       risks=(_r(_K.MANAGEMENT_API, _S.MEDIUM,
                 "Anonymous access or leaked tokens give control of the cluster, so it "
                 "is best not exposed to the Internet."),),
       aliases=("kubernetes", "kubernetes-api", "k8s")),
    _e("kubelet", _C.CONTAINER_ORCHESTRATION, False, (10250,),
       "The kubelet's HTTPS API runs commands in the node's containers.",
       risks=(_r(_K.MANAGEMENT_API, _S.CRITICAL,
                 "With anonymous authentication enabled anyone can exec into every pod "
                 "on the node."),)),
    _e("etcd-client", _C.CONTAINER_ORCHESTRATION, None, (2379,),
       "etcd's client API holds Kubernetes' entire state, secrets included; TLS and "
       "authentication are optional.",
       risks=(_r(_K.MANAGEMENT_API, _S.CRITICAL,
                 "An etcd without client certificate auth hands out every secret of the "
                 "cluster and accepts changes to it."),),
       aliases=("etcd",)),
    _e("etcd-server", _C.CONTAINER_ORCHESTRATION, None, (2380,),
       "etcd's peer port, where cluster members replicate their data.",
       risks=(_r(_K.MANAGEMENT_API, _S.HIGH,
                 "Without peer TLS a rogue member can join and read the cluster's "
                 "data."),)),
    # --- voice, video and chat ----------------------------------------------------------
    _e("sip", _C.VOICE_VIDEO, True, (5060,),
       "SIP signalling in cleartext, with digest authentication that can be brute-forced.",
       tls="sips",
       risks=(_r(_K.CLEARTEXT_LOGIN, _S.MEDIUM,
                 "Digest exchanges sent in cleartext can be cracked offline, and exposed "
                 "SIP servers face constant account guessing for toll fraud."),),
       protocols=("tcp", "udp", "sctp")),
    _e("sips", _C.VOICE_VIDEO, False, (5061,), "SIP over TLS, the encrypted form of sip.",
       protocols=("tcp", "sctp")),
    _e("rtsp", _C.VOICE_VIDEO, True, (554,),
       "RTSP streams, typically from IP cameras, in cleartext and often without a "
       "password.",
       tls="rtsps",
       risks=(_r(_K.UNAUTHENTICATED_DATA, _S.MEDIUM,
                 "Cameras commonly stream to anyone who asks."),),
       protocols=_BOTH),
    _e("rtsps", _C.VOICE_VIDEO, False, (322,), "RTSP over TLS, the encrypted form of rtsp."),
    _e("stun", _C.VOICE_VIDEO, True, (3478,),
       "STUN and TURN help real-time media cross NAT, in cleartext UDP.",
       tls="stuns",
       risks=(_r(_K.AMPLIFICATION, _S.LOW,
                 "Binding responses are somewhat larger than requests."),),
       protocols=_BOTH, aliases=("turn",)),
    _e("stuns", _C.VOICE_VIDEO, False, (5349,),
       "STUN and TURN over TLS or DTLS, the encrypted form of stun.",
       protocols=_BOTH, aliases=("turns",)),
    _e("h323hostcall", _C.VOICE_VIDEO, True, (1720,),
       "H.323 call signalling, an old video-conferencing protocol, in cleartext.",
       risks=(_r(_K.LEGACY_PROTOCOL, _S.LOW,
                 "Exposed H.323 endpoints have been used to eavesdrop on meeting rooms."),),
       aliases=("h323", "h.323")),
    _e("xmpp-client", _C.CHAT, True, (5222,),
       "XMPP client connections start in cleartext and upgrade with STARTTLS.",
       risks=(_r(_K.CLEARTEXT_LOGIN, _S.LOW,
                 "A server that does not require STARTTLS lets clients log in readable."),),
       aliases=("jabber", "xmpp")),
    _e("xmpp-server", _C.CHAT, True, (5269,),
       "XMPP server-to-server federation, upgraded with STARTTLS.",
       aliases=("jabber-server",)),
    _e("irc", _C.CHAT, True, (194,),
       "IRC in cleartext; servers mostly listen on 6667 in practice.",
       tls="ircs-u",
       risks=(_r(_K.CLEARTEXT_LOGIN, _S.LOW,
                 "NickServ and server passwords cross the network readable."),)),
    _e("ircs-u", _C.CHAT, False, (6697,),
       "IRC over TLS (RFC 7194), the encrypted form of irc.",
       aliases=("ircs",)),
    _e("nntp", _C.MESSAGING, True, (119,),
       "Usenet news transfer in cleartext, AUTHINFO passwords included.",
       tls="nntps",
       risks=(_r(_K.CLEARTEXT_LOGIN, _S.MEDIUM,
                 "AUTHINFO credentials are readable without TLS."),),
       aliases=("usenet",)),
    _e("nntps", _C.MESSAGING, False, (563,), "NNTP over TLS, the encrypted form of nntp.",
       aliases=("snews",)),
    # --- VPN and tunnels ----------------------------------------------------------------
    _e("openvpn", _C.VPN_TUNNEL, False, (1194,),
       "OpenVPN tunnels are encrypted with TLS-negotiated keys.",
       protocols=_BOTH),
    _e("wireguard", _C.VPN_TUNNEL, False, (51820,),
       "WireGuard tunnels are encrypted and stay silent to unauthenticated packets.",
       protocols=_UDP, aliases=("wg",)),
    _e("isakmp", _C.VPN_TUNNEL, False, (500,),
       "IKE negotiates IPsec keys; its aggressive mode with pre-shared keys leaks a "
       "crackable hash.",
       risks=(_r(_K.LEGACY_PROTOCOL, _S.LOW,
                 "IKEv1 aggressive mode gives out material for offline PSK cracking."),),
       protocols=_UDP, aliases=("ike",)),
    _e("ipsec-nat-t", _C.VPN_TUNNEL, False, (4500,),
       "IPsec ESP and IKE encapsulated in UDP to cross NAT.",
       protocols=_UDP, aliases=("nat-t",)),
    _e("l2tp", _C.VPN_TUNNEL, True, (1701,),
       "L2TP tunnels have no encryption of their own and rely on IPsec around them.",
       risks=(_r(_K.LEGACY_PROTOCOL, _S.LOW,
                 "L2TP without IPsec carries traffic in cleartext."),),
       protocols=_UDP),
    _e("pptp", _C.VPN_TUNNEL, None, (1723,),
       "PPTP's MS-CHAPv2 authentication and MPPE encryption are broken.",
       risks=(_r(_K.LEGACY_PROTOCOL, _S.HIGH,
                 "MS-CHAPv2 can be cracked to recover the session keys; modern VPNs "
                 "replace PPTP."),)),
    _e("socks", _C.VPN_TUNNEL, True, (1080,),
       "A SOCKS proxy relays connections for its clients, in cleartext.",
       risks=(_r(_K.REMOTE_ACCESS, _S.HIGH,
                 "An open proxy lets anyone reach internal networks or launder traffic "
                 "through the host."),),
       aliases=("socks5", "socks4")),
    # --- printing -----------------------------------------------------------------------
    _e("ipp", _C.PRINTING, True, (631,),
       "The Internet Printing Protocol (CUPS) over plain HTTP.",
       tls="ipps",
       risks=(_r(_K.LEGACY_PROTOCOL, _S.LOW,
                 "Print jobs cross the network readable, and cups-browsed on 631/udp has "
                 "had remote code execution flaws."),),
       protocols=_BOTH, aliases=("cups",)),
    _e("ipps", _C.PRINTING, False, (631,),
       "IPP over HTTPS, the encrypted form of ipp, on the same port."),
    _e("printer", _C.PRINTING, True, (515,),
       "The BSD line printer daemon protocol (lpd) has no authentication or encryption.",
       risks=(_r(_K.LEGACY_PROTOCOL, _S.LOW,
                 "Anyone who reaches it can print, and jobs are readable in transit."),),
       aliases=("lpd", "spooler")),
    _e("pdl-datastream", _C.PRINTING, True, (9100,),
       "Raw printing (HP JetDirect): whatever arrives is printed or run as PJL or "
       "PostScript.",
       risks=(_r(_K.MANAGEMENT_API, _S.MEDIUM,
                 "PJL commands over raw port 9100 can read the printer's file system "
                 "and change its settings."),),
       aliases=("jetdirect", "raw-printing")),
    # --- development --------------------------------------------------------------------
    _e("git", _C.DEVELOPMENT, True, (9418,),
       "The git:// daemon serves repositories read-only, in cleartext and without "
       "authentication.",
       risks=(_r(_K.FILE_SHARING_EXPOSURE, _S.LOW,
                 "Every repository it exports is readable by anyone, with no integrity "
                 "protection in transit."),),
       aliases=("git-daemon",)),
    _e("svn", _C.DEVELOPMENT, True, (3690,),
       "The svnserve protocol is cleartext unless SASL encryption is configured.",
       risks=(_r(_K.CLEARTEXT_LOGIN, _S.MEDIUM,
                 "With CRAM-MD5 or anonymous access, code and weak credentials cross the "
                 "network readable."),),
       aliases=("subversion", "svnserve")),
    # --- misc ---------------------------------------------------------------------------
    _e("gopher", _C.WEB, True, (70,),
       "Gopher is a pre-web document protocol, unencrypted and unauthenticated.",
       risks=(_r(_K.LEGACY_PROTOCOL, _S.LOW,
                 "Few clients speak it and nothing needs it on a server."),)),
    _e("coap", _C.NETWORK_MANAGEMENT, True, (5683,),
       "CoAP, the web protocol of constrained IoT devices, in cleartext UDP.",
       tls="coaps",
       risks=(_r(_K.AMPLIFICATION, _S.MEDIUM,
                 "CoAP devices answering from the Internet have been used for "
                 "reflection attacks."),),
       protocols=_BOTH),
    _e("coaps", _C.NETWORK_MANAGEMENT, False, (5684,),
       "CoAP over DTLS, the encrypted form of coap.",
       protocols=_BOTH),
]
