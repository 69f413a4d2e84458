"""Downloading a newer registry: ``portkit registry update``.

The download goes to a temporary file in the cache directory, is checked (IANA's
header, a plausible number of assignments, few malformed rows), and only then
replaces the cached copy, with :func:`os.replace`, which is atomic. Any failure leaves
the old data in place and says why.
"""

from __future__ import annotations

import contextlib
import os
import socket
from pathlib import Path
from typing import Any, BinaryIO

from portkit.exceptions import PortkitError, RegistryUpdateError

from ._cache import CSV_NAME, META_NAME, cache_dir
from ._data import reset_default
from ._index import Registry
from ._loaders import MAX_FILE_BYTES

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
#: The largest download accepted (IANA's CSV is about 1 MB): the loaders' bound.
MAX_BYTES = MAX_FILE_BYTES


#: Redirects followed at most; each must stay on http or https.
MAX_REDIRECTS = 5
#: The schemes a download (and every redirect) may use.
SCHEMES = ("http", "https")
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


class _Deadline:
    """Shuts a connection's socket down when the whole download runs out of time.

    The socket's own timeout bounds each read; a peer that sends one byte per
    timeout would pass every read, so a timer ends the connection at the deadline,
    which wakes the blocked read with an error that :meth:`check` then explains.
    """

    def __init__(self, seconds: float) -> None:
        import time

        self.seconds = seconds
        self.at = time.monotonic() + seconds
        self.expired = False

    def left(self) -> float:
        import time

        return self.at - time.monotonic()

    def watch(self, connection: Any) -> Any:
        import threading

        def expire() -> None:
            self.expired = True
            sock = connection.sock
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

        timer = threading.Timer(max(self.left(), 0.0), expire)
        timer.daemon = True
        return timer

    def check(self, url: str) -> None:
        if self.expired or self.left() <= 0:
            raise RegistryUpdateError(
                url, f"the download took longer than its deadline of {self.seconds:g} s"
            )


def _printable(text: str, limit: int = 200) -> str:
    """*text* from a peer, cut to *limit* characters, control characters escaped."""
    cut = text[:limit] + ("..." if len(text) > limit else "")
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in cut)


def _check_scheme(url: str, requested: str) -> None:
    import urllib.parse

    scheme = urllib.parse.urlsplit(url).scheme.lower()
    if scheme not in SCHEMES:
        what = "the address" if url == requested else f"a redirect to {url!r}"
        raise RegistryUpdateError(
            requested, f"{what} uses {scheme or 'no'} scheme; only http and https are allowed"
        )


def _download(url: str, target: BinaryIO, timeout: float, deadline: float) -> tuple[int, str]:
    """Copy *url* into *target*; return (bytes, the final address after redirects).

    Every failure is a :class:`RegistryUpdateError`: refused schemes, bad statuses,
    malformed HTTP (garbage status lines, bad chunk sizes, truncated bodies, too many
    or too long headers), a body over :data:`MAX_BYTES`, and a download that outlives
    *deadline* seconds however slowly the server sends.
    """
    import http.client
    import ssl

    requested = url
    clock = _Deadline(deadline)
    for _ in range(MAX_REDIRECTS + 1):
        _check_scheme(url, requested)
        try:
            result = _fetch_once(url, target, timeout, clock)
        except RegistryUpdateError:
            raise
        except (OSError, ValueError, http.client.HTTPException, ssl.SSLError) as e:
            clock.check(requested)
            raise RegistryUpdateError(
                requested, f"the download failed ({type(e).__name__}: {_printable(str(e))})"
            ) from None
        if isinstance(result, int):
            return result, url
        url = result
    raise RegistryUpdateError(requested, f"more than {MAX_REDIRECTS} redirects")


def _fetch_once(url: str, target: BinaryIO, timeout: float, clock: _Deadline) -> int | str:
    """One request: the body's size once copied, or the address a redirect names."""
    import http.client
    import urllib.parse

    from portkit import __version__

    parts = urllib.parse.urlsplit(url)
    if not parts.hostname:
        raise RegistryUpdateError(url, "the address names no host")
    port = parts.port  # ValueError when not a number in 0-65535
    step = max(min(timeout, clock.left()), 0.001)
    connection: http.client.HTTPConnection
    if parts.scheme.lower() == "https":
        import ssl

        connection = http.client.HTTPSConnection(
            parts.hostname, port, timeout=step, context=ssl.create_default_context()
        )
    else:
        connection = http.client.HTTPConnection(parts.hostname, port, timeout=step)
    path = urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))
    timer = None
    try:
        connection.connect()
        timer = clock.watch(connection)
        timer.start()
        connection.request("GET", path, headers={
            "User-Agent": f"portkit/{__version__}", "Accept-Encoding": "identity",
        })
        response = connection.getresponse()
        if response.status in _REDIRECTS:
            location = response.getheader("Location")
            if not location:
                raise RegistryUpdateError(url, f"HTTP {response.status} without a Location")
            return urllib.parse.urljoin(url, location.strip())
        if response.status != 200:
            reason = _printable(response.reason)
            raise RegistryUpdateError(url, f"the server answered HTTP {response.status} {reason}")
        target.seek(0)
        target.truncate()
        size = 0
        while chunk := response.read1(1 << 16):
            clock.check(url)
            size += len(chunk)
            if size > MAX_BYTES:
                raise RegistryUpdateError(url, f"the download is larger than {MAX_BYTES:,} bytes")
            target.write(chunk)
        clock.check(url)
        if response.length:  # the peer closed before Content-Length's end
            raise RegistryUpdateError(
                url, f"the body ended {response.length:,} bytes short of its Content-Length"
            )
        target.flush()
        return size
    finally:
        if timer is not None:
            timer.cancel()
        connection.close()


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


