"""``portkit scan`` in nmap's vocabulary: flags, target syntax, hints, early validation."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from cli_support import banner_server
from portkit import top_ports
from portkit._cli import main
from probe_support import ipv6_available, listener


def _json(capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    return [json.loads(x) for x in capsys.readouterr().out.splitlines()]


def _pairs(records: list[dict[str, object]]) -> set[tuple[object, object]]:
    return {(r["address"], r["port"]) for r in records}


def test_nmap_flags_are_accepted(capsys: pytest.CaptureFixture[str]) -> None:
    with listener() as port:
        status = main(["scan", "-sT", "-Pn", "-n", "--reason", "-T4", "--max-retries", "0",
                       "--max-rate", "5000", "--min-rate", "100", "--open", "-v",
                       "-p", f"{port},1-3", "127.0.0.1"])
    out = capsys.readouterr().out
    assert status == 0
    assert f"{port}/tcp" in out and "Not shown: 3 closed ports (conn-refused)" in out


@pytest.mark.parametrize("level", ["-T0", "-T1", "-T2", "-T3", "-T5"])
def test_timing_templates_scan(level: str, capsys: pytest.CaptureFixture[str]) -> None:
    # One closed port: even the slowest template's first probe goes out at once.
    assert main(["scan", level, "-p", "1", "127.0.0.1", "--json"]) == 0
    assert [r["state"] for r in _json(capsys)] == ["closed"]


def test_timing_template_out_of_range_is_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as e:
        main(["scan", "-T6", "127.0.0.1"])
    assert e.value.code == 2
    assert "usage: portkit scan" in capsys.readouterr().err


def test_fast_and_top_ports(capsys: pytest.CaptureFixture[str]) -> None:
    main(["scan", "-F", "127.0.0.1", "--json"])
    assert {r["port"] for r in _json(capsys)} == set(top_ports(100))
    main(["scan", "--top-ports", "7", "127.0.0.1", "--json"])
    assert {r["port"] for r in _json(capsys)} == set(top_ports(7))


def test_exclude_ports(capsys: pytest.CaptureFixture[str]) -> None:
    main(["scan", "-p", "1-10", "--exclude-ports", "3-8", "127.0.0.1", "--json"])
    assert {r["port"] for r in _json(capsys)} == {1, 2, 9, 10}


@pytest.mark.parametrize(
    ("target", "addresses"),
    [
        ("127.0.0.1-3", {"127.0.0.1", "127.0.0.2", "127.0.0.3"}),
        ("127.0.0.1,5,7-8", {"127.0.0.1", "127.0.0.5", "127.0.0.7", "127.0.0.8"}),
        ("127.0.1-2.9", {"127.0.1.9", "127.0.2.9"}),
        ("127.0.0.*", {f"127.0.0.{i}" for i in range(256)}),
    ],
)
def test_octet_ranges_wildcards_and_lists(
    target: str, addresses: set[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["scan", target, "-p", "1", "--json"]) == 0
    records = _json(capsys)
    assert {r["address"] for r in records} == addresses
    assert len(records) == len(addresses)


def test_bad_octet_range_is_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", "127.0.0.9-2", "-p", "1"]) == 2
    err = capsys.readouterr().err
    assert "127.0.0.9-2" in err and "low to high" in err


def test_exclusions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    exclude_file = tmp_path / "exclude"
    exclude_file.write_text("127.0.0.4  # a comment\n127.0.0.8/30\n")
    main(["scan", "127.0.0.0/28", "127.0.0.1-15", "-p", "1", "--json",
          "--exclude", "127.0.0.0,127.0.0.2-3", "--excludefile", str(exclude_file)])
    addresses = [r["address"] for r in _json(capsys)]
    kept = {f"127.0.0.{i}" for i in (1, 5, 6, 7, 12, 13, 14, 15)}
    assert set(addresses) == kept
    assert len(addresses) == 2 * len(kept)  # both targets, each without the excluded


def test_input_list_from_a_file_and_stdin(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    targets = tmp_path / "targets"
    targets.write_text("# hosts\n127.0.0.1 127.0.0.2\n\n127.0.0.3  # last\n")
    main(["scan", "-iL", str(targets), "-p", "1", "--json"])
    assert {r["address"] for r in _json(capsys)} == {"127.0.0.1", "127.0.0.2", "127.0.0.3"}
    monkeypatch.setattr("sys.stdin", io.StringIO("127.0.0.7\n"))
    main(["scan", "-iL", "-", "-p", "1", "--json"])
    assert {r["address"] for r in _json(capsys)} == {"127.0.0.7"}


def test_missing_input_list_is_bad_input(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", "-iL", str(tmp_path / "nope"), "-p", "1"]) == 2
    assert "nope" in capsys.readouterr().err


def test_host_port_and_url_targets_scan_their_own_port(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with listener() as port:
        main(["scan", f"127.0.0.1:{port}", f"http://127.0.0.2:{port}/index", "--json"])
    records = _json(capsys)
    assert sorted((r["address"], r["port"], r["state"]) for r in records) == [
        ("127.0.0.1", port, "open"), ("127.0.0.2", port, "closed"),
    ]


@pytest.mark.skipif(not ipv6_available(), reason="no IPv6 on loopback")
def test_dash_six_keeps_ipv6(capsys: pytest.CaptureFixture[str]) -> None:
    with listener("::1") as port:
        main(["scan", "-6", "::1", "127.0.0.1", "-p", str(port), "--json"])
    records = _json(capsys)
    assert [(r["address"], r["state"]) for r in records] == [("::1", "open")]


def test_version_scan_identifies_only_open_ports(capsys: pytest.CaptureFixture[str]) -> None:
    with banner_server(b"SSH-2.0-OpenSSH_9.2p1\r\n") as port:
        assert main(["scan", "-sV", "-p", f"{port},1-20", "127.0.0.1", "--json",
                     "--timeout", "0.5"]) == 0
    records = _json(capsys)
    assert len(records) == 21
    opened = [r for r in records if r["state"] == "open"]
    assert [r["port"] for r in opened] == [port]
    details = opened[0]["details"]
    assert isinstance(details, dict) and "identification" in details and "tls" in details
    # The closed ports were never given to the identification probes.
    assert all(r["details"] == {} for r in records if r["state"] == "closed")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--sni", "example.org"], ["sni", "--tls"]),
        (["--tls", "--cafile", "/nonexistent.pem"], ["/nonexistent.pem", "readable"]),
        (["-p", "1", "--top-ports", "3"], ["not both"]),
        (["--top-ports", "0"], ["top-ports"]),
        (["--host-timeout", "0"], ["host-timeout"]),
    ],
)
def test_early_validation(args: list[str], words: list[str],
                          capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", "127.0.0.1", *args]) == 2
    err = capsys.readouterr().err
    assert all(w in err for w in words), err
    assert "(" not in err.split("error:")[1].split("--")[0] or "readable" in err


@pytest.mark.parametrize(
    ("flag", "hint"),
    [
        ("-sS", "portkit connects without root; -sT is its scan"),
        ("-O", "does not guess operating systems"),
        ("-PE", "portkit's host discovery is --ping"),
        ("--max-retry", "did you mean --max-retries?"),
    ],
)
def test_unknown_flags_get_the_sub_commands_usage_and_a_hint(
    flag: str, hint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as e:
        main(["scan", "127.0.0.1", flag, "5"] if flag == "--max-retry" else
             ["scan", "127.0.0.1", flag])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: portkit scan")
    assert hint in err


def test_a_target_without_a_command_suggests_scan(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["127.0.0.1", "-p", "22"])
    assert "portkit scan 127.0.0.1 -p 22" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["scna", "127.0.0.1"])
    assert "did you mean 'scan'?" in capsys.readouterr().err


def test_host_timeout_reports_what_was_found(capsys: pytest.CaptureFixture[str]) -> None:
    from probe_support import stalled_listener

    with listener() as port, stalled_listener() as silent:
        status = main(["scan", "127.0.0.1", "-p", f"{port},{silent}", "--timeout", "30",
                       "--no-adaptive", "--host-timeout", "0.5"])
    out = capsys.readouterr().out
    assert status == 0
    assert f"{port}/tcp" in out


def test_tcp_and_udp_of_a_host_make_one_report(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    xml = tmp_path / "mixed.xml"
    assert main(["scan", "127.0.0.1", "-p", "T:1-3,U:1-2", "--timeout", "0.3", "-oX",
                 str(xml)]) == 0
    out = capsys.readouterr().out
    assert out.count("scan report for 127.0.0.1") == 1
    assert "1 address(es), 5 port(s) scanned" in out
    assert xml.read_text().count("<host ") == 1
