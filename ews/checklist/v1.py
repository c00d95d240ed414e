"""The checklist field registry, version 1 (kept to accept and re-score v1 answers).

Version 1 payloads are validated against these fields, then mapped to version 2 by
`to_v2`: what v1 could not record becomes not asked (None).
"""

from __future__ import annotations

from types import MappingProxyType

from .fields import L, _choices, _f

YES_PARTLY_NO = _choices(("yes", "Ya", "Yes"), ("partly", "Sebagian", "Partly"),
                         ("no", "Tidak", "No"))
WORK_CONTEXT = MappingProxyType({
    "admits_work_intent": (True,),
    "purpose": ("procedural_work", "internship"),
    "job_offer_channel": ("social_media", "chat_app", "friend_or_family",
                          "individual_recruiter", "licensed_agency", "government_program"),
})
DOCUMENT_PURPOSES = ("umrah_hajj", "procedural_work", "internship", "study", "medical",
                     "business")


def _bool(name, section, label, help=None, **kw):
    return _f(name, "bool", "rule", section, label, help, **kw)


_FIELDS_V1 = [
    # --- Permohonan -----------------------------------------------------------------------
    _f("application_id", "str", "admin", "application",
       L("Nomor permohonan", "Application number"), required=True, minimum=1, maximum=64),
    _f("office_code", "str", "admin", "application",
       L("Kode kantor", "Office code"), required=True, minimum=2, maximum=16),
    _f("application_type", "enum", "rule", "application",
       L("Jenis permohonan", "Application type"),
       choices=_choices(("new", "Baru", "New"), ("replacement", "Penggantian (habis berlaku)",
                        "Replacement (expired)"), ("lost", "Hilang", "Lost"),
                        ("damaged", "Rusak", "Damaged"))),
    _f("interviewed_at", "datetime", "admin", "application",
       L("Waktu wawancara", "Interview time")),
    _f("nik", "str", "pii", "application", L("NIK", "NIK (national ID number)"),
       L("16 digit", "16 digits"), minimum=16, maximum=16, extra=MappingProxyType(
           {"pattern": r"[0-9]{16}", "error": "nik"})),
    _f("full_name", "str", "pii", "application", L("Nama lengkap", "Full name"),
       minimum=1, maximum=120),
    _f("date_of_birth", "date", "pii", "application", L("Tanggal lahir", "Date of birth"),
       L("Hanya status anak (di bawah 18) yang dipakai aturan",
         "Only minor status (under 18) is used by rules")),
    _f("sex", "enum", "audit", "application", L("Jenis kelamin", "Sex"),
       L("Untuk audit keadilan saja, bukan masukan aturan",
         "For fairness audit only, never a rule input"),
       choices=_choices(("male", "Laki-laki", "Male"), ("female", "Perempuan", "Female"))),
    _f("domicile_regency", "str", "audit", "application",
       L("Kabupaten/kota domisili", "Regency/city of domicile"), maximum=80),
    _f("domicile_district", "str", "audit", "application",
       L("Kecamatan domisili", "District of domicile"), maximum=80),
    _f("domicile_village", "str", "audit", "application",
       L("Desa/kelurahan domisili", "Village of domicile"), maximum=80),
    _f("phone", "str", "pii", "application", L("Nomor telepon", "Phone number"),
       minimum=6, maximum=20,
       extra=MappingProxyType({"pattern": r"\+?[0-9 ()-]{6,20}", "error": "phone"})),
    # --- Tujuan perjalanan ----------------------------------------------------------------
    _f("purpose", "enum", "rule", "travel", L("Tujuan perjalanan", "Purpose of travel"),
       L("Umrah sendiri tidak pernah menjadi sinyal risiko",
         "Umrah itself is never a risk signal"),
       required=True,
       choices=_choices(("tourism", "Wisata", "Tourism"),
                        ("umrah_hajj", "Umrah/haji", "Umrah/hajj"),
                        ("family_visit", "Kunjungan keluarga", "Family visit"),
                        ("medical", "Berobat", "Medical treatment"),
                        ("study", "Belajar", "Study"), ("business", "Bisnis", "Business"),
                        ("procedural_work", "Bekerja (PMI prosedural)",
                         "Work (procedural migrant worker)"),
                        ("internship", "Magang", "Internship"),
                        ("other", "Lainnya", "Other"))),
    _f("destination_country", "country", "rule", "travel",
       L("Negara tujuan", "Destination country"), L("Kode ISO 2 huruf, mis. SA, MY",
                                                    "ISO 2-letter code, e.g. SA, MY"),
       required=True),
    _f("purpose_explained", "enum", "rule", "travel",
       L("Dapat menjelaskan tujuan dan rencana perjalanan", "Can explain purpose and itinerary"),
       choices=YES_PARTLY_NO),
    _f("destination_address_known", "enum", "rule", "travel",
       L("Mengetahui alamat tujuan", "Knows the destination address"), choices=YES_PARTLY_NO),
    _f("return_ticket", "enum", "rule", "travel", L("Tiket pulang", "Return ticket"),
       choices=_choices(("yes", "Ada", "Yes"), ("no", "Tidak ada", "No"),
                        ("not_booked", "Belum dipesan", "Not booked yet"))),
    _f("host_or_guarantor", "enum", "rule", "travel",
       L("Penjamin/tuan rumah di tujuan", "Host or guarantor at destination"),
       choices=_choices(("verified", "Terverifikasi", "Verified"),
                        ("unverified", "Belum terverifikasi", "Unverified"),
                        ("none", "Tidak ada", "None"))),
    _f("umrah_documents", "enum", "rule", "travel",
       L("Dokumen umrah (rekomendasi Kemenag + surat PPIU)",
         "Umrah documents (Kemenag recommendation + PPIU letter)"),
       choices=_choices(("valid", "Lengkap dan sah", "Valid"),
                        ("incomplete", "Tidak lengkap", "Incomplete"),
                        ("invalid", "Tidak sah", "Invalid"),
                        ("not_applicable", "Tidak berlaku", "Not applicable")),
       applies_when=MappingProxyType({"purpose": ("umrah_hajj",)}),
       required_when_applicable=True),
    _f("family_guarantee", "enum", "rule", "travel",
       L("Surat jaminan keluarga + salinan paspor penjamin",
         "Family guarantee letter + host's passport copy"),
       choices=_choices(("complete", "Lengkap", "Complete"),
                        ("incomplete", "Tidak lengkap", "Incomplete"),
                        ("not_applicable", "Tidak berlaku", "Not applicable")),
       applies_when=MappingProxyType({"purpose": ("family_visit",)}),
       required_when_applicable=True),
    _f("visa_matches_activity", "enum", "rule", "travel",
       L("Visa sesuai dengan kegiatan yang dinyatakan", "Visa matches the stated activity"),
       choices=_choices(("yes", "Sesuai", "Yes"), ("no", "Tidak sesuai", "No"),
                        ("unknown", "Belum diketahui", "Unknown"))),
    _f("supporting_document_verified", "enum", "rule", "travel",
       L("Surat pendukung (Disnaker/LTSA/Kemenag) sudah diperiksa",
         "Supporting letter (Disnaker/LTSA/Kemenag) checked"),
       choices=_choices(("yes", "Ya, sah", "Yes, genuine"), ("no", "Tidak/diragukan",
                        "No/doubtful"), ("not_applicable", "Tidak berlaku", "Not applicable")),
       applies_when=MappingProxyType({"purpose": DOCUMENT_PURPOSES})),
    # --- Pekerjaan & perekrutan -----------------------------------------------------------
    _bool("admits_work_intent", "work",
          L("Mengaku akan bekerja di luar negeri", "Admits intent to work abroad")),
    _f("pmi_documents", "enum", "rule", "work",
       L("Dokumen PMI (rekomendasi Disnaker, SISKOP2MI, job order, kontrak)",
         "PMI documents (Disnaker recommendation, SISKOP2MI, job order, contract)"),
       choices=_choices(("complete", "Lengkap", "Complete"),
                        ("incomplete", "Tidak lengkap", "Incomplete"),
                        ("none", "Tidak ada", "None"),
                        ("not_applicable", "Tidak berlaku", "Not applicable")),
       applies_when=MappingProxyType({"admits_work_intent": (True,),
                                      "purpose": ("procedural_work",)}),
       required_when_applicable=True),
    _f("job_offer_channel", "enum", "rule", "work",
       L("Tawaran kerja diperoleh melalui", "Job offer received through"),
       choices=_choices(("none", "Tidak ada tawaran", "No offer"),
                        ("social_media", "Media sosial", "Social media"),
                        ("chat_app", "Aplikasi pesan", "Chat app"),
                        ("friend_or_family", "Teman/keluarga", "Friend or family"),
                        ("individual_recruiter", "Perekrut perorangan (calo/sponsor)",
                         "Individual recruiter (broker/sponsor)"),
                        ("licensed_agency", "P3MI berizin", "Licensed agency (P3MI)"),
                        ("government_program", "Program pemerintah (G to G)",
                         "Government programme (G to G)"))),
    _bool("offer_unrealistic", "work",
          L("Gaji atau syarat kerja terlalu bagus untuk dipercaya",
            "Pay or conditions too good to be true"), applies_when=WORK_CONTEXT),
    _bool("job_details_unclear", "work",
          L("Pekerjaan, lokasi atau pemberi kerja tidak jelas atau berubah",
            "Job, location or employer unclear or changed"), applies_when=WORK_CONTEXT),
    _f("recruiter_type", "enum", "rule", "work", L("Perekrut", "Recruiter"),
       choices=_choices(("none", "Tidak ada", "None"),
                        ("licensed_agency", "P3MI berizin", "Licensed agency"),
                        ("individual", "Perorangan", "Individual"),
                        ("unknown", "Tidak diketahui", "Unknown")), applies_when=WORK_CONTEXT),
    _bool("costs_paid_by_third_party", "work",
          L("Biaya (tiket, paspor) dibayar pihak lain", "Costs (ticket, passport) paid by others")),
    _bool("recruitment_debt", "work",
          L("Berutang kepada perekrut/sponsor", "Owes the recruiter or sponsor"),
          L("Ya/tidak saja, jangan catat jumlah", "Yes/no only, never record an amount"),
          applies_when=WORK_CONTEXT),
    _f("written_contract", "enum", "rule", "work", L("Perjanjian kerja tertulis",
                                                     "Written employment contract"),
       choices=_choices(("yes", "Ada", "Yes"), ("no", "Tidak ada", "No"),
                        ("not_applicable", "Tidak berlaku", "Not applicable")),
       applies_when=WORK_CONTEXT),
    _bool("romance_or_marriage_promise", "work",
          L("Dijanjikan pernikahan atau hubungan asmara", "Promised marriage or romance")),
    # --- Pengamatan wawancara ---------------------------------------------------------------
    _f("accompanied_by", "enum", "rule", "observation", L("Datang bersama", "Accompanied by"),
       choices=_choices(("alone", "Sendiri", "Alone"),
                        ("immediate_family", "Keluarga inti", "Immediate family"),
                        ("broker_or_sponsor", "Calo/sponsor", "Broker or sponsor"),
                        ("unclear", "Tidak jelas", "Unclear"))),
    _bool("third_party_speaks", "observation",
          L("Orang lain menjawab atau mengarahkan pemohon",
            "Someone answers for or coaches the applicant")),
    _bool("scripted_answers", "observation",
          L("Jawaban terdengar dihafalkan", "Answers sound scripted")),
    _bool("instructed_to_lie", "observation",
          L("Mengaku disuruh berbohong kepada petugas", "Says they were told to lie to officers")),
    _bool("documents_held_by_other", "observation",
          L("Dokumen dipegang orang lain", "Documents held by someone else")),
    _f("coercion_signs", "enum", "rule", "observation",
       L("Tanda paksaan", "Signs of coercion"),
       choices=_choices(("none", "Tidak ada", "None"), ("threats", "Ancaman", "Threats"),
                        ("violence", "Kekerasan", "Violence"))),
    _bool("distress_observed", "observation",
          L("Tampak tertekan atau takut", "Appears distressed or afraid"),
          L("Lakukan wawancara ulang secara pribadi", "Re-interview in private")),
    _bool("apparent_age_inconsistent", "observation",
          L("Usia tampak tidak sesuai dokumen", "Apparent age inconsistent with documents")),
    # --- Dokumen & riwayat ------------------------------------------------------------------
    _bool("civil_documents_mismatch", "history",
          L("Data KTP, KK, akta lahir, ijazah tidak sesuai",
            "KTP, KK, birth certificate, diploma disagree")),
    _bool("civil_record_changed_recently", "history",
          L("KTP/KK berubah dalam 6 bulan terakhir", "KTP/KK changed in the last 6 months")),
    _bool("applied_outside_domicile", "history",
          L("Mengajukan di luar wilayah domisili", "Applied outside the domicile area"),
          L("Sah menurut hukum; paling banyak sinyal lemah", "Lawful; a weak signal at most")),
    _bool("prior_deferral_reported", "history",
          L("Pernah ditunda permohonannya", "Reports a prior deferral")),
    _f("lost_passport_count", "int", "rule", "history",
       L("Jumlah paspor yang pernah hilang", "Number of passports lost before"),
       minimum=0, maximum=20),
    _bool("prior_deportation_or_overstay", "history",
          L("Pernah dideportasi atau overstay", "Prior deportation or overstay")),
    _bool("long_visit_stays_abroad", "history",
          L("Riwayat tinggal lama dengan visa kunjungan",
            "History of long stays abroad on visit visas")),
    # --- Perlindungan -----------------------------------------------------------------------
    _bool("financial_pressure", "protection",
          L("Tekanan ekonomi (utang, kebutuhan keluarga)",
            "Financial pressure (debt, family needs)"),
          L("Sinyal perlindungan: beri informasi, bukan penolakan",
            "Protective signal: inform, never refuse")),
    _bool("unaware_of_legal_route", "protection",
          L("Tidak mengetahui jalur resmi PMI", "Unaware of the legal PMI route"),
          L("Sinyal perlindungan: jelaskan jalur resmi dan BP3MI",
            "Protective signal: explain the legal route and BP3MI")),
    _f("officer_notes", "str", "admin", "protection", L("Catatan petugas", "Officer notes"),
       L("Tidak dibaca oleh aturan; jangan tulis data pribadi",
         "Never read by rules; do not write personal data"), maximum=2000),
    # --- Derived by the service (not accepted as input) -------------------------------------
    _f("is_minor", "bool", "rule", "derived", L("Anak (di bawah 18 tahun)", "Minor (under 18)"),
       derived=True),
    _f("prior_deferral_on_record", "bool", "rule", "derived",
       L("Tercatat pernah ditunda/diarahkan", "Deferred or redirected before, on record"),
       derived=True),
    _f("repeat_applications_30d", "int", "rule", "derived",
       L("Pemeriksaan sebelumnya atas NIK yang sama dalam 30 hari",
         "Earlier assessments of the same NIK in the previous 30 days"),
       derived=True, minimum=0),
    _f("phone_shared_30d", "int", "rule", "derived",
       L("NIK berbeda (termasuk pemohon) dengan telepon yang sama dalam 30 hari",
         "Distinct NIKs (the applicant included) with the same phone in 30 days"),
       derived=True, minimum=0),
    _f("age_band", "enum", "audit", "derived", L("Kelompok usia", "Age band"), derived=True,
       choices=_choices(("under_18", "< 18", "< 18"), ("18_24", "18-24", "18-24"),
                        ("25_34", "25-34", "25-34"), ("35_44", "35-44", "35-44"),
                        ("45_54", "45-54", "45-54"), ("55_plus", "55+", "55+"))),
]

