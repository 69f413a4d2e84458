"""Identification rules: :class:`Rule` and :class:`RuleSet`.

A rule is a bytes regular expression over what a server said (its greeting, or its
reply to a nudge) plus the facts a match establishes. The built-in rules live in
``_builtin``. No I/O here: :meth:`RuleSet.identify` is a pure function of bytes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

import attrs

from .._models import PortSet
from ..exceptions import InvalidOptionError, InvalidRuleError
from ._identification import Identification

__all__ = ["Rule", "RuleSet"]


_FIELDS = ("service", "product", "version", "info", "hostname")


def _compile(value: bytes | re.Pattern[bytes]) -> re.Pattern[bytes]:
    if isinstance(value, re.Pattern):
        if not isinstance(value.pattern, bytes):
            raise InvalidRuleError(value, "a rule's pattern is a bytes regular expression")
        return value
    if not isinstance(value, bytes):
        raise InvalidRuleError(value, "a rule's pattern is a bytes regular expression")
    try:
        return re.compile(value, re.DOTALL)
    except re.error as e:
        raise InvalidRuleError(value, f"the pattern does not compile: {e}") from None


def _portset(value: PortSet | Iterable[int] | str) -> PortSet:
    if isinstance(value, PortSet):
        return value
    if isinstance(value, str):
        return PortSet.parse(value)
    return PortSet(value)


def _check_name(instance: Rule, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not value or value.strip() != value:
        raise InvalidRuleError(value, f"a rule's {attribute.name} is a non-empty str")


def _check_nudge(instance: Rule, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not isinstance(value, bytes) and not callable(value):
        raise InvalidRuleError(value, "a rule's nudge is bytes, a callable or None")
    if isinstance(value, bytes) and not value:
        raise InvalidRuleError(value, "a rule's nudge is not empty (use None for no nudge)")


def _check_extract(instance: Rule, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not callable(value):
        raise InvalidRuleError(value, "a rule's extract is a callable or None")


def _check_after_nudge(instance: Rule, attribute: attrs.Attribute[bool], value: bool) -> None:
    if value and not isinstance(instance.nudge, bytes):
        raise InvalidRuleError(instance.name, "a rule with after_nudge=True needs a bytes nudge")


@attrs.frozen(kw_only=True, repr=False)
class Rule:
    r"""One way to recognise a service from the bytes it sends.

    The *pattern* is searched (``pattern.search(data)``, with ``re.DOTALL``)
    in what the server said. On a match, the facts come from, in this order: the
    literal *product*, *version* and *info*; the pattern's named groups
    ``product``, ``version``, ``info``, ``hostname`` and ``service`` that took
    part in the match; then the mapping the *extract* callable returns (which may
    also reject the match by returning None). Keys other than those five go to
    ``Identification.extra``.

    ::

        Rule(
            name="acme-ftp",
            service="ftp",
            pattern=rb"\A220 AcmeFTP (?P<version>[\d.]+) ready",
            product="AcmeFTP",
            ports="21",
        )

    Attributes:
        name: A unique name for the rule (``"openssh"``).
        service: The service name a match establishes (``"ssh"``), as nmap names
            services.
        pattern: A bytes regular expression (text or compiled).
        product: The product a match establishes, unless the pattern says.
        version: The version a match establishes, unless the pattern says.
        info: Further words a match establishes, unless the pattern says.
        extract: A callable that derives facts from the match (for binary
            protocols), or None.
        ports: The ports where the service usually listens. On these the rule's
            nudge is sent first and the rule is tried first.
        nudge: What to send when the server does not speak first: bytes, or a
            function of the target host returning bytes; None when the service
            speaks first.
        after_nudge: Try the rule only on replies to its own nudge (for replies as
            short as PostgreSQL's one-byte answer to an SSLRequest).

    Raises:
        InvalidRuleError: a field breaks its rule.

    .. versionadded:: 0.1.0
    """

    name: str = attrs.field(validator=_check_name)
    service: str = attrs.field(validator=_check_name)
    pattern: re.Pattern[bytes] = attrs.field(converter=_compile)
    product: str | None = None
    version: str | None = None
    info: str | None = None
    extract: Callable[[re.Match[bytes]], Mapping[str, object] | None] | None = attrs.field(
        default=None, eq=False, validator=_check_extract
    )
    ports: PortSet = attrs.field(default=PortSet(), converter=_portset)
    nudge: bytes | Callable[[str], bytes] | None = attrs.field(
        default=None, eq=False, validator=_check_nudge
    )
    after_nudge: bool = attrs.field(default=False, validator=_check_after_nudge)

    def __repr__(self) -> str:
        return f"Rule(name={self.name!r}, service={self.service!r})"

    def nudge_for(self, host: str) -> bytes | None:
        """The bytes of this rule's nudge for *host*, or None when it has none."""
        if self.nudge is None or isinstance(self.nudge, bytes):
            return self.nudge
        return self.nudge(host)

    def apply(self, data: bytes) -> dict[str, object] | None:
        """The facts this rule finds in *data*, or None when it does not match."""
        match = self.pattern.search(data)
        if match is None:
            return None
        facts: dict[str, object] = {"service": self.service}
        for key in ("product", "version", "info"):
            value = getattr(self, key)
            if value is not None:
                facts[key] = value
        for key, raw in match.groupdict().items():
            if raw is not None and key in _FIELDS:
                text = raw.decode("utf-8", "replace").strip()
                if text:
                    facts[key] = text
        if self.extract is not None:
            more = self.extract(match)
            if more is None:
                return None
            facts.update({k: v for k, v in more.items() if v is not None})
        return facts


def _to_rules(value: Iterable[Rule]) -> tuple[Rule, ...]:
    return tuple(value)


def _check_rules(
    instance: RuleSet, attribute: attrs.Attribute[tuple[Rule, ...]], value: tuple[Rule, ...]
) -> None:
    rules: tuple[object, ...] = value
    seen: set[str] = set()
    for rule in rules:
        if not isinstance(rule, Rule):
            raise InvalidRuleError(rule, "a RuleSet holds Rule objects")
        if rule.name in seen:
            raise InvalidRuleError(rule.name, "rule names in a RuleSet are unique")
        seen.add(rule.name)


def _check_bytes(name: str, value: object) -> None:
    if not isinstance(value, (bytes, bytearray, memoryview)):
        hint = "; encode text first, as text.encode()" if isinstance(value, str) else ""
        raise InvalidOptionError(
            name, value,
            f"rules match what a server sent, as bytes, not a {type(value).__name__}{hint}",
        )


@attrs.frozen(repr=False)
class RuleSet:
    """An ordered collection of :class:`Rule`; the first rule that matches wins.

    Rules whose ``ports`` hold the probed port are tried before the others;
    otherwise the order is the set's. :func:`portkit.identification.identify_rules` gives the
    built-in set; :meth:`extend` puts your rules in front of it::

        rules = portkit.identification.identify_rules().extend(my_rule)
        probe = portkit.identification.BannerProbe(rules=rules)

    Attributes:
        rules: The rules, in order.

    .. versionadded:: 0.1.0
    """

    rules: tuple[Rule, ...] = attrs.field(converter=_to_rules, validator=_check_rules)

    def __iter__(self) -> Iterator[Rule]:
        return iter(self.rules)

    def __repr__(self) -> str:
        names = ", ".join(rule.name for rule in self.rules[:4])
        more = f", ... ({len(self.rules)} rules)" if len(self.rules) > 4 else ""
        return f"<RuleSet {names}{more}>"

    def __len__(self) -> int:
        return len(self.rules)

    def __getitem__(self, name: str) -> Rule:
        for rule in self.rules:
            if rule.name == name:
                return rule
        raise KeyError(name)

    def extend(self, *rules: Rule, first: bool = True) -> RuleSet:
        """A new set with *rules* added: in front (default) or, with ``first=False``,
        at the end. A rule whose name is already in the set replaces the old one.
        """
        names = {rule.name for rule in rules}
        kept = tuple(rule for rule in self.rules if rule.name not in names)
        return RuleSet((*rules, *kept) if first else (*kept, *rules))

    def without(self, *names: str) -> RuleSet:
        """A new set without the named rules."""
        return RuleSet(rule for rule in self.rules if rule.name not in names)

    def for_port(self, port: int | None) -> list[Rule]:
        """The rules in the order they are tried on *port*: hinted ones first."""
        if port is None:
            return list(self.rules)
        hinted = [rule for rule in self.rules if port in rule.ports]
        return hinted + [rule for rule in self.rules if port not in rule.ports]

    def nudges(self, port: int | None, host: str) -> list[tuple[bytes, Rule]]:
        """The distinct nudges to try on *port*, in order, each with its rule."""
        out: list[tuple[bytes, Rule]] = []
        seen: set[bytes] = set()
        for rule in self.for_port(port):
            data = rule.nudge_for(host)
            if data is not None and data not in seen:
                seen.add(data)
                out.append((data, rule))
        return out

    def identify(
        self,
        data: bytes,
        *,
        port: int | None = None,
        sent: bytes | None = None,
        truncated: bool = False,
    ) -> Identification:
        """Identify the service that sent *data*.

        Args:
            data: What the server said.
            port: The port it listens on, to try the rules hinted for it first.
            sent: The nudge that *data* answers, or None for a greeting.
            truncated: Whether *data* was cut at a bound (recorded as is).

        Returns:
            An :class:`Identification`; its ``service`` is None when no rule
            matched.

        Raises:
            InvalidOptionError: *data* or *sent* is not bytes (a ``str`` included:
                encode text first, as ``text.encode()``).
        """
        _check_bytes("data", data)
        if sent is not None:
            _check_bytes("sent", sent)
        for rule in self.for_port(port):
            if rule.after_nudge and (sent is None or sent != rule.nudge):
                continue
            facts = rule.apply(data)
            if facts is None:
                continue
            known = {k: facts.pop(k) for k in _FIELDS if k in facts}
            return Identification(
                service=str(known["service"]),
                rule=rule.name,
                product=_text(known.get("product")),
                version=_text(known.get("version")),
                info=_text(known.get("info")),
                hostname=_text(known.get("hostname")),
                raw=data,
                truncated=truncated,
                sent=sent,
                extra=facts,
            )
        return Identification(raw=data, truncated=truncated, sent=sent)


def _text(value: object) -> str | None:
    return None if value is None else str(value)
