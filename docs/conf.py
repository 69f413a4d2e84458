"""Sphinx configuration for portkit's documentation (MyST Markdown, furo theme)."""

from __future__ import annotations

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
    (r"py:class", r"(PortLike|_Bounds|Any|Literal|SupportsIndex|Self|T|.*\._.*|_.*)"),
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


def setup(app):  # type: ignore[no-untyped-def]
    app.connect("missing-reference", _resolve_reexported_exception)
