"""portkit vs ``nmap -sT -n -Pn -T4`` across a lab network with delay and loss.

Usage (root, Linux, iproute2 + nftables + nmap): python benchmarks/scan_network.py
    [--runs N] [--only 1,2,3]

Builds the lab of tests/lab.py (a scanner namespace, a router namespace whose
userspace delay line adds the round trip, jitter and loss, target namespaces with
real listeners and nftables rules) and runs, one after the other with identical
targets and ports, portkit with its defaults (``portkit.scan_sync``) and nmap's
connect scan, in the scanner namespace:

1. one host, 1,000 closed ports (1-1000), 200 ms round trip (+/- 10 ms jitter per
   crossing), 6% round-trip loss: seconds and false ``filtered`` verdicts per run;
2. a /24 with 10 live hosts (5 open and 3 dropped ports each among the top 100, the
   rest closed) and 246 dead addresses (238 silent, 8 rejected with ICMP
   admin-prohibited), x the top 100 ports, 40 ms round trip: seconds and whether
   every live port's verdict is right;
3. one host x 65,535 ports at 40 ms (10 open, 20 dropped): seconds and agreement.

Every address is inside the namespaces the script creates; they are deleted at the
end, whatever happens.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import sys
import time
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import portkit
from lab import Host, Lab, available, make_lab

NMAP = ["nmap", "-sT", "-n", "-Pn", "-T4"]


def portkit_scan(lab: Lab, targets: str, ports: str) -> tuple[float, list[dict[str, Any]]]:
    start = time.perf_counter()
    results = lab.scan(targets, ports)
    return time.perf_counter() - start, results


def nmap_scan(lab: Lab, targets: str, ports: str) -> tuple[float, dict[tuple[str, int], str]]:
    """nmap's verdicts: listed ports, and the 'extraports' state for the rest."""
    start = time.perf_counter()
    out = lab.run([*NMAP, "-p", ports, "-oX", "-", targets], timeout=3600).stdout
    elapsed = time.perf_counter() - start
    states: dict[tuple[str, int], str] = {}
    wanted = list(portkit.PortSet.parse(ports))
    for host in ET.fromstring(out).iter("host"):
        address = host.find("address").get("addr")  # type: ignore[union-attr]
        listed: dict[int, str] = {}
        extra = None
        ports_el = host.find("ports")
        if ports_el is not None:
            for port in ports_el.iter("port"):
                listed[int(port.get("portid", 0))] = port.find("state").get("state")  # type: ignore[union-attr]
            for ex in ports_el.iter("extraports"):
                extra = ex.get("state")
        for p in wanted:
            states[(str(address), p)] = listed.get(p, extra or "?")
    return elapsed, states


def scenario_loss(runs: int) -> None:
    print("1) 1,000 closed ports, 200 ms RTT, 6% round-trip loss", flush=True)
    with make_lab([Host("10.77.1.10")], rtt=0.2, jitter=0.01, loss=0.06) as lab:
        rows = []
        for run in range(runs):
            t_pk, results = portkit_scan(lab, "10.77.1.10", "1-1000")
            pk_false = sum(r["state"] != "closed" for r in results)
            t_nm, states = nmap_scan(lab, "10.77.1.10", "1-1000")
            nm_false = sum(s != "closed" for s in states.values())
            rows.append((t_pk, pk_false, t_nm, nm_false))
            print(f"   run {run + 1}: portkit {t_pk:6.2f} s, {pk_false} false filtered | "
                  f"nmap {t_nm:6.2f} s, {nm_false} false filtered", flush=True)
        pk_t = statistics.median(r[0] for r in rows)
        nm_t = statistics.median(r[2] for r in rows)
        print(f"   median: portkit {pk_t:.2f} s, nmap {nm_t:.2f} s ({nm_t / pk_t:.1f}x); "
              f"false filtered in {runs} runs: portkit {sum(r[1] for r in rows)}, "
              f"nmap {sum(r[3] for r in rows)}")


def scenario_subnet(runs: int, nmap_runs: int) -> None:
    print("2) /24: 10 live hosts + 246 dead addresses x top 100 ports, 40 ms RTT", flush=True)
    top = list(portkit.top_ports(100))
    rng = random.Random(24)
    hosts = []
    for i in range(10):
        chosen = rng.sample(top, 8)
        hosts.append(Host(f"10.77.1.{10 + 9 * i}", open=chosen[:5], dropped=chosen[5:]))
    truth = {}
    for host in hosts:
        for p in top:
            truth[(host.address, p)] = (
                "open" if p in host.open else "filtered" if p in host.dropped else "closed"
            )
    ports = ",".join(map(str, top))
    with make_lab(hosts, rtt=0.04, jitter=0.002) as lab:
        for run in range(runs):
            t_pk, results = portkit_scan(lab, "10.77.1.0/24", ports)
            seen = {(r["address"], r["port"]): r["state"] for r in results}
            pk_ok = all(seen.get(k) == v for k, v in truth.items())
            line = (f"   run {run + 1}: portkit {t_pk:6.2f} s, live ports right: {pk_ok}, "
                    f"{dict(Counter(seen.values()))}")
            if run < nmap_runs:  # nmap takes minutes here: fewer runs
                t_nm, states = nmap_scan(lab, "10.77.1.0/24", ports)
                nm_ok = all(states.get(k) == v for k, v in truth.items())
                line += f" | nmap {t_nm:6.2f} s, live ports right: {nm_ok}"
            print(line, flush=True)


def scenario_all_ports(runs: int) -> None:
    print("3) one host x 65,535 ports, 40 ms RTT", flush=True)
    rng = random.Random(65535)
    chosen = rng.sample(range(1, 65536), 30)
    host = Host("10.77.1.10", open=sorted(chosen[:10]), dropped=sorted(chosen[10:]))
    with make_lab([host], rtt=0.04, jitter=0.002) as lab:
        for run in range(runs):
            t_pk, results = portkit_scan(lab, "10.77.1.10", "1-65535")
            pk = {r["port"]: r["state"] for r in results}
            t_nm, states = nmap_scan(lab, "10.77.1.10", "1-65535")
            nm = {p: s for (_, p), s in states.items()}
            disagree = sum(pk.get(p) != nm.get(p) for p in range(1, 65536))
            right = {p for p, s in pk.items() if s == "open"} == set(host.open)
            print(f"   run {run + 1}: portkit {t_pk:6.2f} s ({dict(Counter(pk.values()))}, "
                  f"open right: {right}) | nmap {t_nm:6.2f} s ({dict(Counter(nm.values()))}); "
                  f"ports where they disagree: {disagree}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", default="1,2,3")
    parser.add_argument("--nmap-runs", type=int, default=1,
                        help="nmap's runs in case 2 (about 10 minutes each)")
    args = parser.parse_args()
    reason = available()
    if reason is not None or shutil.which("nmap") is None:
        print(f"cannot run: {reason or 'nmap is not installed'}")
        return 1
    print(f"portkit {portkit.__version__}, {json.dumps({'runs': args.runs})}", flush=True)
    chosen = set(args.only.split(","))
    if "1" in chosen:
        scenario_loss(args.runs)
    if "2" in chosen:
        scenario_subnet(args.runs, args.nmap_runs)
    if "3" in chosen:
        scenario_all_ports(max(1, args.runs // 3))
    return 0


if __name__ == "__main__":
    sys.exit(main())
