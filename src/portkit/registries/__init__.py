"""The port registry's machinery: registry objects, loaders, the bundled data, updates.

Most programs need only the shortcuts at portkit's top level (:func:`portkit.lookup`,
:func:`portkit.port_of`, ...), which query the default registry. This package is for
programs that load a registry of their own (IANA's CSV, an ``/etc/services`` file),
pin the bundled snapshot, or download IANA's latest::

    >>> from portkit.registries import Registry, default
    >>> default().lookup(443).name
    'https'
    >>> Registry.bundled().port_of("ssh")
    22

Private modules: ``_model`` holds the value types, ``_loaders`` the file readers,
``_index`` the :class:`Registry`, ``_data`` the bundled data and the lazily loaded
default, ``_cache`` and ``_update`` the downloaded copy, ``_aliases`` the common
names, ``_shortcuts`` the functions re-exported at portkit's top level.

.. versionadded:: 0.2
"""

from __future__ import annotations

from portkit._public import rehome as _rehome
from portkit._spec import NameResolver
from portkit.exceptions import RegistryFormatError, RegistryUpdateError

from ._index import Registry
from ._shortcuts import default
from ._update import IANA_CSV_URL, update_registry

__all__ = [
    "IANA_CSV_URL",
    "NameResolver",
    "Registry",
    "RegistryFormatError",
    "RegistryUpdateError",
    "default",
    "update_registry",
]

_rehome(globals(), __all__, __name__)
