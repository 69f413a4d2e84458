"""What runs on a few ports, and which ports a few services use.

Run it with ``python examples/registry_lookup.py``.
"""

from __future__ import annotations

import portkit


def main() -> None:
    for port, protocol in [(22, "tcp"), (53, "udp"), (443, "tcp"), (6010, "tcp"), (4, "tcp")]:
        service = portkit.lookup(port, protocol)
        if service is None:
            print(f"{port}/{protocol}: {portkit.status(port, protocol)}")
        else:
            print(f"{port}/{protocol}: {service.name} ({service.description})")

    for name in ["https", "postgres", "rdp", "x11"]:
        print(f"{name} -> {portkit.port_of(name)}")

    scan = portkit.PortSet.parse("ssh,http,https,postgres")
    print(f"ports to scan: {scan}")

    print("searching 'kerberos':", ", ".join(str(s) for s in portkit.search("kerberos", 4)))

    sources = portkit.registries.default().provenance.get("sources", [])
    print("data from:", ", ".join(f"{s['name']} {s['version']}" for s in sources))


if __name__ == "__main__":
    main()
