"""Batch over mirrors on this machine (issue 17): a blobless clone that fails falls back to a
full one, names are unambiguous, the exit code says when a repository has no result, and
every output counts the same.

The mirrors are made like the bare mirrors a snapshot store hands out: a partial clone that
has every commit and tree and the blobs of HEAD, with no config (so no promisor remote to
fetch what it lacks). Git's upload-pack cannot pack such a repository's whole history, so
a clone over `file://` fails, blobless or not, with "fetch-pack: invalid index-pack output";
a clone by path copies the object store and works.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import subprocess
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Run
from test_batch_cli import batch, git, last_run, make_repo, write_list  # noqa: F401 - batch is a fixture

from udef_audit.batch.clone import CloneError, parse_source, prepare_checkout
from udef_audit.batch.model import STATUS_WORDS
from udef_audit.batch.names import repository_names, short_name
from udef_audit.batch.worker import audit_in_place, sarif_name

OLD_TEXT = "VALUE = 1  # the first version, which the mirror never had\n"


def partial_mirror(work: Path, mirror: Path) -> Path:
    """A bare mirror of `work` with every commit and tree, HEAD's blobs only, and no config."""
    git(work, "config", "uploadpack.allowFilter", "true")
    git(work.parent, "clone", "-q", "--bare", "--filter=blob:none", f"file://{work}", str(mirror))
    files = git(mirror, "ls-tree", "-r", "--name-only", "HEAD").splitlines()
    for name in files:  # fetched lazily from `work`: HEAD's blobs are then in the mirror
        git(mirror, "cat-file", "-e", f"HEAD:{name}")
    (mirror / "config").unlink()  # no promisor remote any more: the old blobs are simply missing
    return mirror


@pytest.fixture
def mirror(tmp_path: Path) -> Path:
    work = make_repo(tmp_path / "work" / "acme+service")
    (work / "src" / "demo" / "value.py").write_text(OLD_TEXT)
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", "a version the mirror lacks")
    (work / "src" / "demo" / "value.py").write_text("VALUE = 2\n")
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", "the version HEAD has")
    return partial_mirror(work, tmp_path / "mirrors" / "acme+service" / "repo")


