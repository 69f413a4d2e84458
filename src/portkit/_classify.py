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
#
# Every kind of column goes through one path: it is taken apart into a numpy array of
# values plus the positions that hold no value (NaN, NA, null, masked), judged with a
# few vectorised operations, and the answer is put back together as the same kind of
# column. pandas, polars and pyarrow are never imported here: a column of theirs can
# only exist once its library is imported, so its type's module says which it is.

#: The code that ``classify_many(..., errors="coerce")`` gives invalid values in
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


def _library(column: object) -> str | None:
    """Which columnar library *column* belongs to: numpy, pandas, polars, pyarrow or None."""
    if _is_numpy_array(column):
        return "numpy"
    module = type(column).__module__.partition(".")[0]
    name = type(column).__name__
    if module == "pandas" and name == "Series":
        return "pandas"
    if module == "polars" and name == "Series":
        return "polars"
    if module == "pyarrow" and name.endswith("Array"):
        return "pyarrow"
    return None


class Column:
    """A column taken apart: numpy values, the positions holding no value, and its kind.

    ``values`` is a numpy array (any shape for numpy input, 1-D otherwise);
    ``missing`` is a bool array of the same shape marking NaN/NA/null entries, or
    None when there are none; ``masked`` marks the entries of a numpy masked array,
    which are carried to the answer rather than judged. ``rebuild`` turns a numpy
    answer back into the caller's kind of column.
    """

    __slots__ = ("_values", "kind", "masked", "missing", "name", "source")

    def __init__(self, source: Any, name: str | None = None) -> None:
        import numpy as np

        self.source = source
        self.name = name
        self.masked: Any = None
        self.missing: Any = None
        self._values: Any = None
        kind = _library(source)
        if kind is None:
            raise InvalidPortError(source, "a column is a numpy, pandas, polars or pyarrow array")
        self.kind = kind
        if kind == "numpy":
            if isinstance(source, np.ma.MaskedArray):
                mask = np.ma.getmaskarray(source)
                self.masked = mask if mask.any() else None
                self._values = source.data
            else:
                self._values = source
        elif kind == "pandas":
            self.name = source.name if name is None else name
            self._values, self.missing = _pandas_values(source)
        elif kind == "polars":
            self.name = source.name if name is None else name
            self._values, self.missing = _polars_values(source)
        else:
            self._values, self.missing = _arrow_values(source)

    @property
    def values(self) -> Any:
        """The values as numpy. A polars or pyarrow column of text (a protocol column,
        say) is made into Python objects only when asked: the engines read it in its
        own library, and need its values only to report the invalid ones."""
        if self._values is None:
            self._values = _objects(self.source)
        return self._values

    def values_at(self, positions: Any) -> Any:
        """:attr:`values` at *positions* (an array of them), making no others."""
        if self._values is None:
            return _objects(self.source, positions)
        return self._values.ravel()[positions]

    @property
    def value_kind(self) -> str:
        """The numpy kind of :attr:`values` (``"O"`` for text), without making them."""
        return "O" if self._values is None else str(self._values.dtype.kind)

    def rebuild(self, result: Any, nulls: Any = None) -> Any:
        """*result* (a numpy array) as this column's kind, with *nulls* as missing values."""
        import numpy as np

        kind = self.kind
        if kind == "numpy":
            mask = self.masked
            if nulls is not None:
                mask = nulls if mask is None else (mask | nulls)
            if mask is not None or isinstance(self.source, np.ma.MaskedArray):
                return np.ma.MaskedArray(
                    result, mask=np.ma.nomask if mask is None else mask,
                    fill_value=INVALID_CODE if result.dtype == np.uint8 else None,
                )
            return result
        if kind == "pandas":
            import pandas as pd

            if nulls is not None and nulls.any():
                result = (
                    pd.arrays.BooleanArray(result, nulls)
                    if result.dtype == np.bool_
                    else pd.arrays.IntegerArray(result, nulls)
                )
            return pd.Series(result, index=self.source.index, name=self.source.name, copy=False)
        import pyarrow as pa

        array = pa.array(result, mask=nulls if nulls is not None and nulls.any() else None)
        if kind == "polars":
            import polars as pl

            return pl.Series(self.source.name, array)
        if isinstance(self.source, pa.ChunkedArray):
            return pa.chunked_array([array])
        return array


def _pandas_values(series: Any) -> tuple[Any, Any]:
    import numpy as np

    dtype = series.dtype
    kind = getattr(dtype, "kind", "O")
    if isinstance(dtype, np.dtype):
        values = series.to_numpy()
        missing = None
        if kind == "f":
            return values, None  # NaN is judged with the other floats
        return values, missing
    # Extension dtypes (nullable Int*, Float*, boolean, pyarrow-backed): NA is missing.
    isna = series.isna().to_numpy()
    missing = isna if isna.any() else None
    if kind in "iu":
        target = np.uint64 if kind == "u" else np.int64
        return series.to_numpy(dtype=target, na_value=0), missing
    if kind == "f":
        return series.to_numpy(dtype=np.float64, na_value=np.nan), missing
    if kind == "b":
        return series.to_numpy(dtype=np.bool_, na_value=False), missing
    return None, missing  # text: Python objects, made by Column.values when asked