def update_registry(
    url: str | None = None, *, timeout: float = 60.0, deadline: float = 600.0
) -> Registry:
    """Download IANA's registry into the cache directory.

    The CSV is fetched from *url*, checked, and atomically replaces the copy in the
    cache directory (``$XDG_CACHE_HOME/portkit``, ``~/.cache/portkit``,
    ``~/Library/Caches/portkit`` on macOS, ``%LOCALAPPDATA%\\portkit`` on Windows).
    :meth:`Registry.downloaded` reads that copy; :func:`portkit.registries.default`
    uses it (in this process too) when the environment variable ``PORTKIT_REGISTRY``
    is ``downloaded``, and its provenance says so.

    Only ``http`` and ``https`` addresses are fetched, and at most
    5 redirects are followed, each to ``http`` or ``https``
    only; the provenance's ``download_url`` is the final address. The body is
    written to an anonymous file (on Linux) that only gets a name once checked, so
    an update killed midway leaves nothing behind; leftovers of killed updates on
    other systems are removed by the next update.

    Args:
        url: Where to download from; IANA's published address when None.
        timeout: Seconds to wait for the server at each step.
        deadline: Seconds the whole download may take, however the server paces it.

    Returns:
        The new registry.

    Raises:
        RegistryUpdateError: The download failed (refused scheme, malformed HTTP,
            too large, too slow), or the file was refused (not IANA's header, too
            few assignments, too many malformed rows). The cached copy in place
            before the call, if any, is kept.

    .. versionadded:: 0.1
    .. versionchanged:: 0.2
       *deadline*; only http and https; malformed HTTP is a RegistryUpdateError.
    """
    import datetime
    import hashlib
    import json

    from portkit._options import check_positive

    url = url or IANA_CSV_URL
    check_positive("timeout", timeout, " s")
    check_positive("deadline", deadline, " s")
    _check_scheme(url, url)
    directory = cache_dir()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        _sweep(directory)
        out, named = _anonymous_file(directory)
    except OSError as e:
        raise RegistryUpdateError(url, f"cannot write to the cache directory ({e})") from None
    temporary = directory / f".download-{os.getpid()}-{id(out):x}.csv"
    meta_temporary = directory / f".download-{os.getpid()}-{id(out):x}.json"
    try:
        with out:
            size, final = _download(url, out, timeout, deadline)
            path = Path(named or f"/proc/self/fd/{out.fileno()}")
            candidate = _validate(url, path)
            out.seek(0)
            digest = hashlib.sha256()
            while block := out.read(1 << 16):
                digest.update(block)
            meta = {
                "url": final,
                "requested_url": url,
                "date": datetime.datetime.now(datetime.timezone.utc).isoformat(
                    timespec="seconds"
                ),
                "bytes": size,
                "sha256": digest.hexdigest(),
            }
            try:
                meta_temporary.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
                if named is None:  # the anonymous file gets its name now
                    _link(path, temporary)
                os.replace(named or temporary, directory / CSV_NAME)
                os.replace(meta_temporary, directory / META_NAME)
            except OSError as e:
                raise RegistryUpdateError(url, f"cannot replace the cached copy ({e})") from None
    finally:
        for leftover in (temporary, meta_temporary, *([Path(named)] if named else [])):
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


def _anonymous_file(directory: Path) -> tuple[BinaryIO, str | None]:
    """A file for the download: anonymous where the system allows (Linux's
    ``O_TMPFILE``: no name until it is linked, so a killed process leaves nothing),
    else a named temporary file; returns (file, its name or None)."""
    import tempfile

    flag = getattr(os, "O_TMPFILE", 0)
    if flag:
        try:
            fd = os.open(directory, flag | os.O_RDWR, 0o644)
        except OSError:  # the file system does not support it
            pass
        else:
            return os.fdopen(fd, "w+b"), None
    fd, name = tempfile.mkstemp(prefix=f".download-{os.getpid()}-", suffix=".csv", dir=directory)
    return os.fdopen(fd, "w+b"), name


def _link(proc_path: Path, name: Path) -> None:
    """Give an ``O_TMPFILE`` file a name: linkat(2) with AT_SYMLINK_FOLLOW on its
    /proc/self/fd path (os.link only passes that flag when given a directory fd)."""
    root = os.open("/", os.O_RDONLY)
    try:
        os.link(proc_path, name, src_dir_fd=root, follow_symlinks=True)
    finally:
        os.close(root)


def _sweep(directory: Path) -> None:
    """Remove what killed updates left: ``.download-<pid>-...`` files of processes
    that no longer run."""
    for leftover in directory.glob(".download-*"):
        pid = leftover.name.split("-")[1]
        if pid.isdigit() and not _running(int(pid)):
            with contextlib.suppress(OSError):
                leftover.unlink()


def _running(pid: int) -> bool:
    import sys

    if pid == os.getpid() or sys.platform == "win32":  # os.kill(pid, 0) kills there
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True
