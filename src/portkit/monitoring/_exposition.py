"""The Prometheus text exposition format (version 0.0.4) of a monitor's checks.

Metric names follow the blackbox exporter where one applies (``probe_success``,
``probe_duration_seconds``); the others are portkit's own, prefixed ``portkit_``.
Every series carries the labels ``check``, ``target``, ``port`` and ``protocol``.

``portkit_check_latency_seconds`` is typed ``summary`` and has only its quantile
series: they cover the check's window, so a cumulative ``_sum`` and ``_count`` would
mislead; ``portkit_check_results_total`` is the cumulative count.
Nothing here does I/O.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

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
)


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
    lines: list[str] = []
    for name, kind, help_text in _FAMILIES:
        lines.append(f"# HELP {name} {_escape_help(help_text)}")
        lines.append(f"# TYPE {name} {kind}")
        lines.extend(samples[name])
    return "\n".join(lines) + "\n"
