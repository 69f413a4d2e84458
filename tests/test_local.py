"""portkit.local.listening() and portkit.local.connections() against real sockets and ``ss``."""

from __future__ import annotations

import json
import os
import shutil
import socket
import struct
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import portkit
from _localns import SPECIFIC_V4, SPECIFIC_V6, fresh_netns, listeners, need_netns, ss_rows
from portkit import Protocol
from portkit.exceptions import LocalSocketsError
from portkit.local import Exposure, LocalSocket, TcpState
from portkit.local._procnet import decode_address, parse_table

linux_only = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="reads /proc/net: Linux only"
)

# What the namespace child holds: (protocol, family, address, port, v6only, connect).
SPECS: list[tuple[str, int, str, int, int | None, bool]] = [
    ("tcp", 4, "0.0.0.0", 23, None, False),
    ("tcp", 4, "127.0.0.1", 21, None, False),
    ("tcp", 4, SPECIFIC_V4, 8080, None, False),
    ("tcp", 6, "::", 2323, 0, False),
    ("tcp", 6, "::", 2424, 1, False),
    ("tcp", 6, "::1", 6379, None, True),
    ("tcp", 6, SPECIFIC_V6, 8443, None, False),
    ("tcp", 6, "::ffff:127.0.0.1", 8000, None, False),
    ("udp", 4, "0.0.0.0", 161, None, False),
    ("udp", 4, "127.0.0.1", 5353, None, True),
    ("udp", 6, "::", 5300, 0, False),
    ("udp", 6, "::1", 53, None, False),
]

EXPOSURE = {
    "0.0.0.0": Exposure.ALL,
    "::": Exposure.ALL,
    "127.0.0.1": Exposure.LOOPBACK,
    "::1": Exposure.LOOPBACK,
    "::ffff:127.0.0.1": Exposure.LOOPBACK,
    SPECIFIC_V4: Exposure.SPECIFIC,
    SPECIFIC_V6: Exposure.SPECIFIC,
}


@pytest.fixture(scope="module")
def populated_netns() -> Iterator[tuple[str, int]]:
    """A fresh namespace whose only sockets are SPECS, held by one child: (name, pid)."""
    with fresh_netns() as name, listeners(name, SPECS) as child:
        yield name, child.pid


def _key(s: LocalSocket) -> tuple[str, str, int, str, int, str]:
    return (
        str(s.protocol),
        s.local_address,
        s.local_port,
        s.remote_address,
        s.remote_port,
        s.state.name,
    )


def _row_key(row: dict[str, Any]) -> tuple[str, str, int, str, int, str]:
    return (
        row["protocol"],
        row["local_address"],
        row["local_port"],
        row["remote_address"],
        row["remote_port"],
        row["state"],
    )


@linux_only
def test_listeners_in_a_namespace_are_found_with_owner_exposure_and_family(
    populated_netns: tuple[str, int],
) -> None:
    netns, pid = populated_netns
    found = portkit.local.listening(netns=netns)
    assert sorted((str(s.protocol), s.family, s.local_address, s.local_port) for s in found) == (
        sorted((p, f, a, port) for p, f, a, port, _, _ in SPECS)
    )
    expected_name = os.path.basename(sys.executable)[:15]
    for s in found:
        assert s.is_listening
        assert s.state is (TcpState.LISTEN if s.protocol is Protocol.TCP else TcpState.CLOSE)
        assert s.process is not None, s
        assert s.process.pid == pid
        assert s.process.name == expected_name
        assert s.process.user == "root"
        assert s.uid == 0
        assert s.inode
        assert s.exposure is EXPOSURE[s.local_address], s
        assert s.remote_port == 0


@linux_only
def test_dual_stack_wildcards_are_told_apart_by_v6only(populated_netns: tuple[str, int]) -> None:
    netns, _ = populated_netns
    by_port = {s.local_port: s for s in portkit.local.listening(netns=netns)}
    assert by_port[2323].v6only is False
    assert by_port[2323].takes_ipv4
    assert by_port[2424].v6only is True
    assert not by_port[2424].takes_ipv4
    assert by_port[5300].takes_ipv4
    assert by_port[23].v6only is None
    assert by_port[23].takes_ipv4
    # Binding a specific IPv6 address makes the kernel set v6only itself.
    assert by_port[6379].v6only is True
    assert by_port[8000].takes_ipv4  # a mapped address takes IPv4 only


@linux_only
def test_every_listening_record_matches_ss_tulpn(populated_netns: tuple[str, int]) -> None:
    netns, _ = populated_netns
    ours = {_key(s): s for s in portkit.local.listening(netns=netns)}
    theirs = {_row_key(r): r for r in ss_rows(netns, "-tul")}
    assert set(ours) == set(theirs)
    for key, s in ours.items():
        row = theirs[key]
        assert [p.pid for p in s.processes] == row["pids"]
        assert sorted({p.name or "" for p in s.processes}) == row["names"]
        if row["dual_stack"]:
            assert s.v6only is False
        elif s.family == 6 and s.local_address == "::":
            assert s.v6only is True


