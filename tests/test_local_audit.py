"""portkit.local.audit() over real listeners in private network namespaces, and the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

import portkit
from _localns import SPECIFIC_V4, fresh_netns, listeners
from portkit._cli import main as cli_main
from portkit.catalog import Severity
from portkit.local import Allow, Finding, LocalSocket

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="network namespaces: Linux only"
)

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "local_audit.py"


def _in_range_port() -> int:
    span = portkit.ephemeral_range()
    return (span.first + span.last) // 2


@pytest.fixture(scope="module")
def exposed_netns() -> Iterator[str]:
    """A namespace with risky services on every interface and tame ones on loopback."""
    specs: list[tuple[str, int, str, int, int | None, bool]] = [
        ("tcp", 4, "0.0.0.0", 23, None, False),  # telnet everywhere
        ("tcp", 4, "127.0.0.1", 21, None, False),  # ftp, loopback only
        ("tcp", 6, "::", 6379, 0, False),  # redis everywhere, IPv4 too
        ("tcp", 4, "127.0.0.1", 11211, None, False),  # memcache, loopback only
        ("tcp", 4, "0.0.0.0", 2375, None, False),  # docker API everywhere
        ("tcp", 4, SPECIFIC_V4, 2379, None, False),  # etcd on one address
        ("udp", 4, "0.0.0.0", 161, None, False),  # snmp everywhere
        ("tcp", 4, "0.0.0.0", _in_range_port(), None, False),
        ("tcp", 4, "0.0.0.0", 22, None, False),  # ssh
    ]
    with fresh_netns() as name, listeners(name, specs):
        yield name


def _by_rule(findings: Iterable[Finding]) -> dict[str, set[int]]:
    out: dict[str, set[int]] = {}
    for f in findings:
        out.setdefault(f.rule, set()).add(f.socket.local_port)
    return out


def test_exposed_risky_services_are_flagged_and_loopback_ones_are_not(
    exposed_netns: str,
) -> None:
    findings = portkit.local.audit(portkit.local.listening(netns=exposed_netns))
    rules = _by_rule(findings)
    assert rules["cleartext-login"] == {23, 161}
    assert 21 not in rules.get("cleartext-login", set())
    assert rules["unauthenticated-data"] == {6379}
    assert 11211 not in rules["unauthenticated-data"]
    # Management APIs count only on every interface: etcd on one address is left out.
    assert rules["management-api"] == {2375, 161}
    assert rules["amplification"] == {161}
    assert rules["ephemeral-listener"] == {_in_range_port()}
    assert rules["remote-access"] == {22, 23}
    telnet = next(f for f in findings if f.rule == "cleartext-login" and f.socket.local_port == 23)
    assert telnet.severity is Severity.HIGH
    assert telnet.service == "telnet"
    assert "every interface" in telnet.reason
    docker = next(f for f in findings if f.rule == "management-api" and f.service == "docker")
    assert docker.severity is Severity.CRITICAL
    redis = next(f for f in findings if f.rule == "unauthenticated-data")
    assert "IPv4 included" in redis.reason
    severities = [f.severity for f in findings]
    assert severities == sorted(severities, reverse=True)
    assert findings[0].severity is Severity.CRITICAL


@pytest.mark.parametrize(
    ("address", "family", "flagged"),
    [
        ("0.0.0.0", 4, True),
        ("::", 6, True),
        (SPECIFIC_V4, 4, True),
        ("127.0.0.1", 4, False),
        ("::1", 6, False),
        ("::ffff:127.0.0.1", 6, False),
    ],
)
def test_the_same_telnet_listener_is_flagged_only_beyond_loopback(
    address: str, family: int, flagged: bool
) -> None:
    with fresh_netns() as netns, listeners(netns, [("tcp", family, address, 23, None, False)]):
        sockets = portkit.local.listening(netns=netns)
        assert [s.local_address for s in sockets] == [address]
        findings = portkit.local.audit(sockets)
    assert any(f.rule == "cleartext-login" for f in findings) is flagged
    assert bool(findings) is flagged


def test_a_known_daemon_on_another_services_port_is_a_mismatch_not_that_service() -> None:
    with (
        fresh_netns() as netns,
        listeners(netns, [("tcp", 4, "0.0.0.0", 23, None, False)], name="sshd"),
    ):
        sockets = portkit.local.listening(netns=netns)
        assert sockets[0].process is not None
        assert sockets[0].process.name == "sshd"
        findings = portkit.local.audit(sockets)
    rules = {f.rule: f for f in findings}
    # sshd is ssh whatever its port: no telnet cleartext finding, but a mismatch.
    assert "cleartext-login" not in rules
    assert rules["port-mismatch"].severity is Severity.LOW
    assert rules["port-mismatch"].service == "ssh"
    assert "telnet" in rules["port-mismatch"].reason
    assert rules["remote-access"].service == "ssh"


def test_allow_entries_drop_what_they_match(exposed_netns: str) -> None:
    sockets = portkit.local.listening(netns=exposed_netns)
    every = portkit.local.audit(sockets)
    by_rule = portkit.local.audit(sockets, allow=[Allow(rule="cleartext-login")])
    assert {f.rule for f in by_rule} == {f.rule for f in every} - {"cleartext-login"}
    by_port = portkit.local.audit(sockets, allow=[Allow(port=23)])
    assert [f for f in every if f.socket.local_port != 23] == list(by_port)
    by_both = portkit.local.audit(sockets, allow=[Allow.parse("rule=remote-access, port=22")])
    assert len(by_both) == len(every) - 1
    by_network = portkit.local.audit(sockets, allow=[Allow(address="0.0.0.0/32")])
    assert {f.socket.local_address for f in by_network} == {"::"}
    by_process = portkit.local.audit(sockets, allow=[Allow(process=sockets[0].process.name)])  # type: ignore[union-attr]
    assert by_process == ()
    udp = portkit.local.audit(sockets, allow=[Allow(protocol="tcp")])
    assert {f.socket.protocol for f in udp} == {portkit.Protocol.UDP}


def test_user_rules_run_and_only_listening_sockets_are_judged(exposed_netns: str) -> None:
    def flag_everything(sock: LocalSocket) -> Iterable[Finding]:
        return [Finding(severity=Severity.INFO, rule="seen", socket=sock, reason="seen")]

    every = portkit.local.connections(netns=exposed_netns)
    findings = portkit.local.audit(every, rules=[flag_everything])
    assert {f.rule for f in findings} == {"seen"}
    assert len(findings) == len([s for s in every if s.is_listening])
    both = portkit.local.audit(every, rules=(*portkit.local.AUDIT_RULES, flag_everything))
    assert len(both) == len(findings) + len(portkit.local.audit(every))


def test_bad_allow_entries_are_refused() -> None:
    with pytest.raises(portkit.exceptions.InvalidRuleError, match="at least one"):
        Allow()
    with pytest.raises(portkit.exceptions.InvalidPortError):
        Allow(port=70000)
    with pytest.raises(portkit.exceptions.InvalidEndpointError, match="IP address or network"):
        Allow(address="not-an-address")
    with pytest.raises(portkit.exceptions.UnknownProtocolError):
        Allow(protocol="icmp")


@pytest.mark.parametrize(
    "text", ["foo", "telnet", "rule", "rule=", "=22", "rule=x,,port=2", "colour=red",
             "port=８０", "port=x", "rule=a,rule=b"],
)
def test_malformed_allow_entries_raise_a_rule_error_naming_the_syntax(text: str) -> None:
    # Regression: Allow.parse('foo') raised InvalidEndpointError.
    with pytest.raises(portkit.exceptions.InvalidRuleError) as info:
        Allow.parse(text)
    assert not isinstance(info.value, portkit.exceptions.InvalidEndpointError)
    assert info.value.kind == "allow-list entry"
    assert info.value.value == text
    assert str(info.value).startswith(f"invalid allow-list entry {text!r}")
    if text in ("foo", "telnet", "colour=red"):
        assert "key=value" in info.value.rule
        assert "rule=cleartext-login,port=21" in info.value.rule


def _telnet(netns: str) -> LocalSocket:
    return next(s for s in portkit.local.listening(netns=netns) if s.local_port == 23)


def test_a_typo_in_an_allow_rule_id_is_refused_listing_the_known_ids(
    exposed_netns: str,
) -> None:
    # Regression: a typo excused nothing, silently.
    sock = _telnet(exposed_netns)
    assert portkit.local.audit([sock])
    left = portkit.local.audit([sock], allow=[Allow(rule="cleartext-login")])
    assert left
    assert "cleartext-login" not in {f.rule for f in left}
    with pytest.raises(portkit.exceptions.InvalidRuleError, match="cleartext-logn") as info:
        portkit.local.audit([sock], allow=[Allow.parse("rule=cleartext-logn,port=23")])
    for known in ("cleartext-login", "port-mismatch", "ephemeral-listener", "amplification"):
        assert known in info.value.rule


def test_allow_ids_of_rules_of_your_own(exposed_netns: str) -> None:
    sock = _telnet(exposed_netns)

    class Flag:
        id = "flag-all"

        def __call__(self, s: LocalSocket) -> Iterable[Finding]:
            yield Finding(severity=Severity.LOW, rule="flag-all", socket=s, reason="x")

    rules = (*portkit.local.AUDIT_RULES, Flag())
    found = portkit.local.audit([sock], rules=rules, allow=[Allow(rule="flag-all")])
    assert found
    assert "flag-all" not in {f.rule for f in found}
    with pytest.raises(portkit.exceptions.InvalidRuleError, match="flag-all"):
        portkit.local.audit([sock], rules=rules, allow=[Allow(rule="flag-al")])

    def anonymous(s: LocalSocket) -> Iterable[Finding]:
        return ()

    # A rule without an id cannot say which ids it uses: any id goes through.
    assert portkit.local.audit([sock], rules=(anonymous,), allow=[Allow(rule="whatever")]) == ()


def test_cli_lists_audits_and_writes_json(
    exposed_netns: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli_main(["local", "--netns", exposed_netns]) == 0
    table = capsys.readouterr().out
    assert "0.0.0.0" in table
    assert "23" in table
    assert cli_main(["local", "--netns", exposed_netns, "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    ours = portkit.local.listening(netns=exposed_netns)
    assert sorted((r["protocol"], r["local_address"], r["local_port"]) for r in rows) == sorted(
        (str(s.protocol), s.local_address, s.local_port) for s in ours
    )
    redis = next(r for r in rows if r["local_port"] == 6379)
    assert redis["exposure"] == "all"
    assert redis["takes_ipv4"] is True
    assert redis["pid"] == ours[0].process.pid  # type: ignore[union-attr]
    assert cli_main(["local", "--netns", exposed_netns, "--audit"]) == 1
    assert "cleartext-login" in capsys.readouterr().out
    assert cli_main(["local", "--netns", exposed_netns, "--audit", "--json"]) == 1
    findings = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {"severity", "rule", "reason", "service", "socket"} <= set(findings[0])
    assert findings[0]["severity"] == "critical"
    allowed = ["local", "--netns", exposed_netns, "--audit", "--json", "--allow", "port=23"]
    assert cli_main([*allowed, "--allow", "rule=management-api"]) == 1
    left = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert left
    assert all(f["socket"]["local_port"] != 23 for f in left)
    assert all(f["rule"] != "management-api" for f in left)
    assert cli_main(["local", "--netns", exposed_netns, "--audit", "--allow", "nonsense"]) == 2
    assert "key=value" in capsys.readouterr().err
    assert cli_main(["local", "--netns", exposed_netns, "--all", "--protocol", "udp"]) == 0
    assert "UNCONN" not in capsys.readouterr().out  # states use the kernel's names
    assert cli_main(["local", "--netns", "pk-no-such-namespace"]) == 2


def test_cli_audit_of_a_clean_namespace_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    with fresh_netns() as netns, listeners(netns, [("tcp", 4, "127.0.0.1", 23, None, False)]):
        assert cli_main(["local", "--netns", netns, "--audit"]) == 0
    assert "no findings (1 listening sockets checked)" in capsys.readouterr().out


def test_example_audit_script_runs_in_a_namespace() -> None:
    specs: list[tuple[str, int, str, int, int | None, bool]] = [
        ("tcp", 4, "0.0.0.0", 22, None, False),
        ("udp", 4, "0.0.0.0", 20000, None, False),
    ]
    with fresh_netns() as netns, listeners(netns, specs):
        done = subprocess.run(
            [sys.executable, str(EXAMPLE), "--netns", netns],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert done.returncode == 1, done.stderr
    assert "site-wildcard-udp" in done.stdout
    assert "remote-access" not in done.stdout  # allowed for port 22
    assert "1 findings, 1 medium or worse" in done.stdout
