"""A task group for async context managers that run background work for their caller.

:func:`portkit.scan` and :func:`portkit.monitoring.monitor` run their tasks while the caller's
``async with`` block consumes what they produce. Three things are wanted of the group
there: when the block ends, for whatever reason, the background tasks stop; an error
raised by the caller's own block comes out as it is, whatever the tasks do while they
stop; and an error of a background task (a custom probe's, say) comes out as itself,
not wrapped in one ``ExceptionGroup`` per task group it crossed.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import anyio
import anyio.abc

if sys.version_info >= (3, 11):
    from builtins import BaseExceptionGroup
else:  # pragma: no cover - anyio depends on the backport before 3.11
    from exceptiongroup import BaseExceptionGroup  # type: ignore[import-not-found, unused-ignore]

__all__ = ["background_task_group", "single_error"]


def _leaves(group: BaseExceptionGroup[BaseException]) -> Iterator[BaseException]:
    for error in group.exceptions:
        if isinstance(error, BaseExceptionGroup):
            yield from _leaves(error)
        else:
            yield error


def _all_errors(group: BaseExceptionGroup[BaseException]) -> list[Exception] | None:
    """Every error in *group*, nested groups flattened; None if any is not an Exception."""
    leaves = list(_leaves(group))
    errors = [e for e in leaves if isinstance(e, Exception)]
    return errors if errors and len(errors) == len(leaves) else None


def single_error(group: BaseExceptionGroup[BaseException]) -> Exception | None:
    """The error that *group* stands for, or None when it must stay a group.

    Nested groups are flattened. When every error in them is an :class:`Exception`,
    the first one is the error (tasks that fail together, as the workers of one scan
    running the same probe do, fail for one reason; the others are listed in a note
    on Python 3.11 and later). A cancellation or a :class:`KeyboardInterrupt` among
    them keeps the group whole: those are never swallowed.
    """
    errors = _all_errors(group)
    if errors is None:
        return None
    first = errors[0]
    if len(errors) > 1 and sys.version_info >= (3, 11):
        others = ", ".join(repr(e) for e in errors[1:4])
        more = f" and {len(errors) - 4} more" if len(errors) > 4 else ""
        first.add_note(f"{len(errors) - 1} other task(s) failed as well: {others}{more}")
    return first


@asynccontextmanager
async def background_task_group() -> AsyncIterator[anyio.abc.TaskGroup]:
    """A task group that is cancelled when its body ends, re-raising the body's error.

    The body's own error always wins, even when a background task fails while it is
    being cancelled (that failure is then noted on the body's error, on Python 3.11
    and later). Otherwise a background task's error comes out as itself (see
    :func:`single_error`). Cancellation is never caught.
    """
    error: Exception | None = None
    failure: BaseExceptionGroup[BaseException] | None = None
    try:
        async with anyio.create_task_group() as tg:
            try:
                yield tg
            except Exception as e:
                error = e
            finally:
                tg.cancel_scope.cancel()
    except BaseExceptionGroup as group:
        if _all_errors(group) is None:
            raise  # a cancellation or an interrupt is among them: it goes on
        failure = group
    # Raised here, outside the except clause, so that neither error's own context
    # is replaced by the group.
    if error is not None:
        if failure is not None and sys.version_info >= (3, 11):
            error.add_note(f"while stopping, background tasks failed: {failure!r}")
        raise error
    if failure is not None:
        single = single_error(failure)
        assert single is not None
        raise single
