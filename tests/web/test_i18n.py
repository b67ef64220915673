"""Chinese by default, English on request, and a compiled catalogue that matches its source."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polib
from django.conf import settings
from django.urls import reverse

CATALOGUE = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"


def entries(catalogue: Any) -> dict[str, str]:
    return {e.msgid: e.msgstr for e in catalogue if e.msgid and e.msgstr}


def test_the_committed_mo_file_matches_the_po_file(tmp_path: Path) -> None:
    source = polib.pofile(str(CATALOGUE / "django.po"))
    fresh = tmp_path / "django.mo"
    source.save_as_mofile(str(fresh))
    committed = polib.mofile(str(CATALOGUE / "django.mo"))
    assert entries(committed) == entries(polib.mofile(str(fresh))), (
        "django.mo is stale: recompile it from django.po"
    )


def test_every_message_has_an_english_translation() -> None:
    source = polib.pofile(str(CATALOGUE / "django.po"))
    assert source.untranslated_entries() == []
    assert source.fuzzy_entries() == []


def test_it_speaks_chinese_by_default(login: Any, users: dict[str, Any], bob_customer: Any) -> None:
    page = login(users["bob"]).get(reverse("customers:list")).content.decode()
    assert 'lang="zh-hans"' in page
    assert "下一页" in page and "价值分类" in page and "一般客户" in page


def test_switching_to_english_shows_english_labels(
    login: Any, users: dict[str, Any], bob_customer: Any
) -> None:
    client = login(users["bob"])
    response = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("customers:list")}
    )
    assert response.status_code == 302
    page = client.get(reverse("customers:list")).content.decode()
    assert 'lang="en"' in page
    for label in ("Customers", "Products", "Next", "Value class", "General", "Awareness"):
        assert label in page, label
    assert "下一页" not in page
    detail = client.get(reverse("customers:detail", args=[bob_customer.pk])).content.decode()
    assert "Timeline" in detail and "created the customer" in detail


def test_an_english_browser_still_gets_chinese_until_the_user_switches(client, users) -> None:  # type: ignore[no-untyped-def]
    client.force_login(users["bob"])
    page = client.get("/customers/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "客户" in page and "New organisation" not in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/customers/"})
    page = client.get("/customers/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert "New organisation" in page
