"""In a real browser: an agent typing a ticket's subject sees the matching article offered.

Playwright drives Debian's Chromium against the live server, so the htmx trigger on
the ticket form, the suggest endpoint, the search index and the template are
exercised together the way an agent meets them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_customer_journey import browser, page, reference_data  # noqa: F401
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_agent_typing_a_ticket_subject_sees_a_suggested_article(
    live_server: Any,
    page: Page,  # noqa: F811 - the fixture imported above
    users: dict[str, Any],
    make_article: Callable[..., Any],
) -> None:
    service = make_article("车辆保养周期", "每5000公里保养一次，可在线预约。")
    make_article("如何开具增值税发票", "在订单页申请开票。")

    # Given carol, the service agent, signed in on the ticket intake form
    page.goto(f"{live_server.url}/login/?next=/service/tickets/new/")
    page.fill("#id_username", "carol")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("新建工单")
    suggestions = page.locator(".kb-suggest")
    expect(suggestions).to_be_empty()

    # When she types what the customer asks
    page.locator("#id_subject").press_sequentially("客户问多久保养一次", delay=30)

    # Then the maintenance article is offered, and the invoice one is not
    link = suggestions.locator(f"a[data-article-id='{service.pk}']")
    expect(link).to_have_text("车辆保养周期")
    expect(suggestions).not_to_contain_text("发票")
    assert link.get_attribute("href") == f"/knowledge/articles/{service.pk}/"
