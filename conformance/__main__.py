"""``python -m conformance``: the same bytes through the reference Node and nodehttp.

Exit status: 0 when every case is identical or a listed known difference; 1 when a case
differs unexpectedly; 2 when the run cannot be judged (no reference, an llhttp version
mismatch without --allow-version-mismatch, malformed cases, a half that crashed).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import nodehttp

from . import cases as cases_mod
from . import known as known_mod
from . import reference, report, runner
from .registry import CATEGORIES


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m conformance", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--node", metavar="PATH",
                   help=f"the reference Node {reference.NODE_VERSION} (else "
                        f"${reference.ENV_VAR}, the cache, or an npm install)")
    p.add_argument("--allow-version-mismatch", action="store_true",
                   help="compare even when the reference's llhttp is not nodehttp's; "
                        "the report is labelled as not parity")
    p.add_argument("--cases", metavar="DIR", action="append", type=Path, default=[],
                   help="also run the case files (*.json) in DIR; repeatable")
    p.add_argument("--category", metavar="NAME", action="append", default=[],
                   help=f"run only this category; repeatable (known: {', '.join(CATEGORIES)})")
    p.add_argument("--report", metavar="PATH", type=Path, default=report.DEFAULT_REPORT,
                   help="where to write the JSON report (default: %(default)s)")
    p.add_argument("--known-differences", metavar="PATH", type=Path,
                   default=known_mod.DEFAULT_PATH, help=argparse.SUPPRESS)
    p.add_argument("--case-timeout", metavar="SECONDS", type=float,
                   default=runner.DEFAULT_CASE_TIMEOUT_S,
                   help="a worker silent this long is taken to hang on its case "
                        "(default: %(default)s)")
    p.add_argument("-v", "--verbose", action="store_true", help="print each difference")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    names = [n for arg in args.category for n in arg.split(",") if n] or list(CATEGORIES)
    unknown = [n for n in names if n not in CATEGORIES]
    if unknown:
        print(f"conformance: unknown category {', '.join(unknown)} "
              f"(known: {', '.join(CATEGORIES)})", file=sys.stderr)
        return 2
    categories = [CATEGORIES[n] for n in names]

    try:
        ref = reference.probe(reference.find(args.node))
    except reference.ReferenceProblem as exc:
        print(f"conformance: {exc}", file=sys.stderr)
        return 2
    print(f"reference: {ref.path} ({ref.source}): node {ref.node_version}, "
          f"llhttp {ref.llhttp_version}")
    print(f"nodehttp:  llhttp {nodehttp.LLHTTP_VERSION}")
    mismatch = ref.llhttp_version != nodehttp.LLHTTP_VERSION
    if mismatch and not args.allow_version_mismatch:
        print(f"conformance: the reference's llhttp {ref.llhttp_version} is not nodehttp's "
              f"{nodehttp.LLHTTP_VERSION}: a comparison would not be parity. Use the "
              f"reference Node {reference.NODE_VERSION}, or --allow-version-mismatch to "
              f"compare anyway.", file=sys.stderr)
        return 2

    try:
        known = known_mod.load(args.known_differences)
        all_cases = cases_mod.load(categories, args.cases)
        outcomes: list[runner.Outcome] = []
        for category in categories:
            outcomes += runner.run_category(ref, category, all_cases[category.name],
                                            args.case_timeout)
    except (cases_mod.CaseError, known_mod.KnownDifferencesError, runner.HarnessError) as exc:
        print(f"conformance: {exc}", file=sys.stderr)
        return 2

    judgement = report.judge(outcomes, known)
    elapsed = time.monotonic() - started
    label = ("NOT PARITY: llhttp version mismatch (reference "
             f"{ref.llhttp_version}, nodehttp {nodehttp.LLHTTP_VERSION})" if mismatch else "")
    report.write_json(args.report, judgement, {
        "label": label or "parity",
        "reference": {"path": str(ref.path), "source": ref.source,
                      "node": ref.node_version, "llhttp": ref.llhttp_version},
        "nodehttp": {"llhttp": nodehttp.LLHTTP_VERSION},
        "runtime_s": round(elapsed, 2),
    })

    if args.verbose:
        for diff in judgement.differences:
            print(report.diff_text(diff))
    for a in judgement.anomalies:
        print(f"note: {a['category']}/{a['id']} [{a['backend']}]: reference "
              f"{a['reference'] or 'ran'}, nodehttp {a['nodehttp'] or 'ran'}")
    for key in judgement.stale_known:
        print(f"note: known difference {key!r} did not differ in this run; "
              "remove it from known-differences if it is fixed")
    print()
    print(report.table(judgement))
    print()
    if judgement.unexpected:
        ids = [d["id"] for d in judgement.differences if d["status"] == "unexpected"]
        shown = ", ".join(ids[:10]) + (", ..." if len(ids) > 10 else "")
        print(f"unexpected differences: {judgement.unexpected} ({shown})")
    print(f"runtime: {elapsed:.1f} s; report: {args.report}")
    if label:
        print(label)
    print(f"parity: {judgement.identical}/{judgement.total} identical")
    return 1 if judgement.unexpected else 0


if __name__ == "__main__":
    sys.exit(main())
