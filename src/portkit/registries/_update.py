"""Downloading a newer registry: ``portkit registry update``.

The download goes to a temporary file in the cache directory, is checked (IANA's
header, a plausible number of assignments, few malformed rows), and only then
replaces the cached copy, with :func:`os.replace`, which is atomic. Any failure leaves
the old data in place and says why.
"""

from __future__ import annotations

import os
from pathlib import Path

from portkit.exceptions import PortkitError, RegistryUpdateError

from ._cache import CSV_NAME, META_NAME, cache_dir
from ._data import reset_default
from ._index import Registry

__all__ = ["IANA_CSV_URL", "update_registry"]

#: Where IANA publishes the registry as CSV.
IANA_CSV_URL = (
    "https://www.iana.org/assignments/service-names-port-numbers/"
    "service-names-port-numbers.csv"
)
#: Fewer port-bearing assignments than this and a download is refused: IANA's registry
#: holds over 11,000, so a smaller file is truncated or something else.
MIN_SERVICES = 5000
#: More malformed rows than this share of the rows read and a download is refused.
MAX_PROBLEM_SHARE = 0.01
#: The largest download accepted (IANA's CSV is about 1 MB).
MAX_BYTES = 64 * 1024 * 1024


def _download(url: str, target: Path, timeout: float) -> int:
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=timeout) as response, target.open("wb") as out:
            status = getattr(response, "status", 200)
            if status is not None and status >= 400:  # pragma: no cover - urllib raises
                raise RegistryUpdateError(url, f"the server answered HTTP {status}")
            size = 0
            while chunk := response.read(1 << 16):
                size += len(chunk)
                if size > MAX_BYTES:
                    raise RegistryUpdateError(
                        url, f"the download is larger than {MAX_BYTES:,} bytes"
                    )
                out.write(chunk)
    except urllib.error.HTTPError as e:
        raise RegistryUpdateError(url, f"the server answered HTTP {e.code} {e.reason}") from None
    except (OSError, ValueError) as e:
        raise RegistryUpdateError(url, f"the download failed ({e})") from None
    return size


def _validate(url: str, path: Path) -> Registry:
    try:
        candidate = Registry.from_iana_csv(path)
    except (PortkitError, OSError) as e:
        raise RegistryUpdateError(url, f"the file is not IANA's CSV ({e})") from None
    count = len(candidate)
    if count < MIN_SERVICES:
        raise RegistryUpdateError(
            url,
            f"the file assigns {count} services; IANA's registry assigns over "
            f"{MIN_SERVICES:,}, so it looks truncated",
        )
    rows = int(candidate.provenance.get("records", 0)) or 1
    problems = candidate.problems
    if len(problems) / rows > MAX_PROBLEM_SHARE:
        raise RegistryUpdateError(
            url,
            f"{len(problems)} of {rows} rows are malformed (first: {problems[0]})",
        )
    return candidate


def update_registry(url: str | None = None, *, timeout: float = 60.0) -> Registry:
    """Download IANA's registry into the cache directory.

    The CSV is fetched from *url*, checked, and atomically replaces the copy in the
    cache directory (``$XDG_CACHE_HOME/portkit``, ``~/.cache/portkit``,
    ``~/Library/Caches/portkit`` on macOS, ``%LOCALAPPDATA%\\portkit`` on Windows).
    :meth:`Registry.downloaded` reads that copy; :func:`portkit.registries.default`
    uses it (in this process too) when the environment variable ``PORTKIT_REGISTRY``
    is ``downloaded``, and its provenance says so.

    Args:
        url: Where to download from; IANA's published address when None.
        timeout: Seconds to wait for the server at each step.

    Returns:
        The new registry.

    Raises:
        RegistryUpdateError: The download failed, or the file was refused (not IANA's
            header, too few assignments, too many malformed rows). The cached copy in
            place before the call, if any, is kept.

    .. versionadded:: 0.1
    """
    import contextlib
    import datetime
    import hashlib
    import json
    import tempfile

    url = url or IANA_CSV_URL
    directory = cache_dir()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=".download-", suffix=".csv", dir=directory)
        os.close(fd)
    except OSError as e:
        raise RegistryUpdateError(url, f"cannot write to the cache directory ({e})") from None
    temporary = Path(name)
    meta_temporary = directory / f".{META_NAME}.{os.getpid()}.tmp"
    try:
        size = _download(url, temporary, timeout)
        candidate = _validate(url, temporary)
        meta = {
            "url": url,
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "bytes": size,
            "sha256": hashlib.sha256(temporary.read_bytes()).hexdigest(),
        }
        try:
            meta_temporary.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
            os.replace(temporary, directory / CSV_NAME)
            os.replace(meta_temporary, directory / META_NAME)
        except OSError as e:
            raise RegistryUpdateError(url, f"cannot replace the cached copy ({e})") from None
    finally:
        for leftover in (temporary, meta_temporary):
            with contextlib.suppress(OSError):
                leftover.unlink()
    reset_default()
    provenance = {
        **candidate.provenance,
        "origin": "cache",
        "path": str(directory / CSV_NAME),
        **{f"download_{k}": v for k, v in meta.items()},
    }
    return candidate._with_provenance(provenance)
