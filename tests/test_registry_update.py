"""``portkit registry update``, against files served on 127.0.0.1 only."""

from __future__ import annotations

import csv
import functools
import http.server
import io
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

import portkit
from portkit._cli import main
from portkit.exceptions import RegistryUpdateError
from portkit.registries import Registry, _data
from portkit.registries._cache import CSV_NAME, cache_dir
from portkit.registries._loaders import IANA_COLUMNS


def _iana_csv_text(registry: Registry, drop: int = 0) -> str:
    """IANA's CSV format written from *registry* (one row per name)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(IANA_COLUMNS)
    services = registry.all_services[drop:]
    for service in services:
        for name in service.names:
            writer.writerow([name, str(service.ports), service.protocol.value,
                             service.description, "", "", "", "", "", "", "", ""])
    return out.getvalue()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A directory of test files served over HTTP on 127.0.0.1; yields the base URL."""
    root = tmp_path_factory.mktemp("site")
    bundled = Registry.bundled()
    full = _iana_csv_text(bundled)
    (root / "good.csv").write_text(full, encoding="utf-8")
    (root / "newer.csv").write_text(_iana_csv_text(bundled, drop=1), encoding="utf-8")
    (root / "truncated.csv").write_text("\n".join(full.splitlines()[:300]) + "\n",
                                        encoding="utf-8")
    (root / "page.html").write_text("<html><body>Not here</body></html>\n", encoding="utf-8")
    (root / "binary.csv").write_bytes(b"\x00\xff" * 5000)
    handler = functools.partial(_Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty cache directory in XDG_CACHE_HOME, the default registry forgotten, and
    the switch that makes the default registry the downloaded copy turned on."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("PORTKIT_REGISTRY", "downloaded")
    _data.reset_default()
    yield tmp_path / "xdg" / "portkit"
    _data.reset_default()


def test_cache_dir_follows_xdg_cache_home(cache: Path) -> None:
    assert cache_dir() == cache


def test_update_replaces_the_cache_and_later_loads_prefer_it(site: str, cache: Path) -> None:
    assert portkit.registries.default().provenance["origin"] == "bundled"
    new = portkit.registries.update_registry(f"{site}/good.csv", timeout=10)
    assert (cache / CSV_NAME).is_file()
    assert new.provenance["origin"] == "cache"
    assert new.provenance["download_url"] == f"{site}/good.csv"
    assert [p.name for p in cache.iterdir() if p.name.startswith(".")] == []
    # The default registry in this process now comes from the cache.
    reg = portkit.registries.default()
    assert reg.provenance["origin"] == "cache"
    assert reg.provenance["path"] == str(cache / CSV_NAME)
    assert reg.provenance["download_sha256"] == new.provenance["download_sha256"]
    assert portkit.lookup(443) == Registry.bundled().lookup(443)
    assert portkit.port_of("postgres") == 5432
    # And so does a fresh load.
    _data.reset_default()
    assert portkit.registries.default().provenance["origin"] == "cache"


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("truncated.csv", "looks truncated"),
        ("page.html", "not IANA's CSV"),
        ("binary.csv", "not IANA's CSV"),
        ("missing.csv", "HTTP 404"),
    ],
)
def test_a_bad_download_keeps_the_old_data(
    site: str, cache: Path, path: str, reason: str
) -> None:
    portkit.registries.update_registry(f"{site}/good.csv", timeout=10)
    before = (cache / CSV_NAME).read_bytes()
    with pytest.raises(RegistryUpdateError) as info:
        portkit.registries.update_registry(f"{site}/{path}", timeout=10)
    assert reason in info.value.reason
    assert info.value.url == f"{site}/{path}"
    assert "old data is kept" in str(info.value)
    assert (cache / CSV_NAME).read_bytes() == before
    assert sorted(p.name for p in cache.iterdir()) == sorted(
        [CSV_NAME, "service-names-port-numbers.json"]
    )
    assert portkit.registries.default().provenance["origin"] == "cache"


