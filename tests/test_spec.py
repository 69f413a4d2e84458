"""The port-list parser: nmap's -p syntax, whitespace, and every kind of bad input."""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import portkit
from portkit import Endpoint, PortRange, PortSet, PortSpec, Protocol
from portkit.exceptions import InvalidEndpointError, InvalidSpecError
from portkit.registries import Registry


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("22,80,443", [22, 80, 443]),
        ("1-1024", [PortRange(1, 1024)]),
        ("-1024", [PortRange(1, 1024)]),
        ("60000-", [PortRange(60000, 65535)]),
        ("-", [PortRange(1, 65535)]),
        ("0", [0]),
        ("0-5", [PortRange(0, 5)]),
        (" 22 , 80 ,\t1000 - 2000 ", [22, 80, PortRange(1000, 2000)]),
        ("080", [80]),
        ("65535", [65535]),
        ("5,1-10", [PortRange(1, 10)]),
    ],
)
def test_accepted_specs(spec: str, expected: list[int | PortRange]) -> None:
    assert PortSet.parse(spec) == PortSet(expected)


@pytest.mark.parametrize(
    ("spec", "fragment", "position"),
    [
        ("80x", "'80x' is not a port", 0),
        ("100-50", "runs backwards (100 > 50)", 0),
        ("1--5", "'1--5' is not a port", 0),
        ("", "must not be empty", None),
        ("   ", "must not be empty", None),
        ("22,,80", "empty item", 3),
        ("22,", "empty item", 3),
        (",22", "empty item", 0),
        ("65536", "port 65536 is out of range", 0),
        ("1-70000", "port 70000 is out of range", 0),
        ("999999999999", "out of range", 0),
        ("-5-", "is not a port", 0),
        ("22;80", "is not a port", 0),
        ("+80", "is not a port", 0),
        ("٣", "is not a port", 0),
    ],
)
def test_rejected_specs_name_item_rule_and_position(
    spec: str, fragment: str, position: int | None
) -> None:
    with pytest.raises(InvalidSpecError) as info:
        PortSet.parse(spec)
    assert fragment in str(info.value)
    assert info.value.spec == spec
    assert info.value.position == position
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    ("spec", "fragment"),
    [
        ("T:", "qualifier 'T:' is not followed by any port"),
        ("T:22,U:", "qualifier 'U:' is not followed by any port"),
        ("T:,80", "qualifier 'T:' is not followed"),
        ("X:80", "is not a port"),
        ("T:U:80", "is not a port"),
    ],
)
def test_rejected_qualified_specs(spec: str, fragment: str) -> None:
    with pytest.raises(InvalidSpecError) as info:
        PortSpec.parse(spec)
    assert fragment in str(info.value)


def test_qualifiers_are_case_insensitive_and_tolerate_blanks() -> None:
    spec = PortSpec.parse(" t : 22 , u:53")
    assert spec[Protocol.TCP] == PortSet([22])
    assert spec[Protocol.UDP] == PortSet([53])


def test_non_str_specs_are_rejected() -> None:
    with pytest.raises(InvalidSpecError, match="a port spec is a str"):
        PortSet.parse(80)  # type: ignore[arg-type]
    with pytest.raises(InvalidSpecError):
        PortSpec.parse(None)  # type: ignore[arg-type]


def test_huge_specs_are_rejected_with_a_short_message() -> None:
    spec = "1," * 600_000
    with pytest.raises(InvalidSpecError) as info:
        PortSet.parse(spec)
    assert "at most 1,000,000 characters" in str(info.value)
    assert len(str(info.value)) < 200


def test_every_port_listed_one_by_one_collapses_to_one_range() -> None:
    spec = ",".join(str(p) for p in range(1, 65536))
    assert PortSet.parse(spec) == PortSet.parse("-")


def test_long_garbage_item_message_stays_short() -> None:
    with pytest.raises(InvalidSpecError) as info:
        PortSet.parse("x" * 10_000 + "!")
    assert len(str(info.value)) < 300


@given(st.text(max_size=30))
def test_any_text_parses_or_raises_invalid_spec(text: str) -> None:
    try:
        result = PortSpec.parse(text)
    except InvalidSpecError as e:
        assert e.spec == text
    else:
        assert isinstance(result, PortSpec)
        assert PortSpec.parse(str(result)) == result


