"""Chinese by default, English on request, and a compiled catalogue that matches its source."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
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


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext's xgettext")
def test_the_catalogue_covers_every_message_in_the_source(tmp_path: Path) -> None:
    # The service desk once shipped without its strings in the catalogue, so the
    # English UI showed them in Chinese and no test noticed. Extract afresh from a
    # copy of the package and compare the message ids with the committed catalogue.
    package = Path(settings.LOCALE_PATHS[0]).parent
    copy = tmp_path / "guanxi"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__", "static"))
    here = os.getcwd()
    try:
        os.chdir(copy)
        call_command("makemessages", locale=["en"], verbosity=0)
    finally:
        os.chdir(here)
    fresh = {e.msgid for e in polib.pofile(str(copy / "locale/en/LC_MESSAGES/django.po"))}
    committed = polib.pofile(str(CATALOGUE / "django.po"))
    translated = {e.msgid for e in committed if e.msgstr or e.msgstr_plural}
    missing = sorted(fresh - translated)
    assert missing == [], f"{len(missing)} messages have no English translation: {missing[:20]}"
