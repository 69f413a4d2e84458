"""SIGINT and SIGTERM for the command line: stop promptly, keep what was found.

The first signal stops the work: outside the event loop (start-up, the final report)
it raises KeyboardInterrupt once; inside, a watcher task sees it within
:data:`POLL` seconds and cancels the scan or the monitor, whose results so far are
then reported. Later signals are remembered but never raise, so a second Ctrl-C
cannot cut the report short or wedge cancellation; one that comes more than
:data:`GRACE` seconds after the first (the user insisting) ends the process at once.
The exit status is 128 plus the first signal's number (130 for SIGINT, 143 for
SIGTERM).
"""

from __future__ import annotations

import os
import signal
import sys
import time
from types import FrameType

import anyio

__all__ = ["GRACE", "POLL", "Stop", "stop"]

#: Seconds between the watcher's looks at the signal flag.
POLL = 0.05
#: Seconds after the first signal during which later ones are only remembered.
GRACE = 2.0


class Stop:
    """The signals received, and whether the event loop is running."""

    def __init__(self) -> None:
        self.signum: int | None = None
        self.count = 0
        self.in_loop = False
        self._first_at = 0.0

    def install(self) -> None:
        """Handle SIGINT and SIGTERM (main thread only)."""
        self.signum = None
        self.count = 0
        try:
            signal.signal(signal.SIGINT, self._handler)
            signal.signal(signal.SIGTERM, self._handler)
        except ValueError:  # not the main thread (the CLI run from a test's thread)
            pass

    def _handler(self, signum: int, frame: FrameType | None) -> None:
        self.count += 1
        if self.signum is None:
            self.signum = signum
            self._first_at = time.monotonic()
            if not self.in_loop:
                raise KeyboardInterrupt
        elif time.monotonic() - self._first_at > GRACE:
            try:
                sys.stdout.flush()
            finally:
                os._exit(128 + self.signum)

    @property
    def status(self) -> int:
        """The exit status for the first signal (130 when it was a KeyboardInterrupt)."""
        return 128 + (self.signum or signal.SIGINT)

    async def watch(self, scope: anyio.CancelScope) -> None:
        """Cancel *scope* once a signal has arrived."""
        while self.signum is None:
            await anyio.sleep(POLL)
        scope.cancel()


#: The process's one instance.
stop = Stop()
