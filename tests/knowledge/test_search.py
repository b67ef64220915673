"""Chinese full-text search: two-character words, mixed Chinese/latin, traditional input,
ranking — on whichever database the suite runs (SQLite FTS5 or PostgreSQL tsvector)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from guanxi.knowledge import search
from guanxi.knowledge.queries import search_articles

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(make_article: Callable[..., Any]) -> dict[str, Any]:
    return {
        "invoice": make_article("如何开具增值税发票", "在订单页点击“申请开票”，填写抬头和税号。"),
        "service": make_article(
            "车辆定期保养说明", "每行驶5000公里或六个月保养一次，以先到者为准。"
        ),
        "vin": make_article("在哪里找到车辆识别代号", "VIN码位于前挡风玻璃左下角，共17位。"),
        "refund": make_article("退款多久到账", "退款在3个工作日内原路退回；发票需一并作废。"),
        "票务": make_article("展会门票领取", "凭短信到服务台领取门票。"),
    }


def titles(articles: list[Any]) -> list[str]:
    return [a.title for a in articles]


def test_it_tokenises_chinese_into_unigrams_and_bigrams_and_keeps_latin_words_whole() -> None:
    assert search.document_tokens("VIN码 發票") == "vin 码 发 票 发票"
    assert search.query_groups("发票") == [["发票"]]
    assert search.query_groups("ＶＩＮ码") == [["vin"], ["码"]]
    assert search.query_groups("车辆保养") == [
        ["车"],
        ["辆"],
        ["保"],
        ["养"],
        ["车辆", "辆保", "保养"],
    ]
    # Free text drops bigrams of function characters (我的, 了吗…).
    assert search.query_tokens("我的发票丢了吗") == ["发票", "票丢"]


def test_it_finds_a_two_character_word_inside_a_sentence(
    library: dict[str, Any], users: dict[str, Any]
) -> None:
    found = titles(search_articles("发票", users["bob"]))
    assert set(found) == {"如何开具增值税发票", "退款多久到账"}
    assert titles(search_articles("保养", users["bob"])) == ["车辆定期保养说明"]


def test_it_does_not_match_the_two_characters_apart(
    library: dict[str, Any], users: dict[str, Any]
) -> None:
    # 门票 and 发票 share 票, 展会 has no 发…票 side by side: no hit on a bigram.
    assert "展会门票领取" not in titles(search_articles("发票", users["bob"]))


def test_it_finds_mixed_chinese_and_latin(library: dict[str, Any], users: dict[str, Any]) -> None:
    assert titles(search_articles("VIN码", users["bob"])) == ["在哪里找到车辆识别代号"]
    assert titles(search_articles("vin", users["bob"])) == ["在哪里找到车辆识别代号"]


def test_it_finds_simplified_text_from_traditional_input(
    library: dict[str, Any], users: dict[str, Any]
) -> None:
    assert set(titles(search_articles("發票", users["bob"]))) == {
        "如何开具增值税发票",
        "退款多久到账",
    }
    assert titles(search_articles("車輛保養", users["bob"])) == ["车辆定期保养说明"]


def test_a_longer_word_matches_its_characters_apart_only_with_one_bigram_in_place(
    library: dict[str, Any], users: dict[str, Any]
) -> None:
    # 车辆保养 is not written as such, but 车辆 and 保养 are; 票发 is nowhere.
    assert titles(search_articles("车辆保养", users["bob"])) == ["车辆定期保养说明"]
    assert search_articles("票发", users["bob"]) == []


def test_it_needs_every_word_of_the_query(library: dict[str, Any], users: dict[str, Any]) -> None:
    assert titles(search_articles("退款 发票", users["bob"])) == ["退款多久到账"]
    assert search_articles("发票 保养", users["bob"]) == []
    assert search_articles("火星", users["bob"]) == []
    assert search_articles("  ！？ ", users["bob"]) == []


def test_a_title_match_ranks_above_a_body_match(
    library: dict[str, Any], users: dict[str, Any]
) -> None:
    # Both mention 发票; the first has it in the title, the second only in the body.
    assert titles(search_articles("发票", users["bob"])) == ["如何开具增值税发票", "退款多久到账"]


def test_keywords_are_searchable_like_the_title(
    make_article: Callable[..., Any], users: dict[str, Any]
) -> None:
    make_article("轮胎更换", "更换流程。", keywords="补胎，扎胎")
    assert titles(search_articles("扎胎", users["bob"])) == ["轮胎更换"]


def test_an_edit_is_searchable_at_once_and_the_old_words_are_gone(
    library: dict[str, Any], users: dict[str, Any]
) -> None:
    from guanxi.knowledge.actions import update_article

    update_article(
        library["票务"], {"title": "展会入场券领取", "body": "凭短信到服务台领取。"},
        by=users["carol"],
    )  # fmt: skip
    assert titles(search_articles("入场券", users["bob"])) == ["展会入场券领取"]
    assert titles(search_articles("短信", users["bob"])) == ["展会入场券领取"]
    assert search_articles("门票", users["bob"]) == []
