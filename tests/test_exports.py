"""The public interface: a small core in ``import portkit``, public subpackages, public
homes for every name, and every name of 0.1 still working with a warning."""

from __future__ import annotations

import importlib
import pickle
import subprocess
import sys
import warnings

import pytest

import portkit
import portkit.exceptions

#: The public packages; every other module of portkit is private.
PUBLIC_PACKAGES = [
    "portkit",
    "portkit.catalog",
    "portkit.exceptions",
    "portkit.identification",
    "portkit.local",
    "portkit.monitoring",
    "portkit.pipelines",
    "portkit.pipelines.pandas",
    "portkit.pipelines.polars",
    "portkit.planning",
    "portkit.registries",
    "portkit.reports",
]

#: Every name that ``import portkit`` offered in 0.1, with where it lives now.
NAMES_0_1 = {
    "AUDIT_RULES": "portkit.local", "Allow": "portkit.local", "AuditRule": "portkit.local",
    "Exposure": "portkit.local", "Finding": "portkit.local", "LocalSocket": "portkit.local",
    "Process": "portkit.local", "TcpState": "portkit.local", "audit": "portkit.local",
    "connections": "portkit.local", "listening": "portkit.local",
    "LocalSocketsError": "portkit.exceptions",
    "Annotation": "portkit.catalog", "Category": "portkit.catalog",
    "Risk": "portkit.catalog", "RiskKind": "portkit.catalog", "Severity": "portkit.catalog",
    "TopPort": "portkit.catalog", "Weight": "portkit.catalog",
    "annotation": "portkit.catalog", "annotations": "portkit.catalog",
    "annotations_on_port": "portkit.catalog", "cleartext_counterpart": "portkit.catalog",
    "is_cleartext": "portkit.catalog", "read_weights": "portkit.catalog",
    "risks_of": "portkit.catalog", "tls_counterpart": "portkit.catalog",
    "top_port_entries": "portkit.catalog",
    "BannerProbe": "portkit.identification", "Certificate": "portkit.identification",
    "Identification": "portkit.identification", "Rule": "portkit.identification",
    "RuleSet": "portkit.identification", "TLSInfo": "portkit.identification",
    "TLSProbe": "portkit.identification", "UDPProbe": "portkit.identification",
    "identify_rules": "portkit.identification",
    "ChangeKind": "portkit.monitoring", "Check": "portkit.monitoring",
    "CheckResult": "portkit.monitoring", "CheckStats": "portkit.monitoring",
    "Health": "portkit.monitoring", "Monitor": "portkit.monitoring",
    "StateChange": "portkit.monitoring", "load_checks": "portkit.monitoring",
    "monitor": "portkit.monitoring",
    "IANA_CSV_URL": "portkit.registries", "Registry": "portkit.registries",
    "registry": "portkit.registries.default", "update_registry": "portkit.registries",
    "InvalidColumnError": "portkit.exceptions", "InvalidConfigError": "portkit.exceptions",
    "InvalidCountError": "portkit.exceptions.InvalidOptionError",
    "InvalidEndpointError": "portkit.exceptions", "InvalidOptionError": "portkit.exceptions",
    "InvalidPortError": "portkit.exceptions", "InvalidRuleError": "portkit.exceptions",
    "InvalidServiceNameError": "portkit.exceptions", "InvalidSpecError": "portkit.exceptions",
    "InvalidTargetError": "portkit.exceptions", "InvalidWeightsError": "portkit.exceptions",
    "RegistryFormatError": "portkit.exceptions", "RegistryUpdateError": "portkit.exceptions",
    "UnknownCheckError": "portkit.exceptions", "UnknownProtocolError": "portkit.exceptions",
    "UnknownServiceError": "portkit.exceptions", "UnknownSystemError": "portkit.exceptions",
    # Still at the top level:
    "EPHEMERAL_RANGES": "portkit", "INVALID_CODE": "portkit", "Endpoint": "portkit",
    "PortClass": "portkit", "PortRange": "portkit", "PortSet": "portkit",
    "PortSpec": "portkit", "PortState": "portkit", "PortStatus": "portkit",
    "PortkitError": "portkit", "Probe": "portkit", "ProbeResult": "portkit",
    "Protocol": "portkit", "ScanResults": "portkit", "Service": "portkit",
    "TCPConnectProbe": "portkit", "__version__": "portkit", "classify": "portkit",
    "classify_many": "portkit", "ephemeral_range": "portkit", "exceptions": "portkit",
    "is_dynamic": "portkit", "is_ephemeral": "portkit", "is_registered": "portkit",
    "is_well_known": "portkit", "lookup": "portkit", "port_of": "portkit", "probe": "portkit",
    "scan": "portkit", "scan_sync": "portkit", "search": "portkit", "services": "portkit",
    "status": "portkit", "top_ports": "portkit",
}  # fmt: skip


def _public_objects() -> list[tuple[str, str, object]]:
    found = []
    for package in PUBLIC_PACKAGES:
        module = importlib.import_module(package)
        for name in module.__all__:
            found.append((package, name, getattr(module, name)))
    return found


def test_the_top_level_is_small() -> None:
    assert len(portkit.__all__) <= 40
    assert len(NAMES_0_1) == 101


@pytest.mark.parametrize("package", PUBLIC_PACKAGES)
def test_all_is_sorted_unique_and_importable(package: str) -> None:
    module = importlib.import_module(package)
    names = [n for n in module.__all__ if n != "__version__"]
    assert names == sorted(set(names), key=lambda n: (not n.isupper(), n))
    for name in module.__all__:
        assert hasattr(module, name), name


