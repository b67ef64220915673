"""Crisis fixtures: a recall recorded by alice, and the real SMTP server of the service tests."""

from __future__ import annotations

from typing import Any

import pytest

from tests.service.conftest import smtp  # noqa: F401 - the same in-process aiosmtpd server


@pytest.fixture
def recall(users: dict[str, Any]) -> Any:
    from guanxi.crisis.actions import create_crisis

    return create_crisis(
        {"kind": "product_recall", "title": "92号汽油批次召回", "risk_level": "2",
         "owner": users["alice"], "description": "批次 G2611 辛烷值不达标。",
         "response_plan": "停售该批次，逐一通知购买客户，免费更换。"},
        by=users["alice"],
    )  # fmt: skip
