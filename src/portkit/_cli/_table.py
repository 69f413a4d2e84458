"""``portkit table``: write the port table for SQL engines and Spark jobs to join against."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from portkit.exceptions import InvalidOptionError

__all__ = ["register"]

FORMATS = ("parquet", "csv", "arrow")


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "table",
        help="write the port table (one row per port) as Parquet, CSV or Arrow",
        description="Write the port table: one row per port (65,536 per protocol) with its "
        "IANA class, RFC 6335 name, primary service, registry status, category, cleartext "
        "flag, TLS counterpart, highest risk severity and ephemeral flags, so that SQL "
        "engines and Spark jobs can join against it with no portkit installed. Needs "
        "pyarrow (pip install 'portkit[arrow]').",
    )
    p.add_argument("file", metavar="FILE", help="where to write; '-' for standard output (csv)")
    p.add_argument(
        "--protocol",
        action="append",
        metavar="PROTO",
        help="tcp, udp, sctp or dccp; repeat for several, 'all' for all four (default tcp)",
    )
    p.add_argument(
        "--format",
        choices=FORMATS,
        default=None,
        help="the file format (default: from FILE's suffix, else parquet)",
    )
    p.set_defaults(func=run_table)


def _format(args: argparse.Namespace) -> str:
    if args.format:
        return str(args.format)
    suffix = Path(args.file).suffix.lower().lstrip(".")
    if suffix in ("feather", "ipc"):
        return "arrow"
    return suffix if suffix in FORMATS else ("csv" if args.file == "-" else "parquet")


def run_table(args: argparse.Namespace) -> int:
    from portkit.pipelines import port_table

    protocols = args.protocol or ["tcp"]
    chosen = None if "all" in [p.strip().lower() for p in protocols] else protocols
    table = port_table(chosen)
    fmt = _format(args)
    if args.file == "-" and fmt != "csv":
        raise InvalidOptionError("--format", fmt, "only csv can go to standard output")
    try:
        import pyarrow as pa
    except ImportError:
        raise InvalidOptionError(
            "table", args.file, "writing the table needs pyarrow: pip install 'portkit[arrow]'"
        ) from None
    data = table.to_arrow()
    # Plain text columns: every reader takes them, and the file stays small anyway.
    data = pa.table({
        name: column.cast(pa.string()) if pa.types.is_dictionary(column.type) else column
        for name, column in zip(data.column_names, data.columns, strict=True)
    })
    if args.file == "-":
        import pyarrow.csv as pacsv

        sink = pa.BufferOutputStream()
        pacsv.write_csv(data, sink)
        sys.stdout.buffer.write(sink.getvalue().to_pybytes())
        sys.stdout.flush()
        return 0
    target = Path(args.file)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        if fmt == "parquet":
            import pyarrow.parquet as pq

            pq.write_table(data, temporary)
        elif fmt == "csv":
            import pyarrow.csv as pacsv

            pacsv.write_csv(data, temporary)
        else:
            from pyarrow import feather

            feather.write_feather(data, temporary)
        os.replace(temporary, target)
    except OSError as e:
        raise InvalidOptionError("FILE", args.file, f"cannot write it: {e.strerror}") from None
    finally:
        temporary.unlink(missing_ok=True)
    print(f"wrote {len(table):,} rows ({', '.join(p.value for p in table.protocols)}) "
          f"to {args.file} as {fmt}", file=sys.stderr)
    return 0
