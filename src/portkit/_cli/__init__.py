"""The ``portkit`` command line.

Each command lives in a module of this package that has a ``register(subparsers)``
function adding its sub-parser, whose ``func`` default runs it. The CLI uses only the
public interface of portkit; it alone knows about terminals and output formats.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .. import __version__
from ..exceptions import PortkitError
from . import _classify, _local, _monitor, _registry, _scan, _table

#: The modules that contribute commands, in the order ``--help`` lists them.
COMMAND_MODULES = [_classify, _registry, _scan, _monitor, _local, _table]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``portkit`` command, with every sub-command."""
    parser = argparse.ArgumentParser(
        prog="portkit",
        description="Port classification and probing.",
    )
    parser.add_argument("--version", action="version", version=f"portkit {__version__}")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    for module in COMMAND_MODULES:
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``portkit`` command; returns the exit status.

    Exit status: 0 on success, 1 when the command ran but found a problem it reports
    (a command documents which), 2 for bad input, 130 when interrupted.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        status: int = args.func(args)
    except PortkitError as e:
        print(f"portkit: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (``portkit ... | head``): not an error of ours.
        sys.stderr.close()
        return 0
    return status
