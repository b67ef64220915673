from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _huey_runs_inline() -> Iterator[None]:
    """The background import runs inside the request in tests, so its result is checked directly."""
    from huey.contrib.djhuey import HUEY

    before = HUEY.immediate
    HUEY.immediate = True
    yield
    HUEY.immediate = before


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings: Any, tmp_path: Path) -> None:
    settings.GUANXI_IMPORT_DIR = tmp_path / "uploads"


@pytest.fixture
def records_fail_after(monkeypatch: pytest.MonkeyPatch) -> Callable[[int], None]:
    """`records_fail_after(n)`: the customer import fails ("disk full") in the chunk
    whose import records go past file row n — after its customers were written."""
    from guanxi.customers.imports import runner
    from guanxi.imports.models import ImportedRecord

    def arm(row: int) -> None:
        real = runner.insert_rows

        def failing(table: str, columns: Any, data: Any) -> None:
            real(table, columns, data)
            if table == ImportedRecord._meta.db_table and data[0][1] > row:
                raise RuntimeError("disk full")

        monkeypatch.setattr(runner, "insert_rows", failing)

    return arm
