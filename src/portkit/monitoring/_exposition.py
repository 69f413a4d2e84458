"""The Prometheus text exposition format (version 0.0.4) of a monitor's checks.

Metric names follow the blackbox exporter where one applies (``probe_success``,
``probe_duration_seconds``, and for checks whose probe shakes hands with TLS
``probe_ssl_earliest_cert_expiry``, ``probe_ssl_last_chain_expiry_timestamp_seconds``,
``probe_tls_version_info`` and ``probe_tls_cipher_info`` with blackbox's ``version`` and
``cipher`` labels and values); the others are portkit's own, prefixed ``portkit_``.
Every series carries the labels ``check``, ``target``, ``port`` and ``protocol``.

``portkit_check_latency_seconds`` is typed ``summary`` and has only its quantile
series: they cover the check's window, so a cumulative ``_sum`` and ``_count`` would
mislead; ``portkit_check_results_total`` is the cumulative count.
Nothing here does I/O.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from ._health import Health
from ._stats import CheckStats

__all__ = ["CONTENT_TYPE", "CheckView", "escape_label", "render"]

#: The ``Content-Type`` of the text format.
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

#: The probe states counted by ``portkit_check_results_total`` (nmap's spelling).
RESULT_STATES = ("open", "closed", "filtered", "open|filtered", "closed|filtered", "error")


@attrs.frozen(kw_only=True)
class CheckView:
    """What the exposition needs to know about one check, read at one instant."""

    name: str
    target: str
    port: int
    protocol: str
    health: Health
    success: bool | None
    duration: float | None
    stats: CheckStats
    results: Mapping[str, int]
    tls: Any = None  # the last TLSInfo of a probe that shook hands, or None


def escape_label(value: str) -> str:
    r"""Escape a label value: backslash, double quote and line feed (``\\ \" \n``)."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _escape_help(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def _number(value: float | None) -> str:
    if value is None or math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


_FAMILIES: tuple[tuple[str, str, str], ...] = (
    ("probe_success", "gauge", "Whether the last probe succeeded (1) or not (0)."),
    ("probe_duration_seconds", "gauge", "How long the last probe took, in seconds."),
    ("portkit_check_up", "gauge", "Whether the check's damped health is up or degraded."),
    ("portkit_check_state", "gauge", "The check's damped health: 1 for the current state."),
    (
        "portkit_check_availability_ratio",
        "gauge",
        "The share of successful results in the check's window.",
    ),
    (
        "portkit_check_latency_seconds",
        "summary",
        "Nearest-rank latency quantiles over the check's window, in seconds.",
    ),
    ("portkit_check_latency_min_seconds", "gauge", "The lowest latency in the window."),
    ("portkit_check_latency_mean_seconds", "gauge", "The mean latency in the window."),
    ("portkit_check_latency_max_seconds", "gauge", "The highest latency in the window."),
    (
        "portkit_check_jitter_seconds",
        "gauge",
        "The mean absolute difference of consecutive latencies in the window.",
    ),
    ("portkit_check_results_total", "counter", "Results since the check started, by state."),
    ("portkit_check_state_changes_total", "counter", "Health changes since the check started."),
    (
        "probe_ssl_earliest_cert_expiry",
        "gauge",
        "Returns last SSL chain expiry in unixtime",
    ),
    (
        "probe_ssl_last_chain_expiry_timestamp_seconds",
        "gauge",
        "Returns last SSL chain expiry in timestamp",
    ),
    ("probe_tls_version_info", "gauge", "Returns the TLS version used or NaN when unknown"),
    ("probe_tls_cipher_info", "gauge", "Returns the TLS cipher negotiated during handshake"),
)

#: OpenSSL's protocol names and blackbox's (Go's) ``version`` label values.
TLS_VERSIONS = {"TLSv1": "TLS 1.0", "TLSv1.1": "TLS 1.1", "TLSv1.2": "TLS 1.2",
                "TLSv1.3": "TLS 1.3", "SSLv3": "SSL 3.0"}

#: OpenSSL's names of TLS 1.2 cipher suites and the IANA names blackbox (Go) reports.
CIPHER_NAMES = {
    "ECDHE-ECDSA-AES128-GCM-SHA256": "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "ECDHE-RSA-AES128-GCM-SHA256": "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "ECDHE-ECDSA-AES256-GCM-SHA384": "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "ECDHE-RSA-AES256-GCM-SHA384": "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "ECDHE-ECDSA-CHACHA20-POLY1305": "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    "ECDHE-RSA-CHACHA20-POLY1305": "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    "ECDHE-ECDSA-AES128-SHA": "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
    "ECDHE-RSA-AES128-SHA": "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
    "ECDHE-ECDSA-AES256-SHA": "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
    "ECDHE-RSA-AES256-SHA": "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
    "AES128-GCM-SHA256": "TLS_RSA_WITH_AES_128_GCM_SHA256",
    "AES256-GCM-SHA384": "TLS_RSA_WITH_AES_256_GCM_SHA384",
    "AES128-SHA": "TLS_RSA_WITH_AES_128_CBC_SHA",
    "AES256-SHA": "TLS_RSA_WITH_AES_256_CBC_SHA",
    "DES-CBC3-SHA": "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
}


def _tls_samples(tls: Any) -> list[tuple[str, float, str]]:
    """``(family, value, extra labels)`` for a TLSInfo that shook hands."""
    if tls is None or getattr(tls, "error", "x") is not None or tls.version is None:
        return []
    out: list[tuple[str, float, str]] = []
    cert = tls.certificate
    if cert is not None:
        expiry = cert.not_after.timestamp()
        out.append(("probe_ssl_earliest_cert_expiry", expiry, ""))
        if tls.verified:
            out.append(("probe_ssl_last_chain_expiry_timestamp_seconds", expiry, ""))
    version = TLS_VERSIONS.get(tls.version, tls.version)
    out.append(("probe_tls_version_info", 1, f',version="{escape_label(version)}"'))
    if tls.cipher:
        cipher = CIPHER_NAMES.get(tls.cipher, tls.cipher)
        out.append(("probe_tls_cipher_info", 1, f',cipher="{escape_label(cipher)}"'))
    return out


def render(views: Iterable[CheckView]) -> str:
    """The text exposition of *views*, one metric family after another."""
    views = list(views)
    samples: dict[str, list[str]] = {name: [] for name, _, _ in _FAMILIES}
    for view in views:
        labels = (
            f'check="{escape_label(view.name)}",target="{escape_label(view.target)}",'
            f'port="{view.port}",protocol="{escape_label(view.protocol)}"'
        )
        stats = view.stats

        def add(family: str, value: float | None, extra: str = "", labels: str = labels) -> None:
            samples[family].append(f"{family}{{{labels}{extra}}} {_number(value)}")

        if view.success is not None:
            add("probe_success", 1 if view.success else 0)
        if view.duration is not None:
            add("probe_duration_seconds", view.duration)
        add("portkit_check_up", 1 if view.health.is_ok else 0)
        for health in Health:
            add("portkit_check_state", 1 if health is view.health else 0, f',state="{health}"')
        add("portkit_check_availability_ratio", stats.availability)
        for quantile, value in (
            ("0.5", stats.latency_p50),
            ("0.95", stats.latency_p95),
            ("0.99", stats.latency_p99),
        ):
            add("portkit_check_latency_seconds", value, f',quantile="{quantile}"')
        add("portkit_check_latency_min_seconds", stats.latency_min)
        add("portkit_check_latency_mean_seconds", stats.latency_mean)
        add("portkit_check_latency_max_seconds", stats.latency_max)
        add("portkit_check_jitter_seconds", stats.jitter)
        for state in RESULT_STATES:
            add(
                "portkit_check_results_total",
                view.results.get(state, 0),
                f',state="{escape_label(state)}"',
            )
        add("portkit_check_state_changes_total", stats.state_changes)
        for family, value, extra in _tls_samples(view.tls):
            add(family, value, extra)
    lines: list[str] = []
    for name, kind, help_text in _FAMILIES:
        if name.startswith(("probe_ssl_", "probe_tls_")) and not samples[name]:
            continue  # only monitors with TLS checks have these families
        lines.append(f"# HELP {name} {_escape_help(help_text)}")
        lines.append(f"# TYPE {name} {kind}")
        lines.extend(samples[name])
    return "\n".join(lines) + "\n"
