"""The batch's memory: one SQLite file (WAL) with every run, repository, result and finding.

Only the parent process writes, and each repository's result is committed in its own
transaction the moment it arrives, so a batch killed at any instant (SIGKILL included)
loses nothing that finished, and the next run resumes: a repository whose HEAD, org policy
and tool version are unchanged since its last ok result is recorded as "skipped", pointing
at that result, instead of being audited again. Results are never overwritten, so the
history of every run is there for trends.

WAL with `synchronous=NORMAL`: a commit survives the process being killed; only a power
cut can lose the last commits, and a re-run then simply audits those repositories again.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

from udef_audit.batch.clone import redact
from udef_audit.batch.model import RepoOutcome, Tally
from udef_audit.batch.names import repository_names, short_name
from udef_audit.policy import load_policy

SCHEMA_VERSION = 2  # 2: results.phase_reached, results.gates
RESET = "reset"
WITH_RESULT = ("ok", "skipped")  # a skipped repository carries its previous ok result
HISTOGRAM_BUCKETS = 10
EVIDENCE_PER_CRITERION = 5

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    started TEXT NOT NULL,
    finished TEXT,
    tool_version TEXT NOT NULL,
    policy_hash TEXT NOT NULL,
    repositories INTEGER NOT NULL,
    options TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS repositories (
    key TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    source TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS results (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id),
    repo_key TEXT NOT NULL REFERENCES repositories(key),
    head TEXT,
    policy_hash TEXT,
    tool_version TEXT,
    status TEXT NOT NULL,
    reason TEXT,
    score INTEGER,
    verdict TEXT,
    exit_code INTEGER,
    counts TEXT NOT NULL DEFAULT '{}',
    criteria TEXT NOT NULL DEFAULT '[]',
    rules_run TEXT NOT NULL DEFAULT '[]',
    seconds REAL NOT NULL DEFAULT 0,
    sarif_path TEXT,
    previous_result_id INTEGER REFERENCES results(id),
    recorded TEXT NOT NULL,
    phase_reached INTEGER,
    gates TEXT NOT NULL DEFAULT '{}',
    UNIQUE (run_id, repo_key)
);
CREATE INDEX IF NOT EXISTS results_by_repository ON results (repo_key, status, id);
CREATE TABLE IF NOT EXISTS findings (
    id INTEGER PRIMARY KEY,
    result_id INTEGER NOT NULL REFERENCES results(id),
    rule TEXT NOT NULL,
    path TEXT,
    line INTEGER,
    level TEXT,
    fingerprint TEXT,
    message TEXT,
    suppressed INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS findings_by_result ON findings (result_id);
"""

_TO_VERSION_2 = """
ALTER TABLE results ADD COLUMN phase_reached INTEGER;
ALTER TABLE results ADD COLUMN gates TEXT NOT NULL DEFAULT '{}'
"""

# A run's results, a skipped repository's columns read from the result it points at.
_RESOLVED_ROWS = """
SELECT r.repo_key AS key, repo.name AS name, r.status AS status, r.reason AS reason, r.head AS head,
       src.score AS score, src.verdict AS verdict, src.exit_code AS exit_code, src.counts AS counts,
       src.criteria AS criteria, COALESCE(r.sarif_path, src.sarif_path) AS sarif_path,
       src.phase_reached AS phase_reached, src.gates AS gates
FROM results AS r
JOIN repositories AS repo ON repo.key = r.repo_key
JOIN results AS src ON src.id = COALESCE(r.previous_result_id, r.id)
WHERE r.run_id = ?
"""


_RESOLVED_SCORES = """
SELECT r.status AS status, src.score AS score, src.verdict AS verdict, src.exit_code AS exit_code
FROM results AS r
JOIN results AS src ON src.id = COALESCE(r.previous_result_id, r.id)
WHERE r.run_id = ?
"""


class PreviousResult(NamedTuple):
    """The ok result a skipped repository points at."""

    result_id: int
    run_id: int
    sarif_path: str | None


class StoreError(Exception):
    """The database cannot be used (not SQLite, newer schema, unwritable)."""


def now() -> str:
    """The current UTC time, ISO 8601, to the second."""
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


