"""Loading cases: built-in generators, checked-in files and a user's extra files.

A case file is a JSON object keyed by category name, each key holding a list of cases:
``{"parser": [{"id": ..., ...}, ...]}``. Every category validates its own cases and fills
in their defaults (see ``Category.normalise_case``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

if TYPE_CHECKING:
    from .category import Category

Case = dict[str, Any]

CHECKED_IN_DIR = Path(__file__).parent / "cases"


class CaseError(Exception):
    """A case or case file is malformed; the message names the file and the case."""


def read_case_file(path: Path) -> dict[str, list[Case]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CaseError(f"{path}: cannot read cases: {exc}") from exc
    if not isinstance(data, dict) or not all(isinstance(v, list) for v in data.values()):
        raise CaseError(f"{path}: expected an object mapping category names to lists of cases")
    return data


def case_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        raise CaseError(f"{directory}: not a directory")
    return sorted(directory.glob("*.json"))


def load(categories: Iterable[Category], extra_dirs: Iterable[Path] = ()) -> dict[str, list[Case]]:
    """All cases of the given categories, normalised, in a stable order.

    Built-in cases come first, then checked-in files, then the extra directories. A key
    naming no known category is an error, so a typo does not silently drop cases; case
    ids must be unique within a category.
    """
    wanted = {c.name: c for c in categories}
    from .registry import CATEGORIES  # the full registry, to tell typos from deselection

    out: dict[str, list[Case]] = {name: [] for name in wanted}
    sources: dict[str, dict[str, str]] = {name: {} for name in wanted}

    def add(category: Category, raw: Case, origin: str) -> None:
        try:
            case = category.normalise_case(raw)
        except (CaseError, KeyError, TypeError, ValueError) as exc:
            raise CaseError(f"{origin}: case {raw.get('id', '?')!r}: {exc}") from exc
        seen = sources[category.name]
        if case["id"] in seen:
            raise CaseError(f"{origin}: duplicate {category.name} case id {case['id']!r} "
                            f"(first from {seen[case['id']]})")
        seen[case["id"]] = origin
        out[category.name].append(case)

    for category in wanted.values():
        for raw in category.builtin_cases():
            add(category, raw, f"built-in {category.name} cases")

    files = case_files(CHECKED_IN_DIR) if CHECKED_IN_DIR.is_dir() else []
    for directory in extra_dirs:
        files += case_files(Path(directory))
    for path in files:
        for name, raws in read_case_file(path).items():
            if name not in CATEGORIES:
                raise CaseError(f"{path}: unknown category {name!r} "
                                f"(known: {', '.join(sorted(CATEGORIES))})")
            if name not in wanted:
                continue
            for raw in raws:
                if not isinstance(raw, dict):
                    raise CaseError(f"{path}: {name}: a case must be an object, not {raw!r}")
                add(wanted[name], raw, str(path))
    return out
