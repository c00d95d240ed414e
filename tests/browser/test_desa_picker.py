"""The desa picker in a real browser: typing the NIK fills the list of its kecamatan from the
application itself (no other host is asked), and the picked code is what the form sends."""

from __future__ import annotations

import pytest

from .helpers import sign_in

pytestmark = pytest.mark.browser
AMBAT = "3528012006"  # a desa of kecamatan 35.28.01, the NIK's first six digits


def test_typing_the_nik_offers_its_kecamatans_desa(browser, live_server):
    page = sign_in(browser, live_server.url, "officer1")
    hosts = []
    page.on("request", lambda request: hosts.append(request.url.split("/")[2]))
    page.goto(f"{live_server.url}/interviews/new")
    select = page.locator('select[name="domicile_desa"]')
    assert select.locator("option").count() == 1  # no NIK yet: only the prompt
    page.fill('[name="nik"]', "3528011201900001")
    page.wait_for_selector(f'select[name="domicile_desa"] option[value="{AMBAT}"]',
                           state="attached")
    names = select.locator("option").all_inner_texts()[1:]
    assert "Ambat" in names and names == sorted(names, key=str.casefold)
    select.select_option(AMBAT)
    page.fill('[name="nik"]', "3528021201900001")  # another kecamatan: its own list
    page.wait_for_selector('select[name="domicile_desa"] option[value="3528022006"]',
                           state="attached")
    assert select.locator(f'option[value="{AMBAT}"]').count() == 0
    assert set(hosts) == {live_server.url.split("/")[2]}  # nothing but the application
