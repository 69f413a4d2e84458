"""Checks from a TOML file.

::

    # Optional: settings every check gets unless it sets its own.
    [defaults]
    interval = 10
    timeout = 1.0

    [[check]]
    endpoint = "db.internal:5432"
    name = "postgres"
    fall = 3
    degraded_latency = 0.2
    critical_latency = 1.0

    [[check]]
    endpoint = "10.0.0.5:23"
    expect = "closed"        # a policy: telnet must stay shut

The keys of ``[defaults]`` and of each ``[[check]]`` are the fields of
:class:`~portkit.monitoring.Check` except ``probe`` (the built-in TCP connect probe is used).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import Any

from ..exceptions import InvalidConfigError, PortkitError
from ._check import Check

__all__ = ["KEYS", "checks_from_config", "load_checks"]

#: The largest config file :func:`load_checks` reads (100,000 checks fit in about 8 MB).
MAX_CONFIG_BYTES = 16 * 1024 * 1024

#: The keys a ``[[check]]`` table (or ``[defaults]``) may hold.
KEYS = frozenset(
    {
        "endpoint", "name", "interval", "timeout", "expect",
        "degraded_latency", "critical_latency", "rise", "fall",
    }
)


def _toml_loads(text: str, path: str) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        try:
            import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]
        except ModuleNotFoundError:
            raise InvalidConfigError(
                path,
                "reading TOML on Python 3.10 needs the tomli package: "
                "pip install 'portkit[toml]'",
            ) from None
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise InvalidConfigError(path, f"not valid TOML: {e}") from None
    except RecursionError:
        raise InvalidConfigError(
            path, "not valid TOML: arrays or tables nested too deeply to read"
        ) from None
    except ValueError as e:  # an integer over Python's digit limit, say
        raise InvalidConfigError(path, f"not valid TOML: {e}") from None
    return data


def checks_from_config(data: Mapping[str, Any], path: str = "<config>") -> list[Check]:
    """The checks described by a parsed config (the TOML document as a dict).

    Raises:
        InvalidConfigError: a table or key breaks the format, or a value breaks the
            rule of its :class:`~portkit.monitoring.Check` field (the message says which check).
    """
    unknown = set(data) - {"defaults", "check"}
    if unknown:
        raise InvalidConfigError(
            path, f"unknown top-level key(s) {', '.join(sorted(unknown))}: "
            "expected [defaults] and [[check]] tables",
        )
    defaults = data.get("defaults", {})
    if not isinstance(defaults, Mapping):
        raise InvalidConfigError(path, "[defaults] must be a table")
    tables = data.get("check", [])
    if not isinstance(tables, list) or not all(isinstance(t, Mapping) for t in tables):
        raise InvalidConfigError(path, "checks are [[check]] tables")
    if not tables:
        raise InvalidConfigError(path, "no [[check]] tables")
    for where, table in [("[defaults]", defaults)] + [
        (f"check #{i}", t) for i, t in enumerate(tables, 1)
    ]:
        bad = set(table) - KEYS
        if bad:
            raise InvalidConfigError(
                path, f"{where}: unknown key(s) {', '.join(sorted(bad))}; "
                f"known keys are {', '.join(sorted(KEYS))}",
            )
    checks = []
    for i, table in enumerate(tables, 1):
        fields = {**defaults, **table}
        if "endpoint" not in fields:
            raise InvalidConfigError(path, f"check #{i}: no endpoint")
        try:
            checks.append(Check(**fields))
        except PortkitError as e:
            raise InvalidConfigError(path, f"check #{i}: {e}") from e
    seen: set[str] = set()
    for check in checks:
        if check.name in seen:
            raise InvalidConfigError(
                path, f"two checks are named {check.name!r}; names must be unique"
            )
        seen.add(check.name)
    return checks


def load_checks(path: str | os.PathLike[str]) -> list[Check]:
    """Read checks from a TOML file (format in the monitoring guide).

    TOML is read with ``tomllib``; on Python 3.10, install the ``toml`` extra
    (``pip install 'portkit[toml]'``) for ``tomli``.

    Loading is linear in the file's size; a file over 16 MiB, or
    that is not a regular file (a FIFO would never end), is refused.

    Raises:
        InvalidConfigError: the file cannot be read, is not TOML, or breaks the format
            (nesting too deep and numbers over Python's digit limit included).

    .. versionadded:: 0.1.0
    """
    import stat

    where = os.fspath(path)
    try:
        with open(where, "rb") as f:
            if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                raise InvalidConfigError(where, "cannot read it: not a regular file")
            raw = f.read(MAX_CONFIG_BYTES + 1)
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise InvalidConfigError(where, f"cannot read it: {e}") from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise InvalidConfigError(
            where, f"the file is over the bound of {MAX_CONFIG_BYTES:,} bytes"
        )
    return checks_from_config(_toml_loads(text, where), where)
