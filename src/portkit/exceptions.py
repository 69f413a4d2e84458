"""portkit's exceptions.

Every error that portkit raises on purpose is a :class:`PortkitError`. Errors about
bad input are also :class:`ValueError` (or :class:`LookupError` for unknown names),
so code that already catches those keeps working::

    PortkitError
    ├── InvalidPortError          (also ValueError)  a port number breaks a rule
    │   └── InvalidColumnError                       a column holds invalid ports
    ├── InvalidSpecError          (also ValueError)  a port list or range does not parse
    ├── InvalidEndpointError      (also ValueError)  a host[:port] or URL does not parse
    ├── InvalidServiceNameError   (also ValueError)  a service name is not a non-empty str
    ├── InvalidWeightsError       (also ValueError)  a port weights file does not parse
    ├── UnknownProtocolError      (also ValueError)  not tcp, udp, sctp or dccp
    ├── InvalidTargetError        (also ValueError)  a scan target is not a host, address,
    │                                                network or endpoint
    ├── InvalidOptionError        (also ValueError)  an option or a count breaks its rule
    ├── CheckpointError           (also ValueError)  a scan checkpoint is unreadable or another's
    ├── InvalidConfigError        (also ValueError)  a monitor's config file breaks a rule
    ├── UnknownCheckError         (also LookupError) no running check has that name
    ├── InvalidRuleError          (also ValueError)  an identification rule or an allow-list
    │                                                entry is malformed
    ├── UnknownSystemError        (also LookupError) no ephemeral range known for a system
    ├── UnknownServiceError       (also LookupError) no port known for a service name
    ├── LocalSocketsError         (also OSError)     this host's socket table cannot be read
    ├── RegistryFormatError       (also ValueError)  a row of a registry file is malformed
    ├── RegistryUpdateError                          a registry download failed or was refused
    └── EventLoopRunningError     (also RuntimeError) a blocking call inside an event loop

Every message names the offending value and the rule it broke; the same facts are
attributes of the exception, so programs need not parse messages::

    >>> import portkit
    >>> from portkit.exceptions import InvalidSpecError
    >>> try:
    ...     portkit.PortSet.parse("22,70000")
    ... except InvalidSpecError as e:
    ...     print(e.rule, "at", e.position)
    port 70000 is out of range 0-65535 at 3
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from ._public import moved as _moved

__all__ = [
    "CheckpointError",
    "EventLoopRunningError",
    "InvalidColumnError",
    "InvalidConfigError",
    "InvalidEndpointError",
    "InvalidOptionError",
    "InvalidPortError",
    "InvalidRuleError",
    "InvalidServiceNameError",
    "InvalidSpecError",
    "InvalidTargetError",
    "InvalidWeightsError",
    "LocalSocketsError",
    "PortkitError",
    "RegistryFormatError",
    "RegistryUpdateError",
    "UnknownCheckError",
    "UnknownProtocolError",
    "UnknownServiceError",
    "UnknownSystemError",
]


class _Array(Protocol):
    """What InvalidColumnError needs of a numpy array: a length, slices, ``tolist``."""

    def __len__(self) -> int:
        """The number of values."""
        ...

    def __getitem__(self, key: Any) -> Any:
        """A value or a slice."""
        ...

    def tolist(self) -> Any:
        """The values as a list of plain Python values."""
        ...


def _show(value: object, limit: int = 60) -> str:
    """``repr(value)``, shortened so that huge inputs do not flood a message."""
    text = repr(value)
    if len(text) > limit:
        text = f"{text[: limit - 15]}...{text[-10:]} ({len(text)} chars)"
    return text


class PortkitError(Exception):
    """The base of every exception that portkit raises on purpose.

    Every one pickles with its message and attributes intact, so that it crosses
    process boundaries (Dask and Spark workers, multiprocessing, polars' query engine)
    as itself.
    """

    def __reduce__(self) -> tuple[Any, ...]:
        # Exception pickles as ``type(self)(*self.args)``, which portkit's constructors,
        # taking the parts of the message rather than the message, cannot take.
        return _rebuild, (type(self), self.args, self.__dict__)


def _rebuild(cls: type[PortkitError], args: tuple[Any, ...], state: dict[str, Any]) -> Any:
    """A pickled portkit exception, rebuilt without calling its constructor."""
    error = cls.__new__(cls, *args)
    BaseException.__init__(error, *args)
    error.__dict__.update(state)
    return error


class _InvalidValueError(PortkitError, ValueError):
    """The shape that most bad-input errors share: a value and the rule it broke.

    The message is ``invalid <subject> <value>: <rule>``; subclasses name the subject
    and may give a default rule.
    """

    _subject = "value"
    _default_rule = ""

    def __init__(self, value: object, rule: str | None = None) -> None:
        self.value: object = value
        self.rule: str = self._default_rule if rule is None else rule
        super().__init__(f"invalid {self._subject} {_show(value)}: {self.rule}")


class InvalidPortError(_InvalidValueError):
    """A value is not a valid port number.

    A port is an :class:`int` (not a :class:`bool`, not a :class:`float`) from 0 to
    65535 inclusive.

    Attributes:
        value: The offending value, as given.
        rule: The rule it broke, in words.
    """

    _subject = "port"
    _default_rule = "a port is an int from 0 to 65535"


class InvalidColumnError(InvalidPortError):
    """A column handed to :func:`portkit.classify_many` holds invalid ports.

    Attributes:
        positions: The zero-based positions of the invalid values, ascending.
        values: The invalid values themselves, in the same order (None for a missing
            value: NA or null).
        column: The name of the column, when it has one (frames, named Series).
        rule: The rule the values broke.

    .. versionchanged:: 0.2
       ``column``, and a *rule* for columns other than ports (protocols).
    """

    def __init__(
        self,
        positions: Sequence[int] | _Array,
        values: Sequence[object] | _Array,
        *,
        column: str | None = None,
        rule: str = "a port is an int from 0 to 65535",
        missing: Sequence[bool] | _Array | None = None,
    ) -> None:
        # Columns can hold millions of invalid values (a wrong column, a bad join): the
        # positions and values are kept as given (numpy arrays from portkit's columns)
        # and turned into tuples only when read.
        self._positions: Sequence[int] | _Array = positions
        self._values: Sequence[object] | _Array = values
        self._missing = missing
        self.column: str | None = column
        count = len(positions)
        head = self._head(5)
        shown = ", ".join(f"[{p}]={_show(v, 20)}" for p, v in head)
        more = f" and {count - 5} more" if count > 5 else ""
        where = "column" if column is None else f"column {_show(column, 40)}"
        noun = "port" if rule == "a port is an int from 0 to 65535" else "value"
        PortkitError.__init__(
            self, f"{count} invalid {noun}(s) in {where}: {shown}{more}; {rule}"
        )
        self.value: object = head[0][1] if head else None
        self.rule = rule

    def _head(self, n: int) -> list[tuple[int, object]]:
        positions = _plain(self._positions[:n])
        values = _plain(self._values[:n])
        if self._missing is not None:
            missing = _plain(self._missing[:n])
            values = [None if m else v for v, m in zip(values, missing, strict=True)]
        return list(zip(positions, values, strict=True))

    @property
    def positions(self) -> tuple[int, ...]:
        """The zero-based positions of the invalid values, ascending."""
        if not isinstance(self._positions, tuple):
            self._positions = tuple(_plain(self._positions))
        return self._positions

    @property
    def values(self) -> tuple[object, ...]:
        """The invalid values, in the order of :attr:`positions` (None for missing ones)."""
        if not isinstance(self._values, tuple):
            values = _plain(self._values)
            if self._missing is not None:
                missing = _plain(self._missing)
                values = [None if m else v for v, m in zip(values, missing, strict=True)]
            self._values = tuple(values)
            self._missing = None
        return self._values


def _plain(values: Sequence[Any] | _Array) -> list[Any]:
    """A list of plain Python values (numpy arrays give theirs through ``tolist``)."""
    if isinstance(values, Sequence):
        return list(values)
    return list(values.tolist())


class InvalidSpecError(PortkitError, ValueError):
    """A port list (``"22,80,1000-2000"``) or range does not parse.

    Attributes:
        spec: The whole text that was being parsed.
        rule: What is wrong with it, in words.
        position: Zero-based offset in *spec* where the problem was found, or None.
    """

    def __init__(self, spec: object, rule: str, position: int | None = None) -> None:
        self.spec = spec
        self.rule = rule
        self.position = position
        where = f" at position {position}" if position is not None else ""
        super().__init__(f"invalid port spec {_show(spec)}{where}: {rule}")


class InvalidEndpointError(_InvalidValueError):
    """A ``host:port``, ``[v6]:port`` or URL does not parse, or an endpoint field is bad.

    Attributes:
        value: The offending text or value.
        rule: What is wrong with it, in words.
    """

    _subject = "endpoint"


class InvalidTargetError(_InvalidValueError):
    """A scan target is not a host name, an IP address, a network or an endpoint.

    Attributes:
        value: The offending target, as given.
        rule: What is wrong with it, in words.
    """

    _subject = "target"


class InvalidOptionError(PortkitError, ValueError):
    """An option of a probe or a scan (``timeout``, ``concurrency``, ...) is out of bounds.

    Attributes:
        name: The option's name.
        value: The offending value.
        rule: The rule it broke, in words.
    """

    def __init__(self, name: str, value: object, rule: str) -> None:
        self.name = name
        self.value = value
        self.rule = rule
        super().__init__(f"invalid {name} {_show(value)}: {rule}")


class CheckpointError(_InvalidValueError):
    """A scan's checkpoint file cannot be read, is not a checkpoint, or belongs to
    another plan, another shard, or other options than the scan resuming from it.

    Attributes:
        value: The checkpoint file's path.
        rule: What is wrong with it, in words.

    .. versionadded:: 0.2
    """

    _subject = "checkpoint"


class InvalidRuleError(_InvalidValueError):
    """A rule is malformed: an identification :class:`~portkit.identification.Rule` or
    :class:`~portkit.identification.RuleSet`, or an audit allow-list entry
    (:class:`~portkit.local.Allow`, whose rule id must name a rule of the audit).

    Attributes:
        value: The offending value (a pattern, a name, a rule, an allow entry).
        rule: What is wrong with it, in words.
        kind: What kind of rule: ``"identification rule"`` or ``"allow-list entry"``.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2
       Also for allow-list entries, with ``kind``.
    """

    def __init__(
        self, value: object, rule: str | None = None, *, kind: str = "identification rule"
    ) -> None:
        self.kind = kind
        self._subject = kind
        super().__init__(value, rule)


class UnknownProtocolError(PortkitError, ValueError):
    """A transport protocol name is not one of tcp, udp, sctp or dccp.

    Attributes:
        value: The offending name.
    """

    def __init__(self, value: object) -> None:
        self.value = value
        super().__init__(
            f"unknown protocol {_show(value)}: expected one of tcp, udp, sctp, dccp"
        )


class InvalidConfigError(PortkitError, ValueError):
    """A monitor's configuration file cannot be read or breaks a rule.

    Attributes:
        path: The file, as given.
        rule: What is wrong, in words (with the check's position when it is one
            check that is wrong).
    """

    def __init__(self, path: object, rule: str) -> None:
        self.path = path
        self.rule = rule
        super().__init__(f"invalid config {_show(str(path))}: {rule}")


class UnknownCheckError(PortkitError, LookupError):
    """No running check of a monitor has the given name.

    Attributes:
        name: The name looked up.
        known: The names of the running checks.
    """

    def __init__(self, name: object, known: Sequence[str] = ()) -> None:
        self.name = name
        self.known: tuple[str, ...] = tuple(known)
        shown = ", ".join(self.known[:10]) + (", ..." if len(self.known) > 10 else "")
        super().__init__(f"unknown check {_show(name)}: running checks are [{shown}]")


class UnknownSystemError(PortkitError, LookupError):
    """No ephemeral port range is known for the named operating system.

    Attributes:
        system: The offending name.
        known: The names that are known.
    """

    def __init__(self, system: object, known: Sequence[str]) -> None:
        self.system = system
        self.known: tuple[str, ...] = tuple(known)
        super().__init__(
            f"unknown system {_show(system)}: expected one of {', '.join(self.known)}"
        )


class UnknownServiceError(PortkitError, LookupError):
    """No port is known for a service name.

    Attributes:
        name: The name that was looked up.
        protocol: The protocol it was looked up for, as text, or None for any.
        suggestions: Close matches that do exist, best first (may be empty).
    """

    def __init__(
        self, name: object, protocol: str | None = None, suggestions: Sequence[str] = ()
    ) -> None:
        self.name = name
        self.protocol = protocol
        self.suggestions: tuple[str, ...] = tuple(suggestions)
        proto = f" for {protocol}" if protocol else ""
        hint = f"; did you mean {', '.join(self.suggestions)}?" if self.suggestions else ""
        super().__init__(f"unknown service {_show(name)}{proto}{hint}")


class InvalidServiceNameError(_InvalidValueError):
    """A service name is not a non-empty :class:`str`.

    Attributes:
        value: The offending value, as given.
        rule: The rule it broke, in words.
    """

    _subject = "service name"
    _default_rule = "a service name is a non-empty str"


class InvalidWeightsError(PortkitError, ValueError):
    """A port weights file (``PORT/PROTO WEIGHT # comment`` lines) does not parse.

    Attributes:
        path: The file, as given.
        line: The one-based number of the offending line, or None for the whole file.
        text: The offending line without its line break, or None.
        rule: What is wrong with it, in words.
    """

    def __init__(
        self, path: object, line: int | None, text: str | None, rule: str
    ) -> None:
        self.path = path
        self.line = line
        self.text = text
        self.rule = rule
        where = f" line {line}" if line is not None else ""
        shown = f" {_show(text)}" if text is not None else ""
        super().__init__(f"invalid weights file {str(path)!r}{where}{shown}: {rule}")


class LocalSocketsError(PortkitError, OSError):
    """The table of this host's sockets cannot be read as asked.

    Raised when the platform is not Linux and the optional ``psutil`` dependency is
    missing, when a network namespace does not exist or may not be entered, or when a
    protocol has no socket table portkit reads.

    Attributes:
        subject: What could not be read (a namespace name, a protocol, a platform).
        rule: Why, in words, with what to do about it where there is something.
    """

    def __init__(self, subject: object, rule: str) -> None:
        self.subject = subject
        self.rule = rule
        PortkitError.__init__(self, f"cannot list sockets of {_show(subject)}: {rule}")


class RegistryFormatError(PortkitError, ValueError):
    """A row of a registry file (IANA CSV or ``/etc/services`` format) is malformed.

    Loaders collect these in :attr:`portkit.registries.Registry.problems` and go on with the next
    row, unless they were asked to be strict, in which case the first one is raised.

    Attributes:
        path: The file being read, as text (``"<string>"`` when there is none).
        line: The one-based line number where the bad row starts; 0 when the
            fault is the whole file's (it cannot be read, or is over a bound).
        rule: What is wrong with the row, in words.
    """

    def __init__(self, path: object, line: int, rule: str) -> None:
        self.path: str = str(path)
        self.line = line
        self.rule = rule
        super().__init__(f"{self.path}, line {line}: {rule}" if line else f"{self.path}: {rule}")


class RegistryUpdateError(PortkitError):
    """Downloading a new registry failed, or what was downloaded was refused.

    The data in use before the update stays in place.

    Attributes:
        url: Where the registry was to be downloaded from.
        reason: What went wrong, in words.
    """

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(f"registry update from {url} failed: {reason}; the old data is kept")


class EventLoopRunningError(PortkitError, RuntimeError):
    """A blocking call (:func:`portkit.scan_sync`) was made where an event loop runs.

    A Jupyter notebook, for one, runs asyncio in its main thread: there, use the async
    API (``async with portkit.scan(...)``, which a notebook cell can await).

    Attributes:
        call: The blocking call, as ``"portkit.scan_sync"``.
        library: The event loop running, ``"asyncio"`` or ``"trio"``.
        alternative: The async API to use instead, as ``"portkit.scan"``.

    .. versionadded:: 0.2
    """

    def __init__(self, call: str, library: str, alternative: str) -> None:
        self.call = call
        self.library = library
        self.alternative = alternative
        super().__init__(
            f"{call}() cannot run inside a running {library} event loop (a Jupyter "
            f"notebook runs one); use the async API instead: {alternative}(), as in "
            f"'async with {alternative}(...) as results:' (a notebook cell may use "
            "'async with' and 'await' directly)"
        )


#: Names of this module that were folded into another class.
_MOVED = {"InvalidCountError": "portkit.exceptions.InvalidOptionError"}


def __getattr__(name: str) -> Any:
    return _moved(__name__, name, _MOVED)
