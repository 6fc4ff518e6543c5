"""``conformance/known-differences``: accepted differences, one per line.

Each line is a case id (optionally ``category/id``), whitespace, then the reason; a line
starting with ``#`` is a comment. A listed case that differs does not fail the run; one that differs
and is not listed does. A reason is required, so that every entry says why it is
accepted.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DEFAULT_PATH = Path(__file__).parent / "known-differences"


class KnownDifferencesError(Exception):
    pass


@dataclass(frozen=True)
class KnownDifferences:
    reasons: dict[str, str]

    def reason(self, category: str, case_id: str) -> str | None:
        return self.reasons.get(f"{category}/{case_id}", self.reasons.get(case_id))

    def unused(self, seen: set[tuple[str, str]], differing: set[tuple[str, str]]) -> list[str]:
        """Entries naming no case that ran, or a case that ran and was identical.

        Only entries of categories that ran are judged, so `--category` does not make
        the others look stale.
        """
        ran_categories = {cat for cat, _ in seen}
        stale = []
        for key in self.reasons:
            matches = [(cat, cid) for cat, cid in seen if key in (cid, f"{cat}/{cid}")]
            if not matches:
                if "/" not in key or key.split("/", 1)[0] in ran_categories:
                    stale.append(key)
            elif not any(m in differing for m in matches):
                stale.append(key)
        return stale


def parse(text: str, origin: str = "known-differences") -> KnownDifferences:
    reasons: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(None, 1)
        if len(parts) < 2:
            raise KnownDifferencesError(f"{origin}:{number}: {parts[0]!r} has no reason")
        if parts[0] in reasons:
            raise KnownDifferencesError(f"{origin}:{number}: {parts[0]!r} is listed twice")
        reasons[parts[0]] = parts[1].strip()
    return KnownDifferences(reasons)


def load(path: Path = DEFAULT_PATH) -> KnownDifferences:
    if not path.exists():
        return KnownDifferences({})
    return parse(path.read_text(encoding="utf-8"), str(path))
