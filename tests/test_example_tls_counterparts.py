"""examples/tls_counterparts.py runs and prints what it promises."""

import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "tls_counterparts.py"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(EXAMPLE), *args],
        capture_output=True, text=True, timeout=60, check=False,
    )


def test_example_lists_cleartext_services_beside_their_tls_variants() -> None:
    result = run()
    assert result.returncode == 0, result.stderr
    rows = {line.split()[0]: line.split() for line in result.stdout.splitlines()[1:]}
    assert rows["imap"][:4] == ["imap", "143", "imaps", "993"]
    assert rows["docker"][-2:] == ["critical", "management-api"]
    assert "https" not in rows


def test_example_describes_named_services_and_fails_on_unknown_ones() -> None:
    result = run("www", "no-such-service")
    assert result.returncode == 1
    assert result.stdout.startswith("http (web, cleartext): ")
    assert "  TLS variant: https\n" in result.stdout
    assert "no-such-service: no annotation" in result.stdout
