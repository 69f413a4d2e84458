"""A network lab of namespaces: a scanner, a router with a delay line, target hosts.

::

    scanner ns          router ns                         target ns 1, 2, ...
    10.77.0.2 --veth-- 10.77.0.1   [dl0: delay line]   10.77.1x.1 --veth-- 10.77.1x.2
                        routes 10.77.1.0/24:                 lo: 10.77.1.a/32 (live hosts)
                        live /32s to their target ns,        nftables: drop, reject
                        the rest blackholed (silent),
                        10.77.1.240/29 rejected (admin-prohibited)

Every packet the router forwards from the scanner's or a target's link is routed
(policy routing on the incoming interface) into the TUN device ``dl0``, where
``delayline.py`` holds it for the one-way delay (plus jitter) or drops it, then
writes it back, and the router forwards it on. A round trip crosses the delay line
twice. Live hosts have real listeners (``lab.py listen``) on their open ports; their
closed ports are closed (the kernel resets), dropped and rejected ports are made so
by nftables in their namespace. Dead addresses have no route: silence.

Everything lives in namespaces that :func:`make_lab` creates and deletes; nothing
leaves them. Processes it starts (the delay line, the listeners) end when the lab
closes their standard input, or after their lifetime, whichever comes first.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DELAY_LINE = HERE / "delayline.py"
NETWORK = "10.77.1.0/24"
SCANNER = "10.77.0.2"
REJECTED = "10.77.1.240/29"
LIFETIME = 900.0


@dataclass
class Host:
    """One live address of the lab and what each of its ports does."""

    address: str
    open: Sequence[int] = ()
    dropped: Sequence[int] = ()
    rejected: Sequence[int] = ()  # with ICMP admin-prohibited


@dataclass
class Lab:
    """A running lab: namespace names and what it was built with."""

    scanner: str
    router: str
    targets: list[str]
    hosts: list[Host]
    rtt: float
    loss: float
    processes: list[subprocess.Popen[str]] = field(default_factory=list)

    def command(self, argv: Sequence[str], namespace: str | None = None) -> list[str]:
        """*argv* run inside the scanner namespace (or *namespace*)."""
        return ["ip", "netns", "exec", namespace or self.scanner, *argv]

    def run(
        self, argv: Sequence[str], timeout: float = 300, check: bool = True, **kw: Any
    ) -> subprocess.CompletedProcess[str]:
        """Run *argv* in the scanner namespace; its completed process."""
        proc = subprocess.run(
            self.command(argv), capture_output=True, text=True, timeout=timeout,
            check=False, **kw,
        )
        if check and proc.returncode != 0:
            raise RuntimeError(f"{argv!r} failed ({proc.returncode}):\n{proc.stderr}")
        return proc

    def python(self, code: str, *args: str, timeout: float = 300) -> str:
        """Run Python *code* in the scanner namespace; its standard output."""
        return self.run([sys.executable, "-c", code, *args], timeout=timeout).stdout

    def scan(self, targets: Any, ports: Any, **options: Any) -> list[dict[str, Any]]:
        """``portkit.scan_sync`` in the scanner namespace; results as dicts."""
        code = (
            "import json, sys, portkit\n"
            "spec = json.loads(sys.argv[1])\n"
            "for r in portkit.scan_sync(spec['t'], spec['p'], **spec['o']):\n"
            "    print(json.dumps(r.to_dict()))\n"
        )
        out = self.python(code, json.dumps({"t": targets, "p": ports, "o": options}))
        return [json.loads(line) for line in out.splitlines() if line.strip()]


def available() -> str | None:
    """None when a lab can be built here, else the reason it cannot."""
    if not sys.platform.startswith("linux"):
        return "network namespaces are Linux's"
    if os.geteuid() != 0:
        return "building network namespaces needs root"
    for tool in ("ip", "nft"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (iproute2, nftables)"
    if not os.path.exists("/dev/net/tun"):
        return "no /dev/net/tun for the delay line"
    return None


def _sh(*argv: str, input: str | None = None) -> None:
    proc = subprocess.run(
        list(argv), input=input, capture_output=True, text=True, timeout=30, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)}: {proc.stderr.strip()}")


def _sysctl(ns: str, *settings: str) -> None:
    for setting in settings:
        _sh("ip", "netns", "exec", ns, "sysctl", "-qw", setting)


def _start(argv: list[str], lab: Lab) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )
    lab.processes.append(proc)
    assert proc.stdout is not None
    line = proc.stdout.readline()  # "ready", or nothing when it failed
    if line.strip() != "ready":
        raise RuntimeError(f"{argv!r} did not start: {proc.stderr.read() if proc.stderr else ''}")
    return proc


def _nft_rules(hosts: Sequence[Host]) -> str:
    lines = []
    for host in hosts:
        if host.dropped:
            ports = ", ".join(map(str, host.dropped))
            lines.append(f"ip daddr {host.address} tcp dport {{ {ports} }} drop")
        if host.rejected:
            ports = ", ".join(map(str, host.rejected))
            lines.append(
                f"ip daddr {host.address} tcp dport {{ {ports} }} "
                "reject with icmp type admin-prohibited"
            )
    body = "\n    ".join(lines)
    return (
        "table inet portkit_lab {\n  chain input {\n"
        "    type filter hook input priority 0; policy accept;\n"
        f"    {body}\n  }}\n}}\n"
    )


@contextlib.contextmanager
def make_lab(
    hosts: Sequence[Host],
    *,
    rtt: float = 0.0,
    jitter: float = 0.0,
    loss: float = 0.0,
    namespaces: int = 2,
    seed: int | None = None,
) -> Iterator[Lab]:
    """Build the lab; tear it down on exit.

    Args:
        hosts: The live addresses (in 10.77.1.0/24, outside 10.77.1.240/29).
        rtt: Round-trip time the delay line adds, in seconds (half each way).
        jitter: Each crossing's delay varies by up to this much either way.
        loss: Round-trip loss: the chance that a probe or its answer is lost.
            Each crossing drops ``1 - sqrt(1 - loss)`` of the packets.
        namespaces: How many target namespaces share the live hosts.
        seed: Seeds the delay line's losses and jitter.

    Raises:
        RuntimeError: the lab could not be built (see :func:`available` first).
    """
    reason = available()
    if reason is not None:
        raise RuntimeError(reason)
    tag = secrets.token_hex(3)
    scanner, router = f"pkl{tag}-s", f"pkl{tag}-r"
    targets = [f"pkl{tag}-t{i}" for i in range(namespaces)]
    lab = Lab(scanner, router, targets, list(hosts), rtt, loss)
    made: list[str] = []
    try:
        for ns in (scanner, router, *targets):
            _sh("ip", "netns", "add", ns)
            made.append(ns)
            _sh("ip", "-n", ns, "link", "set", "lo", "up")
        # scanner <-> router
        _sh("ip", "link", "add", "s0", "netns", scanner, "type", "veth",
            "peer", "name", "r0", "netns", router)
        _sh("ip", "-n", scanner, "addr", "add", f"{SCANNER}/24", "dev", "s0")
        _sh("ip", "-n", scanner, "link", "set", "s0", "up")
        _sh("ip", "-n", scanner, "route", "add", "default", "via", "10.77.0.1")
        _sysctl(scanner, "net.ipv4.ping_group_range=0 2147483647")
        _sysctl(
            router, "net.ipv4.ip_forward=1", "net.ipv4.conf.all.rp_filter=0",
            "net.ipv4.conf.default.rp_filter=0", "net.ipv4.conf.default.forwarding=1",
            "net.ipv4.icmp_ratelimit=0", "net.ipv4.icmp_msgs_per_sec=100000",
        )
        _sh("ip", "-n", router, "addr", "add", "10.77.0.1/24", "dev", "r0")
        _sh("ip", "-n", router, "link", "set", "r0", "up")
        links = ["r0"]
        for i, ns in enumerate(targets):
            here, there = f"10.77.{10 + i}.1", f"10.77.{10 + i}.2"
            _sh("ip", "link", "add", f"r{i + 1}", "netns", router, "type", "veth",
                "peer", "name", "t0", "netns", ns)
            _sh("ip", "-n", router, "addr", "add", f"{here}/30", "dev", f"r{i + 1}")
            _sh("ip", "-n", router, "link", "set", f"r{i + 1}", "up")
            _sh("ip", "-n", ns, "addr", "add", f"{there}/30", "dev", "t0")
            _sh("ip", "-n", ns, "link", "set", "t0", "up")
            _sh("ip", "-n", ns, "route", "add", "default", "via", here)
            _sysctl(ns, "net.ipv4.icmp_ratelimit=0", "net.ipv4.icmp_msgs_per_sec=100000",
                    "net.core.somaxconn=4096", "net.ipv4.tcp_max_syn_backlog=8192")
            mine = hosts[i::namespaces]
            for host in mine:
                _sh("ip", "-n", ns, "addr", "add", f"{host.address}/32", "dev", "lo")
                _sh("ip", "-n", router, "route", "add", f"{host.address}/32", "via", there)
            _sh("ip", "netns", "exec", ns, "nft", "-f", "-", input=_nft_rules(mine))
            listen = [[h.address, p] for h in mine for p in h.open]
            if listen:
                _start(
                    ["ip", "netns", "exec", ns, sys.executable, str(Path(__file__)),
                     "listen", json.dumps(listen)],
                    lab,
                )
            links.append(f"r{i + 1}")
        _sh("ip", "-n", router, "route", "add", "blackhole", NETWORK)
        _sh("ip", "netns", "exec", router, "nft", "-f", "-", input=(
            "table ip portkit_lab {\n  chain forward {\n"
            "    type filter hook forward priority 0; policy accept;\n"
            f"    ip daddr {REJECTED} reject with icmp type admin-prohibited\n  }}\n}}\n"
        ))
        if rtt > 0 or loss > 0:
            per_crossing = 1 - (1 - loss) ** 0.5
            argv = [
                "ip", "netns", "exec", router, sys.executable, str(DELAY_LINE),
                "--dev", "dl0", "--delay", str(rtt / 2), "--jitter", str(jitter),
                "--loss", str(per_crossing), "--lifetime", str(LIFETIME),
            ]
            if seed is not None:
                argv += ["--seed", str(seed)]
            _start(argv, lab)
            _sysctl(router, "net.ipv4.conf.dl0.rp_filter=0", "net.ipv4.conf.dl0.forwarding=1")
            _sh("ip", "-n", router, "link", "set", "dl0", "up")
            _sh("ip", "-n", router, "route", "add", "default", "dev", "dl0", "table", "100")
            for link in links:
                _sh("ip", "-n", router, "rule", "add", "iif", link, "lookup", "100",
                    "pref", "100")
        yield lab
    finally:
        for proc in lab.processes:
            with contextlib.suppress(OSError, ValueError):
                if proc.stdin is not None:
                    proc.stdin.close()
        for proc in lab.processes:
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGKILL)
                proc.wait(timeout=5)
            for stream in (proc.stdout, proc.stderr):
                if stream is not None:
                    stream.close()
        for ns in made:
            subprocess.run(["ip", "netns", "del", ns], capture_output=True, timeout=30,
                           check=False)


def _listen(spec: str) -> int:
    """``lab.py listen JSON``: listen on each [address, port]; exit when stdin closes."""
    socks = []
    for address, port in json.loads(spec):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((address, port))
        sock.listen(4096)
        socks.append(sock)
    print("ready", flush=True)
    deadline = time.monotonic() + LIFETIME
    import select

    while time.monotonic() < deadline:
        readable, _, _ = select.select([sys.stdin, *socks], [], [], 1.0)
        if sys.stdin in readable and not sys.stdin.readline():
            break
        for sock in readable:
            if sock is not sys.stdin:
                with contextlib.suppress(OSError):
                    conn, _ = sock.accept()
                    conn.close()
    for sock in socks:
        sock.close()
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "listen":
        sys.exit(_listen(sys.argv[2]))
    sys.exit(f"usage: {sys.argv[0]} listen JSON")
