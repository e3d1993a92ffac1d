"""Repository sources: which are accepted, their keys, and credential redaction; the list."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from udef_audit.batch.clone import Source, SourceError, clean_url, git_environment, parse_source, redact
from udef_audit.batch.repos import ListError, parse_list, probe, read_repository_list

BASE = Path("/lists")


@pytest.mark.parametrize(
    ("text", "key", "local"),
    [
        ("https://GitHub.com/Org/Tool.git", "https://github.com/Org/Tool", False),
        ("https://github.com/org/tool/", "https://github.com/org/tool", False),
        ("https://bot:tok3n@github.com/org/tool.git", "https://github.com/org/tool", False),
        ("ssh://git@host.example:2222/srv/app.git", "ssh://host.example:2222/srv/app", False),
        ("git://host/app.git", "git://host/app", False),
        ("git@github.com:org/tool.git", "github.com:org/tool", False),
        ("file:///srv/git/app.git", "file:///srv/git/app", False),
        ("/srv/checkouts/app", "/srv/checkouts/app", True),
        ("checkouts/app", "/lists/checkouts/app", True),
        ("./app/../api", "/lists/api", True),
    ],
)
def test_accepted_sources_and_their_keys(text: str, key: str, local: bool) -> None:
    source = parse_source(text, BASE)
    assert (source.key, source.is_local) == (key, local)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("ext::sh -c touch% /tmp/x", "'ext::' is not allowed"),
        ("fd::3", "'fd::' is not allowed"),
        ("transport::anything", "'transport::' is not allowed"),
        ("ext://host/x", "transport 'ext' is not allowed"),
        ("http://host/x.git", "transport 'http' is not allowed"),
        ("ftp://host/x.git", "transport 'ftp' is not allowed"),
        ("--upload-pack=evil", "may not start with '-'"),
        ("-u", "may not start with '-'"),
        ("/path/with space", "whitespace"),
        ("https://host:notaport/x", "not a valid URL"),
    ],
)
def test_refused_sources(text: str, reason: str) -> None:
    with pytest.raises(SourceError, match=reason):
        parse_source(text, BASE)


def test_redaction() -> None:
    assert redact("fatal: https://user:t0ken@host/x.git failed") == "fatal: https://***@host/x.git failed"
    assert redact("https://ghp_abcdef123@github.com/o/r") == "https://***@github.com/o/r"
    assert redact("no url here, token ghp_abcdef123 alone", ["ghp_abcdef123"]) == "no url here, token *** alone"
    assert redact("a short pw: abc", ["abc"]) == "a short pw: abc"  # too short to replace blindly
    assert redact("git@github.com:org/repo.git") == "git@github.com:org/repo.git"  # scp user is no secret


def test_credentials_stay_out_of_the_clean_url_and_travel_in_the_environment() -> None:
    source = parse_source("https://bot:p%40ss%21word@host/o/r.git", BASE)
    assert source.display == "https://***@host/o/r.git"
    assert clean_url(source) == "https://host/o/r.git"
    assert "p@ss!word" in source.secrets
    env = git_environment(source)
    assert env["GIT_CONFIG_KEY_0"] == "url.https://bot:p%40ss%21word@host/o/r.git.insteadOf"
    assert env["GIT_CONFIG_VALUE_0"] == "https://host/o/r.git"
    assert env["GIT_TERMINAL_PROMPT"] == "0"
    assert env["GIT_LFS_SKIP_SMUDGE"] == "1"
    plain = git_environment(parse_source("https://host/o/r.git", BASE))
    assert plain["GIT_CONFIG_COUNT"] == "0"
    assert "GIT_CONFIG_KEY_0" not in plain


def test_list_keeps_refused_entries_and_drops_comments_and_duplicates() -> None:
    entries = parse_list("# header\n\n/srv/a\nhttps://bot:secret99@h/o/r.git\next::sh\n  /srv/a  \n", BASE)
    assert [e.display for e in entries] == ["/srv/a", "https://***@h/o/r.git", "ext::sh", "/srv/a"]
    refused = entries[2]
    assert (refused.source, refused.key, refused.refusal) == (
        None,
        "ext::sh",
        "refused: git remote helper transport 'ext::' is not allowed",
    )
    assert probe(refused, 5).failure == refused.refusal
    deduplicated = read_repository_list("-", io.StringIO("/srv/a\n/srv/a/\n/srv/b\n"))
    assert [e.key for e in deduplicated] == ["/srv/a", "/srv/b"]


def test_list_errors(tmp_path: Path) -> None:
    with pytest.raises(ListError, match="not found"):
        read_repository_list(str(tmp_path / "missing.txt"), io.StringIO())
    (tmp_path / "binary.txt").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ListError, match="cannot read"):
        read_repository_list(str(tmp_path / "binary.txt"), io.StringIO())
    with pytest.raises(ListError, match="no repositories in -"):
        read_repository_list("-", io.StringIO("# nothing\n"))
    (tmp_path / ".git").mkdir()
    with pytest.raises(ListError, match="no git checkouts directly under"):
        read_repository_list(str(tmp_path), io.StringIO())


def test_probe_of_local_paths(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")

    def probe_path(path: Path) -> tuple[str | None, str | None]:
        from udef_audit.batch.repos import ListEntry

        found = probe(ListEntry(text=str(path), source=Source(str(path), str(path), is_local=True)), 5)
        return found.head, found.failure

    assert probe_path(tmp_path / "missing") == (None, f"path not found: {tmp_path / 'missing'}")
    assert probe_path(a_file) == (None, f"not a directory: {a_file}")
    assert probe_path(plain)[1] is None  # a plain directory is audited (never skipped: no HEAD)
