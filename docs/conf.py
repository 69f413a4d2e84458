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
def _public_names() -> dict[str, str]:
    """Every public name of every public package, each mapped to its package."""
    import importlib

    import portkit

    subpackages = (f"portkit.{name}" for name in portkit._SUBPACKAGES)
    packages = ["portkit", "portkit.exceptions", *subpackages]
    names = {}
    for package in packages:
        for name in importlib.import_module(package).__all__:
            names[f"{package}.{name}"] = package
    names.update((package, package) for package in packages if package != "portkit")
    return names


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


def version_notes(name: str, docstring: str) -> list[str]:
    """The ``versionadded``/``versionchanged`` lines that the public *name* lacks.

    Every public name was added in 0.1 unless its docstring says otherwise; a name
    that moved in 0.2 says where it lived before, from the moves that portkit itself
    resolves (``_MOVED`` in ``portkit`` and ``portkit.exceptions``).
    """
    from portkit._public import REMOVED_IN

    if name not in _public_names():
        return []
    lines = []
    if "versionadded::" not in docstring:
        lines += ["", ".. versionadded:: 0.1"]
    olds = moves().get(name, [])
    if olds and "versionchanged:: 0.2" not in docstring:
        short = name.rpartition(".")[2]
        same = [o for o in olds if o.rpartition(".")[2] == short]
        other = [o for o in olds if o not in same]
        joined = " and ".join(f"``{o}``" for o in other)
        said = [f"Moved from ``{same[0]}``"] if same else [f"Renamed from {joined}"]
        if same and other:
            said.append(f"{joined} {'are' if len(other) > 1 else 'is'} folded into it")
        lines += [
            "",
            ".. versionchanged:: 0.2",
            f"   {'; '.join(said)}. The old "
            f"{'names still work' if len(olds) > 1 else 'name still works'}, with a "
            f"DeprecationWarning, until portkit {REMOVED_IN}.",
        ]
    return lines


def _add_version_notes(app, what, name, obj, options, lines):  # type: ignore[no-untyped-def]  # noqa: PLR0917
    if what == "module" and name == "portkit":
        return
    lines.extend(version_notes(name, "\n".join(lines)))


def setup(app):  # type: ignore[no-untyped-def]
    app.connect("missing-reference", _resolve_reexported_exception)
    app.connect("autodoc-process-docstring", _add_version_notes)
