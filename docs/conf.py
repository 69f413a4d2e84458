"""Sphinx configuration for portkit's documentation (MyST Markdown, furo theme)."""

from __future__ import annotations

import functools
import os
from importlib.metadata import version as _version

project = "portkit"
author = "The portkit developers"
copyright = "2026, The portkit developers"
release = _version("portkit")
version = ".".join(release.split(".")[:2])

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.intersphinx",
    "sphinx.ext.doctest",
]
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
exclude_patterns = ["_build"]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_typehints_format = "short"
autodoc_preserve_defaults = True
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_ivar = True

# Intersphinx inventories are fetched at build time, so links into Python's, attrs'
# and anyio's docs are made only when asked for (PORTKIT_DOCS_ONLINE=1); the default
# build works offline and renders those references as plain text.
intersphinx_mapping = (
    {
        "python": ("https://docs.python.org/3", None),
        "attrs": ("https://www.attrs.org/en/stable/", None),
        "anyio": ("https://anyio.readthedocs.io/en/stable/", None),
    }
    if os.environ.get("PORTKIT_DOCS_ONLINE") == "1"
    else {}
)
nitpicky = True
nitpick_ignore_regex = [
    (r"py:.*", r"(numpy|npt|np)\..*"),
    (r"py:.*", r"(pandas|pd|polars|pl|pyarrow|pa|duckdb|dask|pyspark)\..*"),
    (r"py:.*", r"(attrs|anyio|hypothesis|st)\..*"),
    (r"py:.*", r"(Iterable|Iterator|Mapping|Sequence|Callable|Awaitable|AsyncIterator)"),
    (r"py:.*", r"(collections\.abc|typing|os|ipaddress|socket|enum|ssl|pathlib|re|datetime)\..*"),
    (r"py:class", r"(PortLike|_Bounds|Any|Literal|SupportsIndex|Self|T|Expect|.*\._.*|_.*)"),
    (r"py:class", r"dt\.(datetime|date|timedelta)"),
    (r"py:mod", r"(ipaddress|socket|ssl|asyncio|trio|tomllib|enum|typing|os|pathlib)"),
    (r"py:.*", r"(int|str|bool|float|bytes|object|tuple|list|dict|set|frozenset|type|None)"),
    (r"py:.*", r"(ValueError|LookupError|Exception|OSError|TypeError|PathLike)"),
]
suppress_warnings = ["intersphinx.external", "config.cache"]

html_theme = "furo"
html_title = "portkit"


def _resolve_reexported_exception(app, env, node, contnode):  # type: ignore[no-untyped-def]
    """Let ``portkit.SomeError`` resolve to its documented home in ``portkit.exceptions``.

    Every exception is importable from both; the docs describe each once.
    """
    target = node.get("reftarget", "")
    if node.get("refdomain") != "py" or not target.startswith("portkit."):
        return None
    name = target.removeprefix("portkit.")
    import portkit.exceptions

    if name not in portkit.exceptions.__all__:
        return None
    return env.get_domain("py").resolve_xref(
        env, node["refdoc"], app.builder, node["reftype"], f"portkit.exceptions.{name}",
        node, contnode,
    )


@functools.cache
def _public_names() -> frozenset[str]:
    """Every public name of every public package (and public module inside one)."""
    import importlib
    import pkgutil

    import portkit

    modules = ["portkit"]
    for name in sorted({"exceptions", *portkit._SUBPACKAGES}):
        module = importlib.import_module(f"portkit.{name}")
        modules.append(module.__name__)
        modules += [
            f"{module.__name__}.{info.name}"
            for info in pkgutil.iter_modules(getattr(module, "__path__", []))
            if not info.name.startswith("_")
        ]
    names = set(modules[1:])
    for name in modules:
        names.update(f"{name}.{n}" for n in getattr(importlib.import_module(name), "__all__", []))
    return frozenset(names)


