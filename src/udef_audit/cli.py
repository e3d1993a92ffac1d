"""The `udef-audit` command.

Exit codes: 0 nothing at or above the fail level; 1 findings at or above it; 2 a usage,
configuration or path error (one line on stderr, no traceback); 3 an internal error (a
rule or plugin failed; the report still lists everything else).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from udef_audit import __version__
from udef_audit.config import FAIL_LEVELS, ConfigError
from udef_audit.interrupts import exit_now, stoppable
from udef_audit.plugins import harden_import_path
from udef_audit.policy import Policy
from udef_audit.progress import Progress
from udef_audit.report import FORMATS, check_output, render, write_output
from udef_audit.report.terminal import COLOR_CHOICES, TextOptions, text_options
from udef_audit.request import AuditRequest
from udef_audit.result import AuditResult
from udef_audit.service import (
    EXIT_FINDINGS,
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_USAGE,
    audit,
    exit_code,
    known_rules,
    score_model,
    stored_reports,
)

if TYPE_CHECKING:
    from udef_audit.replay import Invocation

SUBCOMMANDS = ("rules", "explain", "batch", "gates", "fix", "policy")
GATES_FORMATS = ("text", "json", "markdown")
EPILOG = """\
commands:
  udef-audit gates [PATH]          the methodology's phase gates: the phase reached, what blocks the next
  udef-audit rules [PATH]          every rule, one line each (with PATH's custom policies)
  udef-audit explain ID [PATH]     what a rule checks, why, an example, the fix
  udef-audit explain score [PATH]  the reset-vs-repair model; with PATH, that repository's arithmetic
  udef-audit batch REPOS           audit many repositories (udef-audit batch --help)
  udef-audit policy test DIR       run custom policies' examples (udef-audit policy --help)

exit codes: 0 nothing at or above --fail-on; 1 findings at or above it; 2 a usage,
configuration or path error; 3 a rule or plugin failed (the report lists the rest).
"""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one clear line and exit 2."""

    def error(self, message: str) -> NoReturn:
        raise ConfigError(message)


def _phase_number(value: str) -> int:
    if not value.isdigit() or not 0 <= int(value) <= 5:
        raise argparse.ArgumentTypeError(f"{value!r} is not a phase (0 to 5)")
    return int(value)


def _csv(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def audit_parser(prog: str = "udef-audit", formats: tuple[str, ...] = FORMATS) -> argparse.ArgumentParser:
    """The main command's options (also `udef-audit gates`, with its own formats)."""
    parser = _Parser(
        prog=prog,
        description="Audit a Python repository against the UDEF build methodology.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("path", nargs="*", help="repository to audit (default: .); with --files, the files to check")
    parser.add_argument("--format", choices=formats, default="text", help="report format (default: text)")
    parser.add_argument("-o", "--output", type=Path, help="write the report to FILE instead of stdout")
    parser.add_argument(
        "--select", type=_csv, action="extend", help="only these rules (IDs, prefixes or slugs, comma-separated)"
    )
    parser.add_argument("--ignore", type=_csv, action="extend", default=[], help="skip these rules")
    parser.add_argument(
        "--exclude", action="append", default=[], metavar="GLOB", help="leave out paths matching GLOB (repeatable)"
    )
    parser.add_argument(
        "--fail-on", choices=FAIL_LEVELS, help="lowest level that makes the exit code 1 (default: error)"
    )
    parser.add_argument(
        "--config", type=Path, help="read settings from FILE instead of the repository's pyproject.toml"
    )
    parser.add_argument("--baseline", type=Path, metavar="FILE", help="report only findings not recorded in FILE")
    parser.add_argument(
        "--write-baseline", type=Path, metavar="FILE", help="record today's findings in FILE (then report none of them)"
    )
    parser.add_argument(
        "--prune-baseline", action="store_true", help="drop fixed entries from the --baseline file (it only shrinks)"
    )
    parser.add_argument(
        "--policy", type=Path, metavar="FILE", help="the org policy (TOML): rules the repository cannot switch off"
    )
    parser.add_argument(
        "--policies",
        type=Path,
        action="append",
        default=[],
        metavar="PATH",
        help="also load the custom policies (YAML) in this file or folder (repeatable)",
    )
    parser.add_argument(
        "--fail-on-reset", action="store_true", help="exit 1 when the reset-vs-repair verdict is reset (for gates)"
    )
    parser.add_argument(
        "--fail-below-phase",
        type=_phase_number,
        metavar="N",
        help="exit 1 when the phase reached (the methodology's gates) is below N (0-5)",
    )
    parser.add_argument(
        "--files",
        nargs="*",
        metavar="FILE",
        help="check only these files (also given as trailing arguments) with the per-file rules (pre-commit)",
    )
    parser.add_argument(
        "--disable-plugin",
        action="append",
        default=[],
        metavar="NAME",
        help="do not load the rule plugin NAME (entry-point or distribution name; repeatable)",
    )
    parser.add_argument("--no-cache", action="store_true", help="do not read or write the per-file cache")
    parser.add_argument(
        "--color",
        choices=COLOR_CHOICES,
        default="auto",
        help="colour in the text report (default auto: on a terminal, unless NO_COLOR; FORCE_COLOR forces it)",
    )
    parser.add_argument(
        "--show-suppressed",
        action="store_true",
        help="list suppressed, waived and baselined results in the text report (by default they are counted)",
    )
    parser.add_argument(
        "--statistics", action="store_true", help="print the number of results per rule instead of the results"
    )
    _fix_options(parser, with_fix=True)
    parser.add_argument("--version", action="version", version=f"udef-audit {__version__}")
    return parser


def _fix_options(parser: argparse.ArgumentParser, *, with_fix: bool) -> None:
    if with_fix:
        parser.add_argument("--fix", action="store_true", help="apply the safe fixes (as `udef-audit fix`)")
    parser.add_argument(
        "--unsafe-fixes", action="store_true", help="with --fix or --diff: also the fixes that change behaviour"
    )
    parser.add_argument(
        "--diff",
        action="store_true",
        help="print the fixes as a unified diff and write nothing (exit 1: something to fix)",
    )


def fix_parser() -> argparse.ArgumentParser:
    """`udef-audit fix [PATH]`: the options that choose what is fixed."""
    parser = _Parser(
        prog="udef-audit fix",
        description="Fix what the audit finds and can be fixed mechanically: safe fixes, and with "
        "--unsafe-fixes those that change behaviour. Writes only inside PATH, never through a symlink.",
    )
    parser.add_argument("path", nargs="?", default=".", help="repository to fix (default: .)")
    parser.add_argument("--select", type=_csv, action="extend", help="only these rules' fixes")
    parser.add_argument("--ignore", type=_csv, action="extend", default=[], help="not these rules' fixes")
    parser.add_argument("--exclude", action="append", default=[], metavar="GLOB", help="leave out paths matching GLOB")
    parser.add_argument("--fail-on", choices=FAIL_LEVELS, help="lowest level of what remains that makes the exit 1")
    parser.add_argument("--config", type=Path, help="read settings from FILE instead of pyproject.toml")
    parser.add_argument("--baseline", type=Path, metavar="FILE", help="leave the findings recorded in FILE alone")
    parser.add_argument("--no-cache", action="store_true", help="do not read or write the per-file cache")
    _fix_options(parser, with_fix=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    args = list(sys.argv[1:] if argv is None else argv)
    harden_import_path()
    try:
        with stoppable():
            if args and args[0] in SUBCOMMANDS:
                return _subcommand(args[0], args[1:])
            # Intermixed: pre-commit appends file names after the hook's own `args:`.
            return _audit(audit_parser().parse_intermixed_args(args), args)
    except ConfigError as exc:
        print(f"udef-audit: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return _interrupted(console=argv is None)
    except BrokenPipeError:  # `udef-audit explain X | head`: the reader left; not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:
        if os.environ.get("UDEF_AUDIT_DEBUG"):
            raise
        print(
            f"udef-audit: internal error: {type(exc).__name__}: {exc} (set UDEF_AUDIT_DEBUG=1 for the traceback)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


def _interrupted(*, console: bool) -> int:
    """Exit code 130; the console command leaves at once, not after a pool's threads wind
    down (a caller in this process gets the code back)."""
    if console:
        exit_now(130)
    return 130


def _root_and_files(args: argparse.Namespace) -> tuple[str, tuple[str, ...] | None]:
    """Without --files: one optional repository path. With --files: the files, from the
    option and the positionals; a leading positional directory is the repository root."""
    positionals = list(args.path)
    if args.files is None:
        if len(positionals) > 1:
            raise ConfigError("give one repository path (use --files to check several files)")
        return (positionals[0] if positionals else "."), None
    root = positionals.pop(0) if positionals and Path(positionals[0]).is_dir() else "."
    files = (*args.files, *positionals)
    if not files:
        raise ConfigError("--files needs at least one file")
    _refuse_missing(files)
    return root, files


def _refuse_missing(files: Sequence[str]) -> None:
    """A path that does not exist is a mistake, said at once (exit 2, as black does): a hook
    that checked nothing and passed would hide it. pre-commit passes only existing files."""
    missing = [name for name in files if not os.path.lexists(name)]
    if missing:
        more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
        raise ConfigError(f"--files: no such file: {missing[0]}{more}")


def request_from_args(args: argparse.Namespace) -> AuditRequest:
    """The audit the command line asks for (also used by tests that run it in-process)."""
    root, files = _root_and_files(args)
    if args.prune_baseline and args.baseline is None:
        raise ConfigError("--prune-baseline needs --baseline FILE")
    if args.write_baseline is not None and args.write_baseline.is_dir():
        raise ConfigError(f"--write-baseline: {args.write_baseline} is a folder, not a file")
    return AuditRequest(
        path=Path(root),
        config_file=args.config,
        select=tuple(args.select) if args.select else None,
        ignore=tuple(args.ignore),
        exclude=tuple(args.exclude),
        fail_on=args.fail_on,
        files=files,
        use_cache=not args.no_cache,
        disable_plugins=tuple(args.disable_plugin),
        baseline=args.baseline,
        write_baseline=args.write_baseline,
        prune_baseline=args.prune_baseline,
        policy_file=args.policy,
        policy_paths=tuple(_existing(path) for path in args.policies),
    )


def _existing(path: Path) -> Path:
    if not path.exists():
        raise ConfigError(f"--policies: no such policy file or folder: {path}")
    return path.resolve()


def _text_options(args: argparse.Namespace) -> TextOptions:
    """How the text report is drawn: on this terminal, or for a file or a pipe."""
    if args.statistics and args.format != "text":
        raise ConfigError("--statistics applies to the text report (--format text)")
    to_terminal = args.output is None and sys.stdout is not None and sys.stdout.isatty()
    return text_options(
        args.color,
        is_terminal=to_terminal,
        env=os.environ,
        show_suppressed=args.show_suppressed,
        statistics=args.statistics,
    )


def _run_audit(request: AuditRequest) -> AuditResult:
    """The audit, with a progress indicator on stderr when it takes a while."""
    with Progress(f"auditing {request.path}"):
        return audit(request)


def _audit(args: argparse.Namespace, argv: Sequence[str]) -> int:
    if args.fix or args.diff:
        if args.files is not None:
            raise ConfigError("--fix and --diff judge a whole repository: --files does not apply")
        return _run_fix(request_from_args(args), unsafe=args.unsafe_fixes, diff_only=args.diff)
    check_output(args.output)
    options = _text_options(args)
    request = replace(request_from_args(args), fixes=args.files is None)
    reports = stored_reports(request, lambda: _invocation(argv, options))
    stored = reports.lookup() if reports is not None else None
    if stored is not None:  # the same command on the same tree: the report it printed last time
        write_output(stored.output, args.output, args.format)
        return stored.code
    result = _run_audit(replace(request, listing=reports.listing) if reports is not None else request)
    output = render(result, args.format, text=options)
    write_output(output, args.output, args.format)
    code = exit_code(result, fail_on_reset=args.fail_on_reset, fail_below_phase=args.fail_below_phase)
    if reports is not None and result.replayable:
        reports.store(output, code)
    return code


def _invocation(argv: Sequence[str], options: TextOptions) -> Invocation:
    """How this command was run, as far as it can change what it prints (replay.py): the
    drawing options hold what the terminal decided (colour, width)."""
    from udef_audit.replay import Invocation  # noqa: PLC0415 - only an audit that may be replayed

    return Invocation(tuple(argv), str(Path.cwd()), dict(os.environ), repr(options))


def _gates(args: list[str]) -> int:
    """`udef-audit gates [PATH]`: the audit, reported as the methodology's checklists."""
    options = audit_parser("udef-audit gates", GATES_FORMATS).parse_intermixed_args(args)
    if options.files is not None:
        raise ConfigError("udef-audit gates judges a whole repository: --files does not apply")
    check_output(options.output)
    drawing = _text_options(options)
    result = _run_audit(request_from_args(options))
    text = render(result, options.format, text=drawing, gates_only=True)
    write_output(text, options.output, options.format)
    if result.tool_failed:
        return EXIT_INTERNAL
    reached = result.gates.reached if result.gates is not None else -1
    below = options.fail_below_phase is not None and reached < options.fail_below_phase
    return EXIT_FINDINGS if below else EXIT_OK


def _fix(args: list[str]) -> int:
    """`udef-audit fix [PATH]`."""
    options = fix_parser().parse_args(args)
    request = AuditRequest(
        path=Path(options.path),
        config_file=options.config,
        select=tuple(options.select) if options.select else None,
        ignore=tuple(options.ignore),
        exclude=tuple(options.exclude),
        fail_on=options.fail_on,
        use_cache=not options.no_cache,
        baseline=options.baseline,
    )
    return _run_fix(request, unsafe=options.unsafe_fixes, diff_only=options.diff)


def _run_fix(request: AuditRequest, *, unsafe: bool, diff_only: bool) -> int:
    from udef_audit.fix.command import run_fix  # noqa: PLC0415 - only fixing needs the fixers

    return run_fix(request, unsafe=unsafe, diff_only=diff_only)


def _subcommand(name: str, args: list[str]) -> int:
    if name == "fix":
        return _fix(args)
    if name == "batch":
        from udef_audit.batch.command import main as batch_main  # noqa: PLC0415 - only batch needs it

        return batch_main(args)
    if name == "gates":
        return _gates(args)
    if name == "explain":
        return _explain(args)
    if name == "policy":
        return _policy(args)
    from udef_audit.report import rules_listing  # noqa: PLC0415 - only this command needs it

    parser = _Parser(prog="udef-audit rules")
    parser.add_argument("path", nargs="?", default=".", help="the repository whose custom policies count (default: .)")
    parser.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    _rule_source_options(parser)
    opts = parser.parse_args(args)
    print(rules_listing.listing(_known_rules(opts), opts.format))
    return EXIT_OK


def _rule_source_options(parser: argparse.ArgumentParser) -> None:
    """Where custom policies come from besides the built-in and plugin rules."""
    parser.add_argument("--config", type=Path, help="read settings from FILE instead of PATH's pyproject.toml")
    parser.add_argument("--policy", type=Path, metavar="FILE", help="the org policy (its policy folders count)")


def _known_rules(opts: argparse.Namespace) -> Policy:
    """Every rule an audit of `opts.path` knows: built-in, plugins', custom policies'."""
    return known_rules(AuditRequest(path=Path(opts.path or "."), config_file=opts.config, policy_file=opts.policy))


def _explain(args: list[str]) -> int:
    """`udef-audit explain ID` documents a rule; `udef-audit explain score [PATH]` the score."""
    from udef_audit.report import rules_listing  # noqa: PLC0415 - only this command needs it

    parser = _Parser(prog="udef-audit explain")
    parser.add_argument("rule", help="rule ID or slug (UDEF004, docker-stages-share-base), or `score`")
    parser.add_argument(
        "path", nargs="?", help="the repository whose score to explain, or whose custom policies count (default: .)"
    )
    parser.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    _rule_source_options(parser)
    opts = parser.parse_args(args)
    if opts.rule.lower() == "score":
        if opts.policy is not None:
            raise ConfigError("--policy goes with `udef-audit explain ID` only")
        return _explain_score(opts)
    meta = _known_rules(opts).find(opts.rule)
    if meta is None:
        raise ConfigError(f"no rule {opts.rule!r} (see `udef-audit rules`)")
    print(rules_listing.explain(meta, opts.format))
    return EXIT_OK


def _explain_score(opts: argparse.Namespace) -> int:
    """The model with the repository's overrides (the current folder's by default), and
    with a path, that repository's own arithmetic (an audit)."""
    from udef_audit.report.score_view import explain_score  # noqa: PLC0415

    request = AuditRequest(path=Path(opts.path or "."), config_file=opts.config)
    model, source = score_model(request)
    score = None
    if opts.path is not None:
        result = _run_audit(request)
        if result.tool_failed:
            return EXIT_INTERNAL
        score = result.score
    print(explain_score(model, source, score, opts.format))
    return EXIT_OK


def _policy(args: list[str]) -> int:
    """`udef-audit policy test PATH...` (run the examples) and `policy docs PATH... -o DIR`."""
    parser = _Parser(prog="udef-audit policy", description="Test custom policies, or write their docs pages.")
    actions = parser.add_subparsers(dest="action", required=True)
    test = actions.add_parser("test", help="run the examples of every policy (exit 0 pass, 1 fail, 2 bad policy)")
    test.add_argument("paths", nargs="+", type=Path, help="policy files or folders")
    test.add_argument("-v", "--verbose", action="store_true", help="one line per example")
    docs = actions.add_parser("docs", help="write a Markdown page per policy and an index")
    docs.add_argument("paths", nargs="+", type=Path, help="policy files or folders")
    docs.add_argument("-o", "--output", type=Path, required=True, help="the folder to write the pages in")
    opts = parser.parse_args(args)
    from udef_audit import policy_examples  # noqa: PLC0415 - only this command needs it

    if opts.action == "test":
        return policy_examples.run(opts.paths, sys.stdout.write, verbose=opts.verbose)
    for written in policy_examples.write_docs(opts.paths, opts.output):
        print(written)
    return EXIT_OK