FIELDS_V1: MappingProxyType = MappingProxyType({f.name: f for f in _FIELDS_V1})
INPUT_FIELDS_V1 = tuple(f for f in _FIELDS_V1 if not f.derived)


# v1 answers -> v2 answers. Values v2 keeps unchanged are copied; the rest is translated or,
# where v1 could not tell the v2 facts apart, left not asked (None).
_SAME = ("application_id", "office_code", "application_type", "interviewed_at", "nik",
         "full_name", "date_of_birth", "sex", "domicile_regency", "domicile_district",
         "domicile_village", "phone", "purpose", "destination_country", "purpose_explained",
         "destination_address_known", "host_or_guarantor", "job_offer_channel",
         "recruiter_type", "offer_unrealistic", "recruitment_debt",
         "romance_or_marriage_promise", "accompanied_by", "third_party_speaks",
         "scripted_answers", "instructed_to_lie", "documents_held_by_other",
         "distress_observed", "apparent_age_inconsistent", "civil_documents_mismatch",
         "civil_record_changed_recently", "applied_outside_domicile",
         "prior_deferral_reported", "lost_passport_count", "long_visit_stays_abroad",
         "financial_pressure", "unaware_of_legal_route", "officer_notes")
_VALUES = {
    # "no return ticket" in v1 meant a ticket without the way back, i.e. one way.
    "return_ticket": ("return_ticket", {"yes": "return_booked", "no": "one_way_booked",
                                        "not_booked": "not_booked"}),
    "umrah_documents": ("umrah_documents", {"valid": "valid", "incomplete": "incomplete",
                                            "invalid": "invalid"}),
    "family_guarantee": ("family_guarantee", {"complete": "complete",
                                              "incomplete": "incomplete"}),
    "visa_matches_activity": ("visa_status", {"yes": "matches", "no": "does_not_match"}),
    "supporting_document_verified": ("supporting_document", {"yes": "verified",
                                                             "no": "doubtful"}),
    "admits_work_intent": ("states_work_abroad", {True: True, False: False}),
    # v1 said "unclear or changed": only "unclear" is certain.
    "job_details_unclear": ("job_unclear", {True: True, False: False}),
}
_PMI_DOCUMENTS = {"complete": ("verified", "present", "present"),
                  "none": ("missing", "missing", "missing")}
