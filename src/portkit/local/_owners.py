"""Linux: which processes hold which sockets, from ``/proc/PID/fd``.

A socket descriptor is a symbolic link whose target reads ``socket:[INODE]``. The scan
opens each process's ``fd`` directory once and reads every link relative to it
(``readlink`` with ``dir_fd``), so the kernel resolves one name per descriptor rather
than a whole path; targets stay text (no inode is parsed), and descriptors that are
not sockets are dropped by a prefix test.

What the caller may not see is skipped without error: another user's ``fd``
directory (``PermissionError``), a process that exits during the scan
(``FileNotFoundError``, ``ProcessLookupError``), a descriptor closed between listing
and reading it.
"""

from __future__ import annotations

import os
import pwd
from collections.abc import Iterable

from ._models import Process

__all__ = ["find_owners", "scan_socket_holders"]

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC


def scan_socket_holders(proc: str = "/proc") -> dict[str, list[int]]:
    """Map the link text of every visible socket descriptor (``socket:[INODE]``) to its pids.

    Each pid appears once per socket, in ascending order of the scan. Needs no list of
    wanted sockets, so it can run while the socket tables are still being read.
    """
    found: dict[str, list[int]] = {}
    try:
        names = os.listdir(proc)
    except OSError:
        return found
    readlink = os.readlink
    for name in names:
        if not name.isdigit():
            continue
        try:
            dfd = os.open(f"{proc}/{name}/fd", _DIR_FLAGS)
        except OSError:  # PermissionError, FileNotFoundError, ...
            continue
        try:
            try:
                fds = os.listdir(dfd)
            except OSError:
                continue
            pid = int(name)
            for fd in fds:
                try:
                    target = readlink(fd, dir_fd=dfd)
                except OSError:
                    continue
                if target.startswith("socket:["):
                    pids = found.get(target)
                    if pids is None:
                        found[target] = [pid]
                    elif pids[-1] != pid:
                        pids.append(pid)
        finally:
            os.close(dfd)
    return found


def _read_small(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except (OSError, ProcessLookupError):
        return None


def _process(pid: int, proc: str, users: dict[int, str]) -> Process:
    comm = _read_small(f"{proc}/{pid}/comm")
    name = comm[:-1] if comm and comm.endswith("\n") else comm
    user: str | None = None
    status = _read_small(f"{proc}/{pid}/status")
    if status:
        for line in status.splitlines():
            if line.startswith("Uid:"):
                uid = int(line.split()[1])
                user = users.get(uid)
                if user is None:
                    try:
                        user = pwd.getpwuid(uid).pw_name
                    except KeyError:
                        user = str(uid)
                    users[uid] = user
                break
    return Process(pid=pid, name=name, user=user)


def find_owners(
    inodes: Iterable[int],
    holders: dict[str, list[int]] | None = None,
    proc: str = "/proc",
) -> dict[int, tuple[Process, ...]]:
    """The visible processes holding each of *inodes* (inodes no one visibly holds are absent).

    Args:
        inodes: Socket inode numbers (0, the inode of orphaned sockets, is ignored).
        holders: What :func:`scan_socket_holders` found, or None to scan now.
        proc: Where procfs is mounted.
    """
    if holders is None:
        holders = scan_socket_holders(proc)
    processes: dict[int, Process] = {}
    users: dict[int, str] = {}
    owners: dict[int, tuple[Process, ...]] = {}
    for inode in inodes:
        pids = holders.get(f"socket:[{inode}]") if inode else None
        if not pids:
            continue
        found = []
        for pid in sorted(pids):
            process = processes.get(pid)
            if process is None:
                process = processes[pid] = _process(pid, proc, users)
            found.append(process)
        owners[inode] = tuple(found)
    return owners
