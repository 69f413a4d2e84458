"""Fixtures' building blocks for the identification tests: servers and certificates."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
import trustme

from servers import ServerUnavailable


def running(manager: contextlib.AbstractContextManager[Any]) -> Iterator[Any]:
    """Enter *manager* (a server starter); skip the tests when the server cannot run."""
    try:
        with manager as server:
            yield server
    except ServerUnavailable as e:
        pytest.skip(f"server unavailable: {e}")


@attrs.frozen
class Certs:
    """PEM files made by trustme: a CA, and (chain, key) pairs for servers."""

    ca_file: Path
    valid: tuple[Path, Path]
    expired: tuple[Path, Path]
    self_signed: tuple[Path, Path]
    ca: trustme.CA


def make_certs(directory: Path) -> Certs:
    directory.chmod(0o755)
    ca = trustme.CA(organization_name="Portkit Test CA")

    def write(cert: trustme.LeafCert, name: str) -> tuple[Path, Path]:
        chain, key = directory / f"{name}.pem", directory / f"{name}.key"
        chain.write_bytes(b"".join(blob.bytes() for blob in cert.cert_chain_pems))
        key.write_bytes(cert.private_key_pem.bytes())
        chain.chmod(0o644)
        key.chmod(0o644)
        return chain, key

    valid = write(
        ca.issue_cert("localhost", "127.0.0.1", "www.portkit.test", common_name="localhost"),
        "valid",
    )
    expired = write(
        ca.issue_cert(
            "localhost", common_name="expired.portkit.test",
            not_before=dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc),
            not_after=dt.datetime(2021, 1, 1, tzinfo=dt.timezone.utc),
        ),
        "expired",
    )
    other = trustme.CA(organization_name="Self Signed")
    self_signed = (directory / "self.pem", directory / "self.key")
    self_signed[0].write_bytes(other.cert_pem.bytes())
    self_signed[1].write_bytes(other.private_key_pem.bytes())
    for path in self_signed:
        path.chmod(0o644)
    ca_file = directory / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    return Certs(ca_file, valid, expired, self_signed, ca)
