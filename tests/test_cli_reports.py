"""Report formats: -oX read by python-libnmap and compared with nmap's own by ndiff,
-oN, -oG, -oJ, -oA; the reports API; escaping; streaming at linear cost."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cli_support import banner_server
from portkit import PortState, ProbeResult, lookup
from portkit._cli import main
from portkit.identification import Identification
from portkit.reports import (
    SCHEMA_VERSION,
    CSVWriter,
    JSONLinesWriter,
    NormalWriter,
    escape,
    write_grepable,
    write_json_lines,
    write_nmap_xml,
    write_normal,
)
from probe_support import closed_port, listener, make_namespace


def _result(port: int, state: str = "closed", reason: str = "conn-refused",
            address: str = "127.0.0.1", **details: object) -> ProbeResult:
    return ProbeResult(target=address, address=address, port=port, state=state,
                       reason=reason, details=details or None)


#: Ports whose registered name is the one nmap's table gives too, so that nmap's
#: XML and portkit's agree on services (checked against nmap's output below).
CANDIDATES = (45678, 22222, 3031, 45679)


@contextlib.contextmanager
def _listeners(count: int) -> Iterator[list[int]]:
    """Listeners on the first *count* free candidate ports."""
    held: list[socket.socket] = []
    try:
        for port in CANDIDATES:
            s = socket.socket()
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                s.close()
                continue
            s.listen(16)
            held.append(s)
            if len(held) == count:
                break
        if len(held) < count:
            pytest.skip("the candidate ports are taken on this host")
        yield [s.getsockname()[1] for s in held]
    finally:
        for s in held:
            s.close()


def test_xml_is_read_by_libnmap(tmp_path: Path) -> None:
    parser = pytest.importorskip("libnmap.parser")
    closed = closed_port()
    with listener() as port:
        assert main(["scan", "127.0.0.1", "localhost", "-4", "-p", f"{port},{closed},1-30",
                     "-oX", str(tmp_path / "out.xml")]) == 0
    report = parser.NmapParser.parse_fromfile(str(tmp_path / "out.xml"))
    assert report.scan_type == "connect"
    assert {h.address for h in report.hosts} == {"127.0.0.1"}
    assert len(report.hosts) == 2
    named = next(h for h in report.hosts if h.hostnames)
    assert named.hostnames == ["localhost"]
    for host in report.hosts:
        assert host.is_up()
        opened = [s for s in host.services if s.state == "open"]
        assert [(s.port, s.protocol, s.reason) for s in opened] == [(port, "tcp", "syn-ack")]
        assert host.extraports_state["state"] == {"state": "closed", "count": "31"}
    assert report.hosts_total == 2


@pytest.mark.skipif(shutil.which("nmap") is None or shutil.which("ndiff") is None,
                    reason="needs nmap and ndiff (Debian packages nmap, ndiff)")
@pytest.mark.parametrize("extra", [[], ["--all"]], ids=["open", "all"])
def test_xml_matches_nmaps_own_for_the_same_target(tmp_path: Path, extra: list[str]) -> None:
    with _listeners(2) as ports:
        spec = ",".join(map(str, ports)) + ",9000-9100,40000-40005"
        theirs, ours = tmp_path / "nmap.xml", tmp_path / "portkit.xml"
        subprocess.run(["nmap", "-n", "-sT", "-p", spec, "-oX", str(theirs), "127.0.0.1"],
                       check=True, capture_output=True, timeout=120)
        assert main(["scan", "-sT", "-p", spec, "-oX", str(ours), "127.0.0.1", *extra]) == 0
    nmap_text = theirs.read_text()
    for port in ports:  # the candidates agree on names, or the comparison means nothing
        name = lookup(port, "tcp")
        assert name is not None and f'portid="{port}"' in nmap_text
        assert f'name="{name.name}"' in nmap_text
    diff = subprocess.run(["ndiff", str(theirs), str(ours)], capture_output=True, text=True,
                          check=False,
                          timeout=60)
    assert diff.returncode == 0, diff.stdout  # 0: same hosts, ports, states, services


def test_output_all_writes_every_format(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    base = tmp_path / "scan"
    with listener() as port:
        assert main(["scan", "127.0.0.1", "-p", f"{port},1-3", "-oA", str(base)]) == 0
    screen = capsys.readouterr().out
    normal = (tmp_path / "scan.nmap").read_text()
    assert normal == screen  # -oN is the screen's report
    grepable = (tmp_path / "scan.gnmap").read_text().splitlines()
    assert grepable[0].startswith("# portkit ")
    ports_line = next(line for line in grepable if "\tPorts: " in line)
    assert ports_line.startswith("Host: 127.0.0.1 ()")
    assert f"{port}/open/tcp//" in ports_line
    assert ports_line.endswith("\tIgnored State: closed (3)")
    assert grepable[-1].startswith("# portkit done at")
    records = [json.loads(x) for x in (tmp_path / "scan.jsonl").read_text().splitlines()]
    assert len(records) == 4 and {r["schema"] for r in records} == {SCHEMA_VERSION}
    assert (tmp_path / "scan.xml").read_text().rstrip().endswith("</nmaprun>")


def test_json_lines_carry_schema_and_service(capsys: pytest.CaptureFixture[str]) -> None:
    with listener() as port:
        main(["scan", "127.0.0.1", "-p", f"{port},22", "--json"])
    records = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    by_port = {r["port"]: r for r in records}
    assert by_port[22]["service"] == "ssh"
    assert all(r["schema"] == SCHEMA_VERSION for r in records)


def test_open_filters_json_and_csv(capsys: pytest.CaptureFixture[str]) -> None:
    with listener() as port:
        main(["scan", "127.0.0.1", "-p", f"{port},1-5", "--json", "--open"])
        records = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
        assert [r["port"] for r in records] == [port]
        main(["scan", "127.0.0.1", "-p", f"{port},1-5", "--csv", "--open"])
    rows = capsys.readouterr().out.splitlines()
    assert len(rows) == 2 and rows[1].split(",")[2] == str(port)


def test_csv_latency_is_a_plain_decimal(capsys: pytest.CaptureFixture[str]) -> None:
    with listener() as port:
        main(["scan", "127.0.0.1", "-p", str(port), "--csv"])
    header, row = capsys.readouterr().out.splitlines()
    latency = row.split(",")[header.split(",").index("latency")]
    assert "e" not in latency and len(latency.split(".")[1]) == 6


def _in_namespace(name: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["ip", "netns", "exec", name, sys.executable, "-m", "portkit", *args],
                          capture_output=True, text=True, timeout=120, check=False)


def test_unresolved_name_is_one_row_not_one_per_port() -> None:
    # Inside a fresh namespace no name server is reachable: resolution fails at once
    # and no query leaves the machine.
    with make_namespace() as ns:
        done = _in_namespace(ns.name, "scan", "nothing.invalid", "-p", "1-500", "--json")
        records = [json.loads(x) for x in done.stdout.splitlines()]
        assert len(records) == 1 and records[0]["reason"] == "resolve-failed"
        assert done.returncode == 1  # no target resolved
        done = _in_namespace(ns.name, "scan", "nothing.invalid", "-p", "1-500")
    assert done.stdout.count("cannot resolve") == 1
    assert done.returncode == 1
    assert "every probe failed" in done.stderr


def test_table_escapes_what_peers_send() -> None:
    hostile = "Evil\x1b]0;owned\x07\x1b[2J\u202e"
    ident = Identification(service="http", product=hostile, version="1\r\n2")
    out = io.StringIO()
    write_normal([_result(80, "open", "syn-ack", identification=ident)], out)
    text = out.getvalue()
    assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
    assert "\r" not in text
    assert "Evil\\x1b]0;owned\\x07\\x1b[2J\\u202e" in text
    grep = io.StringIO()
    write_grepable([_result(80, "open", "syn-ack", identification=ident)], grep)
    assert "\x1b" not in grep.getvalue()
    xml = io.StringIO()
    write_nmap_xml([_result(80, "open", "syn-ack", identification=ident)], xml)
    import xml.etree.ElementTree as ET

    service = ET.fromstring(xml.getvalue()).find("host/ports/port/service")
    assert service is not None
    product = service.get("product") or ""
    assert product.startswith("Evil\\x1b]0;owned\\x07")
    assert not any(ord(c) < 0x20 for c in product)


def test_escape_leaves_ordinary_text_alone() -> None:
    assert escape("nginx/1.25 (Debian) é 日本") == "nginx/1.25 (Debian) é 日本"
    assert escape("a\tb") == "a\\x09b"


def test_writers_work_from_a_list() -> None:
    results = [_result(p) for p in range(1, 40)] + [_result(80, "open", "syn-ack")]
    out = io.StringIO()
    write_json_lines(results, out, open_only=True)
    assert [json.loads(x)["port"] for x in out.getvalue().splitlines()] == [80]
    out = io.StringIO()
    write_normal(results, out)
    assert "Not shown: 39 closed ports (conn-refused)" in out.getvalue()


def test_many_open_filtered_ports_are_grouped_as_nmap_does() -> None:
    few = [_result(p, "open|filtered", "no-response") for p in range(1, 6)]
    out = io.StringIO()
    write_normal(few, out)
    listed = [line for line in out.getvalue().splitlines() if "/tcp " in line]
    assert len(listed) == 5 and all("open|filtered" in line for line in listed)  # few
    many = [_result(p, "open|filtered", "no-response") for p in range(1, 101)]
    out = io.StringIO()
    write_normal(many, out)
    assert "Not shown: 100 open|filtered ports (no-response)" in out.getvalue()
    assert "PORT" not in out.getvalue()


def test_a_host_is_written_as_soon_as_it_is_complete() -> None:
    out = io.StringIO()
    writer = NormalWriter(out, expected=lambda r: 2)
    writer.add(_result(1, address="127.0.0.2"))
    writer.add(_result(1))
    assert out.getvalue() == ""
    writer.add(_result(2))  # 127.0.0.1 is complete
    assert out.getvalue().startswith("scan report for 127.0.0.1\n")
    writer.close(interrupted=True)
    assert "scan report for 127.0.0.2\n(scan interrupted after 1 port(s)" in out.getvalue()


def test_report_cost_is_linear_in_the_results() -> None:
    # The quadratic report took minutes on -p-; count work, not time: the grouping
    # keeps per host only the listed ports and a counter.
    results = [_result(p) for p in range(1, 65536)]
    out = io.StringIO()
    writer = NormalWriter(out, show_all=False, expected=lambda r: 65535)
    for r in results:
        writer.add(r)
    assert writer.grouper.results == 65535
    assert "Not shown: 65535 closed ports (conn-refused)" in out.getvalue()
    writer.close()


def test_csv_writer_rows_are_whole_lines() -> None:
    out = io.StringIO()
    writer = CSVWriter(out, identification=True)
    writer.add(_result(22, "open", "syn-ack",
                       identification=Identification(service="ssh", product="a,\"b\"\nc")))
    header, *rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert header[-4:] == ["service", "product", "version", "tls"]
    (row,) = rows  # one record, whatever the product holds
    assert row[header.index("product")].startswith('a,"b"')
    assert PortState.OPEN.value in row


def test_the_cli_module_runs_as_a_program() -> None:
    done = subprocess.run([sys.executable, "-m", "portkit", "scan", "127.0.0.1", "-p", "1"],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0
    assert "1 address(es), 1 port(s) scanned: 1 closed" in done.stdout


@given(
    target=st.text(max_size=30),
    latency=st.none() | st.floats(min_value=0, max_value=1e6, allow_nan=False),
    port=st.integers(0, 65535),
    attempts=st.integers(0, 9),
    reason=st.text(max_size=12),
)
def test_json_lines_fast_path_is_json_dumps(
    target: str, latency: float | None, port: int, attempts: int, reason: str
) -> None:
    from portkit.reports._fields import record

    result = ProbeResult(target=target, address="127.0.0.1", port=port, state="closed",
                         reason=reason, latency=latency, attempts=attempts)
    out = io.StringIO()
    JSONLinesWriter(out).add(result)
    expected = record(result)
    expected["schema"] = SCHEMA_VERSION
    assert out.getvalue() == json.dumps(expected, separators=(",", ":")) + "\n"
    assert json.loads(out.getvalue())["target"] == target


def test_version_scan_xml_carries_product_and_version(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    parser = pytest.importorskip("libnmap.parser")
    hostile = b"SSH-2.0-OpenSSH_9.2p1 Debian\x1b]0;owned\x07\r\n"
    with banner_server(hostile) as port:
        assert main(["scan", "-sV", "-p", str(port), "127.0.0.1", "-oX",
                     str(tmp_path / "v.xml"), "--timeout", "0.5"]) == 0
    table = capsys.readouterr().out
    assert "\x1b" not in table and "\x07" not in table
    row = next(line for line in table.splitlines() if line.startswith(f"{port}/tcp"))
    assert "ssh" in row and "OpenSSH" in row
    (host,) = parser.NmapParser.parse_fromfile(str(tmp_path / "v.xml")).hosts
    (service,) = host.services
    assert (service.port, service.state, service.service) == (port, "open", "ssh")
    assert "OpenSSH" in service.banner
    assert service.service_dict["method"] == "probed"


def test_dash_writes_a_format_to_stdout_instead_of_the_table(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import xml.etree.ElementTree as ET

    assert main(["scan", "127.0.0.1", "-p", "1-3", "-oX", "-"]) == 0
    root = ET.fromstring(capsys.readouterr().out)
    assert root.tag == "nmaprun" and root.find("host/address") is not None
    assert main(["scan", "127.0.0.1", "-p", "1-3", "-oG", "-"]) == 0
    assert "Ignored State: closed (3)" in capsys.readouterr().out
    assert main(["scan", "127.0.0.1", "-p", "1", "-oX", "-", "--json"]) == 2
    assert "only one output can go to stdout" in capsys.readouterr().err
