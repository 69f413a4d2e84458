"""Run one scan and print its results as JSON lines (used by the tests).

Usage: python netns_runner.py SPEC_JSON, where the spec has ``targets``, ``ports``,
``backend``, ``options`` (for portkit.scan), optionally ``listen`` (addresses and
ports to listen on while scanning) and ``nofile`` (a soft RLIMIT_NOFILE to set
first). Tests run it under ``ip netns exec`` to scan inside a namespace.
"""

from __future__ import annotations

import json
import socket
import sys


def main() -> None:
    spec = json.loads(sys.argv[1])
    if spec.get("nofile"):
        import resource

        _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (spec["nofile"], hard))
    import portkit

    listeners = []
    try:
        for host, port in spec.get("listen", []):
            family = socket.AF_INET6 if ":" in host else socket.AF_INET
            sock = socket.socket(family, socket.SOCK_STREAM)
            listeners.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host, port))
            sock.listen(1024)
        results = portkit.scan_sync(
            spec["targets"], spec["ports"], backend=spec["backend"], **spec.get("options", {})
        )
    finally:
        for sock in listeners:
            sock.close()
    for result in results:
        print(json.dumps(result.to_dict()))


if __name__ == "__main__":
    main()
