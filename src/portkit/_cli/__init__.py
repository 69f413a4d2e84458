"""The ``portkit`` command line.

Each command lives in a module of this package that has a ``register(subparsers)``
function adding its sub-parser, whose ``func`` default runs it. The CLI uses only the
public interface of portkit; it alone knows about terminals and output formats.
"""

from __future__ import annotations

import argparse
import difflib
import ipaddress
import sys
from collections.abc import Sequence

from ._signals import stop

#: What an nmap or ss user may type that portkit does differently, and what to say.
HINTS = {
    "-sS": "portkit connects without root; -sT is its scan (the default)",
    "-sA": "portkit makes full TCP connects only; -sT is its scan (the default)",
    "-sF": "portkit makes full TCP connects only; -sT is its scan (the default)",
    "-sN": "portkit makes full TCP connects only; -sT is its scan (the default)",
    "-sX": "portkit makes full TCP connects only; -sT is its scan (the default)",
    "-sW": "portkit makes full TCP connects only; -sT is its scan (the default)",
    "-sM": "portkit makes full TCP connects only; -sT is its scan (the default)",
    "-sC": "portkit runs no scripts; -sV identifies services and TLS",
    "--script": "portkit runs no scripts; -sV identifies services and TLS",
    "-A": "portkit has no OS detection or scripts; -sV identifies services and TLS",
    "-O": "portkit does not guess operating systems",
    "-PE": "portkit's host discovery is --ping (or -sn alone); -Pn (the default) "
             "scans every target",
    "-PS": "portkit's host discovery is --ping (or -sn alone); -Pn (the default) "
             "scans every target",
    "-PA": "portkit's host discovery is --ping (or -sn alone); -Pn (the default) "
             "scans every target",
    "-PU": "portkit's host discovery is --ping (or -sn alone); -Pn (the default) "
             "scans every target",
    "-sL": "portkit does not list targets without scanning them",
    "-oS": "portkit writes -oN, -oX, -oG, -oJ or -oA",
}


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors name the sub-command's usage and a hint."""


def _hint(option: str, known: Sequence[str]) -> str:
    flag = option.split("=", 1)[0]
    for key, text in HINTS.items():
        if flag == key or (len(key) == 3 and flag.startswith(key) and key[1] == "P"):
            return text
    close = difflib.get_close_matches(flag, known, n=1, cutoff=0.6)
    return f"did you mean {close[0]}?" if close else ""


def _looks_like_target(text: str) -> bool:
    if text.startswith("-"):
        return False
    try:
        ipaddress.ip_network(text.strip("[]"), strict=False)
        return True
    except ValueError:
        pass
    return "." in text or ":" in text or text == "localhost"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``portkit`` command, with every sub-command."""
    from portkit import __version__

    from . import _classify, _local, _monitor, _registry, _scan, _table

    parser = _Parser(prog="portkit", description="Port classification and probing.")
    parser.add_argument("--version", action="version", version=f"portkit {__version__}")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND", required=True,
                                       parser_class=_Parser)
    for module in (_classify, _registry, _scan, _monitor, _local, _table):
        module.register(subparsers)
    return parser


def _commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}  # pragma: no cover


def _parse(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace:
    commands = _commands(parser)
    first = next((a for a in argv if not a.startswith("-")), None)
    if first is not None and first not in commands and argv and argv[0] == first:
        if _looks_like_target(first):
            parser.error(f"{first!r} is not a command; to scan it: portkit scan "
                         f"{' '.join(argv)}")
        close = difflib.get_close_matches(first, list(commands), n=1)
        if close:
            parser.error(f"unknown command {first!r}; did you mean {close[0]!r}?")
    args, extra = parser.parse_known_args(argv)
    if extra:
        sub = commands.get(getattr(args, "command_name", "") or "")
        if sub is None:
            sub = next((p for name, p in commands.items() if name in argv), parser)
        known = [s for a in sub._actions for s in a.option_strings]
        hints = [h for h in (_hint(x, known) for x in extra if x.startswith("-")) if h]
        message = f"unrecognized arguments: {' '.join(extra)}"
        if hints:
            message += "\n  " + "\n  ".join(dict.fromkeys(hints))
        sub.error(message)
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``portkit`` command; returns the exit status.

    Exit status: 0 on success, 1 when the command ran but found a problem it reports
    (a command documents which), 2 for bad input, 130 when interrupted by SIGINT and
    143 by SIGTERM (what was found so far is reported first).
    """
    stop.install()
    try:
        from portkit.exceptions import PortkitError

        parser = build_parser()
        args = _parse(parser, list(sys.argv[1:] if argv is None else argv))
        try:
            status: int = args.func(args)
        except PortkitError as e:
            print(f"portkit: error: {e}", file=sys.stderr)
            return 2
    except KeyboardInterrupt:
        return stop.status
    except BrokenPipeError:
        # The reader went away (``portkit ... | head``): not an error of ours.
        sys.stderr.close()
        return 0
    return status