def _imports_of(path: Path, package: str) -> set[str]:
    """Every portkit module that *path* imports, at module level or inside functions."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("portkit"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            if module.startswith("portkit"):
                found.add(module)
    return found


def test_models_parser_and_ranges_never_import_the_registry() -> None:
    # The old loop: _models -> _spec -> registries -> _models. Parsing reads no file,
    # so the value types and the grammar depend on no registry, even lazily.
    src = Path(portkit.__file__).parent
    graph: dict[str, set[str]] = {}
    for path in src.rglob("*.py"):
        parts = path.relative_to(src.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        package = name if parts[-1] == "__init__" else name.rpartition(".")[0]
        graph[name] = _imports_of(path, package)

    def reach(start: str) -> set[str]:
        seen: set[str] = set()
        todo = [start]
        while todo:
            for nxt in graph.get(todo.pop(), ()):
                if nxt not in seen and nxt != "portkit":
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    for low in ("portkit._models", "portkit._spec", "portkit._ranges", "portkit._protocols"):
        assert not [m for m in reach(low) if m.startswith("portkit.registries")], low
    low = ("portkit._models", "portkit._spec", "portkit._ranges", "portkit._protocols")
    assert not [m for m in low if m in reach(m)], "an import cycle"


@pytest.mark.parametrize(
    "spec", ["８０-９０", "80-９０", "８０-", "-９０", "٨٠-٩٠", "８０", "22,８０-９０", "１-"]
)
def test_ports_are_ascii_digits_only_in_specs(spec: str) -> None:
    # Regression: "８０-９０" parsed as 80-90 while "８０" alone was refused.
    with pytest.raises(InvalidSpecError):
        PortSet.parse(spec)
    with pytest.raises(InvalidSpecError):
        PortSpec.parse(f"U:{spec}")
    if "," not in spec:
        with pytest.raises(InvalidSpecError):
            PortRange.parse(spec)


@pytest.mark.parametrize(
    "text", ["host:８０", "[::1]:８０", "http://host:８０/", "10.0.0.1:٨٠", "host:８０/udp"]
)
def test_ports_are_ascii_digits_only_in_endpoints(text: str) -> None:
    with pytest.raises(InvalidEndpointError):
        Endpoint.parse(text)


@pytest.mark.parametrize("registry", [object(), "bundled", 1])
def test_a_registry_that_is_not_one_is_named(registry: object) -> None:
    from portkit.exceptions import InvalidOptionError

    with pytest.raises(InvalidOptionError, match="ports_for_name") as info:
        PortSet.parse("http", registry=registry)  # type: ignore[arg-type]
    assert info.value.name == "registry"
    with pytest.raises(InvalidOptionError):
        PortSpec.parse("22", registry=registry)  # type: ignore[arg-type]


def test_names_resolve_through_the_registry_passed() -> None:
    from portkit import Service
    from portkit.registries import Registry

    mine = Registry([Service(name="http", ports=PortRange(8080, 8080), protocol=Protocol.TCP)])
    assert str(PortSet.parse("http", registry=mine)) == "8080"
    assert str(PortSpec.parse("T:http,U:1", registry=mine)) == "T:8080,U:1"
    with pytest.raises(InvalidSpecError, match="unknown service 'ssh'"):
        PortSet.parse("ssh", registry=mine)
    assert str(PortSet.parse("http")) == "80"


_SPEC_ALPHABET = st.sampled_from([*"0123456789-,: TUSDtusd\t８٠߀http", "\u00a0", "\n"])


@functools.cache
def _bundled() -> Registry:
    return Registry.bundled()


@settings(deadline=None)  # the first example loads the bundled registry
@given(st.text(_SPEC_ALPHABET, max_size=40))
def test_every_spec_round_trips_or_raises_a_portkit_error(text: str) -> None:
    try:
        spec = PortSpec.parse(text, registry=_bundled())
    except portkit.PortkitError:
        return
    assert PortSpec.parse(str(spec)) == spec
    assert str(spec).isascii()


@given(st.text(st.sampled_from([*"[]:%0123456789abcdef.lo/eth８", "\x00", "\n", " "]),
               max_size=40))
def test_every_endpoint_round_trips_or_raises_a_portkit_error(text: str) -> None:
    try:
        e = Endpoint.parse(text)
    except portkit.PortkitError:
        return
    assert Endpoint.parse(str(e)) == e
    assert str(e).isascii()
