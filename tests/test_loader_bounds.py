"""Every loader is linear in its input and bounded: hostile shapes of registry
files, monitor configs and weights files, their peak memory measured at two sizes
(a ratio; the CPU time's ratio is shown by benchmarks/registry_hostile.py, not
asserted), and files over the documented bounds refused with a clear error."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from bounds import assert_linear
from portkit.catalog import read_weights
from portkit.exceptions import InvalidConfigError, InvalidWeightsError, RegistryFormatError
from portkit.monitoring import load_checks
from portkit.registries import Registry
from portkit.registries._loaders import IANA_COLUMNS, MAX_FIELD, MAX_FILE_BYTES, MAX_ROWS

HEADER = ",".join(IANA_COLUMNS) + "\n"
REST = ",,,,,,,"  # the last eight columns, empty


def _iana(tmp: Path, rows: list[str]) -> Callable[[], object]:
    path = tmp / f"iana-{len(rows)}.csv"
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return lambda: Registry.from_iana_csv(path)


# Each shape made one loader quadratic (or worse) before.
IANA_SHAPES: dict[str, Callable[[int], list[str]]] = {
    # descriptions of many blanks and one character, growing with n (up to the
    # field bound at 8n)
    "blank-descriptions": lambda n: [f'svc{i},{i},tcp,"{" " * (6 * n)}x",{REST}\n'
                                     for i in range(10)],
    # many services on one port and protocol
    "one-port": lambda n: [f"svc{i},80,tcp,Service {i},{REST}\n" for i in range(n)],
    # full ranges, each once expanded port by port
    "full-ranges": lambda n: [f"svc{i},0-65535,tcp,Range {i},{REST}\n" for i in range(n)],
    # the usual shape: one service a port
    "ordinary": lambda n: [f"svc{i},{i % 65536},udp,Service number {i},{REST}\n"
                           for i in range(n)],
}


@pytest.mark.parametrize("shape", sorted(IANA_SHAPES))
def test_iana_csv_loading_is_linear(tmp_path: Path, shape: str) -> None:
    rows = IANA_SHAPES[shape]

    def make(n: int) -> Callable[[], object]:
        load = _iana(tmp_path, rows(n))

        def run() -> object:
            registry = load()
            assert isinstance(registry, Registry)
            assert not registry.problems
            registry.services(80)  # the indices a lookup builds count too
            registry.status(80)
            return registry.lookup(80)

        return run

    assert_linear(make, 150)


@pytest.mark.parametrize("shape", ["one-port", "full-ranges", "blank-comments"])
def test_services_file_loading_is_linear(tmp_path: Path, shape: str) -> None:
    def make(n: int) -> Callable[[], object]:
        line = {
            "one-port": "svc{i} 80/tcp alias{i}\n",
            "full-ranges": "svc{i} 0-65535/udp\n",
            "blank-comments": "svc{i} {i}/tcp #" + " " * (6 * n) + "x\n",
        }[shape]
        count = 10 if shape == "blank-comments" else n
        path = tmp_path / f"services-{n}"
        path.write_text("".join(line.format(i=i) for i in range(count)), encoding="utf-8")
        return lambda: Registry.from_services_file(path).services(80)

    assert_linear(make, 150)


def test_load_checks_is_linear(tmp_path: Path) -> None:
    def make(n: int) -> Callable[[], object]:
        path = tmp_path / f"checks-{n}.toml"
        path.write_text("".join(
            f"[[check]]\nendpoint = '127.0.0.1:{i % 60000 + 1}'\nname = 'c{i}'\n"
            for i in range(n)
        ), encoding="utf-8")
        return lambda: load_checks(path)

    assert_linear(make, 100)


def test_read_weights_is_linear(tmp_path: Path) -> None:
    def make(n: int) -> Callable[[], object]:
        path = tmp_path / f"weights-{n}"
        path.write_text("".join(
            f"{i % 65535 + 1}/{('tcp', 'udp', 'sctp', 'dccp')[i // 65535]} {i} #{' ' * 500}x\n"
            for i in range(n)
        ), encoding="utf-8")
        return lambda: read_weights(path)

    assert_linear(make, 150)


# -- the bounds -------------------------------------------------------------------------


def test_a_registry_file_over_the_size_bound_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    with path.open("w") as f:
        f.write(HEADER)
        f.truncate(MAX_FILE_BYTES + 1)  # sparse: no disk used
    for load in (Registry.from_iana_csv, Registry.from_services_file):
        with pytest.raises(RegistryFormatError, match="over the bound") as info:
            load(path)
        assert info.value.line == 0


def test_a_registry_file_over_the_row_bound_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "rows"
    path.write_text("x 1/tcp\n" * (MAX_ROWS + 1), encoding="utf-8")
    with pytest.raises(RegistryFormatError, match=f"more than {MAX_ROWS:,} rows") as info:
        Registry.from_services_file(path)
    assert info.value.line == MAX_ROWS + 1


def test_a_field_over_the_bound_is_a_malformed_row(tmp_path: Path) -> None:
    long = "x" * (MAX_FIELD + 1)
    csv_path = tmp_path / "long.csv"
    csv_path.write_text(HEADER + f"ok,22,tcp,fine,{REST}\nbad,23,tcp,{long},{REST}\n",
                        encoding="utf-8")
    registry = Registry.from_iana_csv(csv_path)
    assert [s.name for s in registry.all_services] == ["ok"]
    (problem,) = registry.problems
    assert (problem.line, "over the bound of 8,192" in problem.rule) == (3, True)
    with pytest.raises(RegistryFormatError, match="over the bound"):
        Registry.from_iana_csv(csv_path, strict=True)
    services = tmp_path / "long-services"
    services.write_text(f"ok 22/tcp\nbad 23/tcp # {long}\n", encoding="utf-8")
    registry = Registry.from_services_file(services)
    assert [s.name for s in registry.all_services] == ["ok"]
    assert registry.problems[0].line == 2


def test_a_missing_registry_file_is_a_registry_format_error(tmp_path: Path) -> None:
    for load in (Registry.from_iana_csv, Registry.from_services_file):
        with pytest.raises(RegistryFormatError, match="cannot read it: No such file") as info:
            load(tmp_path / "missing")
        assert info.value.line == 0
        assert str(info.value).startswith(str(tmp_path / "missing") + ": ")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_is_refused_without_waiting(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    # Opened non-blocking by a reader-writer pair so that open() itself returns.
    keep = os.open(fifo, os.O_RDWR | os.O_NONBLOCK)
    try:
        for load in (Registry.from_iana_csv, Registry.from_services_file):
            with pytest.raises(RegistryFormatError, match="not a regular file"):
                load(fifo)
        with pytest.raises(InvalidConfigError, match="not a regular file"):
            load_checks(fifo)
        with pytest.raises(InvalidWeightsError, match="not a regular file"):
            read_weights(fifo)
    finally:
        os.close(keep)


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("a = " + "[" * 3000 + "]" * 3000, "nested too deeply"),
        ("a = " + "{b = " * 3000 + "1" + "}" * 3000, "nested too deeply"),
        ("[[check]]\nendpoint = '127.0.0.1:1'\ninterval = " + "9" * 5000, "digits"),
    ],
    ids=["arrays", "inline-tables", "5000-digits"],
)
def test_hostile_toml_is_an_invalid_config_error(tmp_path: Path, text: str, rule: str) -> None:
    path = tmp_path / "hostile.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidConfigError, match=rule):
        load_checks(path)


def test_duplicate_check_names_are_found(tmp_path: Path) -> None:
    path = tmp_path / "dup.toml"
    path.write_text("".join(
        f"[[check]]\nendpoint = '127.0.0.1:{i + 1}'\nname = 'c{i % 999}'\n" for i in range(1000)
    ), encoding="utf-8")
    with pytest.raises(InvalidConfigError, match="two checks are named 'c0'"):
        load_checks(path)


@pytest.mark.parametrize(
    "line",
    ["9" * 5000 + "/tcp 1", "22/tcp " + "9" * 5000, "22/tcp １０", "２２/tcp 1", "22/tcp 1e400"],
    ids=["port-digits", "weight-digits", "unicode-weight", "unicode-port", "infinite"],
)
def test_hostile_weights_lines_name_their_line(tmp_path: Path, line: str) -> None:
    path = tmp_path / "weights"
    path.write_text(f"# header\n{line}\n", encoding="utf-8")
    with pytest.raises(InvalidWeightsError) as info:
        read_weights(path)
    assert info.value.line == 2
