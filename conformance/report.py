"""Judging outcomes, the table, the diff text and the JSON report."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from .known import KnownDifferences
from .runner import Outcome

DEFAULT_REPORT = Path(__file__).parent / "reports" / "latest.json"


@dataclass
class Row:
    category: str
    backend: str
    total: int = 0
    identical: int = 0
    known: int = 0
    unexpected: int = 0


@dataclass
class Judgement:
    rows: list[Row] = field(default_factory=list)
    differences: list[dict[str, Any]] = field(default_factory=list)
    stale_known: list[str] = field(default_factory=list)
    # Cases where a half hung, crashed or raised, identical or not: worth a look even
    # when both halves agree (Node hanging too is parity, and still news).
    anomalies: list[dict[str, Any]] = field(default_factory=list)

    @property
    def identical(self) -> int:
        return sum(r.identical for r in self.rows)

    @property
    def total(self) -> int:
        return sum(r.total for r in self.rows)

    @property
    def unexpected(self) -> int:
        return sum(r.unexpected for r in self.rows)


def first_difference(a: list[Any], b: list[Any]) -> int:
    """Index of the first event that differs (the shorter length if one is a prefix)."""
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return i
    return min(len(a), len(b))


# A server that died or could not be reached is the harness's news, not a reply (a handler
# exception is a reply: both servers may throw alike, which is parity).
_ANOMALIES = ("timeout", "crashed", "exception", "server-exited", "connect-failed")


def anomaly(log: list[Any]) -> str | None:
    """The kind of failure a half reported instead of a log, if any."""
    for event in log:
        if isinstance(event, list) and event and event[0] in _ANOMALIES:
            return str(event[0])
    return None


def judge(outcomes: Iterable[Outcome], known: KnownDifferences) -> Judgement:
    result = Judgement()
    rows: dict[tuple[str, str], Row] = {}
    seen: set[tuple[str, str]] = set()
    differing: set[tuple[str, str]] = set()
    for o in outcomes:
        row = rows.setdefault((o.category, o.backend), Row(o.category, o.backend))
        row.total += 1
        seen.add((o.category, o.case["id"]))
        ref_anomaly, our_anomaly = anomaly(o.reference), anomaly(o.ours)
        if ref_anomaly or our_anomaly:
            result.anomalies.append({"category": o.category, "backend": o.backend,
                                     "id": o.case["id"], "reference": ref_anomaly,
                                     "nodehttp": our_anomaly})
        if o.identical:
            row.identical += 1
            continue
        differing.add((o.category, o.case["id"]))
        reason = known.reason(o.category, o.case["id"])
        if reason is None:
            row.unexpected += 1
        else:
            row.known += 1
        result.differences.append({
            "category": o.category,
            "backend": o.backend,
            "id": o.case["id"],
            "status": "unexpected" if reason is None else "known",
            "known_reason": reason,
            "first_difference": first_difference(o.reference, o.ours),
            "case": o.case,
            "reference": o.reference,
            "nodehttp": o.ours,
        })
    result.rows = list(rows.values())
    result.stale_known = known.unused(seen, differing)
    return result


def table(judgement: Judgement) -> str:
    head = ("category", "backend", "cases", "identical", "known diff", "unexpected diff")
    body = [(r.category, r.backend, str(r.total), str(r.identical), str(r.known),
             str(r.unexpected)) for r in judgement.rows]
    widths = [max(len(x) for x in col) for col in zip(head, *body)]
    lines = ["  ".join(x.ljust(w) if i < 2 else x.rjust(w) for i, (x, w) in
                       enumerate(zip(row, widths))).rstrip() for row in [head, *body]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _set(value: Any) -> bool:
    return value not in (None, False, 0, "", [], {})


def settings(case: dict[str, Any]) -> dict[str, Any]:
    """A case's settings that are set, nested ones too (a server's listeners and options):
    enough to reproduce the case next to its chunks."""
    out: dict[str, Any] = {}
    for key, value in case.items():
        if key in ("id", "chunks", "description"):
            continue
        if isinstance(value, dict):
            value = {k: v for k, v in value.items() if _set(v)}
        if _set(value):
            out[key] = value
    return out


def diff_text(diff: dict[str, Any]) -> str:
    """Both logs event by event, the differing ones marked, for ``-v``."""
    ref, ours = diff["reference"], diff["nodehttp"]
    out = [f"--- {diff['category']}/{diff['id']} [{diff['backend']}] ({diff['status']}"
           + (f": {diff['known_reason']}" if diff["known_reason"] else "") + ")"]
    if "chunks" in diff["case"]:  # client and scenario cases have none
        out.append(f"    chunks: {json.dumps(diff['case']['chunks'])[:400]}")
    if settings(diff["case"]):
        out.append(f"    settings: {json.dumps(settings(diff['case']))}")
    for i in range(max(len(ref), len(ours))):
        a = json.dumps(ref[i]) if i < len(ref) else "(none)"
        b = json.dumps(ours[i]) if i < len(ours) else "(none)"
        if a == b:
            out.append(f"    {i:3}   {a[:200]}")
        else:
            out.append(f"  ! {i:3}   node:     {a[:400]}")
            out.append(f"  !       nodehttp: {b[:400]}")
    return "\n".join(out)


def write_json(path: Path, judgement: Judgement, meta: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        **meta,
        "parity": {"identical": judgement.identical, "total": judgement.total},
        "categories": [r.__dict__ for r in judgement.rows],
        "stale_known_differences": judgement.stale_known,
        "anomalies": judgement.anomalies,
        "differences": judgement.differences,
    }
    path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
