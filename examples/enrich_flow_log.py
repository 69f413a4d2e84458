"""Enrich a VPC flow log end to end: which side is the service, what it is, how risky.

Run it: ``python examples/enrich_flow_log.py [FLOW_LOG]``. FLOW_LOG is a flow log in
the default (version 2) format of cloud VPC flow logs, space-separated with a header;
without one, the example writes a small made-up log to a temporary file first. Needs
pandas (``pip install 'portkit[pandas]'``).

Records with no ports (ICMP, ``-`` for NODATA) are kept, with unknown direction.
"""

from __future__ import annotations

import random
import sys
import tempfile
from pathlib import Path

import pandas as pd

from portkit.pipelines import add_flow_direction, enrich

HEADER = ("version account-id interface-id srcaddr dstaddr srcport dstport protocol "
          "packets bytes start end action log-status")


def write_sample(path: Path, rows: int = 2000) -> None:
    """A made-up flow log: clients on ephemeral ports talking to well-known services."""
    rng = random.Random(12)
    services = [(443, 6), (80, 6), (22, 6), (53, 17), (123, 17), (3306, 6), (23, 6), (6379, 6)]
    lines = [HEADER]
    for i in range(rows):
        port, proto = rng.choice(services)
        client = rng.randint(32768, 60999)
        request = rng.random() < 0.5
        src, dst = (client, port) if request else (port, client)
        action = "REJECT" if port in (23, 6379) and rng.random() < 0.5 else "ACCEPT"
        lines.append(f"2 123456789010 eni-0a1b2c3d 10.0.{i % 250}.7 10.0.1.{i % 200} "
                     f"{src} {dst} {proto} {rng.randint(1, 40)} {rng.randint(60, 90000)} "
                     f"1700000000 1700000060 {action} OK")
    lines.append("2 123456789010 eni-0a1b2c3d 10.0.0.7 10.0.1.9 0 0 1 4 336 "
                 "1700000000 1700000060 ACCEPT OK")  # ICMP: no ports
    lines.append("2 123456789010 eni-0a1b2c3d - - - - - - - 1700000000 1700000060 - NODATA")
    path.write_text("\n".join(lines) + "\n")


def main(path: Path) -> None:
    flows = pd.read_csv(path, sep=" ", na_values="-")
    print(f"{len(flows)} records from {path.name}")
    flows = add_flow_direction(flows, "srcport", "dstport", protocol_column="protocol",
                               system="linux", errors="coerce")
    flows = enrich(flows, "server_port", protocol_column="protocol", errors="coerce",
                   columns=["service", "category", "cleartext", "risk"], prefix="")
    known = flows[flows["direction"] != "unknown"]
    reasons = flows.loc[flows["direction"] == "unknown", "direction_reason"].astype(str)
    why = ", ".join(f"{n} {reason}" for reason, n in reasons.value_counts().items())
    print(f"direction known for {len(known)}, unknown for {len(flows) - len(known)} ({why})")
    by_service = known.groupby("service", observed=True)["bytes"].sum().sort_values(
        ascending=False)
    print("bytes by service:")
    for name, total in by_service.items():
        print(f"  {name:<10} {int(total):>12,}")
    cleartext = known[(known["cleartext"] == True) & (known["action"] == "ACCEPT")]  # noqa: E712
    risky = cleartext[cleartext["risk"].isin(["high", "critical"])]
    print(f"accepted cleartext flows: {len(cleartext)}, of which high or critical risk: "
          f"{len(risky)} ({', '.join(sorted(risky['service'].astype(str).unique()))})")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        main(Path(sys.argv[1]))
    else:
        with tempfile.TemporaryDirectory() as tmp:
            sample = Path(tmp) / "flow-log.txt"
            write_sample(sample)
            main(sample)
