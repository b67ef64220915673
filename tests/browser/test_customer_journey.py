"""A rep's day in a real browser: sign in, find a customer by pinyin, fix a phone, see it logged.

Playwright drives Debian's Chromium (never a downloaded browser) against the live
server, so templates, htmx search-as-you-type, CSRF and the actions are exercised
together the way a user meets them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.conftest import PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# The live server needs committed data, so these tests flush the tables afterwards.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def reference_data(transactional_db: None) -> None:
    """Regions and industries come from a data migration, which an earlier test's flush
    has emptied; put them back (the seed is idempotent) before the named users need them."""
    from importlib import import_module

    from django.apps import apps

    seed = import_module("guanxi.customers.migrations.0003_seed_reference_data").seed
    seed(apps, None)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_a_rep_finds_a_customer_by_pinyin_and_fixes_the_phone(
    live_server: Any, page: Page, users: dict[str, Any], make_customer: Callable[..., Any]
) -> None:
    zhang = make_customer("bob", name="张伟", phone="13812345678")
    make_customer("bob", name="李娜", phone="13900001111")

    # Given bob, signed out, opening the customer list
    page.goto(f"{live_server.url}/customers/")
    expect(page).to_have_url(f"{live_server.url}/login/?next=/customers/")
    page.fill("#id_username", "bob")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("客户")
    expect(page.locator("#customer-table")).to_contain_text("李娜")

    # When he types the pinyin, htmx narrows the table as he types
    page.locator("#customer-search").press_sequentially("zhangwei", delay=20)
    expect(page.locator("#customer-table")).not_to_contain_text("李娜")
    expect(page.locator("#customer-table")).to_contain_text("张伟")

    # And opens the 360 page and edits the phone
    page.click("#customer-table >> text=张伟")
    expect(page).to_have_url(f"{live_server.url}/customers/{zhang.pk}/")
    expect(page.locator("#customer-phone")).to_have_text("138 1234 5678")
    page.click("text=编辑 >> nth=0")
    page.fill("#id_phone", "139 8765 4321")
    page.click("button[type=submit]:has-text('保存')")

    # Then the new phone shows and the timeline records the change, masked
    expect(page).to_have_url(f"{live_server.url}/customers/{zhang.pk}/")
    expect(page.locator("#customer-phone")).to_have_text("139 8765 4321")
    change = page.locator("#timeline li.event").first
    expect(change).to_contain_text("修改了客户资料")
    expect(change).to_contain_text("138****5678")
    expect(change).to_contain_text("139****4321")
