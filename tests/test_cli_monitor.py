"""``portkit monitor``'s command line: --serve's forms, the live table's size, progress."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
import urllib.request

import pytest

from portkit._cli._monitor import serve_address, url_host
from portkit._cli._scan import _Progress
from portkit.exceptions import InvalidOptionError
from probe_support import ipv6_available, listener


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("9109", ("127.0.0.1", 9109)),
        ("0", ("127.0.0.1", 0)),
        ("0.0.0.0:9109", ("0.0.0.0", 9109)),
        ("[::]:9109", ("::", 9109)),
        ("localhost:8000", ("localhost", 8000)),
    ],
)
def test_serve_takes_a_bare_port_or_an_address(text: str, where: tuple[str, int]) -> None:
    assert serve_address(text) == where


@pytest.mark.parametrize("text", ["70000", "host:", "[::1", "a b"])
def test_bad_serve_values_name_the_value_without_python_reprs(text: str) -> None:
    with pytest.raises(InvalidOptionError) as e:
        serve_address(text)
    message = str(e.value)
    assert repr(text) in message and "(" not in message.split(":", maxsplit=1)[0]
    assert "('" not in message


def test_url_host_brackets_ipv6() -> None:
    assert url_host("::") == "[::]"
    assert url_host("127.0.0.1") == "127.0.0.1"


@pytest.mark.parametrize("serve", ["0", "[::1]:0"])
def test_serve_prints_an_address_that_works(serve: str) -> None:
    if ":" in serve and not ipv6_available():
        pytest.skip("no IPv6 on loopback")
    with listener() as port:
        proc = subprocess.Popen(
            [sys.executable, "-m", "portkit", "monitor", f"127.0.0.1:{port}", "--serve", serve,
             "--interval", "0.2", "--duration", "20"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )
        try:
            assert proc.stderr is not None
            line = proc.stderr.readline()
            assert line.startswith("serving metrics at http://")
            url = line.split()[-1]
            host = url.split("//")[1].rsplit(":", 1)[0]
            assert host == ("127.0.0.1" if serve == "0" else "[::1]")
            time.sleep(0.5)
            with urllib.request.urlopen(url, timeout=10) as response:  # loopback only
                assert b"portkit_" in response.read()
        finally:
            proc.terminate()
            proc.communicate(timeout=30)
    assert proc.returncode == 143


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_shows_rate_and_time_left() -> None:
    stream = _Terminal()
    progress = _Progress(stream)
    progress._start -= 2.0  # two seconds in
    progress.update(500, 1500)
    text = stream.getvalue()
    assert "500/1500 probed" in text
    assert "/s" in text and "left" in text
    rate = float(text.split("open, ")[1].split("/s")[0].replace(",", ""))
    assert 150 < rate <= 250  # about 250 per second
    assert "4s left" in text or "3s left" in text


#: Runs the CLI, then reports its peak RSS: VmHWM belongs to the process's own memory
#: since exec (ru_maxrss would count the parent's, inherited through fork).
_MEASURED = (
    "import sys\n"
    "from portkit._cli import main\n"
    "status = main(sys.argv[1:])\n"
    "sys.stdout.flush()\n"
    "hwm = [x for x in open('/proc/self/status') if x.startswith('VmHWM')][0].split()[1]\n"
    "print(hwm, file=sys.stderr)\n"
    "sys.exit(status)\n"
)


def _peak_rss_kib(args: list[str]) -> int:
    done = subprocess.run([sys.executable, "-c", _MEASURED, *args], stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True, timeout=300, check=True)
    return int(done.stderr.split()[-1])


@pytest.mark.parametrize("output", [[], ["--json"], ["--csv"]], ids=["table", "json", "csv"])
def test_memory_does_not_grow_with_the_number_of_targets(output: list[str]) -> None:
    # 16 times the targets (30,720 more results), the same peak memory within 3 MiB:
    # keeping the results (as the CLI once did) costs over 200 bytes each.
    small = _peak_rss_kib(["scan", "127.0.0.0/21", "-p", "1", *output])
    large = _peak_rss_kib(["scan", "127.0.0.0/17", "-p", "1", *output])
    assert large - small < 3 * 1024, (small, large)


def test_live_table_keeps_its_header_on_a_short_terminal() -> None:
    import pty
    import select

    # 12 checks on a terminal of 8 lines: the header and the worst checks stay.
    endpoints = [f"127.0.0.1:{port}" for port in range(1, 13)]
    primary, secondary = pty.openpty()
    env = {**os.environ, "LINES": "8", "COLUMNS": "120"}
    env.pop("NO_COLOR", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "portkit", "monitor", *endpoints, "--interval", "0.1",
         "--duration", "1.5"],
        stdout=secondary, stderr=subprocess.DEVNULL, env=env,
    )
    os.close(secondary)
    chunks = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        ready, _, _ = select.select([primary], [], [], 1)
        if not ready:
            if proc.poll() is not None:
                break
            continue
        try:
            data = os.read(primary, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=30)
    os.close(primary)
    screens = b"".join(chunks).decode().split("\x1b[H\x1b[2J")
    last = screens[-1].replace("\r", "").strip("\n").splitlines()
    assert last[0].split()[:2] == ["CHECK", "HEALTH"]
    assert len(last) <= 7
    assert last[-1].startswith("... and ") and "more check(s)" in last[-1]


def test_serve_on_a_busy_port_is_bad_input_in_the_users_words(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from portkit._cli import main

    with listener() as port:
        assert main(["monitor", "127.0.0.1:1", "--serve", str(port), "--count", "1"]) == 2
    err = capsys.readouterr().err
    assert f"invalid serve '{port}'" in err and "('" not in err
    assert main(["monitor", "127.0.0.1:1", "--serve", "1.2.3.4:99999"]) == 2
    assert "invalid serve '1.2.3.4:99999'" in capsys.readouterr().err