def test_a_refused_connection_is_reported(cache: Path) -> None:
    with socket.socket() as s:  # a port nothing listens on: bind, never listen
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        with pytest.raises(RegistryUpdateError) as info:
            portkit.registries.update_registry(f"http://127.0.0.1:{port}/x.csv", timeout=5)
    assert "download failed" in info.value.reason
    assert not (cache / CSV_NAME).exists()
    assert portkit.registries.default().provenance["origin"] == "bundled"


def test_a_second_update_replaces_the_first(site: str, cache: Path) -> None:
    first = portkit.registries.update_registry(f"{site}/good.csv", timeout=10)
    second = portkit.registries.update_registry(f"{site}/newer.csv", timeout=10)
    assert len(second) == len(first) - 1
    assert len(portkit.registries.default()) == len(second)


def test_a_corrupt_cached_file_falls_back_to_the_bundled_data(cache: Path) -> None:
    cache.mkdir(parents=True)
    (cache / CSV_NAME).write_text("garbage\n", encoding="utf-8")
    reg = portkit.registries.default()
    assert reg.provenance["origin"] == "bundled"
    assert "cache_error" in reg.provenance
    assert portkit.lookup(22) is not None


def _moved_http_csv(registry: Registry) -> str:
    """IANA's CSV from *registry*, with http moved from port 80 to 8080."""
    text = _iana_csv_text(registry)
    lines = [
        line.replace("http,80,tcp", "http,8080,tcp") if line.startswith("http,80,tcp") else line
        for line in text.splitlines()
    ]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("switch", [None, "", "bundled", " Bundled "])
def test_a_download_is_not_used_unless_asked_for(
    cache: Path, monkeypatch: pytest.MonkeyPatch, switch: str | None
) -> None:
    # Regression: PortSet.parse("http") read whatever the user's cache held.
    cache.mkdir(parents=True)
    (cache / CSV_NAME).write_text(_moved_http_csv(Registry.bundled()), encoding="utf-8")
    if switch is None:
        monkeypatch.delenv("PORTKIT_REGISTRY")
    else:
        monkeypatch.setenv("PORTKIT_REGISTRY", switch)
    _data.reset_default()
    assert str(portkit.PortSet.parse("http")) == "80"
    assert str(portkit.PortSpec.parse("T:http")) == "T:80"
    assert portkit.registries.default().provenance["origin"] == "bundled"
    # The caller who asks gets the download, without any switch.
    downloaded = Registry.downloaded()
    assert downloaded is not None
    assert downloaded.provenance["origin"] == "cache"
    assert str(portkit.PortSet.parse("http", registry=downloaded)) == "8080"
    assert str(portkit.PortSpec.parse("http", registry=downloaded)) == "T:8080"


def test_the_switch_makes_the_download_the_default(cache: Path) -> None:
    cache.mkdir(parents=True)
    (cache / CSV_NAME).write_text(_moved_http_csv(Registry.bundled()), encoding="utf-8")
    assert str(portkit.PortSet.parse("http")) == "8080"
    assert portkit.registries.default().provenance["origin"] == "cache"


def test_downloaded_is_none_when_nothing_was_downloaded(cache: Path) -> None:
    assert Registry.downloaded() is None
    assert portkit.registries.default().provenance["origin"] == "bundled"


def test_an_unknown_switch_value_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from portkit.exceptions import InvalidOptionError

    monkeypatch.setenv("PORTKIT_REGISTRY", "cache")
    _data.reset_default()
    try:
        with pytest.raises(InvalidOptionError, match="bundled, downloaded") as info:
            portkit.registries.default()
        assert info.value.name == "PORTKIT_REGISTRY"
    finally:
        monkeypatch.delenv("PORTKIT_REGISTRY")
        _data.reset_default()


def test_cli_update_and_info(
    site: str, cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["registry", "update", "--url", f"{site}/good.csv"]) == 0
    assert "updated:" in capsys.readouterr().out
    assert main(["registry", "info"]) == 0
    out = capsys.readouterr().out
    assert "origin: cache" in out
    assert f"download_url: {site}/good.csv" in out
    assert main(["registry", "update", "--url", f"{site}/page.html"]) == 2
    err = capsys.readouterr().err
    assert "not IANA's CSV" in err
    assert "old data is kept" in err