def tree_digest(root: Path) -> str:
    """Every file's path, mode and bytes under `root`: the mirror must not change at all."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        stat = path.lstat()
        digest.update(f"{path.relative_to(root)} {stat.st_mode} {stat.st_mtime_ns}".encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def test_the_mirror_reproduces_the_blobless_clone_failure(mirror: Path, tmp_path: Path) -> None:
    for options in (["--filter=blob:none"], []):
        clone = subprocess.run(
            ["git", "clone", "-q", *options, f"file://{mirror}", str(tmp_path / "plain")],
            capture_output=True, text=True, check=False, env={**os.environ, "GIT_CONFIG_GLOBAL": os.devnull},
        )  # fmt: skip
        assert clone.returncode == 128
        assert "fetch-pack: invalid index-pack output" in clone.stderr


@pytest.mark.requirement("batch:FR-05")
def test_a_failed_blobless_clone_falls_back_to_a_full_clone(mirror: Path, tmp_path: Path) -> None:
    before = tree_digest(mirror)
    source = parse_source(f"file://{mirror}", tmp_path)
    checkout = tmp_path / "cache" / "entry"
    head = prepare_checkout(source, checkout)
    assert head == git(mirror, "rev-parse", "HEAD").strip()
    assert (checkout / "src" / "demo" / "value.py").read_text() == "VALUE = 2\n"
    assert not (checkout / ".git" / "objects" / "info" / "alternates").exists()
    # --no-hardlinks: the clone shares no file with the read-only mirror.
    packs = list((checkout / ".git" / "objects" / "pack").glob("*.pack"))
    assert packs and all(pack.stat().st_nlink == 1 for pack in packs)
    assert tree_digest(mirror) == before
    # A later run refreshes the same entry (a fetch, nothing new) instead of cloning again.
    marker = checkout / ".git" / "kept"
    marker.write_text("a re-clone would delete this\n")
    assert prepare_checkout(source, checkout) == head
    assert marker.exists()


def test_a_bare_mirror_given_by_path_is_cloned_not_audited_as_files(mirror: Path, tmp_path: Path) -> None:
    task_checkout = tmp_path / "cache" / "by-path"
    from udef_audit.batch.model import RepoTask

    outcome = audit_in_place(RepoTask(key=str(mirror), source=str(mirror), checkout=str(task_checkout)))
    assert outcome.status == "ok", outcome.reason
    assert (task_checkout / "pyproject.toml").is_file()
    assert outcome.counts["UDEF001"] == 0  # its src layout was seen: the files, not the git directory


def test_when_both_clones_fail_the_reason_gives_both(tmp_path: Path) -> None:
    source = parse_source(f"file://{tmp_path}/nowhere", tmp_path)
    with pytest.raises(CloneError) as failure:
        prepare_checkout(source, tmp_path / "cache" / "x")
    text = str(failure.value)
    assert text.startswith("clone failed (blobless clone: fatal: ")
    assert "; full clone: fatal: repository" in text
    assert not (tmp_path / "cache" / "x").exists()


def test_a_mirror_whose_objects_lead_elsewhere_is_not_cloned_by_path(mirror: Path, tmp_path: Path) -> None:
    other = make_repo(tmp_path / "private")
    (mirror / "objects" / "info").mkdir(exist_ok=True)
    (mirror / "objects" / "info" / "alternates").write_text(f"{other}/.git/objects\n")
    source = parse_source(f"file://{mirror}", tmp_path)
    with pytest.raises(CloneError, match=r"full clone: refused to clone .*object alternates point outside"):
        prepare_checkout(source, tmp_path / "cache" / "y")


# --- names --------------------------------------------------------------------------------


@pytest.mark.requirement("batch:FR-13")
def test_names_are_the_shortest_unique_suffix() -> None:
    keys = [
        "file:///work/.mirror/psf+requests/repo",
        "file:///work/.mirror/pallets+flask/repo",
        "/work/real/psf+requests",
        "https://github.com/encode/httpx",
        "https://gitlab.com/encode/httpx",
        "git@github.com:org/tool.git",
        "https://github.com/org/repo",
        "/srv/a/app",
        "/srv/b/app",
        "ext::sh -c touch",
    ]
    assert repository_names(keys) == {
        "file:///work/.mirror/psf+requests/repo": ".mirror/psf+requests",
        "file:///work/.mirror/pallets+flask/repo": "pallets+flask",
        "/work/real/psf+requests": "real/psf+requests",
        "https://github.com/encode/httpx": "github.com/encode/httpx",
        "https://gitlab.com/encode/httpx": "gitlab.com/encode/httpx",
        "git@github.com:org/tool.git": "org/tool",
        "https://github.com/org/repo": "org/repo",  # on a forge, "repo" is the project's name
        "/srv/a/app": "a/app",
        "/srv/b/app": "b/app",
        "ext::sh -c touch": "ext::sh -c touch",
    }
    # Indistinguishable but for the scheme: the key itself.
    same = ["https://github.com/psf/requests", "ssh://git@github.com/psf/requests"]
    assert repository_names(same) == {key: key for key in same}
    assert short_name("file:///work/.mirror/psf+requests/repo") == "psf+requests"
    assert short_name("https://github.com/psf/requests.git") == "psf/requests"
    assert sarif_name("file:///work/.mirror/psf+requests/repo").startswith("psf+requests-")


# --- a whole batch: fallback, names, exit code, one count everywhere ----------------------


@pytest.fixture
def run_batch(request: pytest.FixtureRequest) -> Callable[..., Run]:
    """test_batch_cli's `batch` fixture: a private database and clone cache."""
    runner: Callable[..., Run] = request.getfixturevalue("batch")
    return runner


@pytest.mark.requirement("batch:FR-03")
@pytest.mark.requirement("batch:FR-13")
def test_batch_over_mirrors_counts_the_same_everywhere_and_exits_4(
    run_batch: Callable[..., Run], mirror: Path, tmp_path: Path
) -> None:
    second = partial_mirror(
        make_repo(tmp_path / "work" / "acme+web", {"pyproject.toml": '[project]\nname = "w"\nversion = "1"\n'}),
        tmp_path / "mirrors" / "acme+web" / "repo",
    )
    listing = write_list(tmp_path / "repos.txt", f"file://{mirror}", f"file://{second}", tmp_path / "missing", "fd::17")
    out = tmp_path / "out"
    exports = ("--csv", out / "s.csv", "--json", out / "s.json", "--html", out / "s.html")
    first = run_batch(listing, *exports, "--sarif-dir", out / "sarif")
    assert first.code == 4, first.stderr
    expected = {"repositories": 4, "audited": 2, "skipped": 0, "failed": 2, "timed_out": 0}
    assert_counts_agree(first, out, expected)
    assert_named_by_their_folders(first, out, {f"file://{mirror}": "acme+service", f"file://{second}": "acme+web"})

    # Nothing changed: both mirrors are skipped, the two failures stay failures.
    again = run_batch(listing, *exports)
    assert again.code == 4
    assert_counts_agree(again, out, {**expected, "audited": 0, "skipped": 2})

    # Only repositories with a result: exit 0.
    clean = run_batch(write_list(tmp_path / "ok.txt", f"file://{mirror}"), *exports)
    assert clean.code == 0, clean.stderr
    assert_counts_agree(clean, out, {"repositories": 1, "audited": 0, "skipped": 1, "failed": 0, "timed_out": 0})