def _polars_values(series: Any) -> tuple[Any, Any]:
    import numpy as np

    dtype = series.dtype
    nulls = series.null_count()
    missing = series.is_null().to_numpy() if nulls else None
    if dtype.is_integer():
        values = (series.fill_null(0) if nulls else series).to_numpy()
    elif dtype.is_float():
        values = series.to_numpy()
        if missing is not None:
            values = np.where(missing, np.nan, values)
    elif str(dtype) == "Boolean":
        values = (series.fill_null(False) if nulls else series).to_numpy()
    else:
        values = None  # Python objects, made by Column.values when asked
    return values, missing


def _arrow_values(array: Any) -> tuple[Any, Any]:
    import numpy as np
    import pyarrow as pa

    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks() if array.num_chunks != 1 else array.chunk(0)
    typ = array.type
    nulls = array.null_count
    missing = array.is_null().to_numpy(zero_copy_only=False) if nulls else None
    if pa.types.is_integer(typ) or pa.types.is_floating(typ) or pa.types.is_boolean(typ):
        if nulls:
            fill = False if pa.types.is_boolean(typ) else 0
            array = array.fill_null(pa.scalar(fill, type=typ))
        values = array.to_numpy(zero_copy_only=False)
        if missing is not None and values.dtype.kind == "f":
            values = np.where(missing, np.nan, values)
        return values, missing
    return None, missing  # Python objects, made by Column.values when asked


def _objects(source: Any, positions: Any = None) -> Any:
    """A pandas, polars or pyarrow column's values (at *positions*, when given) as a
    numpy array of Python objects, None for missing values."""
    import numpy as np

    kind = _library(source)
    if positions is not None:
        source = (source.iloc[positions] if kind == "pandas"
                  else source.gather(positions) if kind == "polars" else source.take(positions))
    if kind == "pandas":
        return source.to_numpy(dtype=object, na_value=None)
    return np.array(source.to_list() if kind == "polars" else source.to_pylist(), dtype=object)


def port_index(values: Any, missing: Any = None, *, raw: bool = False) -> tuple[Any, Any]:
    """The ports of a numpy column as ``intp`` integers, fit to index a table.

    Returns ``(ports, valid)``: *ports* holds each valid port and 0 in place of each
    invalid value; *valid* is a bool array, or None when every value is a port.
    With *raw*, an integer column whose values are all ports is returned as it is,
    whatever its dtype (for callers that only compare it);
    floats count when they hold whole numbers (judged in at least single precision,
    so that a float16 column's ``inf`` is never taken for 65535); NaN, bools, and
    anything *missing* marks are invalid.
    """
    import numpy as np

    kind = values.dtype.kind
    if kind in "iu":
        if values.size == 0 or (
            # One pass for 64-bit columns: negative values are huge as unsigned.
            values.dtype.itemsize == 8 and values.view(np.uint64).max() <= MAX_PORT
        ) or (
            values.dtype.itemsize < 8
            and (kind == "u" or values.min() >= 0)
            and (values.dtype.itemsize <= 2 or values.max() <= MAX_PORT)
        ):
            valid = None
        else:
            valid = (values >= 0) & (values <= MAX_PORT)
    elif kind == "f":
        if values.dtype.itemsize < 4:
            values = values.astype(np.float32)
        with np.errstate(invalid="ignore"):
            valid = (values >= 0) & (values <= MAX_PORT) & (np.floor(values) == values)
        if valid.all():
            valid = None
    elif kind == "b":
        valid = np.zeros(values.shape, dtype=np.bool_)
    else:
        flat = values.ravel()
        valid = np.fromiter(
            (_is_port(v) for v in flat), dtype=np.bool_, count=flat.size
        ).reshape(values.shape)
        ports = np.fromiter(
            (int(v) if ok else 0 for v, ok in zip(flat, valid.ravel(), strict=True)),
            dtype=np.int64, count=flat.size,
        ).reshape(values.shape)
        if missing is not None:
            valid &= ~missing
        return ports, valid
    if missing is not None:
        valid = ~missing if valid is None else valid & ~missing
    if valid is None:
        if raw and kind in "iu":
            return values, None
        return values.astype(np.intp, copy=False), None
    if kind == "b":
        return np.zeros(values.shape, dtype=np.intp), valid
    return np.where(valid, values, 0).astype(np.intp), valid


def _is_port(value: object) -> bool:
    try:
        check_port(value)
    except InvalidPortError:
        return False
    return True


def raise_invalid(column: Column, valid: Any, label: str | None = None) -> None:
    """Raise :class:`InvalidColumnError` naming every invalid entry of *column*.

    Masked entries of a numpy masked array are not invalid: they are carried over.
    """
    import numpy as np

    bad = ~valid
    if column.masked is not None:
        bad &= ~column.masked
    positions = np.flatnonzero(bad)
    if not positions.size:
        return
    shown = column.values_at(positions)
    missing = column.missing.ravel()[positions] if column.missing is not None else None
    raise InvalidColumnError(
        positions, shown, column=label if label is not None else column.name, missing=missing
    )


