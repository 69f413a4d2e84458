"""Real servers from Debian packages, started on loopback for tests and benchmarks.

Each ``start_*`` function is a context manager: it writes a private configuration
under a temporary directory, runs the server in the foreground on 127.0.0.1 and a
free port, waits until the port is bound, yields a :class:`Server` and terminates
the server on exit. When a server cannot start, :class:`ServerUnavailable` says why
(tests turn it into ``pytest.skip``).
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import random
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import attrs

__all__ = ["SERVERS", "Server", "ServerUnavailable", "free_port"]


class ServerUnavailable(Exception):
    """A server could not be started here; the message says why."""


@attrs.frozen
class Server:
    name: str
    port: int
    protocol: str = "tcp"


def _ephemeral_low() -> int:
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    """A port on 127.0.0.1 that nothing uses now, below the kernel's ephemeral range.

    A port the kernel hands out itself (bind to 0) is an ephemeral port, which the
    kernel may give again, before the server binds it, as the source port of some
    connection, even one to that very port (a TCP self-connect): servers started on
    it then fail with EADDRINUSE now and then. Below the range nothing takes it.
    """
    low = _ephemeral_low()
    rng = random.Random()
    for _ in range(500):
        port = rng.randrange(max(1024, low - 12000), low)
        with socket.socket(socket.AF_INET, kind) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port below the ephemeral range")


def _tcp_accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


def _udp_bound(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError as e:
            return e.errno == errno.EADDRINUSE
    return False


def _need(*programs: str) -> list[str]:
    found = []
    for program in programs:
        path = shutil.which(program) or shutil.which(program, path="/usr/sbin:/sbin")
        if path is None:
            raise ServerUnavailable(f"{program} is not installed")
        found.append(path)
    return found


@contextlib.contextmanager
def _run(
    name: str,
    argv: Sequence[str],
    port: int,
    *,
    protocol: str = "tcp",
    wait: float = 20.0,
    user: str | None = None,
    env: dict[str, str] | None = None,
    log: Path,
    stop: Callable[[], None] | None = None,
    ready: Callable[[], bool] | None = None,
) -> Iterator[Server]:
    """Start *argv*, wait until it is *ready* (by default: it accepts a connection on
    *port*, or has the UDP *port* bound), and stop it afterwards."""
    if user is not None:
        argv = ["setpriv", f"--reuid={user}", f"--regid={user}", "--init-groups", *argv]
    with log.open("wb") as out:
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
        )
    try:
        if ready is None:
            check = _tcp_accepts if protocol == "tcp" else _udp_bound
            ready = functools.partial(check, port)
        deadline = time.monotonic() + wait
        while not ready():
            if proc.poll() is not None or time.monotonic() > deadline:
                tail = log.read_text(errors="replace")[-800:]
                raise ServerUnavailable(f"{name} did not start on port {port}: {tail}")
            time.sleep(0.05)
        yield Server(name, port, protocol)
    finally:
        if stop is not None:
            with contextlib.suppress(Exception):
                stop()
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _is_root() -> bool:
    return os.geteuid() == 0


@contextlib.contextmanager
def _tmpdir(name: str, owner: str | None = None) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix=f"portkit-{name}-") as d:
        path = Path(d)
        if owner is not None and _is_root():
            shutil.chown(path, owner, owner)
        yield path


@contextlib.contextmanager
def start_sshd() -> Iterator[Server]:
    sshd, keygen = _need("sshd", "ssh-keygen")
    if not _is_root():
        raise ServerUnavailable("sshd's privilege separation needs root")
    with _tmpdir("sshd") as d:
        os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
        key = d / "host_ed25519"
        subprocess.run([keygen, "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
        port = free_port()
        conf = d / "sshd_config"
        conf.write_text(
            f"Port {port}\nListenAddress 127.0.0.1\nHostKey {key}\nPidFile none\n"
            "UsePAM no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n"
        )
        with _run("sshd", [sshd, "-D", "-e", "-f", str(conf)], port, log=d / "log") as s:
            yield s


def nginx_config(d: Path, servers: str) -> Path:
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (d / sub).mkdir(exist_ok=True)
    conf = d / "nginx.conf"
    conf.write_text(
        "daemon off;\nmaster_process off;\nworker_processes 1;\n"
        f"pid {d}/nginx.pid;\nerror_log stderr warn;\n"
        "events { worker_connections 256; }\n"
        "http {\n access_log off;\n"
        f" client_body_temp_path {d}/body;\n proxy_temp_path {d}/proxy;\n"
        f" fastcgi_temp_path {d}/fastcgi;\n uwsgi_temp_path {d}/uwsgi;\n"
        f" scgi_temp_path {d}/scgi;\n"
        f"{servers}\n}}\n"
    )
    return conf


@contextlib.contextmanager
def start_nginx(tls: tuple[Path, Path] | None = None) -> Iterator[Server]:
    """nginx serving a fixed page; with *tls* = (certificate chain, key), over TLS."""
    (nginx,) = _need("nginx")
    with _tmpdir("nginx") as d:
        port = free_port()
        listen = f"listen 127.0.0.1:{port};"
        if tls is not None:
            listen = (
                f"listen 127.0.0.1:{port} ssl http2; ssl_certificate {tls[0]};"
                f" ssl_certificate_key {tls[1]}; ssl_protocols TLSv1.2 TLSv1.3;"
            )
        conf = nginx_config(
            d, f" server {{ {listen} location / {{ return 200 \"portkit test page\\n\"; }} }}"
        )
        argv = [nginx, "-p", str(d), "-c", str(conf), "-e", "stderr"]
        with _run("nginx", argv, port, log=d / "log") as s:
            yield s


@contextlib.contextmanager
def start_postfix(tls: tuple[Path, Path] | None = None) -> Iterator[Server]:
    (postfix,) = _need("postfix")
    if not _is_root():
        raise ServerUnavailable("postfix's master runs as root")
    with _tmpdir("postfix") as d:
        d.chmod(0o755)
        port = free_port()
        queue = d / "queue"
        data = d / "data"
        queue.mkdir()
        data.mkdir()
        shutil.chown(data, "postfix", "postfix")
        (d / "main.cf").write_text(
            f"queue_directory = {queue}\ndata_directory = {data}\n"
            "compatibility_level = 3.6\nmyhostname = mail.portkit.test\n"
            "inet_interfaces = 127.0.0.1\ninet_protocols = ipv4\nmaillog_file = /dev/stdout\n"
            "smtpd_banner = $myhostname ESMTP $mail_name (Debian/GNU)\n"
            "mydestination =\nrelayhost =\nalias_maps =\nalias_database =\n"
            + (
                f"smtpd_tls_security_level = may\nsmtpd_tls_cert_file = {tls[0]}\n"
                f"smtpd_tls_key_file = {tls[1]}\n"
                if tls
                else "smtpd_tls_security_level = none\n"
            )
        )
        master = Path("/etc/postfix/master.cf")
        lines = []
        if master.exists():
            for line in master.read_text().splitlines():
                smtp = line.startswith("smtp ") and " inet " in line
                lines.append(f"127.0.0.1:{port} inet n - n - - smtpd" if smtp else line)
        if not lines:
            raise ServerUnavailable("/etc/postfix/master.cf is missing")
        (d / "master.cf").write_text("\n".join(lines) + "\n")
        argv = [postfix, "-c", str(d), "start-fg"]

        def stop() -> None:
            subprocess.run([postfix, "-c", str(d), "stop"], capture_output=True, check=False)

        with _run("postfix", argv, port, log=d / "log", stop=stop) as s:
            yield s


@contextlib.contextmanager
def start_dovecot(tls: tuple[Path, Path] | None = None) -> Iterator[tuple[Server, Server]]:
    (dovecot,) = _need("dovecot")
    if not _is_root():
        raise ServerUnavailable("dovecot's master runs as root")
    with _tmpdir("dovecot") as d:
        imap, pop3 = free_port(), free_port()
        run = d / "run"
        run.mkdir()
        conf = d / "dovecot.conf"
        conf.write_text(
            f"protocols = imap pop3\nlisten = 127.0.0.1\nbase_dir = {run}\n"
            "log_path = /dev/stderr\ndisable_plaintext_auth = no\n"
            + (f"ssl = yes\nssl_cert = <{tls[0]}\nssl_key = <{tls[1]}\n" if tls else "ssl = no\n")
            +
            f"state_dir = {d}\nmail_location = maildir:{d}/mail/%u\n"
            "passdb {\n driver = static\n args = password=unused\n}\n"
            f"userdb {{\n driver = static\n args = uid=nobody gid=nogroup home={d}/home/%u\n}}\n"
            f"service imap-login {{\n inet_listener imap {{\n  port = {imap}\n }}\n"
            "  inet_listener imaps {\n  port = 0\n }\n}\n"
            f"service pop3-login {{\n inet_listener pop3 {{\n  port = {pop3}\n }}\n"
            "  inet_listener pop3s {\n  port = 0\n }\n}\n"
            "service anvil {\n chroot =\n}\nservice imap-login {\n chroot =\n}\n"
            "service pop3-login {\n chroot =\n}\n"
        )
        argv = [dovecot, "-F", "-c", str(conf)]
        with _run("dovecot", argv, imap, log=d / "log"):
            deadline = time.monotonic() + 10
            while not _tcp_accepts(pop3):
                if time.monotonic() > deadline:
                    raise ServerUnavailable("dovecot did not open its POP3 port")
                time.sleep(0.05)
            yield Server("dovecot-imap", imap), Server("dovecot-pop3", pop3)


@contextlib.contextmanager
def start_redis() -> Iterator[Server]:
    (redis,) = _need("redis-server")
    with _tmpdir("redis") as d:
        port = free_port()
        argv = [
            redis, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "no", "--dir", str(d), "--daemonize", "no",
        ]
        with _run("redis", argv, port, log=d / "log") as s:
            yield s


@contextlib.contextmanager
def start_memcached() -> Iterator[Server]:
    (memcached,) = _need("memcached")
    with _tmpdir("memcached") as d:
        port = free_port()
        argv = [memcached, "-l", "127.0.0.1", "-p", str(port), "-U", "0", "-m", "8"]
        if _is_root():
            argv += ["-u", "nobody"]
        with _run("memcached", argv, port, log=d / "log") as s:
            yield s


@contextlib.contextmanager
def start_vsftpd() -> Iterator[Server]:
    (vsftpd,) = _need("vsftpd")
    if not _is_root():
        raise ServerUnavailable("vsftpd runs as root")
    with _tmpdir("vsftpd") as d:
        port = free_port()
        os.makedirs("/var/run/vsftpd/empty", exist_ok=True)
        conf = d / "vsftpd.conf"
        conf.write_text(
            f"listen=YES\nlisten_ipv6=NO\nlisten_address=127.0.0.1\nlisten_port={port}\n"
            "background=NO\nanonymous_enable=NO\nlocal_enable=YES\nseccomp_sandbox=NO\n"
            "secure_chroot_dir=/var/run/vsftpd/empty\n"
        )
        with _run("vsftpd", [vsftpd, str(conf)], port, log=d / "log") as s:
            yield s


@contextlib.contextmanager
def start_mariadb() -> Iterator[Server]:
    mariadbd, install = _need("mariadbd", "mariadb-install-db")
    with _tmpdir("mariadb", owner="mysql") as d:
        port = free_port()
        data = d / "data"
        init = subprocess.run(
            [install, "--no-defaults", f"--datadir={data}", "--user=mysql",
             "--auth-root-authentication-method=socket", "--skip-test-db"],
            capture_output=True, check=False, timeout=120,
        )
        if init.returncode != 0:
            raise ServerUnavailable(f"mariadb-install-db failed: {init.stderr[-400:]!r}")
        argv = [
            mariadbd, "--no-defaults", f"--datadir={data}", f"--socket={d}/sock",
            f"--pid-file={d}/pid", f"--port={port}", "--bind-address=127.0.0.1",
            "--user=mysql", "--skip-log-bin", "--innodb-buffer-pool-size=8M",
        ]
        with _run("mariadb", argv, port, log=d / "log", wait=60) as s:
            yield s


@contextlib.contextmanager
def start_postgresql() -> Iterator[Server]:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"))
    if not versions:
        raise ServerUnavailable("postgresql server is not installed")
    bindir = versions[-1].parent
    user = "postgres" if _is_root() else None
    with _tmpdir("postgresql", owner=user) as d:
        port = free_port()
        data = d / "data"
        initdb = [str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"]
        if user:
            initdb = ["setpriv", f"--reuid={user}", f"--regid={user}", "--init-groups", *initdb]
        done = subprocess.run(initdb, capture_output=True, check=False, timeout=120)
        if done.returncode != 0:
            raise ServerUnavailable(f"initdb failed: {done.stderr[-400:]!r}")
        argv = [
            str(bindir / "postgres"), "-D", str(data), "-p", str(port), "-k", str(d),
            "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
        ]
        with _run("postgresql", argv, port, user=user, log=d / "log", wait=60) as s:
            yield s


@contextlib.contextmanager
def start_dnsmasq() -> Iterator[Server]:
    (dnsmasq,) = _need("dnsmasq")
    with _tmpdir("dnsmasq") as d:
        port = free_port(socket.SOCK_DGRAM)
        argv = [
            dnsmasq, "--keep-in-foreground", "--conf-file=/dev/null", f"--port={port}",
            "--listen-address=127.0.0.1", "--bind-interfaces", "--no-resolv", "--no-hosts",
            "--address=/portkit.test/127.0.0.9", f"--pid-file={d}/pid", "--log-facility=-",
        ]
        if _is_root():
            argv.append("--user=root")
        with _run("dnsmasq", argv, port, protocol="udp", log=d / "log") as s:
            yield s


@contextlib.contextmanager
def start_chronyd() -> Iterator[Server]:
    (chronyd,) = _need("chronyd")
    with _tmpdir("chrony") as d:
        port = free_port(socket.SOCK_DGRAM)
        conf = d / "chrony.conf"
        conf.write_text(
            f"port {port}\nbindaddress 127.0.0.1\nallow 127.0.0.1\nlocal stratum 10\n"
            f"cmdport 0\npidfile {d}/pid\ndriftfile {d}/drift\n"
        )
        argv = [chronyd, "-d", "-x", "-f", str(conf)]
        if _is_root():
            argv += ["-u", "root"]
        with _run("chronyd", argv, port, protocol="udp", log=d / "log") as s:
            yield s


@contextlib.contextmanager
def start_snmpd() -> Iterator[Server]:
    (snmpd,) = _need("snmpd")
    with _tmpdir("snmpd") as d:
        port = free_port(socket.SOCK_DGRAM)
        conf = d / "snmpd.conf"
        conf.write_text(
            "rocommunity public 127.0.0.1\nsysDescr portkit test agent\n"
            "sysLocation loopback\n"
        )
        argv = [
            snmpd, "-f", "-Lo", "-C", "-c", str(conf), "-p", str(d / "pid"),
            f"udp:127.0.0.1:{port}",
        ]
        env = {"SNMP_PERSISTENT_DIR": str(d), "MIBS": ""}
        with _run("snmpd", argv, port, protocol="udp", log=d / "log", env=env) as s:
            yield s


#: The single-port servers by name (dovecot, which opens two, is separate).
SERVERS: dict[str, Callable[[], contextlib.AbstractContextManager[Server]]] = {
    "ssh": start_sshd,
    "http": start_nginx,
    "smtp": start_postfix,
    "ftp": start_vsftpd,
    "redis": start_redis,
    "memcached": start_memcached,
    "mysql": start_mariadb,
    "postgresql": start_postgresql,
    "dns": start_dnsmasq,
    "ntp": start_chronyd,
    "snmp": start_snmpd,
}
