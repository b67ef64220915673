"""The KPI dashboard in a real browser: ECharts loads from our own static files (no
internet), the target line is drawn, and clicking a bar opens the filtered customer list."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.browser.test_customer_journey import CHROMIUM, CHROMIUM_ARGS
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def reference_data(transactional_db: None) -> None:
    from tests.conftest import reseed_reference_data

    reseed_reference_data()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, live_server: Any) -> Iterator[Page]:
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.set_default_timeout(60_000)
    outside: list[str] = []

    def only_local(route: Any) -> None:
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    yield page
    assert not outside, f"the page tried to load from the internet: {outside}"
    context.close()


def test_a_manager_clicks_the_high_value_bar_and_lands_on_those_customers(
    live_server: Any, page: Page, users: dict[str, Any], make_customer: Callable[..., Any]
) -> None:
    make_customer("bob", name="高价值甲", value_class="high")
    make_customer("bob", name="一般乙")
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    page.goto(f"{live_server.url}/login/?next=/evaluation/")
    page.fill("#id_username", "dave")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("KPI 看板")
    chart = page.locator('.dist-chart[data-dimension="value_class"] canvas')
    expect(chart).to_have_count(1)
    # The satisfaction card draws its target (≥ 80 %) as a mark line.
    has_target = page.evaluate(
        """() => {
        const el = document.querySelector('.kpi-chart[data-kpi="satisfaction"]');
        const option = echarts.getInstanceByDom(el).getOption();
        return option.series[0].markLine.data[0].yAxis;
    }"""
    )
    assert has_target == 80
    # Click the middle of the 高价值客户 bar (category 0, one customer).
    page.locator('.dist-chart[data-dimension="value_class"]').scroll_into_view_if_needed()
    page.wait_for_timeout(1500)  # let the bars finish growing (slow on a loaded machine)
    x, y = page.evaluate(
        """() => {
        const el = document.querySelector('.dist-chart[data-dimension="value_class"]');
        const chart = echarts.getInstanceByDom(el);
        const [x, y] = chart.convertToPixel({seriesIndex: 0}, [0, 0.2]);
        const box = el.getBoundingClientRect();
        return [box.left + x, box.top + y];
    }"""
    )
    page.mouse.click(x, y)
    expect(page).to_have_url(f"{live_server.url}/customers/?value_class=high")
    expect(page.locator("#customer-table")).to_contain_text("高价值甲")
    expect(page.locator("#customer-table")).not_to_contain_text("一般乙")
    assert not errors, errors
