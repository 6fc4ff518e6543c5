"""Every category the harness knows, by name, in the order they run.

A new category adds its module's ``CATEGORY`` here.
"""

from __future__ import annotations

from . import client_category, parser_category, scenario_category, server_category
from .category import Category

CATEGORIES: dict[str, Category] = {
    c.name: c for c in [parser_category.CATEGORY, server_category.CATEGORY,
                          client_category.CATEGORY, scenario_category.CATEGORY]}