def _check_errors(errors: str) -> None:
    if errors not in ("raise", "coerce"):
        raise ValueError(f"errors must be 'raise' or 'coerce', not {errors!r}")


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

    Columns are classified vectorised, with no Python loop, and the answer is the same
    kind of column, holding ``uint8`` :class:`PortClass` codes: ``0`` well-known,
    ``1`` registered, ``2`` dynamic (``PortClass(code)`` turns one back into the enum):

    * a numpy array gives an array of the same shape; a masked array gives a masked
      array with the same mask (masked entries are not judged);
    * a pandas Series (numpy ints or floats, nullable ``Int*``/``Float*``,
      pyarrow-backed) gives a Series with the same index and name;
    * a polars Series gives a polars Series; a pyarrow Array or ChunkedArray gives
      the same.

    Integer columns of any width are accepted, and float columns holding whole
    numbers (as pandas makes of integer columns with gaps). NaN, NA, null, bools and
    fractions are invalid. Any other iterable gives a list of :class:`PortClass`.

    >>> classify_many([22, 8080, 50000])
    [<PortClass.WELL_KNOWN: 0>, <PortClass.REGISTERED: 1>, <PortClass.DYNAMIC: 2>]

    Args:
        ports: The column.
        errors: ``"raise"`` (the default) raises on invalid values; ``"coerce"``
            marks them instead, with :data:`INVALID_CODE` (255) in columns and None in
            lists.

    Raises:
        InvalidColumnError: Some values are not ports; its ``positions`` and
            ``values`` name them all (flat positions for arrays; None stands for a
            missing value).

    .. versionchanged:: 0.2
       pandas, polars and pyarrow columns, masked arrays; NaN and NA by position.
    """
    _check_errors(errors)
    if _library(ports) is not None:
        return _classify_column(Column(ports), errors)
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


def _classify_column(column: Column, errors: str) -> Any:
    import numpy as np

    values = column.values
    ports, valid = port_index(values, _judged_missing(column), raw=True)
    if valid is None:
        if values.dtype.kind in "iu" and values.dtype.itemsize != 8 and ports is values:
            # A narrow column would be widened to intp for a gather; two vectorised
            # comparisons on the column as it is are faster.
            codes = (values >= 1024).view(np.uint8)
            codes += values >= 49152
        else:
            codes = np.take(_table(), ports.astype(np.intp, copy=False))
        return column.rebuild(codes)
    if errors == "raise":
        raise_invalid(column, valid)
    codes = np.take(_table(), ports)
    codes[~valid] = INVALID_CODE
    return column.rebuild(codes)


def _judged_missing(column: Column) -> Any:
    """The entries that are not ports because they hold no value (masked ones included)."""
    if column.masked is None:
        return column.missing
    if column.missing is None:
        return column.masked
    return column.missing | column.masked


def is_ephemeral_many(
    ports: Any, system: str | None = None, *, errors: Literal["raise", "coerce"] = "raise"
) -> Any:
    """Test a whole column of ports against an ephemeral range, vectorised.

    The column kinds and the rules for invalid values are those of
    :func:`portkit.classify_many`; the answer is a bool column of the same kind. Under
    ``errors="coerce"`` an invalid value gives a missing answer: a masked entry in
    numpy, ``NA`` in pandas (``boolean`` dtype), null in polars and pyarrow.

    >>> import numpy as np
    >>> from portkit.pipelines import is_ephemeral_many
    >>> is_ephemeral_many(np.array([22, 40000, 50000]), "iana").tolist()
    [False, False, True]

    Args:
        ports: The column (numpy, pandas, polars or pyarrow; a list gives a list).
        system: A name from :data:`portkit.EPHEMERAL_RANGES`, or None for this host's
            range (see :func:`portkit.ephemeral_range`).
        errors: ``"raise"`` or ``"coerce"``.

    Raises:
        InvalidColumnError: Some values are not ports (under ``errors="raise"``).
        UnknownSystemError: *system* is not a known name.

    .. versionadded:: 0.2
    """
    import numpy as np

    _check_errors(errors)
    span = ephemeral_range(system)
    if _library(ports) is None:
        if isinstance(ports, (str, bytes)):
            raise InvalidPortError(ports, "is_ephemeral_many takes a column of ints, not a str")
        ports = np.array(list(ports), dtype=object)
        listed = True
    else:
        listed = False
    column = Column(ports)
    index, valid = port_index(column.values, _judged_missing(column))
    answer = (index >= span.first) & (index <= span.last)
    nulls = None
    if valid is not None:
        if errors == "raise":
            raise_invalid(column, valid)
        nulls = ~valid
        if column.masked is not None:
            nulls &= ~column.masked
    if listed:
        return [None if nulls is not None and nulls[i] else bool(a)
                for i, a in enumerate(answer.tolist())]
    return column.rebuild(answer, nulls)
