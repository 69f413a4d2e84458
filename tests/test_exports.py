"""The public interface: what ``import portkit`` gives, and nothing private."""

from __future__ import annotations

import subprocess
import sys

import portkit
import portkit.exceptions


def test_all_is_sorted_unique_and_importable() -> None:
    names = [n for n in portkit.__all__ if n != "__version__"]
    assert names == sorted(set(names), key=lambda n: (not n.isupper(), n))
    for name in portkit.__all__:
        assert hasattr(portkit, name), name


def test_every_public_attribute_is_in_all() -> None:
    public = {
        name for name, value in vars(portkit).items()
        if not name.startswith("_") and not isinstance(value, type(portkit))
    }
    assert public <= set(portkit.__all__)


def test_public_names_have_docstrings() -> None:
    for name in portkit.__all__:
        obj = getattr(portkit, name)
        if callable(obj):
            assert obj.__doc__ and obj.__doc__.strip(), name


def test_every_exception_is_a_portkit_error_and_exported() -> None:
    for name in portkit.exceptions.__all__:
        exc = getattr(portkit.exceptions, name)
        assert issubclass(exc, portkit.PortkitError)
        assert getattr(portkit, name) is exc
        assert name in (portkit.exceptions.__doc__ or ""), f"{name} missing from the tree"


def test_import_is_light() -> None:
    code = (
        "import sys, portkit\n"
        "heavy = {'numpy', 'hypothesis', 'portkit.strategies', 'trio', 'asyncio'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"


def test_version_is_the_installed_metadata() -> None:
    from importlib.metadata import version

    assert portkit.__version__ == version("portkit")


def test_lazy_names_resolve_to_their_modules_and_load_on_first_use() -> None:
    code = (
        "import sys, portkit\n"
        "lazy = ['portkit._probe', 'portkit._monitor', 'portkit._identify', 'portkit._local']\n"
        "print(sorted(m for m in lazy if m in sys.modules))\n"
        "scan = portkit.scan\n"
        "print('portkit._probe' in sys.modules, scan is portkit._probe.scan)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split("\n")
    assert out[0] == "[]"
    assert out[1] == "True True"
    assert sorted(dir(portkit)) == dir(portkit)
    assert set(portkit.__all__) <= set(dir(portkit))
