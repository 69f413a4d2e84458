"""Every portkit exception crosses a process boundary as itself.

Dask and Spark workers, multiprocessing pools and polars' query engine pickle an
exception to hand it back; Python pickles an exception as ``type(e)(*e.args)``, which
constructors that take the parts of their message cannot take.
"""

from __future__ import annotations

import multiprocessing
import pickle
from typing import Any

import pytest

from portkit import exceptions

#: One instance of each public exception, built as portkit builds them.
EXAMPLES: dict[str, Any] = {
    "PortkitError": lambda: exceptions.PortkitError("plain"),
    "CheckpointError": lambda: exceptions.CheckpointError("/tmp/x.journal", "not a journal"),
    "EventLoopRunningError": lambda: exceptions.EventLoopRunningError(
        "scan_sync()", "asyncio", "await scan()"),
    "InvalidColumnError": lambda: exceptions.InvalidColumnError(
        [1, 4], [70000, None], column="dst", missing=[False, True]),
    "InvalidConfigError": lambda: exceptions.InvalidConfigError("checks.toml", "no [[check]]"),
    "InvalidEndpointError": lambda: exceptions.InvalidEndpointError("host:", "a port after :"),
    "InvalidOptionError": lambda: exceptions.InvalidOptionError("timeout", -1, "positive"),
    "InvalidPortError": lambda: exceptions.InvalidPortError(70000),
    "InvalidRuleError": lambda: exceptions.InvalidRuleError("r1", "bad", kind="allow rule"),
    "InvalidServiceNameError": lambda: exceptions.InvalidServiceNameError("-x"),
    "InvalidSpecError": lambda: exceptions.InvalidSpecError("1-", "a range needs an end", 2),
    "InvalidTargetError": lambda: exceptions.InvalidTargetError("10.0.0.0/33"),
    "InvalidWeightsError": lambda: exceptions.InvalidWeightsError(
        "w.txt", 3, "22 x", "a weight is a number"),
    "LocalSocketsError": lambda: exceptions.LocalSocketsError("/proc/net/tcp", "unreadable"),
    "RegistryFormatError": lambda: exceptions.RegistryFormatError("r.csv", 7, "no port"),
    "RegistryUpdateError": lambda: exceptions.RegistryUpdateError("http://127.0.0.1/", "404"),
    "UnknownCheckError": lambda: exceptions.UnknownCheckError("web", ["db"]),
    "UnknownProtocolError": lambda: exceptions.UnknownProtocolError("icmp"),
    "UnknownServiceError": lambda: exceptions.UnknownServiceError("htp", "tcp", ["http"]),
    "UnknownSystemError": lambda: exceptions.UnknownSystemError("plan9", ["linux"]),
}


def test_every_public_exception_has_an_example() -> None:
    public = {n for n in exceptions.__all__ if isinstance(getattr(exceptions, n), type)}
    assert public == set(EXAMPLES)


def _state(error: BaseException) -> tuple[Any, ...]:
    return type(error), str(error), error.args, {
        k: (v.tolist() if hasattr(v, "tolist") else v) for k, v in vars(error).items()
    }


@pytest.mark.parametrize("name", EXAMPLES)
def test_each_exception_pickles_with_its_message_and_attributes(name: str) -> None:
    error = EXAMPLES[name]()
    copy = pickle.loads(pickle.dumps(error))
    assert _state(copy) == _state(error)
    assert isinstance(copy, exceptions.PortkitError)


def _raise_invalid_column(_: object) -> None:
    raise exceptions.InvalidColumnError([3], [70000], column="dst")


def test_an_exception_raised_in_a_worker_process_arrives_as_itself() -> None:
    with (
        multiprocessing.get_context("spawn").Pool(1) as pool,
        pytest.raises(exceptions.InvalidColumnError) as info,
    ):
        pool.map(_raise_invalid_column, [None])
    assert info.value.positions == (3,)
    assert info.value.values == (70000,)
    assert info.value.column == "dst"
