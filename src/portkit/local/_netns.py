"""Linux: running a read inside another network namespace.

How: a fresh thread opens the namespace file (``/var/run/netns/NAME``, as ``ip netns
add`` makes it), calls ``setns(fd, CLONE_NEWNET)``, which moves only that thread, does
the reads, and exits. ``/proc/thread-self/net/*`` and ``/proc/sys/net/*`` show the
network namespace of the thread that opens them, and a netlink socket belongs to the
namespace of the thread that creates it, so everything read on that thread is the
other namespace's view; the calling thread and the rest of the process never leave
their own namespace, and no thread that entered it is ever reused.

Processes are still found through this host's ``/proc/PID/fd``: socket inodes are
unique across namespaces, so the owners of the namespace's sockets are found the same
way (this is also what ``ip netns exec NAME ss -p`` shows). Entering a namespace needs
``CAP_SYS_ADMIN``; without it the error says so.
"""

from __future__ import annotations

import ctypes
import errno
import os
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from portkit.exceptions import LocalSocketsError

__all__ = ["namespace_path", "open_netns", "run_in_netns"]

_T = TypeVar("_T")
_CLONE_NEWNET = 0x40000000
_NETNS_DIR = "/var/run/netns"


def namespace_path(netns: str) -> str:
    """The file of a named namespace (``ip netns`` names) or a path given as such.

    A value containing ``/`` is a path already (``/proc/1234/ns/net`` names the
    namespace of process 1234).

    Raises:
        LocalSocketsError: *netns* is empty, ``.`` or ``..``.
    """
    if not isinstance(netns, str) or netns in ("", ".", ".."):
        raise LocalSocketsError(
            netns, "a network namespace is a name from 'ip netns list' or a path"
        )
    return netns if "/" in netns else f"{_NETNS_DIR}/{netns}"


def _setns(fd: int) -> None:
    setns: Any = getattr(os, "setns", None)
    if setns is not None:  # Python 3.12+
        setns(fd, _CLONE_NEWNET)
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.setns(fd, _CLONE_NEWNET) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code))


def open_netns(netns: str) -> int:
    """A file descriptor for the network namespace *netns*, to hand to :func:`run_in_netns`.

    Raises:
        LocalSocketsError: The namespace does not exist or cannot be opened.
    """
    import stat

    path = namespace_path(netns)
    try:
        # O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK)
    except FileNotFoundError:
        raise LocalSocketsError(
            netns, f"no network namespace at {path} ('ip netns list' shows the names)"
        ) from None
    except OSError as e:
        raise LocalSocketsError(netns, f"cannot open {path}: {e.strerror}") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):  # a FIFO, a device, a directory, ...
        os.close(fd)
        raise LocalSocketsError(netns, f"{path} is not a network namespace")
    return fd


def run_in_netns(netns: str, fd: int, work: Callable[[], _T]) -> _T:
    """Call *work* on a new thread that entered the namespace open as *fd*; return its result.

    *netns* is the name it was opened by, for messages; *fd* stays open (the caller
    closes it).

    Raises:
        LocalSocketsError: *fd* is not a network namespace, or may not be entered.
    """
    path = namespace_path(netns)
    box: dict[str, Any] = {}

    def thread_main() -> None:
        try:
            _setns(fd)
        except OSError as e:
            box["setns"] = e
            return
        try:
            box["result"] = work()
        except BaseException as e:  # handed to the caller's thread, re-raised there
            box["error"] = e

    thread = threading.Thread(target=thread_main, name=f"portkit-netns-{netns}")
    thread.start()
    thread.join()
    if "setns" in box:
        failure: OSError = box["setns"]
        if failure.errno == errno.EPERM:
            rule = "entering a network namespace needs CAP_SYS_ADMIN (run as root)"
        elif failure.errno == errno.EINVAL:
            rule = f"{path} is not a network namespace"
        else:
            rule = f"setns failed: {failure.strerror}"
        raise LocalSocketsError(netns, rule)
    if "error" in box:
        raise box["error"]
    result: _T = box["result"]
    return result
