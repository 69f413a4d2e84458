"""The public API of portkit as text: every public name of every public package, with
its kind and signature, and the public members of each class.

Run from the repository's root::

    python tests/api/snapshot.py            # print the API of the installed portkit
    python tests/api/snapshot.py --check    # compare it with tests/api/snapshot.txt
    python tests/api/snapshot.py --update   # rewrite tests/api/snapshot.txt

tests/test_api_snapshot.py fails with a diff whenever the API differs from the
committed snapshot, so every change to the public interface is deliberate and shows in
review. It reads the objects that ``import portkit`` gives at run time (attrs-made
``__init__`` methods included), not the source text, and writes signatures from their
parts, so the text does not depend on the Python version's formatting.
"""

from __future__ import annotations

import argparse
import difflib
import enum
import importlib
import inspect
import pkgutil
import re
import sys
from pathlib import Path
from types import GenericAlias, ModuleType
from typing import Any

SNAPSHOT = Path(__file__).with_name("snapshot.txt")
UPDATE = "python tests/api/snapshot.py --update"

#: Values whose text is shown in the snapshot (others show their type only).
_SHOWN_VALUES = (bool, int, float, str)
#: Names whose values change with every release.
_UNSHOWN_NAMES = frozenset({"__version__"})


def _public_packages() -> tuple[str, ...]:
    import portkit

    found = ["portkit"]
    for name in sorted({"exceptions", *portkit._SUBPACKAGES}):
        module = importlib.import_module(f"portkit.{name}")
        found.append(module.__name__)
        # Public modules inside a public package (portkit.pipelines.pandas, ...).
        found += sorted(
            f"{module.__name__}.{info.name}"
            for info in pkgutil.iter_modules(getattr(module, "__path__", []))
            if not info.name.startswith("_")
        )
    return tuple(found)


#: Every public package (portkit's list); everything else in portkit is private.
PUBLIC_PACKAGES = _public_packages()

_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
_FORWARD_REF = re.compile(r"ForwardRef\('([^']*)'\)")
#: Dunder methods that are no part of what a value does for its users.
_HIDDEN_DUNDERS = frozenset({
    "__getstate__", "__setstate__", "__reduce__", "__reduce_ex__", "__init_subclass__",
    "__class_getitem__", "__attrs_post_init__", "__subclasshook__",
})


def _annotation(annotation: Any) -> str:
    if annotation is inspect.Parameter.empty:
        return ""
    if isinstance(annotation, str):
        return annotation
    if isinstance(annotation, type) and not isinstance(annotation, GenericAlias):
        return annotation.__qualname__  # (tuple[int] is a type on Python 3.10)
    text = _ADDRESS.sub("", repr(annotation)).replace("typing.", "")
    return _FORWARD_REF.sub(r"\1", text)


def _default(value: Any) -> str:
    import attrs

    if value is attrs.NOTHING:  # attrs' marker for a default made by a factory
        return "<factory>"
    if isinstance(value, enum.Enum):
        return f"{type(value).__qualname__}.{value.name}"
    return _ADDRESS.sub("", repr(value))


def signature(obj: Any, *, skip_first: bool = False) -> str:
    """``(a: int, *, b: str = 'x') -> bool``, written the same on every Python."""
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return "(...)"
    params = list(sig.parameters.values())
    if skip_first and params:
        params = params[1:]
    parts: list[str] = []
    star_done = False
    for i, p in enumerate(params):
        if p.kind is p.POSITIONAL_ONLY and (
            i + 1 == len(params) or params[i + 1].kind is not p.POSITIONAL_ONLY
        ):
            suffix = ", /"
        else:
            suffix = ""
        if p.kind is p.KEYWORD_ONLY and not star_done:
            parts.append("*")
            star_done = True
        prefix = {p.VAR_POSITIONAL: "*", p.VAR_KEYWORD: "**"}.get(p.kind, "")
        if p.kind is p.VAR_POSITIONAL:
            star_done = True
        text = prefix + p.name
        note = _annotation(p.annotation)
        if note:
            text += f": {note}"
        if p.default is not p.empty:
            text += f" = {_default(p.default)}" if note else f"={_default(p.default)}"
        parts.append(text + suffix)
    returns = _annotation(sig.return_annotation)
    return f"({', '.join(parts)})" + (f" -> {returns}" if returns else "")


def _is_portkit(cls: type) -> bool:
    return cls.__module__.split(".")[0] == "portkit"


def _public_bases(cls: type) -> list[str]:
    """Every public ancestor (isinstance holds for each), nearest first."""
    names = []
    for base in cls.__mro__[1:]:
        if base is object or base.__name__.startswith("_"):
            continue
        if base.__module__ in {"builtins", "enum", "typing"} and base.__name__ in {
            "Generic", "Protocol", "ReprEnum",
        }:
            continue
        module = base.__module__
        names.append(base.__qualname__ if module == "builtins" else f"{module}.{base.__qualname__}")
    return names


def _class_kind(cls: type) -> str:
    import attrs

    if issubclass(cls, BaseException):
        return "exception"
    if issubclass(cls, enum.Enum):
        return "enum"
    if getattr(cls, "_is_protocol", False):
        return "protocol"
    if attrs.has(cls):
        frozen = cls.__setattr__ is not object.__setattr__
        return "frozen attrs class" if frozen else "attrs class"
    return "class"