class Store:
    """The SQLite file of a batch: open it, record into it, summarise from it."""

    def __init__(self, path: Path) -> None:
        if path.is_dir():
            raise StoreError(f"--db: {path} is a folder, not a file")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"--db: cannot create the folder of {path}: {exc.strerror or exc}") from None
        try:
            self.db = sqlite3.connect(path, isolation_level=None, timeout=30)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except (sqlite3.DatabaseError, OSError) as exc:
            raise StoreError(f"cannot use {path} as the batch database: {exc}") from None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection (everything is already committed)."""
        self.db.close()

    def _migrate(self) -> None:
        version = int(self.db.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise StoreError(f"the database has schema version {version}; this udef-audit knows {SCHEMA_VERSION}")
        with self.transaction():
            # Statement by statement: executescript() would commit the open transaction first.
            for statement in _statements(_SCHEMA):
                self.db.execute(statement)
            if 0 < version < 2:
                for statement in _statements(_TO_VERSION_2):
                    self.db.execute(statement)
            self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """BEGIN IMMEDIATE ... COMMIT (ROLLBACK on error)."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # --- writing ----------------------------------------------------------------------

    def begin_run(self, tool_version: str, policy_hash: str, repositories: int, options: Mapping[str, Any]) -> int:
        """A new run; its id."""
        with self.transaction():
            cursor = self.db.execute(
                "INSERT INTO runs (started, tool_version, policy_hash, repositories, options) VALUES (?, ?, ?, ?, ?)",
                (now(), tool_version, policy_hash, repositories, json.dumps(dict(options), sort_keys=True)),
            )
        return int(cursor.lastrowid or 0)

    def finish_run(self, run_id: int) -> None:
        """Mark the run complete (a killed run keeps `finished` NULL)."""
        with self.transaction():
            self.db.execute("UPDATE runs SET finished = ? WHERE id = ?", (now(), run_id))

    def unchanged_result(
        self, key: str, head: str | None, policy_hash: str, tool_version: str
    ) -> PreviousResult | None:
        """The latest ok result of `key`, if it is for this HEAD, org policy and tool version."""
        if head is None:
            return None
        row = self.db.execute(
            "SELECT id, run_id, head, policy_hash, tool_version, sarif_path FROM results "
            "WHERE repo_key = ? AND status = 'ok' ORDER BY id DESC LIMIT 1",
            (key,),
        ).fetchone()
        if row is None or (row["head"], row["policy_hash"], row["tool_version"]) != (head, policy_hash, tool_version):
            return None
        return PreviousResult(int(row["id"]), int(row["run_id"]), row["sarif_path"])

    def record(
        self, run_id: int, outcome: RepoOutcome, *, source: str, previous_result_id: int | None = None
    ) -> int | None:
        """Commit one repository's outcome (and its findings) in one transaction; the result id.

        A second outcome for the same repository in the same run is ignored (None): each
        repository appears once per run.
        """
        stamp = now()
        with self.transaction():
            self.db.execute(
                "INSERT INTO repositories (key, name, source, first_seen, last_seen) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET source = excluded.source, last_seen = excluded.last_seen",
                (outcome.key, short_name(outcome.key), redact(source), stamp, stamp),
            )
            cursor = self.db.execute(
                "INSERT INTO results (run_id, repo_key, head, policy_hash, tool_version, status, reason, score, "
                "verdict, exit_code, counts, criteria, rules_run, seconds, sarif_path, previous_result_id, recorded, "
                "phase_reached, gates) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (run_id, repo_key) DO NOTHING",
                _result_row(run_id, outcome, previous_result_id, stamp),
            )
            if cursor.rowcount == 0:
                return None
            result_id = int(cursor.lastrowid or 0)
            self.db.executemany(
                "INSERT INTO findings (result_id, rule, path, line, level, fingerprint, message, suppressed) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [_finding_row(result_id, finding) for finding in outcome.findings],
            )
        return result_id

    # --- reading ----------------------------------------------------------------------

    def integrity(self) -> str:
        """`PRAGMA integrity_check`: "ok" when the file is sound."""
        return str(self.db.execute("PRAGMA integrity_check").fetchone()[0])

    def org_summary(self, run_id: int) -> dict[str, Any]:
        """The org summary of a run, laid out as `batch/model.py` documents."""
        run = self.db.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
        if run is None:
            raise StoreError(f"no run {run_id} in the database")
        rows = self.repository_rows(run_id)
        return {
            "run": {
                "id": run_id,
                "started": run["started"],
                "finished": run["finished"],
                "tool_version": run["tool_version"],
                "policy_hash": run["policy_hash"],
                "repositories": len(rows),
            },
            "totals": Tally.of(row["status"] for row in rows).to_dict(),
            "repositories": rows,
            "rules": rule_pass_rates(rows),
            "scores": score_distribution(rows),
            "phases": phase_summary(rows),
            "trend": self.trend(run_id),
            "changes": self.changes(run_id, rows),
        }

    def repository_rows(self, run_id: int) -> list[dict[str, Any]]:
        """The `repositories` list of the summary: score high to low, failures last; each
        repository named unambiguously among this run's (the stored name stands alone)."""
        rows = [_repository_row(row) for row in self.db.execute(_RESOLVED_ROWS, (run_id,))]
        names = repository_names(row["key"] for row in rows)
        for row in rows:
            row["name"] = names[row["key"]]
        return sorted(rows, key=_summary_order)

    def trend(self, run_id: int) -> list[dict[str, Any]]:
        """One point per finished run up to this one (and this one), oldest first."""
        runs = self.db.execute(
            "SELECT id, started FROM runs WHERE id <= ? AND (finished IS NOT NULL OR id = ?) ORDER BY id",
            (run_id, run_id),
        ).fetchall()
        return [_trend_point(int(run["id"]), str(run["started"]), self._scores(int(run["id"]))) for run in runs]

    def _scores(self, run_id: int) -> list[sqlite3.Row]:
        """status, score, verdict and exit code of each repository of a run (skipped: resolved)."""
        return self.db.execute(_RESOLVED_SCORES, (run_id,)).fetchall()

    def changes(self, run_id: int, rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        """Verdict and score changes since the previous finished run."""
        previous = self.db.execute(
            "SELECT MAX(id) FROM runs WHERE id < ? AND finished IS NOT NULL", (run_id,)
        ).fetchone()[0]
        if previous is None:
            return {"previous_run_id": None, "new_resets": [], "recovered": [], "score_deltas": []}
        return {"previous_run_id": int(previous), **compare_runs(self.repository_rows(int(previous)), rows)}


def _statements(script: str) -> list[str]:
    return [statement.strip() for statement in script.split(";") if statement.strip()]


def _result_row(run_id: int, outcome: RepoOutcome, previous: int | None, stamp: str) -> tuple[Any, ...]:
    return (
        run_id,
        outcome.key,
        outcome.head,
        outcome.policy_hash,
        outcome.tool_version,
        outcome.status,
        redact(outcome.reason) if outcome.reason else None,
        outcome.score,
        outcome.verdict,
        outcome.exit_code,
        json.dumps(outcome.counts, sort_keys=True),
        json.dumps(outcome.criteria),
        json.dumps(outcome.rules_run),
        outcome.seconds,
        outcome.sarif_file,
        previous,
        stamp,
        outcome.gates.get("reached"),
        json.dumps(outcome.gates, sort_keys=True),
    )


def _finding_row(result_id: int, finding: Mapping[str, Any]) -> tuple[Any, ...]:
    return (
        result_id,
        finding.get("ruleId", ""),
        finding.get("path"),
        finding.get("line"),
        finding.get("level"),
        finding.get("fingerprint"),
        finding.get("message"),
        int(bool(finding.get("suppressed"))),
    )


def _repository_row(row: sqlite3.Row) -> dict[str, Any]:
    criteria = json.loads(row["criteria"] or "[]")
    met = [c for c in criteria if c.get("met") is True]
    return {
        "key": row["key"],
        "name": row["name"],
        "status": row["status"],
        "reason": row["reason"],
        "head": row["head"],
        "score": row["score"],
        "verdict": row["verdict"],
        "counts": json.loads(row["counts"] or "{}"),
        "criteria_met": [c["id"] for c in met],
        "evidence": [
            f"{c['id']}: {e.get('text', '')}" for c in met for e in c.get("evidence", [])[:EVIDENCE_PER_CRITERION]
        ],
        "sarif_file": row["sarif_path"],
        **_gates_columns(json.loads(row["gates"] or "{}")),
    }


def _gates_columns(gates: Mapping[str, Any]) -> dict[str, Any]:
    """phase_reached, next_gate and blocking items of one repository (None without gates)."""
    following = gates.get("next")
    return {
        "phase_reached": gates.get("reached"),
        "next_gate": following["checklist"] if following else None,
        "blocking": list(gates.get("blocking", [])),
    }


def phase_summary(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """How many repositories reached each phase, and the items that block the most of them."""
    reached = Counter(row["phase_reached"] for row in rows if row.get("phase_reached") is not None)
    blocking: Counter[tuple[int, str]] = Counter()
    rules: dict[tuple[int, str], list[str]] = {}
    for row in rows:
        for item in row.get("blocking", []):
            key = (int(item["phase"]), str(item["item"]))
            blocking[key] += 1
            rules[key] = list(item["rules"])
    return {
        "distribution": [{"phase": phase, "repositories": reached.get(phase, 0)} for phase in range(-1, 5)],
        "blocking": [
            {"phase": phase, "item": item, "rules": rules[(phase, item)], "repositories": count}
            for (phase, item), count in sorted(blocking.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
    }


def _summary_order(row: Mapping[str, Any]) -> tuple[int, int, str]:
    return (0 if _scored(row) else 1, -(row["score"] or 0), row["key"])


def rule_pass_rates(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Per rule, over repositories with a result: passing (no finding), failing, the rate."""
    tally: dict[str, list[int]] = {}
    for row in rows:
        if row["status"] not in WITH_RESULT:
            continue
        for rule, count in row["counts"].items():
            passing, failing = tally.setdefault(rule, [0, 0])
            tally[rule] = [passing + (count == 0), failing + (count > 0)]
    rules = load_policy().rules
    out = []
    for rule_id in sorted(tally):
        passing, failing = tally[rule_id]
        meta = rules.get(rule_id)
        out.append(
            {
                "id": rule_id,
                "slug": meta.slug if meta else "",
                "title": meta.title if meta else "",
                "passing": passing,
                "failing": failing,
                "pass_rate": round(passing / (passing + failing), 4),
            }
        )
    return out


def score_distribution(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Scores in ten buckets of ten points (the last includes 100) and the verdict counts."""
    width = 100 // HISTOGRAM_BUCKETS
    counts = [0] * HISTOGRAM_BUCKETS
    scored = [row for row in rows if _scored(row)]
    for row in scored:
        counts[min(int(row["score"]) // width, HISTOGRAM_BUCKETS - 1)] += 1
    return {
        "histogram": [[i * width, (i + 1) * width, counts[i]] for i in range(HISTOGRAM_BUCKETS)],
        "reset": sum(1 for row in scored if row["verdict"] == RESET),
        "repair": sum(1 for row in scored if row["verdict"] not in (RESET, None)),
    }


def _trend_point(run_id: int, started: str, rows: Sequence[sqlite3.Row]) -> dict[str, Any]:
    scored = [row for row in rows if _scored(row)]
    return {
        "run_id": run_id,
        "date": started,
        "mean_score": _mean([row["score"] for row in scored]),
        "reset": sum(1 for row in scored if row["verdict"] == RESET),
        "repositories": len(rows),
        "pass_rate": _repository_pass_rate(scored),
    }


def _mean(values: Sequence[float]) -> float:
    return round(sum(values) / len(values), 1) if values else 0.0


def _repository_pass_rate(scored: Sequence[sqlite3.Row]) -> float:
    """Share of audited repositories with nothing at or above their fail level (exit code 0)."""
    judged = [row["exit_code"] for row in scored if row["exit_code"] is not None]
    return round(judged.count(0) / len(judged), 4) if judged else 0.0


def compare_runs(before: Sequence[Mapping[str, Any]], after: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Since the previous run: new resets (reset now, not before, including a repository that
    had no result then), recoveries (reset then, repair now) and score changes."""
    old = {row["key"]: row for row in before if _scored(row)}
    new = [row for row in after if _scored(row)]
    both = [(old[row["key"]], row) for row in new if row["key"] in old]
    return {
        "new_resets": _new_resets(old, new),
        "recovered": sorted(now_["key"] for was, now_ in both if was["verdict"] == RESET != now_["verdict"]),
        "score_deltas": _score_deltas(both),
    }


def _new_resets(old: Mapping[str, Mapping[str, Any]], new: Sequence[Mapping[str, Any]]) -> list[str]:
    was_reset = {key for key, row in old.items() if row["verdict"] == RESET}
    return sorted(row["key"] for row in new if row["verdict"] == RESET and row["key"] not in was_reset)


def _score_deltas(both: Sequence[tuple[Mapping[str, Any], Mapping[str, Any]]]) -> list[dict[str, Any]]:
    """Changed scores, the biggest change first."""
    deltas = [
        {"key": now_["key"], "before": was["score"], "after": now_["score"]}
        for was, now_ in both
        if was["score"] != now_["score"]
    ]
    return sorted(deltas, key=lambda d: (-abs(d["after"] - d["before"]), d["key"]))


def _scored(row: Mapping[str, Any] | sqlite3.Row) -> bool:
    """Whether a summary row carries a score (an ok result, or a skipped one's previous result)."""
    return row["status"] in WITH_RESULT and row["score"] is not None