@linux_only
def test_every_connection_record_matches_ss_tuapn(populated_netns: tuple[str, int]) -> None:
    netns, pid = populated_netns
    ours = {_key(s): s for s in portkit.local.connections(netns=netns)}
    theirs = {_row_key(r): r for r in ss_rows(netns, "-tua")}
    assert set(ours) == set(theirs)
    for key, s in ours.items():
        assert [p.pid for p in s.processes] == theirs[key]["pids"]
    established = [s for s in ours.values() if s.state is TcpState.ESTABLISHED]
    # The TCP pair on [::1]:6379 (both ends) and the connected UDP socket.
    assert len(established) == 3
    tcp_client = next(
        s for s in established if s.protocol is Protocol.TCP and s.remote_port == 6379
    )
    assert tcp_client.remote_address == "::1"
    assert tcp_client.remote is not None
    assert tcp_client.remote.port == 6379
    assert all(s.process is not None and s.process.pid == pid for s in established)


@linux_only
def test_processes_false_leaves_owners_empty(populated_netns: tuple[str, int]) -> None:
    netns, _ = populated_netns
    found = portkit.local.listening(netns=netns, processes=False)
    assert len(found) == len(SPECS)
    assert all(s.processes == () and s.process is None for s in found)


@linux_only
def test_protocols_filter_tables(populated_netns: tuple[str, int]) -> None:
    netns, _ = populated_netns
    udp = portkit.local.listening(netns=netns, protocols="udp")
    assert {s.protocol for s in udp} == {Protocol.UDP}
    assert len(udp) == sum(1 for spec in SPECS if spec[0] == "udp")
    both = portkit.local.listening(netns=netns, protocols=[Protocol.TCP, "UDP"])
    assert len(both) == len(SPECS)


def _comm() -> str:
    with open(f"/proc/{os.getpid()}/comm") as f:
        return f.read().strip()


@linux_only
def test_this_process_listeners_are_found_with_its_pid() -> None:
    opened = []
    try:
        tcp4 = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        opened.append(tcp4)
        tcp4.bind(("127.0.0.1", 0))
        tcp4.listen()
        udp4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        opened.append(udp4)
        udp4.bind(("127.0.0.1", 0))
        wanted = {("tcp", tcp4.getsockname()[1]), ("udp", udp4.getsockname()[1])}
        if socket.has_ipv6:
            tcp6 = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
            opened.append(tcp6)
            try:
                tcp6.bind(("::1", 0))
                tcp6.listen()
                wanted.add(("tcp", tcp6.getsockname()[1]))
            except OSError:
                pass  # no IPv6 loopback on this host
        found = {
            (str(s.protocol), s.local_port): s
            for s in portkit.local.listening()
            if (str(s.protocol), s.local_port) in wanted
        }
        assert set(found) == wanted
        for s in found.values():
            assert s.process is not None
            assert s.process.pid == os.getpid()
            assert s.process.name == _comm()
            assert s.exposure is Exposure.LOOPBACK
            assert s.uid == os.getuid()
    finally:
        for sock in opened:
            sock.close()


@linux_only
def test_a_connected_pair_shows_both_ends_with_their_peers() -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port), timeout=5) as client:
            accepted, _ = server.accept()
            with accepted:
                cport = client.getsockname()[1]
                mine = [
                    s
                    for s in portkit.local.connections(protocols="tcp")
                    if port in (s.local_port, s.remote_port)
                    and s.local_address == "127.0.0.1"
                    and s.state is not TcpState.TIME_WAIT  # old connections on reused ports
                ]
                states = sorted((s.local_port, s.remote_port, s.state.name) for s in mine)
                assert states == sorted(
                    [
                        (port, 0, "LISTEN"),
                        (port, cport, "ESTABLISHED"),
                        (cport, port, "ESTABLISHED"),
                    ]
                )
                assert all(s.process is not None and s.process.pid == os.getpid() for s in mine)
                listen_only = [
                    s for s in portkit.local.listening(protocols="tcp") if s.local_port == port
                ]
                assert [s.state for s in listen_only] == [TcpState.LISTEN]


@linux_only
def test_psutil_backend_agrees_with_proc_on_this_process() -> None:
    pytest.importorskip("psutil", reason="psutil is the optional 'local' extra")
    from portkit.local._portable import psutil_sockets

    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        ours = [s for s in portkit.local.listening() if s.local_port == port]
        theirs = [
            s
            for s in psutil_sockets(
                (Protocol.TCP, Protocol.UDP), listening_only=True, processes=True
            )
            if s.local_port == port
        ]
        assert [(s.protocol, s.family, s.local_address, s.state) for s in ours] == [
            (s.protocol, s.family, s.local_address, s.state) for s in theirs
        ]
        assert theirs[0].process is not None
        assert theirs[0].process.pid == os.getpid()