def assert_named_by_their_folders(run: Run, out: Path, names: dict[str, str]) -> None:
    """Each mirror's name (not "repo") in the JSON, its SARIF file and the terminal table,
    which names them as the report does; the keys are in the CSV and JSON."""
    summary = json.loads((out / "s.json").read_text())
    assert {row["key"]: row["name"] for row in summary["repositories"] if row["key"] in names} == names
    assert sorted(p.name.split("-")[0] for p in (out / "sarif").glob("*.sarif")) == sorted(names.values())
    shown = {line.split()[4] for line in run.stdout.splitlines()[1:-1] if line.split()[3:4] == ["ok"]}
    assert shown == set(names.values())


def assert_counts_agree(run: Run, out: Path, expected: dict[str, int]) -> None:
    """The terminal's totals line, its closing line on stderr, the CSV rows, the JSON totals
    and the HTML header all give `expected`."""
    words = (f"{expected['audited']} audited, {expected['skipped']} skipped (unchanged), "
             f"{expected['failed']} failed, {expected['timed_out']} timed out")  # fmt: skip
    noun = "repository" if expected["repositories"] == 1 else "repositories"
    line = f"{expected['repositories']} {noun}: {words}"
    assert run.stdout.splitlines()[-1].startswith(line + "; verdicts: ")
    assert f": {line} in " in run.stderr.splitlines()[-1]
    rows = list(csv.DictReader(io.StringIO((out / "s.csv").read_text())))
    by_status = Counter(STATUS_WORDS[row["status"]] for row in rows)
    assert (len(rows), by_status["audited"], by_status["skipped (unchanged)"], by_status["failed"]) == (
        expected["repositories"], expected["audited"], expected["skipped"], expected["failed"],
    )  # fmt: skip
    assert json.loads((out / "s.json").read_text())["totals"] == expected
    page = (out / "s.html").read_text()
    for label, key in (("Repositories", "repositories"), ("Audited", "audited"), ("Skipped (unchanged)", "skipped"),
                       ("Failed", "failed"), ("Timed out", "timed_out")):  # fmt: skip
        assert f"<dt>{label}</dt><dd>{expected[key]}</dd>" in page


@pytest.mark.requirement("batch:FR-03")
def test_batch_help_documents_the_exit_codes(run_cli: Callable[..., Run]) -> None:
    shown = run_cli("batch", "--help")
    assert shown.code == 0
    assert "4  some repositories could not be audited (failed or timed out)" in shown.stdout
    assert "0  every repository has a result" in shown.stdout


def test_a_mirror_that_lacks_a_file_of_head_fails_saying_which(tmp_path: Path) -> None:
    work = make_repo(tmp_path / "work" / "acme+big")
    (work / "big.bin").write_text("a file the snapshot store dropped\n")
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", "big")
    mirror = partial_mirror(work, tmp_path / "mirrors" / "acme+big" / "repo")
    blob = git(mirror, "rev-parse", "HEAD:big.bin").strip()
    for pack in (mirror / "objects" / "pack").glob("*"):  # keep the other objects, lose that blob
        pack.unlink()
    git(work, "repack", "-q", "-a", "-d")
    subprocess.run(["git", "-C", str(mirror), "unpack-objects", "-q"], input=_pack_without(work, blob), check=True)
    with pytest.raises(CloneError) as failure:
        prepare_checkout(parse_source(f"file://{mirror}", tmp_path), tmp_path / "cache" / "z")
    assert str(failure.value).endswith(
        f"full clone: fatal: unable to checkout working tree: the repository lacks a file of HEAD "
        f"(unable to read sha1 file of big.bin ({blob})))"
    )


def _pack_without(work: Path, blob: str) -> bytes:
    """A pack of every object of `work` but `blob`."""
    objects = subprocess.run(["git", "-C", str(work), "rev-list", "--objects", "--all"], capture_output=True,
                             text=True, check=True).stdout  # fmt: skip
    wanted = "\n".join(line.split()[0] for line in objects.splitlines() if not line.startswith(blob)) + "\n"
    return subprocess.run(["git", "-C", str(work), "pack-objects", "--stdout"], input=wanted.encode(),
                          capture_output=True, check=True).stdout  # fmt: skip


def test_a_refresh_that_fails_clones_afresh_and_keeps_the_old_clone_until_then(mirror: Path, tmp_path: Path) -> None:
    source = parse_source(f"file://{mirror}", tmp_path)
    checkout = tmp_path / "cache" / "entry"
    head = prepare_checkout(source, checkout)
    moved = mirror.with_name("moved")
    mirror.rename(moved)  # the source is gone: the fetch fails, and so does a new clone
    with pytest.raises(CloneError) as failure:
        prepare_checkout(source, checkout)
    assert str(failure.value).startswith("fetch failed: fatal: ")
    assert "; clone failed (blobless clone: fatal: " in str(failure.value)
    assert (checkout / ".git").is_dir()  # the old clone is still there
    moved.rename(mirror)
    assert prepare_checkout(source, checkout) == head
