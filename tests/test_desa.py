"""Desa by Kemendagri code (#26, point 5): the table covers all Indonesia; the API and the form
refuse a desa that is not in the NIK's kecamatan, naming the field; the form offers the
kecamatan's list from the application itself; facts and the areas report carry the code;
older payloads with a free-text village stay accepted."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text

from ews import wilayah
from ews.reports import Params, run
from tests.test_web_pages import block, form_data, login

AMBAT = "3528012006"  # a desa of 35.28.01 (Pakong... the NIK 3528011201900001's kecamatan)
BADDURIH = "3528022006"  # a desa of another kecamatan (35.28.02)


def test_the_table_covers_every_province_down_to_desa():
    provinces = {code for code in wilayah.table() if "." not in code}
    assert {"11", "35", "51", "94"} <= provinces and len(provinces) >= 38
    assert wilayah.name("11") == "Aceh" and wilayah.name("94") == "Papua Tengah"
    desa = [c for c in wilayah.table() if c.count(".") == 3]
    assert len(desa) > 80_000 and any(c.startswith("94.") for c in desa)
    assert wilayah.is_desa_in(AMBAT, "352801") and not wilayah.is_desa_in(BADDURIH, "352801")


def post(client, account, body):
    return client.post("/api/v1/assessments", json=body, headers=account.headers)


def test_api_stores_a_desa_of_the_niks_kecamatan_and_refuses_another(client, accounts, payload,
                                                                      engine):
    officer = accounts["officer"]
    ok = post(client, officer, payload("PMK-1", domicile_desa=AMBAT,
                                       domicile_village="typed too"))
    assert ok.status_code == 201, ok.get_json()
    for i, (code, words) in enumerate([(BADDURIH, "not in the NIK's kecamatan"),
                                       ("3528019999", "not in the Kemendagri list"),
                                       ("35.28.01.2006", "10-digit")]):
        bad = post(client, officer, payload(f"PMK-{i + 2}", domicile_desa=code))
        assert bad.status_code == 422
        assert list(bad.get_json()["errors"]) == ["domicile_desa"]
        assert words in bad.get_json()["errors"]["domicile_desa"][0]
    old = post(client, officer, payload("PMK-9", domicile_village="  Desa  Lama "))  # free text
    assert old.status_code == 201, old.get_json()
    today = dt.date.today()
    with engine.connect() as conn:
        report = run("areas", conn, Params(today - dt.timedelta(days=1),
                                           today + dt.timedelta(days=2)))
        stored = dict(conn.execute(text(
            "SELECT domicile_desa, domicile_village FROM assessment_facts")).all())
    assert stored == {AMBAT: None, None: "Desa Lama"}  # the code wins over typed text
    desa = {r["desa"]: r["n"] for r in report.table("by_desa").records()}
    assert desa == {"Ambat": 1, "desa lama (not in the list)": 1}


def test_form_offers_the_kecamatan_list_and_names_the_field(client, accounts, payload):
    login(client, accounts["officer"])
    listed = client.get("/wilayah/352801/desa.json")
    assert listed.status_code == 200
    assert [AMBAT, "Ambat"] in listed.get_json()["desa"]
    assert client.get("/wilayah/359999/desa.json").status_code == 404
    html = client.get("/interviews/new").get_data(as_text=True)
    assert 'select id="in-domicile_desa"' in html and "desa.js" in html
    resp = client.post("/interviews/new", data=form_data(payload("PMK-7",
                                                                 domicile_desa=BADDURIH)))
    assert resp.status_code == 422
    page = resp.get_data(as_text=True)
    question = block(page, "q-domicile_desa")
    assert "tidak berada di kecamatan NIK" in question
    assert f'<option value="{AMBAT}">Ambat</option>' in question  # the NIK's list, server-side
