"""Duplicate detection for customers (数据清洗).

Public entry point for the create form, the API and imports:
`likely_duplicates(cleaned_customer_form_data, user=…)` → best matches first.
The linkage engine (normalisers, comparisons, blocking, Fellegi–Sunter model)
lives in the modules beside this one; see docs/architecture.md (Duplicates).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .check import Match, likely_duplicates

__all__ = ["Match", "likely_duplicates"]
