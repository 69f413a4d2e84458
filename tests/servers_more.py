"""More real servers from Debian packages, for the identification database's tests and
its benchmark against ``nmap -sV``: each starts on 127.0.0.1 and a free port, in the
foreground, with a private configuration (see tests/servers.py for the machinery).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

from servers import Server, ServerUnavailable, _is_root, _need, _run, _tmpdir, free_port

__all__ = ["MORE_SERVERS", "UDP_SERVERS"]


def _root() -> None:
    if not _is_root():
        raise ServerUnavailable("this server is started as root here")


@contextlib.contextmanager
def start_bind9() -> Iterator[Server]:
    (named,) = _need("named")
    _root()
    with _tmpdir("named", "bind") as d:
        port = free_port()
        conf = d / "named.conf"
        conf.write_text(
            f'options {{ directory "{d}"; listen-on port {port} {{ 127.0.0.1; }};\n'
            f'  listen-on-v6 {{ none; }}; pid-file "{d}/pid"; recursion no; }};\n'
        )
        with _run("named", [named, "-g", "-u", "bind", "-c", str(conf)], port,
                  log=d / "log") as s:
            yield s


@contextlib.contextmanager
def start_unbound() -> Iterator[Server]:
    (unbound,) = _need("unbound")
    _root()
    with _tmpdir("unbound", "unbound") as d:
        port = free_port()
        conf = d / "unbound.conf"
        conf.write_text(
            f'server:\n  interface: 127.0.0.1\n  port: {port}\n  do-daemonize: no\n'
            f'  chroot: ""\n  username: ""\n  directory: "{d}"\n  pidfile: "{d}/pid"\n'
            '  use-syslog: no\n  hide-version: no\n  access-control: 127.0.0.0/8 allow\n'
            '  do-ip6: no\n'
        )
        with _run("unbound", [unbound, "-d", "-c", str(conf)], port, log=d / "log") as s:
            yield s


@contextlib.contextmanager
def start_slapd() -> Iterator[Server]:
    (slapd,) = _need("slapd")
    _root()
    with _tmpdir("slapd") as d:
        port = free_port()
        conf = d / "slapd.conf"
        (d / "db").mkdir()
        conf.write_text(
            "include /etc/ldap/schema/core.schema\n"
            f"pidfile {d}/pid\nmodulepath /usr/lib/ldap\nmoduleload back_mdb\n"
            f'database mdb\nsuffix "dc=portkit,dc=test"\ndirectory {d}/db\n'
        )
        argv = [slapd, "-d", "0", "-f", str(conf), "-h", f"ldap://127.0.0.1:{port}/"]
        with _run("slapd", argv, port, log=d / "log") as s:
            yield s


@contextlib.contextmanager
def start_mosquitto() -> Iterator[Server]:
    (mosquitto,) = _need("mosquitto")
    with _tmpdir("mosquitto") as d:
        port = free_port()
        conf = d / "mosquitto.conf"
        conf.write_text(f"listener {port} 127.0.0.1\nallow_anonymous true\n"
                        + ("user root\n" if _is_root() else ""))
        with _run("mosquitto", [mosquitto, "-c", str(conf)], port, log=d / "log") as s:
            yield s


@contextlib.contextmanager
def start_ngircd() -> Iterator[Server]:
    (ngircd,) = _need("ngircd")
    with _tmpdir("ngircd") as d:
        port = free_port()
        conf = d / "ngircd.conf"
        conf.write_text(
            f"[Global]\nName = irc.portkit.test\nInfo = portkit test\nListen = 127.0.0.1\n"
            f"Ports = {port}\nPidFile = {d}/pid\nServerUID = {os.getuid()}\n"
            f"ServerGID = {os.getgid()}\nMotdPhrase = hello\n[Options]\nPAM = no\n"
            "DNS = no\nIdent = no\n[Limits]\nMaxConnectionsIP = 0\n"
        )
        with _run("ngircd", [ngircd, "-n", "-f", str(conf)], port, log=d / "log") as s:
            yield s


@contextlib.contextmanager
def start_nats() -> Iterator[Server]:
    (nats,) = _need("nats-server")
    with _tmpdir("nats") as d:
        port = free_port()
        with _run("nats-server", [nats, "-a", "127.0.0.1", "-p", str(port)], port,
                  log=d / "log") as s:
            yield s


@contextlib.contextmanager
def start_rsyncd() -> Iterator[Server]:
    (rsync,) = _need("rsync")
    with _tmpdir("rsyncd") as d:
        port = free_port()
        conf = d / "rsyncd.conf"
        conf.write_text(f"pid file = {d}/pid\nuse chroot = no\n[data]\npath = {d}\n")
        argv = [rsync, "--daemon", "--no-detach", f"--config={conf}", f"--port={port}",
                "--address=127.0.0.1"]
        with _run("rsyncd", argv, port, log=d / "log") as s:
            yield s


@contextlib.contextmanager
def start_git_daemon() -> Iterator[Server]:
    (git,) = _need("git")
    with _tmpdir("git") as d:
        port = free_port()
        argv = [git, "daemon", "--reuseaddr", "--listen=127.0.0.1", f"--port={port}",
                f"--base-path={d}", str(d)]
        with _run("git-daemon", argv, port, log=d / "log") as s:
            yield s


@contextlib.contextmanager
def start_iperf3() -> Iterator[Server]:
    (iperf3,) = _need("iperf3")
    with _tmpdir("iperf3") as d:
        port = free_port()
        log = d / "log"
        # iperf3 takes any connection for a client's test, and one that brings no cookie
        # makes it close its listening socket and open it again, dropping the
        # connections waiting on it: ready is its word, not a connection.
        argv = [iperf3, "-s", "-B", "127.0.0.1", "-p", str(port), "--forceflush"]
        with _run("iperf3", argv, port, log=log,
                  ready=lambda: b"Server listening" in log.read_bytes()) as s:
            yield s


def _xinetd(service: str) -> Callable[[], contextlib.AbstractContextManager[Server]]:
    @contextlib.contextmanager
    def start() -> Iterator[Server]:
        (xinetd,) = _need("xinetd")
        _root()
        with _tmpdir(f"xinetd-{service}") as d:
            port = free_port()
            conf = d / "xinetd.conf"
            conf.write_text(
                f"service {service}\n{{\n  type = INTERNAL UNLISTED\n  id = {service}-stream\n"
                f"  socket_type = stream\n  protocol = tcp\n  port = {port}\n"
                "  bind = 127.0.0.1\n  wait = no\n  user = root\n}\n"
            )
            argv = [xinetd, "-dontfork", "-f", str(conf), "-pidfile", str(d / "pid")]
            with _run(f"xinetd {service}", argv, port, log=d / "log") as s:
                yield s

    return start


def _http_server(name: str, program: str, config: Callable[[str, int], str],
                 argv: Callable[[str, str], list[str]],
                 ) -> Callable[[], contextlib.AbstractContextManager[Server]]:
    @contextlib.contextmanager
    def start() -> Iterator[Server]:
        (path,) = _need(program)
        _root()
        with _tmpdir(name) as d:
            os.chmod(d, 0o755)
            port = free_port()
            conf = d / "server.conf"
            conf.write_text(config(str(d), port))
            (d / "index.html").write_text("portkit\n")
            with _run(name, argv(path, str(conf)), port, log=d / "log") as s:
                yield s

    return start


start_apache = _http_server(
    "apache2", "apache2",
    lambda d, port: (
        f"ServerRoot /etc/apache2\nPidFile {d}/pid\nListen 127.0.0.1:{port}\n"
        "LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so\n"
        "LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so\n"
        f"User www-data\nGroup www-data\nDocumentRoot {d}\nErrorLog {d}/error.log\n"
        "ServerName localhost\n"
    ),
    lambda path, conf: [path, "-X", "-f", conf],
)

start_lighttpd = _http_server(
    "lighttpd", "lighttpd",
    lambda d, port: (
        f'server.document-root = "{d}"\nserver.port = {port}\n'
        f'server.bind = "127.0.0.1"\nserver.pid-file = "{d}/pid"\n'
    ),
    lambda path, conf: [path, "-D", "-f", conf],
)

start_tinyproxy = _http_server(
    "tinyproxy", "tinyproxy",
    lambda d, port: f"Port {port}\nListen 127.0.0.1\nUser nobody\nGroup nogroup\nAllow 127.0.0.1\n",
    lambda path, conf: [path, "-d", "-c", conf],
)


@contextlib.contextmanager
def start_squid() -> Iterator[Server]:
    (squid,) = _need("squid")
    _root()
    with _tmpdir("squid", "proxy") as d:
        port = free_port()
        conf = d / "squid.conf"
        conf.write_text(
            f"http_port 127.0.0.1:{port}\npid_filename {d}/pid\ncache deny all\n"
            f"cache_log {d}/cache.log\naccess_log none\nhttp_access allow all\n"
            f"coredump_dir {d}\ncache_effective_user proxy\nshutdown_lifetime 0 seconds\n"
        )
        with _run("squid", [squid, "-N", "-f", str(conf)], port, log=d / "log") as s:
            yield s


@contextlib.contextmanager
def start_cupsd() -> Iterator[Server]:
    (cupsd,) = _need("cupsd")
    _root()
    with _tmpdir("cupsd") as d:
        port = free_port()
        conf = d / "cupsd.conf"
        conf.write_text(f"Listen 127.0.0.1:{port}\nLogLevel warn\nErrorLog {d}/error_log\n"
                        f"AccessLog {d}/access_log\nPageLog {d}/page_log\n")
        files = d / "cups-files.conf"
        files.write_text(f"ErrorLog {d}/error_log\nAccessLog {d}/access_log\n"
                         f"PageLog {d}/page_log\n")
        with _run("cupsd", [cupsd, "-f", "-c", str(conf), "-s", str(files)], port,
                  log=d / "log") as s:
            yield s


@contextlib.contextmanager
def start_coturn() -> Iterator[Server]:
    (turnserver,) = _need("turnserver")
    with _tmpdir("coturn") as d:
        port = free_port()
        argv = [turnserver, "-n", "--listening-ip=127.0.0.1", f"--listening-port={port}",
                "--no-tls", "--no-dtls", f"--pidfile={d}/pid", "--log-file=stdout",
                "--no-cli", f"--userdb={d}/turndb"]
        with _run("coturn", argv, port, log=d / "log") as s:
            yield s


@contextlib.contextmanager
def start_beanstalkd() -> Iterator[Server]:
    (beanstalkd,) = _need("beanstalkd")
    with _tmpdir("beanstalkd") as d:
        port = free_port()
        with _run("beanstalkd", [beanstalkd, "-l", "127.0.0.1", "-p", str(port)], port,
                  log=d / "log") as s:
            yield s


@contextlib.contextmanager
def start_svnserve() -> Iterator[Server]:
    (svnserve,) = _need("svnserve")
    with _tmpdir("svnserve") as d:
        port = free_port()
        argv = [svnserve, "-d", "--foreground", "--listen-host=127.0.0.1",
                f"--listen-port={port}", "-r", str(d)]
        with _run("svnserve", argv, port, log=d / "log") as s:
            yield s


@contextlib.contextmanager
def start_prosody() -> Iterator[Server]:
    (prosody,) = _need("prosody")
    _root()
    with _tmpdir("prosody", "prosody") as d:
        port = free_port()
        conf = d / "prosody.cfg.lua"
        conf.write_text(
            f'pidfile = "{d}/pid"\ndata_path = "{d}"\nc2s_ports = {{ {port} }}\n'
            's2s_ports = { }\ncomponent_ports = { }\nhttp_ports = { }\nhttps_ports = { }\n'
            'interfaces = { "127.0.0.1" }\nlog = "*console"\n'
            'daemonize = false\nVirtualHost "localhost"\n'
        )
        env = {"PROSODY_CONFIG": str(conf)}
        with _run("prosody", [prosody, "--config", str(conf), "-F"], port, log=d / "log",
                  env=env, user="prosody") as s:
            yield s


@contextlib.contextmanager
def start_proftpd() -> Iterator[Server]:
    (proftpd,) = _need("proftpd")
    _root()
    with _tmpdir("proftpd") as d:
        port = free_port()
        conf = d / "proftpd.conf"
        conf.write_text(
            f'ServerType standalone\nDefaultAddress 127.0.0.1\nPort {port}\nUser nobody\n'
            f'Group nogroup\nPidFile {d}/pid\nScoreboardFile {d}/scoreboard\n'
            'UseIPv6 off\nWtmpLog off\nDelayTable none\nUseReverseDNS off\n'
        )
        with _run("proftpd", [proftpd, "-n", "-c", str(conf)], port, log=d / "log") as s:
            yield s


@contextlib.contextmanager
def start_exim() -> Iterator[Server]:
    (exim,) = _need("exim4")
    _root()
    with _tmpdir("exim") as d:
        port = free_port()
        argv = [exim, "-bdf", "-oX", f"127.0.0.1.{port}", "-oP", str(d / "pid")]
        with _run("exim4", argv, port, log=d / "log") as s:
            yield s


@contextlib.contextmanager
def start_smbd() -> Iterator[Server]:
    (smbd,) = _need("smbd")
    _root()
    with _tmpdir("smbd") as d:
        port = free_port()
        conf = d / "smb.conf"
        for sub in ("lock", "state", "cache", "pid", "private", "ncalrpc"):
            (d / sub).mkdir()
        conf.write_text(
            f"[global]\ninterfaces = 127.0.0.1\nbind interfaces only = yes\n"
            f"smb ports = {port}\nlock directory = {d}/lock\nstate directory = {d}/state\n"
            f"cache directory = {d}/cache\npid directory = {d}/pid\n"
            f"private dir = {d}/private\nncalrpc dir = {d}/ncalrpc\n"
            "disable netbios = yes\nserver role = standalone server\n"
        )
        argv = [smbd, "--foreground", "-s", str(conf),
                "--debug-stdout"]
        with _run("smbd", argv, port, log=d / "log") as s:
            yield s


@contextlib.contextmanager
def start_xvnc() -> Iterator[Server]:
    (xvnc,) = _need("Xvnc")
    with _tmpdir("xvnc") as d:
        port = free_port()
        display = 40 + port % 50
        argv = [xvnc, f":{display}", "-rfbport", str(port), "-interface", "127.0.0.1",
                "-SecurityTypes", "None", "-nolisten", "unix", "-localhost"]
        with _run("Xvnc", argv, port, log=d / "log", env={"HOME": str(d)}) as s:
            yield s


@contextlib.contextmanager
def start_x11() -> Iterator[Server]:
    (xvnc,) = _need("Xvnc")
    for display in range(60, 90):
        port = 6000 + display
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                break
    else:
        raise ServerUnavailable("no free X display")
    with _tmpdir("x11") as d:
        argv = [xvnc, f":{display}", "-rfbport", "-1", "-listen", "tcp", "-nolisten", "unix",
                "-SecurityTypes", "None"]
        with _run("Xvnc X11", argv, port, log=d / "log", env={"HOME": str(d)}) as s:
            yield s


@contextlib.contextmanager
def start_kamailio() -> Iterator[Server]:
    (kamailio,) = _need("kamailio")
    with _tmpdir("kamailio") as d:
        port = free_port()
        conf = d / "kamailio.cfg"
        conf.write_text(
            f"#!KAMAILIO\nlisten=tcp:127.0.0.1:{port}\nlisten=udp:127.0.0.1:{port}\n"
            'loadmodule "sl.so"\nloadmodule "tm.so"\n'
            "request_route {\n  if (method == \"OPTIONS\") { sl_send_reply(\"200\", \"OK\"); }\n"
            "  exit;\n}\n"
        )
        argv = [kamailio, "-DD", "-E", "-f", str(conf), "-P", str(d / "pid"),
                "-Y", str(d), "-L", "/usr/lib/x86_64-linux-gnu/kamailio/modules"]
        with _run("kamailio", argv, port, log=d / "log") as s:
            yield s


@contextlib.contextmanager
def start_rabbitmq() -> Iterator[Server]:
    (server,) = _need("rabbitmq-server")
    _root()
    with _tmpdir("rabbitmq", "rabbitmq") as d:
        port = free_port()
        dist = free_port()
        env = {
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1", "RABBITMQ_NODE_PORT": str(port),
            "RABBITMQ_DIST_PORT": str(dist), "RABBITMQ_MNESIA_BASE": str(d),
            "RABBITMQ_LOG_BASE": str(d), "RABBITMQ_NODENAME": f"portkit{port}@localhost",
            "RABBITMQ_PID_FILE": str(d / "pid"), "HOME": str(d),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(d / "plugins"),
        }
        (d / "plugins").write_text("[].\n")
        shutil.chown(d / "plugins", "rabbitmq", "rabbitmq")
        with _run("rabbitmq", [server], port, log=d / "log", env=env, user="rabbitmq",
                  wait=60.0) as s:
            yield s


@contextlib.contextmanager
def start_munin_node() -> Iterator[Server]:
    (node,) = _need("munin-node")
    _root()
    with _tmpdir("munin") as d:
        port = free_port()
        conf = d / "munin-node.conf"
        conf.write_text(
            f"host_name portkit.test\nallow ^127\\.0\\.0\\.1$\nhost 127.0.0.1\nport {port}\n"
            f"pid_file {d}/pid\nbackground 0\nsetsid 0\nuser root\ngroup root\n"
            f"log_file {d}/munin.log\n"
        )
        argv = [node, "--config", str(conf), "--foreground"]
        with _run("munin-node", argv, port, log=d / "log") as s:
            yield s


@contextlib.contextmanager
def start_telnetd() -> Iterator[Server]:
    (xinetd,) = _need("xinetd")
    telnetd = shutil.which("telnetd", path="/usr/sbin:/usr/libexec:/usr/lib")
    if telnetd is None:
        raise ServerUnavailable("telnetd is not installed")
    _root()
    with _tmpdir("telnetd") as d:
        port = free_port()
        conf = d / "xinetd.conf"
        conf.write_text(
            f"service telnet\n{{\n  type = UNLISTED\n  socket_type = stream\n"
            f"  protocol = tcp\n  port = {port}\n  bind = 127.0.0.1\n  wait = no\n"
            f"  user = root\n  server = {telnetd}\n}}\n"
        )
        argv = [xinetd, "-dontfork", "-f", str(conf), "-pidfile", str(d / "pid")]
        with _run("telnetd", argv, port, log=d / "log") as s:
            yield s


@contextlib.contextmanager
def start_xrdp() -> Iterator[Server]:
    (xrdp,) = _need("xrdp")
    _root()
    with _tmpdir("xrdp") as d:
        port = free_port()
        os.makedirs("/run/xrdp/sockdir", exist_ok=True)
        with _run("xrdp", [xrdp, "-n", "-p", str(port)], port, log=d / "log") as s:
            yield s


@contextlib.contextmanager
def start_zookeeper() -> Iterator[Server]:
    (java,) = _need("java")
    _root()
    with _tmpdir("zookeeper") as d:
        port = free_port()
        conf = d / "zoo.cfg"
        conf.write_text(f"tickTime=2000\ndataDir={d}\nclientPort={port}\n"
                        "clientPortAddress=127.0.0.1\nadmin.enableServer=false\n")
        jars = ":".join(str(p) for p in sorted(Path("/usr/share/java").glob("*.jar"))
                        if p.name.startswith(("zookeeper", "slf4j", "log4j", "netty",
                                              "commons", "jline", "metrics", "snappy",
                                              "audience", "jetty", "javax", "jackson")))
        argv = [java, "-cp", f"/etc/zookeeper/conf:{jars}",
                "org.apache.zookeeper.server.quorum.QuorumPeerMain", str(conf)]
        with _run("zookeeper", argv, port, log=d / "log", wait=60.0) as s:
            yield s


@contextlib.contextmanager
def start_gearmand() -> Iterator[Server]:
    (gearmand,) = _need("gearmand")
    with _tmpdir("gearmand") as d:
        port = free_port()
        argv = [gearmand, "-L", "127.0.0.1", "-p", str(port), "--log-file", "stderr"]
        if _is_root():
            argv += ["-u", "root"]
        with _run("gearmand", argv, port, log=d / "log") as s:
            yield s


MORE_SERVERS: dict[str, Callable[[], contextlib.AbstractContextManager[Server]]] = {
    "bind9": start_bind9,
    "unbound": start_unbound,
    "slapd": start_slapd,
    "mosquitto": start_mosquitto,
    "ngircd": start_ngircd,
    "nats": start_nats,
    "rsyncd": start_rsyncd,
    "git-daemon": start_git_daemon,
    "iperf3": start_iperf3,
    "echo": _xinetd("echo"),
    "daytime": _xinetd("daytime"),
    "apache2": start_apache,
    "lighttpd": start_lighttpd,
    "tinyproxy": start_tinyproxy,
    "squid": start_squid,
    "cupsd": start_cupsd,
    "coturn": start_coturn,
    "beanstalkd": start_beanstalkd,
    "svnserve": start_svnserve,
    "prosody": start_prosody,
    "proftpd": start_proftpd,
    "exim4": start_exim,
    "smbd": start_smbd,
    "xvnc": start_xvnc,
    "x11": start_x11,
    "kamailio": start_kamailio,
    "rabbitmq": start_rabbitmq,
    "munin-node": start_munin_node,
    "telnetd": start_telnetd,
    "xrdp": start_xrdp,
    "zookeeper": start_zookeeper,
    "gearmand": start_gearmand,
}

# -- UDP servers ----------------------------------------------------------------------

@contextlib.contextmanager
def start_memcached_udp() -> Iterator[Server]:
    (memcached,) = _need("memcached")
    with _tmpdir("memcached-udp") as d:
        port = free_port(socket.SOCK_DGRAM)
        argv = [memcached, "-l", "127.0.0.1", "-p", "0", "-U", str(port), "-m", "8"]
        if _is_root():
            argv += ["-u", "nobody"]
        with _run("memcached udp", argv, port, protocol="udp", log=d / "log") as s:
            yield s


@contextlib.contextmanager
def start_tftpd() -> Iterator[Server]:
    (tftpd,) = _need("in.tftpd")
    _root()
    with _tmpdir("tftpd") as d:
        port = free_port(socket.SOCK_DGRAM)
        argv = [tftpd, "-L", "-a", f"127.0.0.1:{port}", "-u", "nobody", "-s", str(d)]
        with _run("tftpd", argv, port, protocol="udp", log=d / "log") as s:
            yield s


@contextlib.contextmanager
def start_coturn_udp() -> Iterator[Server]:
    with start_coturn() as tcp:
        yield Server("coturn udp", tcp.port, "udp")


@contextlib.contextmanager
def start_kamailio_udp() -> Iterator[Server]:
    with start_kamailio() as tcp:
        yield Server("kamailio udp", tcp.port, "udp")


@contextlib.contextmanager
def start_nmbd() -> Iterator[Server]:
    (nmbd,) = _need("nmbd")
    _root()
    with _tmpdir("nmbd") as d:
        port = free_port(socket.SOCK_DGRAM)
        for sub in ("lock", "state", "cache", "pid", "private"):
            (d / sub).mkdir()
        conf = d / "smb.conf"
        conf.write_text(
            "[global]\ninterfaces = lo\nbind interfaces only = no\n"
            f"netbios name = PORTKIT\nlock directory = {d}/lock\nstate directory = {d}/state\n"
            f"cache directory = {d}/cache\npid directory = {d}/pid\nprivate dir = {d}/private\n"
        )
        argv = [nmbd, "--foreground", "--debug-stdout", "-s", str(conf), "-p", str(port)]
        with _run("nmbd", argv, port, protocol="udp", log=d / "log") as s:
            yield s


@contextlib.contextmanager
def start_krb5kdc() -> Iterator[Server]:
    kdc, kdb5_util = _need("krb5kdc", "kdb5_util")
    _root()
    with _tmpdir("krb5kdc") as d:
        port = free_port(socket.SOCK_DGRAM)
        realm = "PORTKIT.TEST"
        (d / "kdc.conf").write_text(
            f"[kdcdefaults]\n kdc_ports = {port}\n kdc_tcp_ports = \"\"\n"
            f"[realms]\n {realm} = {{\n  database_name = {d}/principal\n"
            f"  key_stash_file = {d}/stash\n  kdc_listen = 127.0.0.1:{port}\n }}\n"
        )
        (d / "krb5.conf").write_text(f"[libdefaults]\n default_realm = {realm}\n")
        env = {"KRB5_CONFIG": str(d / "krb5.conf"), "KRB5_KDC_PROFILE": str(d / "kdc.conf")}
        subprocess.run([kdb5_util, "create", "-r", realm, "-s", "-P", "portkit-master"],
                       env={**os.environ, **env}, check=True, capture_output=True)
        with _run("krb5kdc", [kdc, "-n", "-r", realm], port, protocol="udp",
                  log=d / "log", env=env) as s:
            yield s


@contextlib.contextmanager
def start_rpcbind() -> Iterator[Server]:
    (rpcbind,) = _need("rpcbind")
    _root()
    if not _udp_free(111):
        raise ServerUnavailable("port 111/udp is taken")
    # Not -h 127.0.0.1: Debian's rpcbind 1.2.6 dies of a double free with it.
    with _tmpdir("rpcbind") as d, _run(
        "rpcbind", [rpcbind, "-f"], 111, protocol="udp", log=d / "log"
    ) as s:
        yield s


def _udp_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


UDP_SERVERS: dict[str, Callable[[], contextlib.AbstractContextManager[Server]]] = {
    "memcached-udp": start_memcached_udp,
    "tftpd": start_tftpd,
    "coturn-udp": start_coturn_udp,
    "kamailio-udp": start_kamailio_udp,
    "nmbd": start_nmbd,
    "krb5kdc": start_krb5kdc,
    "rpcbind": start_rpcbind,
}
