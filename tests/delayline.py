"""A userspace delay line: a TUN device that holds each packet, then sends it on.

Usage (inside the lab's router namespace, as root)::

    python delayline.py --dev dl0 --delay 0.02 --jitter 0.002 --loss 0.03 --lifetime 300

The router sends every packet that crosses it (both directions) into the TUN device
``--dev``; this program reads each one, drops it with probability ``--loss``, and
otherwise writes it back into the device ``--delay`` seconds later, give or take a
uniform ``--jitter``. Written back, a packet enters the router again from the TUN
device and is routed to its destination as usual. Each crossing adds one delay, so a
round trip (probe and answer) costs two delays and two chances of loss.

The kernel's netem would do this, but not every kernel has it. Bounded: the program
exits after ``--lifetime`` seconds, after ``--max-packets`` packets, or when its
parent's pipe closes (standard input at end of file), holds at most ``--max-queue``
packets (more are dropped), and the device vanishes with it.
"""

from __future__ import annotations

import argparse
import fcntl
import heapq
import os
import random
import select
import struct
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000


def open_tun(name: str) -> int:
    """Create the TUN device *name* (no packet information header); its descriptor."""
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    return fd


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", required=True)
    parser.add_argument("--delay", type=float, default=0.0, help="seconds, one way")
    parser.add_argument("--jitter", type=float, default=0.0, help="seconds, +/-")
    parser.add_argument("--loss", type=float, default=0.0, help="per packet, 0-1")
    parser.add_argument("--lifetime", type=float, default=600.0)
    parser.add_argument("--max-packets", type=int, default=20_000_000)
    parser.add_argument("--max-queue", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    fd = open_tun(args.dev)
    print("ready", flush=True)
    deadline = time.monotonic() + args.lifetime
    queue: list[tuple[float, int, bytes]] = []
    seen = dropped = 0
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    stdin = sys.stdin.fileno()
    poller.register(stdin, select.POLLIN | select.POLLHUP)
    delay, jitter, loss = args.delay, args.jitter, args.loss
    max_queue, max_packets = args.max_queue, args.max_packets
    read, write, monotonic = os.read, os.write, time.monotonic
    push, pop = heapq.heappush, heapq.heappop
    random_, uniform = rng.random, rng.uniform
    while True:
        now = monotonic()
        if now >= deadline or seen >= max_packets:
            break
        wait = deadline - now
        if queue:
            wait = min(wait, max(0.0, queue[0][0] - now))
        for ready, _ in poller.poll(wait * 1000):
            if ready == stdin:
                return 0  # the lab that started us is gone or done
        # Read what is waiting (a bounded batch, so that due packets are not held).
        now = monotonic()
        for _ in range(256):
            try:
                packet = read(fd, 65536)
            except BlockingIOError:
                break
            seen += 1
            if (loss and random_() < loss) or len(queue) >= max_queue:
                dropped += 1
                continue
            push(queue, (now + delay + (uniform(-jitter, jitter) if jitter else 0.0), seen, packet))
        now = monotonic()
        while queue and queue[0][0] <= now:
            try:
                write(fd, pop(queue)[2])
            except OSError:
                dropped += 1
    print(f"seen {seen} dropped {dropped}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
