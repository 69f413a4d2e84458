"""Every declared lower bound of portkit's runtime dependencies is true.

.ci/run installs the lowest versions that pyproject.toml allows (uv's lowest-direct
resolution) in a second environment and runs the probe, scan and monitor tests there,
with ``PORTKIT_TEST_MIN_VERSIONS=1``; these tests check each reason for a bound
against the installed version, so a bound lowered below what portkit needs fails.
"""

from __future__ import annotations

import functools
import os
from importlib.metadata import requires, version

import anyio
import attrs
import pytest
from packaging.requirements import Requirement
from packaging.version import Version


def _lower_bounds(extra: str | None = None) -> dict[str, Version]:
    """The ``>=`` bounds of the runtime dependencies, or of one extra's."""
    bounds = {}
    for text in requires("portkit") or []:
        requirement = Requirement(text)
        if extra is None and requirement.marker is not None:
            continue  # an extra's requirement
        if extra is not None and (
            requirement.marker is None or not requirement.marker.evaluate({"extra": extra})
        ):
            continue
        (spec,) = (s for s in requirement.specifier if s.operator == ">=")
        bounds[requirement.name] = Version(spec.version)
    return bounds


def test_runtime_dependencies_are_attrs_and_anyio_with_lower_bounds() -> None:
    assert set(_lower_bounds()) == {"attrs", "anyio"}


@pytest.mark.parametrize("name", ["attrs", "anyio"])
def test_installed_version_meets_the_declared_bound(name: str) -> None:
    installed, bound = Version(version(name)), _lower_bounds()[name]
    assert installed >= bound
    if os.environ.get("PORTKIT_TEST_MIN_VERSIONS") == "1":
        assert installed == bound, "the minimum-versions run must install the lower bound"


def test_anyio_has_what_the_probe_engine_calls() -> None:
    # Added in anyio 4.7: with less, a probe of a port that does not answer at once
    # died with AttributeError.
    assert callable(anyio.wait_readable)
    assert callable(anyio.wait_writable)


@pytest.mark.anyio
async def test_a_full_capacity_limiter_raises_anyio_wouldblock() -> None:
    # anyio before 4.14.2 let trio's own WouldBlock out of these on trio, past the
    # monitor's ``except anyio.WouldBlock``.
    limiter = anyio.CapacityLimiter(1)
    await limiter.acquire_on_behalf_of("first")
    try:
        with pytest.raises(anyio.WouldBlock):
            limiter.acquire_on_behalf_of_nowait("second")
        with pytest.raises(anyio.WouldBlock):
            limiter.acquire_nowait()
    finally:
        limiter.release_on_behalf_of("first")


def test_attrs_makes_cached_property_work_on_slotted_classes() -> None:
    # attrs 23.2: PortSet caches its index with functools.cached_property.
    @attrs.frozen
    class Cached:
        n: int

        @functools.cached_property
        def double(self) -> int:
            return self.n * 2

    assert Cached(21).double == 42


# -- the data-pipeline extras -----------------------------------------------------------
# .ci/run also installs the lowest versions of the pipeline extras and runs the
# pipeline tests there, with PORTKIT_TEST_MIN_PIPELINES=1. The reasons: pandas 2.1
# added Categorical.from_codes(validate=); polars 1.30 is the first whose lazy queries
# let an exception raised in map_batches through as itself (before, an invalid port in
# a lazy frame came out as polars' ComputeError); PySpark 4.0 made createDataFrame
# take a pyarrow Table.

PIPELINE_EXTRAS = {"pandas": "pandas", "polars": "polars", "arrow": "pyarrow",
                   "duckdb": "duckdb", "dask": "dask", "spark": "pyspark"}


@pytest.mark.parametrize(("extra", "name"), PIPELINE_EXTRAS.items())
def test_pipeline_extras_meet_their_declared_bounds(extra: str, name: str) -> None:
    pytest.importorskip(name)
    installed, bound = Version(version(name)), _lower_bounds(extra)[name]
    assert installed >= bound
    if os.environ.get("PORTKIT_TEST_MIN_PIPELINES") == "1":
        assert installed == bound, "the minimum-versions run must install the lower bound"


def test_pandas_builds_categoricals_from_codes_without_validating() -> None:
    pd = pytest.importorskip("pandas")
    dtype = pd.CategoricalDtype(["a", "b"])
    cat = pd.Categorical.from_codes([1, -1], dtype=dtype, validate=False)
    assert cat[0] == "b"
    assert pd.isna(cat[1])

