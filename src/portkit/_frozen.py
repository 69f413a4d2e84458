"""Immutable mappings for frozen value types, and the pickling support they need.

Frozen attrs classes hold their mappings as :class:`types.MappingProxyType` views,
which pickle cannot store; classes with such fields use :func:`getstate` and
:func:`setstate` as their ``__getstate__`` and ``__setstate__``.
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from typing import Any

import attrs

__all__ = ["freeze", "getstate", "setstate"]

EMPTY: Mapping[str, Any] = types.MappingProxyType({})


def freeze(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    """*value* as a read-only mapping (the same object when it already is one)."""
    if value is None:
        return EMPTY
    if isinstance(value, types.MappingProxyType):
        return value
    return types.MappingProxyType(dict(value))


def getstate(self: Any) -> dict[str, Any]:
    """The fields of the attrs instance *self*, read-only mappings as plain dicts."""
    state = {}
    for field in attrs.fields(type(self)):
        value = getattr(self, field.name)
        state[field.name] = dict(value) if isinstance(value, types.MappingProxyType) else value
    return state


def setstate(self: Any, state: dict[str, Any]) -> None:
    """Restore what :func:`getstate` stored, freezing the mappings again."""
    for name, value in state.items():
        object.__setattr__(self, name, freeze(value) if isinstance(value, dict) else value)