#: Every public name that portkit 0.1 offered, by package (the 0.1 top level's other
#: names moved; ``moves()`` finds them).
NAMES_0_1 = {
    "portkit": [
        "EPHEMERAL_RANGES", "INVALID_CODE", "Endpoint", "PortClass", "PortRange", "PortSet",
        "PortSpec", "PortState", "PortStatus", "PortkitError", "Probe", "ProbeResult",
        "Protocol", "ScanResults", "Service", "TCPConnectProbe", "__version__", "classify",
        "classify_many", "ephemeral_range", "exceptions", "is_dynamic", "is_ephemeral",
        "is_registered", "is_well_known", "lookup", "port_of", "probe", "scan", "scan_sync",
        "search", "services", "status", "top_ports",
    ],
    "portkit.exceptions": [
        "InvalidColumnError", "InvalidConfigError", "InvalidCountError", "InvalidEndpointError",
        "InvalidOptionError", "InvalidPortError", "InvalidRuleError", "InvalidServiceNameError",
        "InvalidSpecError", "InvalidTargetError", "InvalidWeightsError", "LocalSocketsError",
        "PortkitError", "RegistryFormatError", "RegistryUpdateError", "UnknownCheckError",
        "UnknownProtocolError", "UnknownServiceError", "UnknownSystemError",
    ],
    "portkit.strategies": [
        "endpoints", "hostnames", "port_ranges", "port_sets", "port_specs", "ports",
        "protocols",
    ],
}


@functools.cache
def moves() -> dict[str, list[str]]:
    """Each new home, with the 0.1 names that now resolve to it (with a warning)."""
    import portkit
    import portkit.exceptions

    found: dict[str, list[str]] = {}
    for module in (portkit, portkit.exceptions):
        for old, new in module._MOVED.items():
            found.setdefault(new, []).append(f"{module.__name__}.{old}")
    return found


def version_notes(name: str, existing: str) -> list[tuple[str, str, str]]:
    """The ``versionadded``/``versionchanged`` notes that the public *name* lacks.

    Each is ``(directive, version, text)``; *existing* is the text the name's entry
    already has, so that a docstring's own ``versionadded`` wins. A name dates from
    0.1 when portkit 0.1 offered it (``NAMES_0_1``) or it is the new home of a name
    that moved (``_MOVED`` in ``portkit`` and ``portkit.exceptions``), else from 0.2;
    a name that moved says where it lived before.
    """
    from portkit._public import REMOVED_IN

    if name not in _public_names():
        return []
    package, _, short = name.rpartition(".")
    olds = moves().get(name, [])
    notes = []
    if "versionadded" not in existing:
        old = short in NAMES_0_1.get(package, ()) or bool(olds)
        notes.append(("versionadded", "0.1" if old else "0.2", ""))
    if olds and "versionchanged" not in existing:
        same = [o for o in olds if o.rpartition(".")[2] == short]
        other = [o for o in olds if o not in same]
        joined = " and ".join(f"``{o}``" for o in other)
        said = [f"Moved from ``{same[0]}``"] if same else [f"Renamed from {joined}"]
        if same and other:
            said.append(f"{joined} {'are' if len(other) > 1 else 'is'} folded into it")
        still = "names still work" if len(olds) > 1 else "name still works"
        text = (
            f"{'; '.join(said)}. The old {still}, with a DeprecationWarning, until "
            f"portkit {REMOVED_IN}."
        )
        notes.append(("versionchanged", "0.2", text))
    return notes


def _add_version_notes(app, what, name, obj, options, lines):  # type: ignore[no-untyped-def]  # noqa: PLR0917
    """Append the notes to an autodoc'd docstring, as directives."""
    if what == "module" and name == "portkit":
        return
    for directive, version, text in version_notes(name, "\n".join(lines)):
        lines += ["", f".. {directive}:: {version}"] + ([f"   {text}"] if text else [])


def _add_version_nodes(app, domain, objtype, contentnode):  # type: ignore[no-untyped-def]
    """Give a hand-written ``py:data`` entry the notes it lacks, as nodes."""
    import re

    from docutils import nodes
    from sphinx import addnodes

    if domain != "py" or objtype != "data":
        return
    signature = contentnode.parent[0]
    module, fullname = signature.get("module"), signature.get("fullname")
    name = f"{module}.{fullname}" if module else fullname
    existing = " ".join(
        n["type"] for n in contentnode.children if isinstance(n, addnodes.versionmodified)
    )
    labels = {"versionadded": "Added in version", "versionchanged": "Changed in version"}
    for directive, version, text in version_notes(name, existing):
        label = f"{labels[directive]} {version}{': ' if text else '.'}"
        paragraph = nodes.paragraph("", "")
        paragraph += nodes.inline("", label, classes=["versionmodified", directive[7:]])
        for i, part in enumerate(re.split(r"``(.*?)``", text)):
            paragraph += nodes.literal(part, part) if i % 2 else nodes.Text(part)
        note = addnodes.versionmodified(type=directive, version=version)
        note += paragraph
        contentnode += note


def setup(app):  # type: ignore[no-untyped-def]
    app.connect("missing-reference", _resolve_reexported_exception)
    app.connect("autodoc-process-docstring", _add_version_notes)
    app.connect("object-description-transform", _add_version_nodes)
