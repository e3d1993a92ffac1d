"""The plugin entry points, remembered by the listing of installed distributions (entry_points.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from udef_audit import entry_points as ep_module
from udef_audit.entry_points import PluginEntry, entry_points

GROUP = "udef_audit.rules"


def _install(site: Path, dist: str, body: str) -> Path:
    info = site / f"{dist}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(body)
    return info / "entry_points.txt"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("UDEF_AUDIT_CACHE_DIR", str(folder))
    return folder


def _count_metadata_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = ep_module._from_metadata

    def counting(group: str, path: list[str]) -> list[PluginEntry]:
        calls.append(1)
        return real(group, path)

    monkeypatch.setattr(ep_module, "_from_metadata", counting)
    return calls


def test_the_second_lookup_reads_no_metadata(tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "site"
    _install(site, "acme_rules", f"[{GROUP}]\nacme = acme_rules:plugin\n[console_scripts]\nx = y\n")
    calls = _count_metadata_reads(monkeypatch)
    first = entry_points(GROUP, [str(site)])
    second = entry_points(GROUP, [str(site)])
    assert first == second == [PluginEntry("acme", "acme_rules:plugin", "acme_rules")]
    assert calls == [1]


def test_an_installed_or_changed_distribution_is_seen_at_once(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    points = _install(site, "acme_rules", f"[{GROUP}]\nacme = acme_rules\n")
    assert [e.name for e in entry_points(GROUP, [str(site)])] == ["acme"]
    _install(site, "beta_rules", f"[{GROUP}]\nbeta = beta_rules\n")
    assert [e.name for e in entry_points(GROUP, [str(site)])] == ["acme", "beta"]
    points.write_text(f"[{GROUP}]\nacme2 = acme_rules\n")
    os.utime(points, ns=(1, 1))  # a same-size rewrite within the clock's tick still differs
    assert [e.name for e in entry_points(GROUP, [str(site)])] == ["acme2", "beta"]


def test_without_the_cache_nothing_is_written(tmp_path: Path, cache: Path) -> None:
    site = tmp_path / "site"
    _install(site, "acme_rules", f"[{GROUP}]\nacme = acme_rules\n")
    assert [e.name for e in entry_points(GROUP, [str(site)], use_cache=False)] == ["acme"]
    assert not cache.exists()


def test_a_damaged_cache_file_is_a_fresh_lookup(tmp_path: Path, cache: Path) -> None:
    site = tmp_path / "site"
    _install(site, "acme_rules", f"[{GROUP}]\nacme = acme_rules\n")
    entry_points(GROUP, [str(site)])
    for written in cache.iterdir():
        written.write_text('{"not": "rows"}')
    assert [e.name for e in entry_points(GROUP, [str(site)])] == ["acme"]


def test_a_cached_entry_loads_like_importlib_metadata() -> None:
    assert PluginEntry("x", "udef_audit.rules", None).load().__name__ == "udef_audit.rules"
    assert PluginEntry("x", "os.path:join", None).load() is os.path.join
    assert PluginEntry("x", "os:path.join [extra]", None).load() is os.path.join
    with pytest.raises(ValueError, match="not an entry point reference"):
        PluginEntry("x", "not valid!", None).load()


def test_a_file_on_the_path_and_an_unwritable_cache_are_no_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "cache-is-a-file"
    blocked.write_text("")
    monkeypatch.setenv("UDEF_AUDIT_CACHE_DIR", str(blocked))
    archive = tmp_path / "plugins.zip"
    archive.write_bytes(b"not a zip")
    assert entry_points(GROUP, [str(archive), str(tmp_path / "absent")]) == []
