"""UDPProbe against a real rpcbind (Debian's package), run in a private network
namespace: rpcbind listens on port 111 and no other, which the namespace keeps to
itself. The probe runs in a subprocess under ``ip netns exec``.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
from collections.abc import Iterator

import pytest

from servers import ServerUnavailable, _run, _tmpdir

pytestmark = pytest.mark.netns

RUNNER = """
import json, sys, anyio, portkit
from portkit.identification import UDPProbe

async def main():
    endpoint = portkit.Endpoint(host="127.0.0.1", port=111, protocol="udp")
    r = await UDPProbe()(endpoint, 1.0)
    ident = r.details.get("identification")
    print(json.dumps([r.state.value, r.reason, None if ident is None else ident.service,
                      None if ident is None else ident.info]))

anyio.run(main, backend=sys.argv[1])
"""


def _listening(netns: str) -> bool:
    done = subprocess.run(["ip", "netns", "exec", netns, "ss", "-lun", "sport = :111"],
                          capture_output=True, text=True, check=False)
    return ":111" in done.stdout


@pytest.fixture(scope="module")
def rpcbind() -> Iterator[str]:
    if not sys.platform.startswith("linux") or os.geteuid() != 0:
        pytest.skip("a network namespace needs Linux and root")
    program = shutil.which("rpcbind") or shutil.which("rpcbind", path="/usr/sbin:/sbin")
    if program is None:
        pytest.skip("rpcbind is not installed")
    if shutil.which("ip") is None:
        pytest.skip("ip is not installed (iproute2)")
    name = f"pkr-{secrets.token_hex(4)}"
    done = subprocess.run(["ip", "netns", "add", name], capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot create a network namespace: {done.stderr!r}")
    try:
        subprocess.run(["ip", "-n", name, "link", "set", "lo", "up"], check=True,
                       capture_output=True)
        argv = ["ip", "netns", "exec", name, program, "-f"]
        with _tmpdir("rpcbind") as d, _run("rpcbind", argv, 111, protocol="udp",
                                           log=d / "log", ready=lambda: _listening(name)):
            yield name
    except ServerUnavailable as e:
        pytest.skip(str(e))
    finally:
        subprocess.run(["ip", "netns", "del", name], capture_output=True, check=False)


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_the_rpcbind_payload_names_the_real_rpcbind(rpcbind: str, backend: str) -> None:
    done = subprocess.run(
        ["ip", "netns", "exec", rpcbind, sys.executable, "-c", RUNNER, backend],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert done.returncode == 0, done.stderr
    # Port 111 draws the portmapper's NULL call, which rpcbind accepts.
    assert json.loads(done.stdout) == ["open", "udp-response", "rpcbind", "RPC #100000"]
