"""The ``portkit`` command, run as users run it (a real subprocess) and in-process."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from portkit import ephemeral_range
from portkit._cli import main


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "portkit", *args], capture_output=True, text=True, check=False
    )


def test_classify_table() -> None:
    result = run("classify", "22", "443", "8080", "50000")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split()[:3] == ["PORT", "SERVICE", "CLASS"]
    rows = [line.split()[:3] for line in lines[1:]]
    assert rows == [["22", "ssh", "well-known"], ["443", "https", "well-known"],
                    ["8080", "http-alt", "registered"], ["50000", "-", "dynamic"]]
    assert "System Ports" in lines[1]
    host = ephemeral_range()
    assert lines[4].endswith("yes" if 50000 in host else "no")


def test_classify_json_lines(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["classify", "--json", "--system", "windows", "1023", "49152"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["port"] for r in records] == [1023, 49152]
    assert [r["class"] for r in records] == ["well-known", "dynamic"]
    assert [r["ephemeral"] for r in records] == [False, True]
    assert records[0]["ephemeral_range"] == "49152-65535"


@pytest.mark.parametrize("bad", ["70000", "-1", "80x", "3.0"])
def test_classify_rejects_bad_ports(bad: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["classify", "22", bad]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"invalid port {bad!r}" in captured.err or f"invalid port {bad}" in captured.err


def test_ports_table() -> None:
    result = run("ports", "T:22,80,U:53")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "PROTOCOL  COUNT  PORTS",
        "tcp       2      22,80",
        "udp       1      53",
    ]


def test_ports_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ports", "--json", "1-1024,2000,U:-"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert records == [
        {"protocol": "tcp", "ports": "1-1024,2000", "count": 1025,
         "ranges": [[1, 1024], [2000, 2000]]},
        {"protocol": "udp", "ports": "1-65535", "count": 65535, "ranges": [[1, 65535]]},
    ]


def test_ports_bad_spec_says_where(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ports", "22,,80"]) == 2
    err = capsys.readouterr().err
    assert "position 3" in err and "empty item" in err


def test_version_and_help() -> None:
    result = run("--version")
    assert result.returncode == 0 and result.stdout.startswith("portkit ")
    result = run("--help")
    assert result.returncode == 0
    assert "classify" in result.stdout and "ports" in result.stdout
