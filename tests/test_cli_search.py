"""``portkit search`` and ``portkit lookup``: what people mean, merged rows, every port."""

from __future__ import annotations

import json

import pytest

import portkit
from portkit._cli import main
from portkit.registries._terms import SEARCH_TERMS


def _names(text: str, limit: int) -> list[str]:
    return list(dict.fromkeys(s.name for s in portkit.search(text, limit=limit * 3)))[:limit]


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("mail", ["smtp", "submission", "imap", "imaps", "pop3", "pop3s"]),
        ("dns", ["domain"]),
        ("vnc", ["rfb"]),
        ("database", ["postgresql", "mysql", "ms-sql-s", "mongodb", "redis"]),
        ("remote desktop", ["ms-wbt-server", "rfb"]),
        ("Remote   Desktop", ["ms-wbt-server", "rfb"]),
        ("postgres", ["postgresql"]),
        ("ssh", ["ssh"]),
    ],
)
def test_search_finds_what_people_mean_first(query: str, first: list[str]) -> None:
    assert _names(query, len(first)) == first


def test_several_words_must_all_match() -> None:
    found = _names("file transfer protocol", 10)
    assert "ftp" in found
    for service in portkit.search("trivial file transfer", limit=5):
        text = " ".join([*service.names, service.description]).lower()
        assert all(w in text for w in ("trivial", "file", "transfer"))


def test_every_search_term_names_a_registered_service() -> None:
    names = {n.lower() for s in portkit.registries.default().all_services for n in s.names}
    for term, services in SEARCH_TERMS.items():
        for name in services:
            assert name.lower() in names, (term, name)


def test_search_merges_protocol_rows(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "mail", "--limit", "6"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[:3] for line in lines[1:]] == [
        ["25", "tcp,udp", "smtp"], ["587", "tcp,udp", "submission"], ["143", "tcp", "imap"],
        ["993", "tcp", "imaps"], ["110", "tcp,udp", "pop3"], ["995", "tcp,udp", "pop3s"],
    ]
    assert main(["search", "dns", "--limit", "1", "--json"]) == 0
    (record,) = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert record["service"] == "domain" and record["protocols"] == ["tcp", "udp"]


@pytest.mark.parametrize("limit", ["0", "-3"])
def test_search_limit_below_one_is_bad_input(limit: str,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "mail", "--limit", limit]) == 2
    assert f"invalid limit {limit}" in capsys.readouterr().err


def test_lookup_shows_every_port_of_a_name(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lookup", "http-alt/tcp", "--json"]) == 0
    records = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [r["port"] for r in records] == [591, 8008, 8080]


def test_lookup_of_several_queries_says_which_row_answers_which(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["lookup", "22", "kafka", "postgres"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:2] == ["QUERY", "PORT"]
    rows = {line.split()[0]: line for line in lines[1:]}
    assert rows["22"].split()[1:4] == ["22", "tcp,udp,sctp", "ssh"]
    assert "kafka (de facto)" in rows["kafka"] and "9092" in rows["kafka"]
    assert "postgresql" in rows["postgres"] and "de facto" not in rows["postgres"]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["22,80"], [(22, None, "ssh"), (80, None, "http")]),
        (["80/tcp"], [(80, "tcp", "http")]),
        (["53/udp", "T:22"], [(53, "udp", "domain"), (22, "tcp", "ssh")]),
        (["8000-8001"], [(8000, None, "irdmi"), (8001, None, "vcom-tunnel")]),
    ],
)
def test_classify_takes_the_spec_syntax_of_lookup_and_scan(
    args: list[str], expected: list[tuple[int, str | None, str]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["classify", *args, "--json"]) == 0
    records = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [(r["port"], r["protocol"], r["service"]) for r in records] == expected
