"""Pure classification of port numbers: IANA class and ephemeral ranges.

Functions here take plain ints, so that pipelines pay for no objects they do not
need; the value types in :mod:`portkit._models` delegate to them. Nothing here
touches sockets or anyio. The only I/O is reading this host's ephemeral range when
``system=None`` asks for it.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, overload

from ._ranges import MAX_PORT, PortClass, PortRange, _range, check_port
from .exceptions import InvalidColumnError, InvalidPortError, UnknownSystemError

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

__all__ = [
    "EPHEMERAL_RANGES",
    "INVALID_CODE",
    "classify",
    "classify_many",
    "ephemeral_range",
    "is_dynamic",
    "is_ephemeral",
    "is_registered",
    "is_well_known",
]

_WK = PortClass.WELL_KNOWN
_REG = PortClass.REGISTERED
_DYN = PortClass.DYNAMIC


def classify(port: int) -> PortClass:
    """The IANA class of *port*: well-known, registered or dynamic.

    >>> classify(22), classify(8080), classify(50000)
    (<PortClass.WELL_KNOWN: 0>, <PortClass.REGISTERED: 1>, <PortClass.DYNAMIC: 2>)

    Raises:
        InvalidPortError: *port* is not an int from 0 to 65535 (``True`` and ``3.0``
            are rejected, numpy integers accepted).
    """
    if port.__class__ is int and 0 <= port <= MAX_PORT:
        if port < 1024:
            return _WK
        return _REG if port < 49152 else _DYN
    port = check_port(port)
    return classify(port)


def is_well_known(port: int) -> bool:
    """True for ports 0-1023 (RFC 6335 "System Ports")."""
    return classify(port) is _WK


def is_registered(port: int) -> bool:
    """True for ports 1024-49151 (RFC 6335 "User Ports")."""
    return classify(port) is _REG


def is_dynamic(port: int) -> bool:
    """True for ports 49152-65535 (RFC 6335 "Dynamic and/or Private Ports")."""
    return classify(port) is _DYN


#: The default ephemeral (source) port range of each operating system, and where
#: the figure comes from.
EPHEMERAL_RANGES: dict[str, PortRange] = {
    # RFC 6335, section 6: the Dynamic Ports.
    "iana": _range(49152, 65535),
    # net.ipv4.ip_local_port_range, kernel default since 2.6.x (Documentation/
    # networking/ip-sysctl: "32768 60999").
    "linux": _range(32768, 60999),
    # Windows Vista / Server 2008 and later (Microsoft KB 929851).
    "windows": _range(49152, 65535),
    # Windows XP / Server 2003 and earlier (MaxUserPort default).
    "windows-legacy": _range(1025, 5000),
    # net.inet.ip.portrange.first/last defaults of XNU.
    "macos": _range(49152, 65535),
    # netinet/in.h IPPORT_EPHEMERALFIRST/LAST, FreeBSD 7.0 and later
    # (FreeBSD 4.6 to 6.x used 49152-65535).
    "freebsd": _range(10000, 65535),
    # netinet/in.h IPPORT_HIFIRSTAUTO/HILASTAUTO, used for the default range.
    "openbsd": _range(49152, 65535),
    "netbsd": _range(49152, 65535),
    # tcp_smallest_anon_port / tcp_largest_anon_port defaults.
    "solaris": _range(32768, 65535),
    # tcp_ephemeral_low / tcp_ephemeral_high defaults.
    "aix": _range(32768, 65535),
}

_ALIASES = {"darwin": "macos", "osx": "macos", "win32": "windows", "sunos": "solaris",
            "illumos": "solaris"}


def _platform_system() -> str:
    """The name in :data:`EPHEMERAL_RANGES` for the running platform."""
    plat = sys.platform
    if plat.startswith("linux"):
        return "linux"
    if plat in ("win32", "cygwin"):
        return "windows"
    if plat == "darwin":
        return "macos"
    for name in ("freebsd", "openbsd", "netbsd", "aix", "sunos"):
        if plat.startswith(name):
            return _ALIASES.get(name, name)
    return "iana"


def _read_linux(path: Path = Path("/proc/sys/net/ipv4/ip_local_port_range")) -> PortRange | None:
    try:
        first, last = (int(x) for x in path.read_text().split())
        return PortRange(first, last)
    except (OSError, ValueError):
        return None


def _read_sysctl(first_key: str, last_key: str) -> PortRange | None:
    import subprocess

    try:
        out = subprocess.run(
            ["sysctl", "-n", first_key, last_key],
            capture_output=True, text=True, timeout=2, check=True,
        ).stdout.split()
        return PortRange(int(out[0]), int(out[1]))
    except (OSError, subprocess.SubprocessError, ValueError, IndexError):
        return None


def _host_range() -> PortRange:
    system = _platform_system()
    found: PortRange | None = None
    if system == "linux":
        found = _read_linux()
    elif system in ("macos", "freebsd"):
        found = _read_sysctl("net.inet.ip.portrange.first", "net.inet.ip.portrange.last")
    elif system in ("openbsd", "netbsd"):
        found = _read_sysctl("net.inet.ip.porthifirst", "net.inet.ip.porthilast")
    return found if found is not None else EPHEMERAL_RANGES[system]


def ephemeral_range(system: str | None = None) -> PortRange:
    """The range of ports that an operating system picks source ports from.

    Args:
        system: A name from :data:`EPHEMERAL_RANGES` (``"iana"``, ``"linux"``,
            ``"windows"``, ``"macos"``, ``"freebsd"``, ...; any case), or None for
            this host as it is configured right now: Linux reads
            ``/proc/sys/net/ipv4/ip_local_port_range``, macOS and the BSDs ask
            ``sysctl``, other platforms get their named default.

    Raises:
        UnknownSystemError: *system* is not a known name.
    """
    if system is None:
        return _host_range()
    key = system.strip().lower() if isinstance(system, str) else system
    key = _ALIASES.get(key, key) if isinstance(key, str) else key
    try:
        return EPHEMERAL_RANGES[key]
    except (KeyError, TypeError):
        raise UnknownSystemError(system, sorted(EPHEMERAL_RANGES)) from None


def is_ephemeral(port: int, system: str | None = None) -> bool:
    """True when *port* lies in the ephemeral range of *system* (see :func:`ephemeral_range`).

    Raises:
        InvalidPortError: *port* is not a valid port.
        UnknownSystemError: *system* is not a known name.
    """
    port = check_port(port)
    r = ephemeral_range(system)
    return r.first <= port <= r.last


# -- columns ---------------------------------------------------------------------------

#: The code that ``classify_many(..., errors="coerce")`` gives invalid values in numpy
#: columns (None in lists).
INVALID_CODE = 255

@functools.cache
def _table() -> Any:
    """The 65,536-entry uint8 lookup table of class codes, built on first use."""
    import numpy as np

    table = np.empty(MAX_PORT + 1, dtype=np.uint8)
    table[:1024] = _WK
    table[1024:49152] = _REG
    table[49152:] = _DYN
    table.flags.writeable = False
    return table


def _is_numpy_array(value: object) -> bool:
    np = sys.modules.get("numpy")
    return np is not None and isinstance(value, np.ndarray)


@overload
def classify_many(
    ports: npt.NDArray[Any], *, errors: Literal["raise", "coerce"] = "raise"
) -> npt.NDArray[np.uint8]: ...
@overload
def classify_many(
    ports: Iterable[int], *, errors: Literal["raise"] = "raise"
) -> list[PortClass]: ...
@overload
def classify_many(
    ports: Iterable[int], *, errors: Literal["coerce"]
) -> list[PortClass | None]: ...


def classify_many(ports: Any, *, errors: Literal["raise", "coerce"] = "raise") -> Any:
    """Classify a whole column of ports at once.

    A numpy array is classified vectorised, with one table lookup and no Python loop,
    and the result is a ``uint8`` array of the same shape holding
    :class:`PortClass` codes: ``0`` well-known, ``1`` registered, ``2`` dynamic
    (``PortClass(code)`` turns one back into the enum). Integer arrays of any width,
    and float arrays holding whole numbers (as pandas makes of columns with gaps),
    are accepted. Any other iterable gives a list of :class:`PortClass`.

    >>> classify_many([22, 8080, 50000])
    [<PortClass.WELL_KNOWN: 0>, <PortClass.REGISTERED: 1>, <PortClass.DYNAMIC: 2>]

    Args:
        ports: The column.
        errors: ``"raise"`` (the default) raises on invalid values; ``"coerce"``
            marks them instead, with :data:`INVALID_CODE` (255) in arrays and None in
            lists.

    Raises:
        InvalidColumnError: Some values are not ports; its ``positions`` and
            ``values`` name them all (flat positions for arrays).
    """
    if errors not in ("raise", "coerce"):
        raise ValueError(f"errors must be 'raise' or 'coerce', not {errors!r}")
    if _is_numpy_array(ports):
        return _classify_array(ports, errors)
    if isinstance(ports, (str, bytes)):
        raise InvalidPortError(ports, "classify_many takes a column of ints, not a str")
    out: list[PortClass | None] = []
    append = out.append
    bad_positions: list[int] = []
    bad_values: list[object] = []
    for i, port in enumerate(ports):
        if port.__class__ is int and 0 <= port <= MAX_PORT:
            append(_WK if port < 1024 else (_REG if port < 49152 else _DYN))
            continue
        try:
            append(classify(port))
        except InvalidPortError:
            bad_positions.append(i)
            bad_values.append(port)
            append(None)
    if bad_positions and errors == "raise":
        raise InvalidColumnError(bad_positions, bad_values)
    return out


def _classify_array(arr: Any, errors: str) -> Any:
    import numpy as np

    table = _table()
    kind = arr.dtype.kind
    if kind in "iu":
        if arr.size == 0:
            return np.zeros(arr.shape, dtype=np.uint8)
        if arr.dtype.itemsize == 8:
            # Indices already intp: one gather. np.take raises past the end of the
            # table but wraps negative indices (and uint64 past 2**63 turns negative on
            # the way to intp), so one reduction rules those out first.
            ok = arr.min() >= 0 if kind == "i" else arr.max() <= MAX_PORT
            if ok:
                try:
                    return np.take(table, arr)
                except IndexError:
                    pass
        elif (kind == "u" or arr.min() >= 0) and (
            arr.dtype.itemsize <= 2 or arr.max() <= MAX_PORT
        ):
            # A narrower column would be widened to intp for a gather; two vectorised
            # comparisons on the column as it is are faster. Dtypes too narrow to
            # leave the port range skip the checks at one end or both.
            codes = (arr >= 1024).view(np.uint8)
            codes += arr >= 49152
            return codes
        valid = (arr >= 0) & (arr <= MAX_PORT)
    elif kind == "f":
        with np.errstate(invalid="ignore"):
            valid = (arr >= 0) & (arr <= MAX_PORT) & (np.floor(arr) == arr)
        if valid.all():
            return table[arr.astype(np.intp)]
    else:
        if kind == "b":
            every = list(range(arr.size))
            raise InvalidColumnError(every, arr.ravel().tolist())
        values = arr.ravel().tolist()
        result = classify_many(values, errors="coerce")
        codes = np.array(
            [INVALID_CODE if c is None else int(c) for c in result], dtype=np.uint8
        ).reshape(arr.shape)
        if errors == "raise" and (codes == INVALID_CODE).any():
            positions = np.flatnonzero(codes == INVALID_CODE)
            raise InvalidColumnError(positions.tolist(), [values[p] for p in positions])
        return codes
    if errors == "raise":
        positions = np.flatnonzero(~valid)
        raise InvalidColumnError(positions.tolist(), arr.ravel()[positions].tolist())
    codes = np.full(arr.shape, INVALID_CODE, dtype=np.uint8)
    codes[valid] = table[arr[valid].astype(np.intp)]
    return codes

