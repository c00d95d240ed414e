"""Vocabularies of the outcome record: labels and the optional intelligence picklists.

The outcome labels are those of docs/design.md (Review and outcomes). The intelligence
picklists follow the terms of IOM's Human Trafficking Case Data Standard (HTCDS) and the CTDC
data codebook (recruitment, means of control, recruiter relation), reduced to what a passport
office can learn after the interview, plus `other`. Values are stable ids; labels are bilingual.
"""

from __future__ import annotations

from types import MappingProxyType


def _vocab(*items: tuple[str, str, str]) -> MappingProxyType:
    return MappingProxyType({v: MappingProxyType({"id": i, "en": e}) for v, i, e in items})


OUTCOMES = _vocab(
    ("confirmed_trafficking", "Terkonfirmasi korban TPPO", "Confirmed trafficking"),
    ("confirmed_nonprocedural", "Terkonfirmasi PMI nonprosedural",
     "Confirmed non-procedural migration"),
    ("intercepted_at_border", "Keberangkatan ditunda di TPI", "Departure deferred at the border"),
    ("legitimate_travel_confirmed", "Perjalanan sah terkonfirmasi",
     "Legitimate travel confirmed"),
    ("no_information", "Tidak ada informasi", "No information"),
)

# The kinds of an external list (`ews outcomes import`); each records the outcome of
# ews.store.models.EXTERNAL_KINDS and is kept beside it.
EXTERNAL_KINDS = _vocab(
    ("departure_denied", "Keberangkatan ditunda di TPI", "Departure denied at the border"),
    ("deported", "Dideportasi", "Deported"),
    ("repatriated_pmi", "Dipulangkan sebagai PMI nonprosedural",
     "Repatriated as a non-procedural worker"),
    ("tppo_victim", "Teridentifikasi korban TPPO", "Identified as a trafficking victim"),
)
ORIGINS = _vocab(
    ("followup", "Tindak lanjut supervisor", "Supervisor's follow-up"),
    ("sample", "Sampel tindak lanjut", "Follow-up sample"),
    ("external", "Daftar eksternal", "External list"),
)

RECRUITMENT_METHODS = _vocab(
    ("personal_contact", "Kenalan/hubungan pribadi", "Personal contact"),
    ("family_member", "Anggota keluarga", "Family member"),
    ("intimate_partner", "Pasangan/pacar", "Intimate partner"),
    ("online_advertisement", "Iklan daring", "Online advertisement"),
    ("social_media", "Media sosial", "Social media"),
    ("messaging_app", "Aplikasi pesan", "Messaging app"),
    ("print_advertisement", "Iklan cetak/brosur", "Print advertisement"),
    ("recruitment_agency", "Agen perekrutan", "Recruitment agency"),
    ("unlicensed_broker", "Calo/sponsor tidak berizin", "Unlicensed broker or sponsor"),
    ("other", "Lainnya", "Other"),
)

RECRUITMENT_APPS = _vocab(
    ("facebook", "Facebook", "Facebook"), ("instagram", "Instagram", "Instagram"),
    ("tiktok", "TikTok", "TikTok"), ("whatsapp", "WhatsApp", "WhatsApp"),
    ("telegram", "Telegram", "Telegram"), ("line", "LINE", "LINE"),
    ("wechat", "WeChat", "WeChat"), ("dating_app", "Aplikasi kencan", "Dating app"),
    ("job_portal", "Portal lowongan kerja", "Job portal"), ("other", "Lainnya", "Other"),
)

METHODS_OF_CONTROL = _vocab(
    ("debt_bondage", "Jeratan utang", "Debt bondage"),
    ("withholds_documents", "Dokumen ditahan", "Withholds documents"),
    ("false_promises", "Janji palsu", "False promises"),
    ("threats", "Ancaman", "Threats"),
    ("physical_abuse", "Kekerasan fisik", "Physical abuse"),
    ("psychological_abuse", "Kekerasan psikis", "Psychological abuse"),
    ("sexual_abuse", "Kekerasan seksual", "Sexual abuse"),
    ("restricts_movement", "Pembatasan gerak", "Restricts movement"),
    ("takes_earnings", "Penghasilan diambil", "Takes earnings"),
    ("threat_of_law_enforcement", "Ancaman dilaporkan ke aparat",
     "Threat of law enforcement"),
    ("other", "Lainnya", "Other"),
)

RECRUITER_ROLES = _vocab(
    ("recruiter", "Perekrut", "Recruiter"),
    ("sponsor_or_broker", "Sponsor/calo", "Sponsor or broker"),
    ("transporter", "Pengantar/pengangkut", "Transporter"),
    ("employer", "Pemberi kerja", "Employer"),
    ("document_forger", "Pemalsu dokumen", "Document forger"),
    ("family_member", "Anggota keluarga", "Family member"),
    ("intimate_partner", "Pasangan", "Intimate partner"),
    ("other", "Lainnya", "Other"),
)

INTELLIGENCE_FIELDS = MappingProxyType({
    "recruitment_method": RECRUITMENT_METHODS,
    "recruitment_app": RECRUITMENT_APPS,
    "method_of_control": METHODS_OF_CONTROL,
    "recruiter_role": RECRUITER_ROLES,
})
INTELLIGENCE_LABELS = MappingProxyType({
    "recruitment_method": MappingProxyType({"id": "Cara perekrutan", "en": "Recruitment method"}),
    "recruitment_app": MappingProxyType({"id": "Aplikasi perekrutan", "en": "Recruitment app"}),
    "method_of_control": MappingProxyType({"id": "Cara pengendalian", "en": "Method of control"}),
    "recruiter_role": MappingProxyType({"id": "Peran pelaku", "en": "Recruiter role"}),
    "destination_city": MappingProxyType({"id": "Kota tujuan", "en": "Destination city"}),
    "notes": MappingProxyType({"id": "Catatan", "en": "Notes"}),
})
