"""How portkit's public packages present their names: public homes, lazy names, moves.

Three duties, one place:

* :func:`rehome` gives every public class and function the module users import it
  from as its ``__module__`` (``portkit.PortSet``, not ``portkit._models.PortSet``),
  so that reprs, tracebacks, documentation and pickles never show a private path.
* :func:`lazy_attribute` resolves a package's lazy names and subpackages on first use,
  so ``import portkit`` stays light for programs that only classify ports.
* :func:`moved` resolves a name that moved to a new home, with a
  :class:`DeprecationWarning` naming that home, so that nothing breaks without warning.
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Iterable, Mapping, MutableMapping
from types import FunctionType
from typing import Any

__all__ = ["lazy_attribute", "moved", "rehome"]

#: The release in which names moved in 0.2 stop resolving from their old homes.
REMOVED_IN = "0.3"


def _is_private(module: str) -> bool:
    return any(part.startswith("_") and not part.startswith("__") for part in module.split("."))


def rehome(namespace: Mapping[str, object], names: Iterable[str], home: str) -> None:
    """Set ``__module__`` to *home* on the classes and functions *names* of *namespace*.

    Only objects that portkit defines in a private module are touched, so that a name
    re-exported from another public package keeps the home it was given there.
    """
    for name in names:
        value = namespace.get(name)
        if not isinstance(value, (type, FunctionType)):
            continue
        module = value.__module__
        if module.startswith("portkit.") and _is_private(module):
            value.__module__ = home


def lazy_attribute(
    package: str,
    namespace: MutableMapping[str, Any],
    name: str,
    *,
    modules: Iterable[str] = (),
    names: Iterable[str] = (),
    subpackages: Iterable[str] = (),
) -> Any:
    """Resolve *name* of *package* from its lazily imported *modules* or *subpackages*.

    A name listed in *names* is looked up in each of *modules* (relative to *package*)
    in turn; every public name found in a module is stored in *namespace* at once and
    rehomed to *package*. A subpackage is imported and returned. Anything else raises
    :class:`AttributeError`.
    """
    if name in subpackages:
        return importlib.import_module(f"{package}.{name}")
    wanted = {n for n in names if n not in namespace}
    if name in wanted:
        for module_name in modules:
            module = importlib.import_module(module_name, package)
            found = [n for n in wanted if hasattr(module, n)]
            namespace.update((n, getattr(module, n)) for n in found)
            rehome(namespace, found, package)
            if name in namespace:
                return namespace[name]
    raise AttributeError(f"module {package!r} has no attribute {name!r}")


def moved(package: str, name: str, moves: Mapping[str, str]) -> Any:
    """The value of *name*, which moved from *package* to its home in *moves*.

    Emits a :class:`DeprecationWarning` that names the new home. Raises
    :class:`AttributeError` when *name* is not in *moves*.
    """
    target = moves.get(name)
    if target is None:
        raise AttributeError(f"module {package!r} has no attribute {name!r}")
    home, _, new_name = target.rpartition(".")
    value = getattr(importlib.import_module(home), new_name)
    warnings.warn(
        f"{package}.{name} has moved: use {target} instead "
        f"({package}.{name} will be removed in portkit {REMOVED_IN})",
        DeprecationWarning,
        stacklevel=3,
    )
    return value
