"""How fast the registry answers, next to the alternatives.

Prints, side by side:

- the first lookup in a fresh process, beyond ``import portkit`` (median of many
  subprocesses), next to a first ``socket.getservbyport`` and a first scan of IANA's
  CSV with the csv module;
- nanoseconds per call of ``lookup`` and ``port_of`` once loaded, next to
  ``socket.getservbyport`` / ``getservbyname`` (the C library reading
  /etc/services) and a linear scan of the CSV rows held in memory.

The CSV is /work/shared/data/iana-service-names-port-numbers.csv when present, else
one written from the bundled data. Run: ``python benchmarks/registry_lookup.py``.
"""

from __future__ import annotations

import csv
import io
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import timeit
from collections.abc import Callable
from pathlib import Path

import portkit
from portkit.registries._loaders import IANA_COLUMNS

REFERENCE_CSV = Path("/work/shared/data/iana-service-names-port-numbers.csv")
FRESH_RUNS = 31

FIRST_LOOKUP = """
import time
t0 = time.perf_counter()
import portkit
t1 = time.perf_counter()
portkit.lookup(443)
t2 = time.perf_counter()
portkit.port_of("postgres")
t3 = time.perf_counter()
print(t1 - t0, t2 - t1, t3 - t2)
"""

FIRST_GETSERV = """
import socket, time
t = time.perf_counter()
socket.getservbyport(443, "tcp")
print(time.perf_counter() - t)
"""

FIRST_CSV = """
import csv, sys, time
t = time.perf_counter()
with open(sys.argv[1], newline="", encoding="utf-8") as f:
    for row in csv.reader(f):
        if row[1] == "443" and row[2] == "tcp":
            break
print(time.perf_counter() - t)
"""


def _fresh(code: str, *args: str) -> list[list[float]]:
    env = {**os.environ, "XDG_CACHE_HOME": tempfile.mkdtemp()}  # the bundled data
    runs = []
    for _ in range(FRESH_RUNS):
        out = subprocess.run([sys.executable, "-c", code, *args], check=True,
                             capture_output=True, text=True, env=env).stdout
        runs.append([float(x) for x in out.split()])
    return runs


def _ns_per_call(func: Callable[[object], object], items: list[object]) -> float:
    def run() -> None:
        for item in items:
            func(item)

    timer = timeit.Timer(run)
    loops, _ = timer.autorange()
    best = min(timer.repeat(repeat=5, number=loops))
    return best / loops / len(items) * 1e9


def _csv_path() -> Path:
    if REFERENCE_CSV.is_file():
        return REFERENCE_CSV
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(IANA_COLUMNS)
    for s in portkit.registries.Registry.bundled().all_services:
        writer.writerow([s.name, str(s.ports), s.protocol.value, s.description] + [""] * 8)
    path = Path(tempfile.mkdtemp()) / "bundled.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def main() -> None:
    csv_path = _csv_path()
    print(f"python {sys.version.split()[0]}, portkit {portkit.__version__}, "
          f"CSV: {csv_path}")

    ours = _fresh(FIRST_LOOKUP)
    getserv = _fresh(FIRST_GETSERV)
    scan = _fresh(FIRST_CSV, str(csv_path))
    ms = 1e3
    print(f"\nfresh process, median of {FRESH_RUNS} runs (ms)")
    print(f"  {'import portkit':42} {statistics.median(r[0] for r in ours) * ms:8.2f}")
    print(f"  {'first portkit.lookup(443), beyond import':42} "
          f"{statistics.median(r[1] for r in ours) * ms:8.2f}")
    label = 'then first portkit.port_of("postgres")'
    print(f"  {label:42} "
          f"{statistics.median(r[2] for r in ours) * ms:8.2f}")
    print(f"  {'first socket.getservbyport(443)':42} "
          f"{statistics.median(r[0] for r in getserv) * ms:8.2f}")
    print(f"  {'csv scan of the CSV to 443/tcp':42} "
          f"{statistics.median(r[0] for r in scan) * ms:8.2f}")

    reg = portkit.registries.default()
    rng = random.Random(1)
    services = [s for s in reg.all_services if s.protocol.value == "tcp"]
    sample = rng.sample(services, 1000)
    ports: list[object] = [s.port for s in sample]
    names: list[object] = [s.name for s in sample]
    etc_ports = []
    etc_names = []
    for s in sample:
        try:
            socket.getservbyport(s.port, "tcp")
        except OSError:
            continue
        etc_ports.append(s.port)
        etc_names.append(socket.getservbyport(s.port, "tcp"))
    with csv_path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))[1:]
    few_ports = ports[:50]
    few_names = names[:50]

    def scan_port(port: object) -> object:
        text = str(port)
        for row in rows:
            if row[1] == text and row[2] == "tcp":
                return row
        return None

    def scan_name(name: object) -> object:
        for row in rows:
            if row[0] == name and row[2] == "tcp":
                return row
        return None

    registry_lookup = reg.lookup
    registry_port_of = reg.port_of
    figures = [
        ("Registry.lookup(port)", _ns_per_call(registry_lookup, ports), len(ports)),
        ("portkit.lookup(port)", _ns_per_call(portkit.lookup, ports), len(ports)),
        ("Registry.port_of(name)", _ns_per_call(registry_port_of, names), len(names)),
        ("portkit.port_of(name)", _ns_per_call(portkit.port_of, names), len(names)),
        ("socket.getservbyport(port)",
         _ns_per_call(lambda p: socket.getservbyport(p, "tcp"), etc_ports),  # type: ignore[arg-type]
         len(etc_ports)),
        ("socket.getservbyname(name)",
         _ns_per_call(lambda n: socket.getservbyname(n, "tcp"), etc_names),  # type: ignore[arg-type]
         len(etc_names)),
        ("linear scan of CSV rows by port", _ns_per_call(scan_port, few_ports), len(few_ports)),
        ("linear scan of CSV rows by name", _ns_per_call(scan_name, few_names), len(few_names)),
    ]
    print("\nonce loaded, per call (ns), best of 5")
    for label, ns, count in figures:
        print(f"  {label:42} {ns:12,.0f}   ({count} distinct queries)")


if __name__ == "__main__":
    main()