_COERCION = {"none": (False, False), "threats": (True, False), "violence": (None, True)}
# v1 history features stored with v1 assessments, under their v2 names.
_FEATURES = {"prior_deferral_on_record": "prior_supervisor_decision"}


def to_v2(answers: dict) -> dict:
    """Map v1 answers (validated or as stored) to v2 answers; v1 gaps become not asked.

    Not carried over: `costs_paid_by_third_party` (v1 counted a parent or a sister paying),
    `written_contract` (signed at pre-departure, never asked in v2), an `incomplete`
    `pmi_documents` (v1 did not say which document was missing).
    """
    out = {name: answers.get(name) for name in _SAME if name in answers}
    for old, (new, table) in _VALUES.items():
        if answers.get(old) is not None:
            out[new] = table.get(answers[old])
    docs = _PMI_DOCUMENTS.get(answers.get("pmi_documents"))
    if docs:
        out.update(zip(("disnaker_recommendation", "job_order", "placement_agreement"), docs,
                       strict=True))
    coercion = _COERCION.get(answers.get("coercion_signs"))
    if coercion:
        out["threats_observed"], out["violence_observed"] = coercion
    # "Deported or overstayed": an overstay is what the deportations in these records began
    # with, so a yes is kept as an overstay and never counted twice.
    if answers.get("prior_deportation_or_overstay") is not None:
        out["prior_overstay"] = answers["prior_deportation_or_overstay"]
    return out


def features_to_v2(features: dict) -> dict:
    """Rename the derived history features stored with a v1 assessment."""
    return {_FEATURES.get(k, k): v for k, v in features.items()}
