"""Which cleartext services have a TLS counterpart, and what risks come with them.

Run it: ``python examples/tls_counterparts.py [SERVICE ...]``. Without arguments it
prints every annotated service that has a TLS variant; with arguments, the judgment
about each named service (aliases such as ``www`` or ``postgres`` work too).
"""

import sys

import portkit


def pairs() -> None:
    """Print each cleartext service beside its TLS variant and their usual ports."""
    print(f"{'CLEARTEXT':<14} {'PORTS':<14} {'TLS':<14} {'PORTS':<14} WORST RISK")
    for a in portkit.catalog.annotations():
        if a.tls_counterpart is None:
            continue
        tls = portkit.catalog.annotation(a.tls_counterpart)
        assert tls is not None
        worst = f"{a.risks[0].severity} {a.risks[0].kind}" if a.risks else "-"
        print(
            f"{a.name:<14} {','.join(map(str, a.ports)):<14} "
            f"{tls.name:<14} {','.join(map(str, tls.ports)):<14} {worst}"
        )


def describe(name: str) -> int:
    """Print what portkit knows about *name*; 1 when it knows nothing."""
    a = portkit.catalog.annotation(name)
    if a is None:
        print(f"{name}: no annotation")
        return 1
    clear = {True: "cleartext", False: "encrypted", None: "encryption n/a"}[a.cleartext]
    print(f"{a.name} ({a.category}, {clear}): {a.reason}")
    if a.tls_counterpart:
        print(f"  TLS variant: {a.tls_counterpart}")
    if a.cleartext_counterpart:
        print(f"  encrypted form of: {a.cleartext_counterpart}")
    for risk in a.risks:
        print(f"  [{risk.severity}] {risk.kind}: {risk.reason}")
    return 0


def main(argv: list[str]) -> int:
    if not argv:
        pairs()
        return 0
    return max(describe(name) for name in argv)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
