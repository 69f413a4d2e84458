"""Probing ports with anyio: results, the probe protocol, the TCP connect probe and
the scan engine. Public names are re-exported by :mod:`portkit`."""

from __future__ import annotations

from ._engine import ScanResults, probe, scan, scan_sync
from ._protocol import Probe
from ._results import PortState, ProbeResult
from ._tcp import TCPConnectProbe

__all__ = [
    "PortState",
    "Probe",
    "ProbeResult",
    "ScanResults",
    "TCPConnectProbe",
    "probe",
    "scan",
    "scan_sync",
]
