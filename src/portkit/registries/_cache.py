"""Where a downloaded registry is kept: the user's cache directory."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

__all__ = ["CSV_NAME", "META_NAME", "cache_dir", "cached_csv", "read_meta"]

#: The file name of the cached copy of IANA's CSV.
CSV_NAME = "service-names-port-numbers.csv"
#: The file name of the JSON record of where and when the cached copy was downloaded.
META_NAME = "service-names-port-numbers.json"


def cache_dir() -> Path:
    """portkit's cache directory.

    ``$XDG_CACHE_HOME/portkit`` when ``XDG_CACHE_HOME`` is set (on any system);
    otherwise ``%LOCALAPPDATA%\\portkit`` on Windows, ``~/Library/Caches/portkit`` on
    macOS and ``~/.cache/portkit`` elsewhere.
    """
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / "portkit"
    if sys.platform == "win32":
        local = os.environ.get("LOCALAPPDATA")
        if local:
            return Path(local) / "portkit"
        return Path.home() / "AppData" / "Local" / "portkit"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "portkit"
    return Path.home() / ".cache" / "portkit"


def cached_csv() -> Path:
    """The path of the cached CSV (which may not exist)."""
    return cache_dir() / CSV_NAME


def read_meta(directory: Path) -> dict[str, Any]:
    """The download record kept beside the cached CSV; empty when missing or unreadable."""
    try:
        meta = json.loads((directory / META_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return meta if isinstance(meta, dict) else {}
