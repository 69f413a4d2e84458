"""Probing ports with anyio: results, the probe protocol, the TCP connect probe and
the scan engine. Public names are re-exported by :mod:`portkit`, their home."""

from __future__ import annotations

from .._public import rehome as _rehome
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

_rehome(globals(), __all__, "portkit")
