"""A task group for async context managers that run background work for their caller.

:func:`portkit.scan` and :func:`portkit.monitoring.monitor` run their tasks while the caller's
``async with`` block consumes what they produce. Two things are wanted of the group
there: when the block ends, for whatever reason, the background tasks stop; and an
error raised by the caller's own block comes out as it is, not wrapped in the task
group's ``ExceptionGroup``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
import anyio.abc

__all__ = ["background_task_group"]


@asynccontextmanager
async def background_task_group() -> AsyncIterator[anyio.abc.TaskGroup]:
    """A task group that is cancelled when its body ends, re-raising the body's error.

    Errors of the background tasks themselves still come out in an
    ``ExceptionGroup``; cancellation is never caught.
    """
    error: Exception | None = None
    async with anyio.create_task_group() as tg:
        try:
            yield tg
        except Exception as e:
            error = e
        finally:
            tg.cancel_scope.cancel()
    if error is not None:
        raise error
