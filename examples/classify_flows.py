"""Classify the destination ports of a batch of flow records, as a data pipeline would.

Run it: ``python examples/classify_flows.py``. With numpy installed the column is
classified vectorised; without it, the same call takes a plain list.
"""

from __future__ import annotations

import random
from collections import Counter

import portkit


def main() -> None:
    rng = random.Random(7)
    # A made-up batch of flow records: (destination port, bytes).
    flows = [(rng.choice([22, 53, 443, 3306, 8080, rng.randint(0, 65535)]), rng.randint(40, 9000))
             for _ in range(10_000)]
    flows.append((70000, 60))  # a corrupt record, as real logs have

    ports = [port for port, _ in flows]
    classes = portkit.classify_many(ports, errors="coerce")
    bad = [i for i, c in enumerate(classes) if c is None]
    print(f"{len(flows)} flows, {len(bad)} with an invalid port at rows {bad}")

    traffic: Counter[str] = Counter()
    for (_, size), cls in zip(flows, classes, strict=True):
        traffic[str(cls) if cls is not None else "invalid"] += size
    for name, total in traffic.most_common():
        print(f"{name:>12}: {total:>10,} bytes")

    ephemeral = portkit.ephemeral_range("linux")
    in_ephemeral = sum(1 for p in ports if isinstance(p, int) and p in ephemeral)
    print(f"{in_ephemeral} destinations fall in Linux's ephemeral range {ephemeral}")

    web = portkit.PortSet.parse("80,443,8000-8999")
    print(f"{sum(p in web for p in ports)} flows go to web ports ({web})")

    try:
        import numpy as np
    except ImportError:
        return
    codes = portkit.classify_many(np.array(ports, dtype=np.int64), errors="coerce")
    counts = np.bincount(codes, minlength=256)
    summary = {str(portkit.PortClass(c)): int(counts[c]) for c in range(3)}
    print(f"numpy codes: {summary}, invalid: {int(counts[portkit.INVALID_CODE])}")


if __name__ == "__main__":
    main()
