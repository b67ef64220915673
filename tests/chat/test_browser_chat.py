"""Visitor and agent in two Chromium pages against the real ASGI server: the start form,
accepting from the queue, knowledge-base suggestions, a line and typing each way."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from guanxi.chat.models import Message

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


def new_page(browser: Browser) -> Page:
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def test_a_visitor_and_an_agent_chat_in_two_browser_pages(
    browser: Browser, asgi_server: str, users: dict[str, Any], session_cookie: Any
) -> None:
    from guanxi.knowledge.actions import create_article
    from guanxi.knowledge.forms import ArticleForm

    # A published knowledge-base article the console should suggest.
    form = ArticleForm(
        data={
            "title": "加油卡充值指南",
            "body": "加油卡可在网点或APP充值。",
            "visibility": "internal",
        }
    )
    assert form.is_valid(), form.errors.as_json()
    create_article(form.cleaned_data, by=users["carol"], publish=True)
    base = f"http://{asgi_server}"
    visitor, agent = new_page(browser), new_page(browser)
    try:
        # The visitor asks a question on the public page, no account.
        visitor.goto(f"{base}/chat/")
        visitor.fill("#id_visitor_name", "王先生")
        visitor.fill("#id_body", "请问加油卡怎么充值？")
        visitor.click("button[type=submit]")
        expect(visitor.locator("#chat-log")).to_contain_text("请问加油卡怎么充值？")
        expect(visitor.locator("#chat-status")).to_have_text("正在为您接入客服，请稍候…")

        # carol, signed in, sees it waiting and accepts it.
        name, value = session_cookie(users["carol"]).split("=", 1)
        agent.context.add_cookies([{"name": name, "value": value, "url": base}])
        agent.goto(f"{base}/chat/console/")
        waiting = agent.locator("#queue-waiting .queue-item")
        expect(waiting).to_contain_text("王先生")
        expect(waiting.locator(".badge.unread")).to_have_text("1")
        waiting.locator("button.accept").click()
        expect(agent.locator("#queue-active .queue-item")).to_contain_text("王先生")
        expect(agent.locator("#pane-log")).to_contain_text("请问加油卡怎么充值？")
        expect(visitor.locator("#chat-status")).to_have_text("客服 陈可儿 为您服务")
        # The knowledge base suggests articles for the visitor's last line.
        expect(agent.locator("#kb-suggest")).to_contain_text("加油卡充值指南")

        # Typing shows on the other side, then the line arrives.
        agent.locator("#pane-body").press_sequentially("您好", delay=30)
        expect(visitor.locator("#chat-typing")).to_have_text("客服正在输入…")
        agent.locator("#pane-body").press("Enter")
        expect(visitor.locator("#chat-log .line.from-agent")).to_contain_text("您好")
        expect(visitor.locator("#chat-typing")).to_be_hidden()

        visitor.locator("#chat-body").press_sequentially("卡号尾号5678", delay=30)
        expect(agent.locator("#pane-typing")).to_have_text("访客正在输入…")
        visitor.locator("#chat-body").press("Enter")
        expect(agent.locator("#pane-log .line.from-visitor").last).to_contain_text("卡号尾号5678")

        # The visitor ends the chat; both sides show it closed.
        visitor.click("#chat-close")
        expect(visitor.locator("#chat-status")).to_have_text("会话已结束。")
        expect(visitor.locator("#chat-rating")).to_be_visible()
        expect(agent.locator("#pane-form")).to_be_hidden()
    finally:
        visitor.context.close()
        agent.context.close()
    lines = list(Message.objects.exclude(sender="system").values_list("sender", "body"))
    assert lines == [
        ("visitor", "请问加油卡怎么充值？"),
        ("agent", "您好"),
        ("visitor", "卡号尾号5678"),
    ]