def _members(cls: type) -> list[str]:
    lines: list[str] = []
    if issubclass(cls, enum.Enum):
        lines.extend(f"    member {m.name} = {m.value!r}" for m in cls)
    seen: set[str] = set()
    for owner in cls.__mro__:
        if owner is object or not _is_portkit(owner):
            continue
        for name, raw in vars(owner).items():
            if name in seen:
                continue
            seen.add(name)
            if name.startswith("_") and not _shown_dunder(name, raw):
                continue
            if issubclass(cls, enum.Enum) and name in cls.__members__:
                continue
            line = _member(cls, name, raw)
            if line:
                lines.append(line)
    return sorted(lines, key=lambda line: line.split()[1].split("(")[0].rstrip(":"))


def _shown_dunder(name: str, raw: Any) -> bool:
    """Whether *name* is a dunder method written in portkit's source (operators,
    containers, iteration, calls), as opposed to one attrs made or a pickling hook."""
    if not (name.startswith("__") and name.endswith("__")) or name in _HIDDEN_DUNDERS:
        return False
    if not inspect.isfunction(raw) or not str(raw.__module__).startswith("portkit"):
        return False  # enum's and attrs' own helpers
    if name == "__init__":
        return True
    import portkit

    source = Path(raw.__code__.co_filename)  # attrs' generated methods have none
    return source.is_relative_to(Path(portkit.__file__).parent)


def _member(cls: type, name: str, raw: Any) -> str | None:
    if isinstance(raw, property):
        returns = _annotation(inspect.signature(raw.fget).return_annotation) if raw.fget else ""
        writable = "" if raw.fset is None else " (settable)"
        return f"    property {name}: {returns}{writable}"
    if isinstance(raw, classmethod):
        return f"    classmethod {name}{signature(raw.__func__, skip_first=True)}"
    if isinstance(raw, staticmethod):
        return f"    staticmethod {name}{signature(raw.__func__)}"
    if inspect.isfunction(raw):
        if name == "__init__" and getattr(cls, "_is_protocol", False):
            return None
        kind = "async method" if inspect.iscoroutinefunction(raw) else "method"
        if inspect.isasyncgenfunction(raw):
            kind = "async generator method"
        return f"    {kind} {name}{signature(raw, skip_first=True)}"
    if name.startswith("_"):
        return None
    if type(raw).__name__ == "member_descriptor":  # an attrs field on a slotted class
        return None
    return f"    attribute {name}: {type(raw).__qualname__}"


def _fields(cls: type) -> list[str]:
    import attrs

    if not attrs.has(cls):
        return []
    return [
        f"    field {f.name}: {_annotation(f.type) or '?'}"
        + ("" if f.default is attrs.NOTHING else " (has default)")
        for f in attrs.fields(cls)
        if not f.name.startswith("_")
    ]


def describe(package: str, name: str, value: Any) -> list[str]:
    """The snapshot's lines for one public *name* of *package*."""
    path = f"{package}.{name}"
    if isinstance(value, ModuleType):
        return [f"module {path} = {value.__name__}"]
    if isinstance(value, type):
        home = f"{value.__module__}.{value.__qualname__}"
        alias = "" if home == path else f" = {home}"
        lines = [f"{_class_kind(value)} {path}{alias}"]
        bases = _public_bases(value)
        if bases:
            lines.append(f"    bases {', '.join(bases)}")
        if alias:
            return lines  # described at its home
        return lines + _fields(value) + _members(value)
    if callable(value):
        kind = "function"
        if inspect.iscoroutinefunction(value):
            kind = "async function"
        elif inspect.isasyncgenfunction(value):
            kind = "async generator function"
        module = getattr(value, "__module__", "?")
        alias = "" if module == package else f" = {module}.{value.__name__}"
        return [f"{kind} {path}{signature(value)}{alias}"]
    shown = (
        f" = {value!r}"
        if isinstance(value, _SHOWN_VALUES) and name not in _UNSHOWN_NAMES
        else ""
    )
    return [f"data {path}: {type(value).__qualname__}{shown}"]


def snapshot() -> str:
    """The public API of the importable portkit, as the snapshot's text."""
    lines = [
        "# portkit's public API: every public name of every public package.",
        f"# Regenerate with `{UPDATE}` (and say what changed in CHANGELOG.md).",
    ]
    for package in PUBLIC_PACKAGES:
        module = importlib.import_module(package)
        lines += ["", f"## {package}", ""]
        for name in sorted(module.__all__):
            lines += describe(package, name, getattr(module, name))
    return "\n".join(lines) + "\n"


def diff(expected: str, actual: str) -> str:
    """A unified diff from the committed snapshot to the current API."""
    return "".join(
        difflib.unified_diff(
            expected.splitlines(keepends=True),
            actual.splitlines(keepends=True),
            "tests/api/snapshot.txt (committed)",
            "the API of the installed portkit",
        )
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--update", action="store_true", help="rewrite the snapshot")
    group.add_argument("--check", action="store_true", help="diff against the snapshot")
    args = parser.parse_args(argv)
    text = snapshot()
    if args.update:
        SNAPSHOT.write_text(text)
        print(f"wrote {SNAPSHOT}")
        return 0
    if args.check:
        changes = diff(SNAPSHOT.read_text(), text)
        print(changes or "the API matches the snapshot", end="" if changes else "\n")
        return 1 if changes else 0
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
