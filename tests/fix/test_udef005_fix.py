"""UDEF005's fix: `--no-deps` dropped from executable install lines, docs left alone."""

from __future__ import annotations

from pathlib import Path

from conftest import write_tree
from fixing import PYPROJECT, assert_idempotent, fixed

from udef_audit.testing import check

FILES = {
    "pyproject.toml": PYPROJECT,
    "app.py": "x = 1\n",
    "Dockerfile": (
        "FROM python:3.12\nRUN pip install --no-deps -r req.lock && pip install . --no-deps\n"
        'RUN ["pip", "install", "--no-deps", "."]\nCMD ["app"]\n'
    ),
    "scripts/install.sh": "#!/bin/sh\npython -m pip install --no-dep -e .\n",
    "noxfile.py": "import nox\n\n@nox.session\ndef tests(session):\n    session.install('--no-deps', '.')\n",
    "README.md": "Install:\n\n```sh\npip install --no-deps .\n```\n",
}


def test_every_executable_flag_goes(tmp_path: Path, run_inproc) -> None:
    write_tree(tmp_path, FILES)
    (tmp_path / "scripts/install.sh").chmod(0o755)
    done = fixed(run_inproc, tmp_path, "--unsafe-fixes", "--select", "UDEF005")
    assert (tmp_path / "Dockerfile").read_text() == (
        'FROM python:3.12\nRUN pip install -r req.lock && pip install .\nRUN ["pip", "install", "."]\nCMD ["app"]\n'
    )
    assert (tmp_path / "scripts/install.sh").read_text() == "#!/bin/sh\npython -m pip install -e .\n"
    assert (tmp_path / "scripts/install.sh").stat().st_mode & 0o777 == 0o755  # still executable
    assert (tmp_path / "noxfile.py").read_text() == FILES["noxfile.py"].replace("'--no-deps', ", "")
    assert (tmp_path / "README.md").read_text() == FILES["README.md"]  # docs: a warning, no fix
    assert [(f.path, f.kind) for f in check("UDEF005", tmp_path)] == [("README.md", "documentation")]
    assert "Fixed 5 results (3 changes)." in done.stdout
    assert_idempotent(run_inproc, tmp_path, "--unsafe-fixes", "--select", "UDEF005")