@linux_only
def test_owners_the_reader_may_not_see_are_none_not_an_error() -> None:
    need_netns()
    if shutil.which("setpriv") is None:
        pytest.skip("setpriv (util-linux) is needed to read as an unprivileged user")
    reader = (
        "import json, socket, portkit\n"
        "mine = socket.socket(); mine.bind(('127.0.0.1', 7070)); mine.listen()\n"
        "print(json.dumps({s.local_port: [p.pid for p in s.processes]"
        " for s in portkit.local.listening(protocols='tcp')}))\n"
        "mine.close()\n"
        "try:\n"
        "    portkit.local.listening(netns=NAMESPACE)\n"
        "except portkit.exceptions.LocalSocketsError as e:\n"
        "    print(e.rule)\n"
    )
    with fresh_netns() as netns, listeners(netns, [("tcp", 4, "0.0.0.0", 23, None, False)]):
        src = os.path.dirname(os.path.dirname(portkit.__file__))
        done = subprocess.run(
            [
                "ip", "netns", "exec", netns,
                "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                sys.executable, "-c", f"NAMESPACE = {netns!r}\n{reader}",
            ],
            capture_output=True, text=True, timeout=60, check=False,
            env={**os.environ, "PYTHONPATH": src},
        )  # fmt: skip
        if done.returncode != 0:
            pytest.skip(f"cannot run python as nobody here: {done.stderr.strip()[-200:]}")
        first, refusal = done.stdout.splitlines()
        seen = {int(k): v for k, v in json.loads(first).items()}
    assert seen[23] == []  # root's listener: its /proc/PID/fd is closed to nobody
    assert len(seen[7070]) == 1  # the reader's own socket: owner visible
    # Entering a namespace is refused to nobody, with the reason.
    assert "CAP_SYS_ADMIN" in refusal


@linux_only
def test_unknown_namespace_is_a_portkit_error() -> None:
    with pytest.raises(LocalSocketsError, match="no network namespace") as info:
        portkit.local.listening(netns="pk-does-not-exist-0")
    assert info.value.subject == "pk-does-not-exist-0"
    with pytest.raises(LocalSocketsError):
        portkit.local.listening(netns="")


@linux_only
def test_a_namespace_given_by_path_is_entered_and_other_files_are_refused() -> None:
    need_netns()
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        by_path = portkit.local.listening(netns=f"/proc/{os.getpid()}/ns/net", protocols="tcp")
        assert [s.process.pid for s in by_path if s.local_port == port] == [os.getpid()]  # type: ignore[union-attr]
    with pytest.raises(LocalSocketsError, match="is not a network namespace"):
        portkit.local.listening(netns="/proc/self/ns/uts")


def test_protocols_other_than_tcp_and_udp_are_refused() -> None:
    with pytest.raises(LocalSocketsError, match="tcp and udp"):
        portkit.local.listening(protocols="sctp")
    with pytest.raises(portkit.exceptions.UnknownProtocolError):
        portkit.local.connections(protocols=["tcp", "icmp"])


# -- decoding /proc/net text ------------------------------------------------------------


def _proc_hex(packed: bytes) -> str:
    """Encode an address as the kernel prints it: each __be32 word as a host-order %08X."""
    words = struct.unpack(f"={len(packed) // 4}I", packed)
    return "".join(f"{w:08X}" for w in words)


@given(st.ip_addresses(v=4))
def test_ipv4_addresses_decode_from_proc_hex(address: Any) -> None:
    assert decode_address(_proc_hex(address.packed)) == str(address)


@given(st.ip_addresses(v=6))
def test_ipv6_addresses_decode_from_proc_hex(address: Any) -> None:
    text = socket.inet_ntop(socket.AF_INET6, address.packed)
    assert decode_address(_proc_hex(address.packed)) == text


