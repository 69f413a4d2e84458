"""Checkpoints: a journal of what a shard's scan has reported, to resume from.

The file is JSON lines. The first line is the header: the plan (all of it), the
shard, its fingerprint and every option of the scan. Then one line per reported
result, ``{"i": position, "r": result}``, written before the result is handed to
the caller, and now and then (and when the scan stops, cancellation included) a
watermark line, ``{"watermark": W, "above": [...]}``: every position below ``W`` is
done, and so are those listed above it.

A result is *reported* when its line is complete in the file. A process killed at
any point leaves a file whose complete lines are exactly what was reported (a torn
last line is not a report, and resuming cuts it off), so resuming probes exactly
the pairs not yet reported, and the file's result lines, across runs, give every
pair exactly once.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs

from portkit._probe._results import ProbeResult
from portkit.exceptions import CheckpointError

from ._plan import Plan, Shard

__all__ = ["Checkpoint"]

_MAGIC = "portkit-checkpoint"
_FORMAT = 1


def _parse(path: Path) -> tuple[dict[str, Any], list[dict[str, Any]], int]:
    """The header, the records, and the length of the file's complete lines."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise CheckpointError(str(path), f"cannot read it: {e}") from None
    end = data.rfind(b"\n") + 1  # a torn last line is no report
    lines = data[:end].splitlines()
    if not lines:
        raise CheckpointError(str(path), "it is empty: no header")
    try:
        header = json.loads(lines[0])
        records = [json.loads(line) for line in lines[1:] if line.strip()]
    except ValueError as e:
        raise CheckpointError(str(path), f"a line is not JSON ({e})") from None
    if not isinstance(header, dict) or header.get("magic") != _MAGIC:
        raise CheckpointError(str(path), "the first line is not a portkit checkpoint header")
    if header.get("format") != _FORMAT:
        raise CheckpointError(str(path), f"checkpoint format {_FORMAT} expected")
    return header, records, end


@attrs.frozen(kw_only=True)
class Checkpoint:
    """What a checkpoint file says: which shard of which plan, with which options,
    and how far the scan got.

    Attributes:
        path: The file.
        shard: The shard (and, through it, the plan) the scan ran.
        options: The scan's options, as :func:`scan_plan` was given them.
        watermark: Every position of the shard below it is done.
        done: The positions at or above the watermark that are done.

    .. versionadded:: 0.2
    """

    path: str
    shard: Shard
    options: Mapping[str, Any]
    watermark: int
    done: frozenset[int]

    @classmethod
    def read(cls, path: str | os.PathLike[str]) -> Checkpoint:
        """Read a checkpoint file.

        Raises:
            CheckpointError: the file cannot be read or is not a checkpoint.
        """
        p = Path(path)
        header, records, _ = _parse(p)
        try:
            plan = Plan.from_json(header["plan"])
            index, count = header["shard"]
            shard = Shard(plan=plan, index=index, count=count)
        except (KeyError, ValueError, TypeError) as e:
            raise CheckpointError(str(p), f"the header is malformed ({e})") from None
        if header.get("fingerprint") != plan.fingerprint:
            raise CheckpointError(str(p), "the header's fingerprint is not its plan's")
        watermark = 0
        done: set[int] = set()
        for record in records:
            if "i" in record:
                done.add(int(record["i"]))
            elif "watermark" in record:
                watermark = max(watermark, int(record["watermark"]))
                done.update(int(i) for i in record.get("above", ()))
        while watermark in done:
            watermark += 1
        return cls(
            path=str(p), shard=shard, options=dict(header.get("options", {})),
            watermark=watermark, done=frozenset(i for i in done if i > watermark),
        )

    @property
    def remaining(self) -> int:
        """How many pairs of the shard are not yet reported."""
        return self.shard.total - self.watermark - len(self.done)

    def is_done(self, position: int) -> bool:
        """True when the shard's *position*-th pair was reported."""
        return position < self.watermark or position in self.done

    def results(self) -> Iterator[ProbeResult]:
        """Every result the file holds (each reported pair once), in file order."""
        _, records, _ = _parse(Path(self.path))
        for record in records:
            if "r" in record:
                yield _result(record["r"])


def _result(data: Mapping[str, Any]) -> ProbeResult:
    return ProbeResult(
        target=data["target"], address=data["address"], port=data["port"],
        protocol=data.get("protocol", "tcp"), state=data["state"], reason=data["reason"],
        latency=data.get("latency"), attempts=data.get("attempts", 1),
        details=data.get("details") or None,
    )


class Journal:
    """Appends a shard scan's reports to its checkpoint file (see the module)."""

    def __init__(
        self, path: str | os.PathLike[str], shard: Shard, options: Mapping[str, Any]
    ) -> None:
        self.path: Path = Path(path)
        self.shard = shard
        self.watermark: int = 0
        self.above: set[int] = set()
        exists = self.path.exists() and self.path.stat().st_size > 0
        if exists and b"\n" not in self.path.read_bytes()[:1 << 20]:
            # Killed while writing the header: nothing was reported; start afresh.
            os.truncate(self.path, 0)
            exists = False
        if exists:
            previous = Checkpoint.read(self.path)
            if previous.shard.plan.fingerprint != shard.plan.fingerprint:
                raise CheckpointError(
                    str(self.path), "it belongs to another plan (fingerprints differ)"
                )
            if (previous.shard.index, previous.shard.count) != (shard.index, shard.count):
                raise CheckpointError(
                    str(self.path), f"it is shard {previous.shard}, not shard {shard}"
                )
            for name, value in options.items():
                if name in previous.options and previous.options[name] != value:
                    raise CheckpointError(
                        str(self.path),
                        f"it was made with {name}={previous.options[name]!r}, not {value!r}",
                    )
            self.watermark = previous.watermark
            self.above = set(previous.done)
            _, _, end = _parse(self.path)
            os.truncate(self.path, end)  # cut a torn last line off
        self.fd: int = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        if not exists:
            header = {
                "magic": _MAGIC, "format": _FORMAT, "fingerprint": shard.plan.fingerprint,
                "shard": [shard.index, shard.count], "options": dict(options),
                "plan": shard.plan.to_dict(),
            }
            self._write(json.dumps(header, sort_keys=True))

    def is_done(self, position: int) -> bool:
        """Whether the shard's *position*-th pair was reported already."""
        return position < self.watermark or position in self.above

    def _write(self, line: str) -> None:
        data = (line + "\n").encode()
        while data:
            written = os.write(self.fd, data)
            data = data[written:]

    def record(self, position: int, result: ProbeResult) -> None:
        """Report *result*, the shard's *position*-th pair: append its line."""
        self._write(json.dumps({"i": position, "r": result.to_dict()}, default=str))
        if position == self.watermark:
            self.watermark += 1
            above = self.above
            while self.watermark in above:
                above.discard(self.watermark)
                self.watermark += 1
        else:
            self.above.add(position)

    def mark(self) -> None:
        """Append a watermark line and make the file durable."""
        self._write(json.dumps({"watermark": self.watermark, "above": sorted(self.above)}))
        os.fsync(self.fd)

    def close(self) -> None:
        """Append a last watermark line and close the file."""
        try:
            self.mark()
        finally:
            os.close(self.fd)