@pytest.mark.parametrize("package", PUBLIC_PACKAGES)
def test_every_public_attribute_is_in_all(package: str) -> None:
    module = importlib.import_module(package)
    public = {
        name for name, value in vars(module).items()
        if not name.startswith("_") and not isinstance(value, type(portkit))
        and str(getattr(value, "__module__", "portkit")).startswith("portkit")
    }
    assert public <= set(module.__all__)


def test_every_0_1_name_still_resolves_and_warns_where_it_moved() -> None:
    for name, home in NAMES_0_1.items():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            value = getattr(portkit, name)
        if home == "portkit":
            assert not caught, name
            continue
        module_name, _, new_name = home.rpartition(".") if home.count(".") > 1 else (
            home, "", name)
        new = getattr(importlib.import_module(module_name), new_name)
        assert value is new, name
        assert len(caught) == 1, name
        warning = caught[0]
        assert warning.category is DeprecationWarning
        assert f"use {module_name}.{new_name} instead" in str(warning.message)
        assert warning.filename == __file__, "the warning points at the caller's line"


def test_a_moved_name_warns_on_from_import_too() -> None:
    with pytest.warns(DeprecationWarning, match=r"use portkit\.monitoring\.Check instead"):
        from portkit import Check  # noqa: F401
    with pytest.warns(DeprecationWarning, match=r"InvalidOptionError"):
        from portkit.exceptions import InvalidCountError
    assert InvalidCountError is portkit.exceptions.InvalidOptionError


def test_unknown_names_are_attribute_errors() -> None:
    for module in (portkit, portkit.exceptions):
        with pytest.raises(AttributeError, match="no_such_name"):
            module.no_such_name  # noqa: B018


def test_every_public_class_and_function_reports_its_public_home() -> None:
    for package, name, value in _public_objects():
        module = getattr(value, "__module__", None)
        if not isinstance(value, type) and not callable(value):
            continue
        assert isinstance(module, str), name
        if module.startswith("portkit"):
            assert not any(p.startswith("_") for p in module.split(".")), (name, module)
            home = importlib.import_module(module)
            assert getattr(home, name) is value, (package, name, module)


def test_pickles_carry_no_private_path() -> None:
    from portkit.identification import Identification

    values = [
        portkit.PortSet.parse("22"),
        portkit.PortSpec.parse("T:22,U:53"),
        portkit.Endpoint.parse("[::1]:8080"),
        portkit.Protocol.UDP,
        portkit.lookup(443),
        portkit.status(443),
        Identification(service="ssh", product="OpenSSH", version="9.2p1"),
        portkit.ProbeResult(
            target="localhost", address="127.0.0.1", port=22, state="open",
            reason="syn-ack", latency=0.001, details={"banner": "SSH-2.0-x"}),
    ]
    for value in values:
        data = pickle.dumps(value)
        assert b"portkit._" not in data and b"._" not in data.replace(b"__", b""), value
        back = pickle.loads(data)
        assert back == value
        assert getattr(back, "details", None) == getattr(value, "details", None)


def test_reprs_of_classes_show_public_paths() -> None:
    assert repr(portkit.PortSet) == "<class 'portkit.PortSet'>"
    from portkit.monitoring import Check

    assert repr(Check) == "<class 'portkit.monitoring.Check'>"


@pytest.mark.parametrize("package", PUBLIC_PACKAGES)
def test_public_names_have_docstrings(package: str) -> None:
    module = importlib.import_module(package)
    assert module.__doc__
    for name in module.__all__:
        obj = getattr(module, name)
        if callable(obj):
            assert obj.__doc__ and obj.__doc__.strip(), name


def test_every_exception_is_a_portkit_error_in_the_drawn_tree() -> None:
    for name in portkit.exceptions.__all__:
        exc = getattr(portkit.exceptions, name)
        assert issubclass(exc, portkit.PortkitError)
        assert name in (portkit.exceptions.__doc__ or ""), f"{name} missing from the tree"
    assert "PortkitError" in portkit.__all__
    assert not [n for n in portkit.__all__ if n.endswith("Error") and n != "PortkitError"]


def test_import_is_light() -> None:
    code = (
        "import sys, portkit\n"
        "heavy = {'numpy', 'hypothesis', 'portkit.strategies', 'trio', 'asyncio',\n"
        "         'portkit._probe', 'portkit.monitoring', 'portkit.identification',\n"
        "         'portkit.local', 'portkit.catalog'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"


def test_version_is_the_installed_metadata() -> None:
    from importlib.metadata import version

    assert portkit.__version__ == version("portkit")


def test_lazy_names_and_subpackages_load_on_first_use() -> None:
    code = (
        "import sys, portkit\n"
        "scan = portkit.scan\n"
        "print('portkit._probe' in sys.modules, scan.__module__)\n"
        "mon = portkit.monitoring\n"
        "print(mon.__name__, 'portkit.monitoring' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-W", "error", "-c", code], capture_output=True,
                         text=True, check=True).stdout.split("\n")
    assert out[0] == "True portkit"
    assert out[1] == "portkit.monitoring True"
    assert sorted(dir(portkit)) == dir(portkit)
    assert set(portkit.__all__) <= set(dir(portkit))
    assert {"monitoring", "identification", "local", "catalog", "registries"} <= set(
        dir(portkit))