@pytest.mark.skipif(sys.byteorder != "little", reason="the fixture text is little-endian")
def test_known_rows_decode() -> None:
    text = (
        "  sl  local_address                         remote_address                        st\n"
        "   0: 00000000000000000000000000000000:0017 00000000000000000000000000000000:0000 0A"
        " 00000000:00000000 00:00000000 00000000     0        0 1001 1 0 100 0 0 10 0\n"
        "   1: 0000000000000000FFFF00000100007F:1F40 00000000000000000000000000000000:0000 0A"
        " 00000000:00000000 00:00000000 00000000  1000        0 1002 1 0 100 0 0 10 0\n"
        "   2: B80D0120000000000000000001000000:01BB B80D0120000000000000000002000000:C350 01"
        " 00000000:00000000 00:00000000 00000000    33        0 1003 1 0 100 0 0 10 0\n"
    )
    listening = parse_table(text, Protocol.TCP, 6, listening_only=True)
    assert [(r[2], r[3], r[7], r[8]) for r in listening] == [
        ("::", 23, 0, 1001),
        ("::ffff:127.0.0.1", 8000, 1000, 1002),
    ]
    every = parse_table(text, Protocol.TCP, 6, listening_only=False)
    assert every[2][2:7] == ("2001:db8::1", 443, "2001:db8::2", 50000, 1)
    v4 = (
        "  sl  local_address rem_address   st\n"
        "   0: 0100007F:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000"
        "     0        0 2001 2 0000000000000000 0\n"
    )
    assert parse_table(v4, Protocol.UDP, 4, listening_only=True)[0][2:9] == (
        "127.0.0.1", 53, "0.0.0.0", 0, 7, 0, 2001,
    )  # fmt: skip


# -- exposure and the portable backend ----------------------------------------------------


def _expected_exposure(address: Any) -> Exposure:
    mapped = getattr(address, "ipv4_mapped", None)
    plain = mapped if mapped is not None else address
    if plain.is_unspecified:
        return Exposure.ALL
    if plain.is_loopback:
        return Exposure.LOOPBACK
    return Exposure.SPECIFIC


@given(st.ip_addresses())
def test_exposure_follows_ipaddress_loopback_and_unspecified(address: Any) -> None:
    family = 4 if address.version == 4 else 6
    text = socket.inet_ntop(socket.AF_INET if family == 4 else socket.AF_INET6, address.packed)
    sock = LocalSocket(
        protocol=Protocol.TCP,
        family=family,  # type: ignore[arg-type]
        local_address=text,
        local_port=80,
        remote_address="::",
        remote_port=0,
        state=TcpState.LISTEN,
    )
    assert sock.exposure is _expected_exposure(address)
    assert sock.local.port == 80
    assert sock.remote is None


def test_missing_psutil_is_a_clear_portkit_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from portkit.local import _portable

    monkeypatch.setitem(sys.modules, "psutil", None)  # makes "import psutil" fail
    with pytest.raises(LocalSocketsError, match=r"pip install 'portkit\[local\]'"):
        _portable.psutil_sockets((Protocol.TCP,), listening_only=True, processes=False)


@linux_only
def test_sockets_carry_port_class_service_and_ephemeral_status(
    populated_netns: tuple[str, int],
) -> None:
    netns, _ = populated_netns
    by_port = {s.local_port: s for s in portkit.local.listening(netns=netns, protocols="tcp")}
    assert by_port[23].service == portkit.lookup(23).name == "telnet"  # type: ignore[union-attr]
    assert by_port[23].port_class is portkit.PortClass.WELL_KNOWN
    assert by_port[8080].port_class is portkit.PortClass.REGISTERED
    assert not by_port[23].is_ephemeral
    assert str(by_port[23]) == "tcp 0.0.0.0:23 LISTEN"
    assert str(by_port[6379]) == "tcp [::1]:6379 LISTEN"
    assert by_port[6379].local == portkit.Endpoint.parse("[::1]:6379")
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        mine = [s for s in portkit.local.listening(protocols="tcp") if s.local_port == port]
        assert mine[0].is_ephemeral is portkit.is_ephemeral(port)


def test_local_names_are_exported_and_documented() -> None:
    names = [
        "AUDIT_RULES", "Allow", "Exposure", "Finding", "LocalSocket", "LocalSocketsError",
        "Process", "AuditRule", "TcpState", "audit", "connections", "listening",
    ]  # fmt: skip
    for name in names:
        assert name in portkit.local.__all__
        assert getattr(portkit.local, name).__doc__ or name == "AUDIT_RULES"


def test_rows_past_9999_keep_their_columns() -> None:
    # The kernel prints "sl" with %4d, so from row 10000 on the line is one wider.
    row = (
        "{sl:>4}: 0100007F:{port:04X} 00000000:0000 {st} 00000000:00000000 00:00000000"
        " 00000000     0        0 {inode} 1 0000000000000000 100 0 0 10 0\n"
    )
    text = "  sl  local_address rem_address   st\n" + "".join(
        row.format(sl=sl, port=1000 + sl % 50000, st="0A" if sl % 2 else "01", inode=sl + 1)
        for sl in range(9990, 10010)
    )
    found = parse_table(text, Protocol.TCP, 4, listening_only=True)
    assert [r[8] - 1 for r in found] == [sl for sl in range(9990, 10010) if sl % 2]
    assert all(r[6] == TcpState.LISTEN for r in found)
    assert len(parse_table(text, Protocol.TCP, 4, listening_only=False)) == 20
