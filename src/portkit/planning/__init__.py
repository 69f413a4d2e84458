"""Scans planned in advance: plans, shards, checkpoints, resume, and Dask.

A :class:`Plan` fixes what a scan probes (targets resolved once, exclusions taken
out, ports, a seed) and can be saved as JSON or pickled. It splits into shards that
are disjoint and together cover it exactly; each runs anywhere, with a checkpoint
to resume from after a crash, and :func:`scan_on_dask` runs them on a cluster::

    >>> from portkit.planning import Plan
    >>> plan = Plan.build(["192.0.2.0/30", "192.0.2.8"], "22,80", exclude=["192.0.2.1"])
    >>> plan.total, [s.total for s in plan.shards(3)]
    (8, [3, 3, 2])
    >>> Plan.from_json(plan.to_json()) == plan
    True

.. versionadded:: 0.2
"""

from portkit._public import rehome as _rehome
from portkit.exceptions import CheckpointError

from ._checkpoint import Checkpoint
from ._dask import scan_on_dask, scan_shard
from ._plan import Plan, Shard
from ._run import PlanResults, resume, scan_plan, scan_plan_sync

__all__ = [
    "Checkpoint",
    "CheckpointError",
    "Plan",
    "PlanResults",
    "Shard",
    "resume",
    "scan_on_dask",
    "scan_plan",
    "scan_plan_sync",
    "scan_shard",
]

_rehome(globals(), __all__, __name__)
