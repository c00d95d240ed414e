"""The checklist field registry, version 2: one source of truth.

The schema, the rule-set validator, the form, the docs and the trainer all read `FIELDS`.
Every field has a role: `rule` fields may feed rules and models; `audit` fields are kept for
fairness and aggregate reports only; `pii` fields identify a person and never leave the
store in clear; `admin` fields are bookkeeping.

No rule question has a default: an answer is given on purpose or the question was not asked
(None). Checklist items are worded as the questions an officer asks; indicator labels in the
rule set stay statements.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType

ROLES = ("rule", "audit", "pii", "admin")
KINDS = ("enum", "bool", "int", "str", "date", "datetime", "country")

SECTIONS = MappingProxyType(
    {
        "application": {"id": "Permohonan", "en": "Application"},
        "travel": {"id": "Tujuan perjalanan", "en": "Travel purpose"},
        "work": {"id": "Pekerjaan dan perekrutan", "en": "Work and recruitment"},
        "observation": {"id": "Pengamatan wawancara", "en": "Interview observation"},
        "minor": {"id": "Anak (di bawah 18 tahun)", "en": "Minors (under 18)"},
        "history": {"id": "Dokumen dan riwayat", "en": "Documents and history"},
        "protection": {"id": "Pelindungan", "en": "Protection"},
        "derived": {"id": "Turunan", "en": "Derived"},
    }
)


def L(id_: str, en: str) -> MappingProxyType:  # noqa: N802 - reads like a literal
    """Return an immutable bilingual label."""
    return MappingProxyType({"id": id_, "en": en})


@dataclass(frozen=True)
class Field:
    """One checklist field: type, role, form placement and labels."""

    name: str
    kind: str
    role: str
    section: str
    label: MappingProxyType
    help: MappingProxyType | None = None
    choices: tuple[tuple[str, MappingProxyType], ...] = ()
    required: bool = False
    # Any-of applicability: {"purpose": ("umrah_hajj",)} means "applies when purpose is
    # umrah_hajj"; `applies_unless` then excludes answers (same any-of form).
    applies_when: MappingProxyType | None = None
    applies_unless: MappingProxyType | None = None
    # When it applies, an answer is required and "not_applicable" is refused.
    required_when_applicable: bool = False
    minimum: int | None = None
    maximum: int | None = None
    derived: bool = False
    # False where an empty answer is a normal answer (no transit), not a question skipped.
    counts_in_completeness: bool = True
    # Accepted from older (v2.0) payloads and stored records, never asked on the form.
    legacy: bool = False
    extra: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))

    @property
    def values(self) -> tuple[str, ...]:
        """Return the enum values in display order."""
        return tuple(v for v, _ in self.choices)

    def applies(self, record: dict) -> bool:
        """Return True when this field is relevant to the given answers."""
        get = record.get
        if self.applies_unless and any(get(k) in vals for k, vals in self.applies_unless.items()):
            return False
        if not self.applies_when:
            return True
        return any(get(k) in vals for k, vals in self.applies_when.items())


def _choices(*items: tuple[str, str, str]) -> tuple[tuple[str, MappingProxyType], ...]:
    return tuple((value, L(id_, en)) for value, id_, en in items)


def _f(name, kind, role, section, label, help=None, **kw) -> Field:
    return Field(name=name, kind=kind, role=role, section=section, label=label,
                 help=help, **kw)


def _bool(name, section, label, help=None, **kw) -> Field:
    return _f(name, "bool", "rule", section, label, help, **kw)


def _enum(name, section, label, choices, help=None, **kw) -> Field:
    return _f(name, "enum", "rule", section, label, help, choices=_choices(*choices), **kw)


def _when(**conditions) -> MappingProxyType:
    return MappingProxyType(conditions)


YES_PARTLY_NO = (("yes", "Ya", "Yes"), ("partly", "Sebagian", "Partly"), ("no", "Tidak", "No"))
AUDIT_ONLY = L("Hanya untuk audit; tidak dipakai dalam penilaian",
               "For audit only; never used in the assessment")

# Purposes under which work abroad is lawful and not PMI placement (UU 18/2017 Art. 4(2)):
# a Working Holiday visa, study with the part-time work the visa allows, a recognised
# internship or training programme. Seafarers are PMI of their own kind (purpose `seafarer`).
LAWFUL_WORK_PURPOSES = ("working_holiday", "study", "internship")
OFFER_CHANNELS = ("social_media", "chat_app", "friend_or_family", "individual_recruiter",
                  "licensed_agency", "government_program", "employer_direct", "official_portal")
RECRUITERS = ("licensed_agency", "individual", "unknown")
# Any of these answers puts work in view, admitted or not (see `work_in_view`).
WORK_CONTEXT = _when(states_work_abroad=(True,), purpose=("procedural_work", "seafarer"),
                     job_offer_channel=OFFER_CHANNELS, recruiter_type=RECRUITERS,
                     family_cash_advance=(True,))
SECTORS = (
    ("domestic", "Pekerja rumah tangga", "Domestic work"),
    ("caregiver", "Perawat/pengasuh", "Caregiver"),
    ("plantation", "Perkebunan/pertanian", "Plantation or agriculture"),
    ("manufacturing", "Pabrik/manufaktur", "Manufacturing"),
    ("construction", "Konstruksi", "Construction"),
    ("hospitality", "Perhotelan/restoran", "Hospitality"),
    ("fishing_crew", "Pelaut/awak kapal perikanan", "Seafarer or fishing crew"),
    ("online_admin", "Admin/layanan pelanggan/kripto/call center daring",
     "Online admin, customer service, crypto or call centre"),
    ("entertainment", "Hiburan", "Entertainment"),
    ("other", "Lainnya", "Other"),
)
# The general supporting-letter question: umrah/hajj, PMI and seafarer papers have their own
# questions, and one document is counted once (checklist v2.1).
DOCUMENT_PURPOSES = ("internship", "study", "working_holiday", "medical", "business")
HOST_PURPOSES = ("umrah_hajj", "family_visit", "medical", "study", "business", "internship",
                 "working_holiday", "marriage", "other")
MARRIAGE = _when(purpose=("marriage",))
# Where the route matters: work in view, or a tourist story (the online-scam route).
ROUTE = _when(states_work_abroad=(True,),
              purpose=("procedural_work", "seafarer", "tourism", "other"),
              job_offer_channel=OFFER_CHANNELS, recruiter_type=RECRUITERS,
              family_cash_advance=(True,))
SEAFARER = _when(purpose=("seafarer",), job_sector=("fishing_crew",))
PMI_DOCS = _when(purpose=("procedural_work",), states_work_abroad=(True,),
                 job_offer_channel=OFFER_CHANNELS, recruiter_type=RECRUITERS,
                 family_cash_advance=(True,))
NOT_PMI_PLACEMENT = _when(purpose=LAWFUL_WORK_PURPOSES + ("seafarer",))
MINOR = _when(is_minor=(True,), appears_minor=(True,))
# Questions added in checklist v2.1 that older (v1, v2.0) answers could meet but never asked:
# they do not count in completeness, so an older record keeps its completeness. (The marriage
# questions count: no older record has that purpose.)
V21 = False

# Free-text place names are stored in one shape (trimmed, single spaces) so that reports
# group "Desa  Bunder" with "Desa Bunder".
PLACE = MappingProxyType({"collapse": True})

_FIELDS = [
    # --- Permohonan -----------------------------------------------------------------------
    _f("application_id", "str", "admin", "application",
       L("Nomor permohonan", "Application number"), required=True, minimum=1, maximum=64,
       extra=MappingProxyType({"pattern": r"[A-Za-z0-9][A-Za-z0-9._/-]{0,63}",
                               "error": "identifier"})),
    _f("office_code", "str", "admin", "application",
       L("Kode kantor", "Office code"), required=True, minimum=2, maximum=16,
       extra=MappingProxyType({"pattern": r"[A-Z0-9]{2,16}", "error": "office"})),
    _enum("application_type", "application", L("Jenis permohonan", "Application type"),
          (("new", "Baru", "New"),
           ("replacement", "Penggantian (habis masa berlaku)", "Replacement (expired)"),
           ("lost", "Hilang", "Lost"), ("damaged", "Rusak", "Damaged"))),
    _f("interviewed_at", "datetime", "admin", "application",
       L("Waktu wawancara", "Interview time")),
    _f("follow_up", "bool", "admin", "application",
       L("Wawancara lanjutan atas permohonan yang sama (setelah dokumen tambahan)",
         "Follow-up interview of the same application (after additional documents)"),
       L("Menjadi versi baru dari penilaian sebelumnya, bukan permohonan berulang",
         "Becomes a new version of the earlier assessment, not a repeat application")),
    _f("nik", "str", "pii", "application", L("NIK", "NIK (national ID number)"),
       L("16 angka", "16 digits"), minimum=16, maximum=16,
       extra=MappingProxyType({"pattern": r"[0-9]{16}", "error": "nik"})),
    _f("full_name", "str", "pii", "application", L("Nama lengkap", "Full name"),
       minimum=1, maximum=120),
    _f("date_of_birth", "date", "pii", "application", L("Tanggal lahir", "Date of birth"),
       L("Hanya status anak (di bawah 18 tahun) yang dipakai dalam penilaian",
         "Only minor status (under 18) is used in the assessment")),
    _f("sex", "enum", "audit", "application", L("Jenis kelamin", "Sex"), AUDIT_ONLY,
       choices=_choices(("male", "Laki-laki", "Male"), ("female", "Perempuan", "Female"))),
    _f("domicile_regency", "str", "audit", "application",
       L("Kabupaten/kota domisili", "Regency/city of domicile"), AUDIT_ONLY, maximum=80,
       extra=PLACE),
    _f("domicile_district", "str", "audit", "application",
       L("Kecamatan domisili", "District of domicile"), AUDIT_ONLY, maximum=80,
       extra=PLACE),
    _f("domicile_desa", "str", "audit", "application",
       L("Desa/kelurahan domisili", "Village of domicile"),
       L("Dipilih dari daftar desa/kelurahan kecamatan NIK (kode Kemendagri); hanya untuk "
         "audit, tidak dipakai dalam penilaian",
         "Picked from the list of the NIK's kecamatan (Kemendagri code); for audit only, "
         "never used in the assessment"),
       extra=MappingProxyType({"pattern": r"[0-9]{10}", "error": "desa", "widget": "desa"})),
    _f("domicile_village", "str", "audit", "application",
       L("Desa/kelurahan tidak ada di daftar", "Village not in the list"),
       L("Hanya bila desa/kelurahan tidak ada di daftar", "Only when the village is not in "
         "the list"), maximum=80, extra=PLACE),
    _f("phone", "str", "pii", "application", L("Nomor telepon", "Phone number"),
       minimum=6, maximum=20,
       extra=MappingProxyType({"pattern": r"\+?[0-9 ()-]{6,20}", "error": "phone"})),
    # --- Tujuan perjalanan ----------------------------------------------------------------
    _enum("purpose", "travel", L("Tujuan perjalanan", "Purpose of travel"),
          (("tourism", "Wisata", "Tourism"), ("umrah_hajj", "Umrah/haji", "Umrah/hajj"),
           ("family_visit", "Kunjungan keluarga", "Family visit"),
           ("medical", "Berobat", "Medical treatment"),
           ("study", "Studi (termasuk kerja paruh waktu yang diizinkan visa)",
            "Study (including part-time work the visa allows)"),
           ("internship", "Magang/pelatihan (program resmi)",
            "Internship or training (recognised programme)"),
           ("working_holiday", "Working Holiday (visa bekerja sambil berlibur)",
            "Working Holiday visa"),
           ("business", "Bisnis", "Business"),
           ("procedural_work", "Bekerja sebagai PMI melalui jalur resmi",
            "Work as a migrant worker (legal route)"),
           ("seafarer", "Pelaut/awak kapal perikanan (PMI)", "Seafarer or fishing crew (PMI)"),
           ("marriage", "Menikah atau menyusul suami/istri/tunangan",
            "Marriage, or joining a spouse or fiancé(e)"),
           ("other", "Lainnya", "Other")),
          L("Tidak ada tujuan perjalanan, termasuk umrah/haji, yang dengan sendirinya menjadi "
            "sinyal risiko; yang diperiksa hanya dokumennya.",
            "No purpose, umrah/hajj included, is a risk signal in itself; only its documents "
            "are checked."), required=True),
    _f("destination_country", "country", "rule", "travel",
       L("Negara tujuan", "Destination country"),
       L("Ketik nama negara (atau kodenya), mis. Arab Saudi, MY",
         "Type the country's name (or its code), e.g. Saudi Arabia, MY"),
       required=True),
    _f("transit_country", "country", "rule", "travel",
       L("Negara transit (bila ada)", "Transit country (if any)"),
       L("Kosongkan bila penerbangan langsung", "Leave empty for a direct journey"),
       counts_in_completeness=False),
    _enum("purpose_explained", "travel",
          L("Apakah pemohon dapat menjelaskan tujuan dan rencana perjalanannya?",
            "Can the applicant explain the purpose and itinerary?"), YES_PARTLY_NO),
    _enum("destination_address_known", "travel",
          L("Apakah pemohon mengetahui alamat tujuan?",
            "Does the applicant know the destination address?"), YES_PARTLY_NO),
    _enum("return_ticket", "travel", L("Tiket perjalanan", "Travel ticket"),
          (("return_booked", "Tiket pergi-pulang sudah dipesan", "Return ticket booked"),
           ("one_way_booked", "Hanya tiket sekali jalan yang sudah dipesan",
            "Only a one-way ticket booked"),
           ("not_booked", "Belum memesan tiket", "No ticket booked yet")),
          L("Sebelum paspor terbit, belum memesan tiket itu wajar",
            "Before the passport is issued, no ticket yet is normal")),
    _enum("host_or_guarantor", "travel",
          L("Penjamin/tuan rumah di negara tujuan", "Host or guarantor at destination"),
          (("verified", "Terverifikasi", "Verified"),
           ("unverified", "Belum terverifikasi", "Not verified"),
           ("none", "Tidak ada", "None")), applies_when=_when(purpose=HOST_PURPOSES)),
    _enum("umrah_documents", "travel",
          L("Dokumen umrah/haji (rekomendasi Kemenag dan surat PPIU/PIHK)",
            "Umrah/hajj documents (Kemenag recommendation and PPIU/PIHK letter)"),
          (("valid", "Lengkap dan sah", "Complete and genuine"),
           ("incomplete", "Tidak lengkap", "Incomplete"),
           ("invalid", "Diragukan keasliannya", "Doubtful")),
          applies_when=_when(purpose=("umrah_hajj",)), required_when_applicable=True),
    _enum("family_guarantee", "travel",
          L("Surat jaminan keluarga dan salinan paspor penjamin",
            "Family guarantee letter and host's passport copy"),
          (("complete", "Lengkap", "Complete"), ("incomplete", "Tidak lengkap", "Incomplete")),
          applies_when=_when(purpose=("family_visit",)), required_when_applicable=True),
    _enum("marriage_arranged_by", "travel",
          L("Bagaimana pemohon mengenal calon suami/istri?",
            "How did the applicant come to know the future spouse?"),
          (("own_acquaintance", "Kenal sendiri secara langsung", "Met in person on their own"),
           ("online", "Melalui media sosial atau aplikasi", "Through social media or an app"),
           ("family", "Dijodohkan keluarga", "Arranged by the family"),
           ("matchmaker", "Melalui perantara jodoh (mak comblang) atau biro jodoh",
            "Through a matchmaker (mak comblang) or marriage agency")),
          applies_when=MARRIAGE),
    _bool("met_partner_in_person", "travel",
          L("Apakah pemohon pernah bertemu langsung dengan calon suami/istri?",
            "Has the applicant met the future spouse in person?"), applies_when=MARRIAGE),
    _bool("matchmaker_paid_family", "travel",
          L("Apakah keluarga pemohon menerima uang dari perantara jodoh atau pihak calon "
            "suami/istri?",
            "Did the applicant's family receive money from the matchmaker or the future "
            "spouse's side?"),
          L("Ya/tidak saja, jangan catat jumlahnya", "Yes/no only, never record an amount"),
          applies_when=MARRIAGE),
    _enum("visa_status", "travel", L("Visa negara tujuan", "Visa for the destination"),
          (("not_yet", "Belum ada visa", "No visa yet"),
           ("matches", "Ada, sesuai dengan kegiatan", "Held, matches the activity"),
           ("does_not_match", "Ada, tidak sesuai dengan kegiatan",
            "Held, does not match the activity")),
          L("Visa jarang sudah ada sebelum paspor terbit", "A visa is rarely held before the "
            "passport is issued")),
    _enum("supporting_document", "travel",
          L("Surat pendukung sesuai tujuan (Disnaker/LTSA, Kemenag, sekolah, penyelenggara "
            "program, surat rekomendasi Working Holiday)",
            "Purpose-specific supporting letter (Disnaker/LTSA, Kemenag, school, programme, "
            "Working Holiday recommendation)"),
          (("verified", "Ada dan sah", "Present and genuine"),
           ("doubtful", "Ada, diragukan", "Present, doubtful"),
           ("missing", "Tidak ada", "Missing")),
          applies_when=_when(purpose=DOCUMENT_PURPOSES)),
    _enum("departure_point", "travel",
          L("Dari mana pemohon akan berangkat meninggalkan Indonesia?",
            "Where will the applicant leave Indonesia from?"),
          (("airport", "Bandara internasional", "International airport"),
           ("batam", "Batam", "Batam"), ("tanjung_pinang", "Tanjung Pinang", "Tanjung Pinang"),
           ("tanjung_balai_karimun", "Tanjung Balai Karimun", "Tanjung Balai Karimun"),
           ("dumai", "Dumai", "Dumai"), ("nunukan", "Nunukan", "Nunukan"),
           ("entikong", "Entikong", "Entikong"),
           ("other_sea_or_land", "Pelabuhan laut atau pos lintas batas darat lain",
            "Another seaport or land crossing"),
           ("unknown", "Belum tahu", "Not known yet")), applies_when=ROUTE,
          counts_in_completeness=V21),
    _bool("intended_place_differs", "travel",
          L("Apakah tempat yang sebenarnya dituju (tempat bekerja) berbeda dari negara tujuan "
            "yang disebutkan?",
            "Is the place actually intended (the place of work) different from the declared "
            "destination?"),
          L("Mis. menyebut Thailand, padahal akan bekerja di Myawaddy (Myanmar)",
            "E.g. Thailand declared, work intended in Myawaddy (Myanmar)"),
          applies_when=ROUTE, counts_in_completeness=V21),
    _f("intended_country", "country", "rule", "travel",
       L("Negara yang sebenarnya dituju", "Country actually intended"),
       applies_when=_when(intended_place_differs=(True,)), counts_in_completeness=V21),
    # --- Pekerjaan dan perekrutan -----------------------------------------------------------
    _bool("states_work_abroad", "work",
          L("Apakah pemohon menyatakan akan bekerja di luar negeri?",
            "Does the applicant say they will work abroad?")),
    _enum("job_offer_channel", "work",
          L("Apakah pemohon menerima tawaran kerja? Melalui apa?",
            "Did the applicant receive a job offer? Through what?"),
          (("none", "Tidak ada tawaran kerja", "No job offer"),
           ("social_media", "Media sosial", "Social media"),
           ("chat_app", "Aplikasi pesan", "Chat app"),
           ("friend_or_family", "Teman/keluarga", "Friend or family"),
           ("individual_recruiter", "Perekrut perorangan (calo/sponsor)",
            "Individual recruiter (broker/sponsor)"),
           ("licensed_agency", "P3MI berizin", "Licensed placement agency (P3MI)"),
           ("government_program", "Program pemerintah (G to G)",
            "Government programme (G to G)"),
           ("employer_direct", "Langsung dari pemberi kerja", "Directly from the employer"),
           ("official_portal", "Portal kerja resmi (SIAPkerja/Karirhub)",
            "Official job portal (SIAPkerja / Karirhub)"))),
    _enum("recruiter_type", "work",
          L("Siapa yang merekrut atau mengurus keberangkatan?",
            "Who recruits or arranges the departure?"),
          (("none", "Tidak ada (mengurus sendiri)", "Nobody (self-arranged)"),
           ("licensed_agency", "Perusahaan penempatan (P3MI)", "Placement agency (P3MI)"),
           ("individual", "Perorangan (calo/sponsor)", "Individual (broker/sponsor)"),
           ("unknown", "Tidak diketahui", "Unknown")), applies_when=WORK_CONTEXT),
    _f("agency_name", "str", "audit", "work",
       L("Nama perusahaan penempatan (P3MI)", "Name of the placement agency (P3MI)"),
       L("Dicocokkan dengan daftar P3MI berizin kantor; nama yang tidak ada di daftar "
         "dicatat 'belum terverifikasi'",
         "Checked against the office's list of licensed P3MI; a name not on it is recorded "
         "as unverified"), maximum=120,
       applies_when=_when(recruiter_type=("licensed_agency",),
                          job_offer_channel=("licensed_agency",))),
    _f("recruiter_phone", "str", "pii", "work",
       L("Nomor telepon perekrut/sponsor", "Recruiter or sponsor phone number"),
       L("Disimpan sebagai hash untuk menemukan jaringan perekrut",
         "Stored as a keyed hash to find recruiter networks"), minimum=6, maximum=20,
       applies_when=WORK_CONTEXT,
       extra=MappingProxyType({"pattern": r"\+?[0-9 ()-]{6,20}", "error": "phone"})),
    _enum("job_sector", "work", L("Bidang pekerjaan", "Job sector"), SECTORS,
          applies_when=WORK_CONTEXT),
    _enum("disnaker_recommendation", "work",
          L("Rekomendasi Disnaker/LTSA-PMI dan registrasi SISKOP2MI",
            "Disnaker/LTSA-PMI recommendation and SISKOP2MI registration"),
          (("verified", "Ada dan sah", "Present and genuine"),
           ("doubtful", "Ada, diragukan", "Present, doubtful"),
           ("missing", "Tidak ada", "Missing")),
          applies_when=PMI_DOCS, applies_unless=NOT_PMI_PLACEMENT),
    _enum("job_order", "work", L("Job order (surat permintaan tenaga kerja)",
                                 "Job order (demand letter)"),
          (("present", "Ada", "Present"), ("missing", "Tidak ada", "Missing")),
          applies_when=PMI_DOCS, applies_unless=NOT_PMI_PLACEMENT),
    _enum("placement_agreement", "work",
          L("Perjanjian penempatan dengan P3MI", "Placement agreement with the P3MI"),
          (("present", "Ada", "Present"), ("missing", "Tidak ada", "Missing"),
           ("g_to_g", "Tidak relevan: penempatan G to G (mis. EPS Korea)",
            "Not applicable: government-to-government placement (e.g. Korea's EPS)"),
           ("self_arranged", "Tidak relevan: PMI perseorangan (mengurus sendiri)",
            "Not applicable: self-arranged placement (PMI perseorangan)")),
          L("Perjanjian kerja baru ditandatangani saat orientasi pra-pemberangkatan; jangan "
            "dimintakan pada wawancara paspor",
            "The employment contract is signed at pre-departure orientation; do not ask for "
            "it at the passport interview"),
          applies_when=PMI_DOCS, applies_unless=NOT_PMI_PLACEMENT),
    _enum("spsk_placement", "work",
          L("Ke Arab Saudi: penempatan melalui Sistem Penempatan Satu Kanal (SPSK)?",
            "To Saudi Arabia: placement through the one-channel scheme (SPSK)?"),
          (("verified", "Ya: P3MI yang ditunjuk untuk SPSK, dokumen SPSK lengkap",
            "Yes: a P3MI designated for SPSK, SPSK documents complete"),
           ("unverified", "Disebut SPSK, tetapi P3MI atau dokumennya belum terverifikasi",
            "Said to be SPSK, but the P3MI or its documents are not verified"),
           ("no", "Tidak, atau bukan ke Arab Saudi", "No, or not to Saudi Arabia")),
          L("Hanya pekerjaan rumah tangga formal pada perusahaan (syarikah), bukan perorangan",
            "Domestic-formal jobs with a company (syarikah) only, never a household"),
          applies_when=_when(job_sector=("domestic", "caregiver")), counts_in_completeness=V21),
    _bool("placement_fee_paid", "work",
          L("Apakah pemohon membayar atau berutang biaya penempatan kepada agen atau sponsor?",
            "Has the applicant paid, or does the applicant owe, placement fees to the agency "
            "or sponsor?"),
          L("Ya/tidak saja, jangan catat jumlahnya. Pekerja rumah tangga, pengasuh, perawat "
            "lansia, juru masak, sopir keluarga, tukang kebun, pekerja perkebunan dan awak "
            "kapal perikanan dibebaskan dari biaya penempatan",
            "Yes/no only, never record an amount. Housekeepers, babysitters, elderly "
            "caretakers, cooks, family drivers, gardeners, farm workers and fishing crew are "
            "free of placement costs"), applies_when=WORK_CONTEXT, counts_in_completeness=V21),
    _enum("seafarer_documents", "work",
          L("Dokumen pelaut (agen awak kapal berizin dan buku pelaut)",
            "Seafarer documents (licensed manning agency and seaman's book)"),
          (("complete", "Lengkap", "Complete"), ("incomplete", "Tidak lengkap", "Incomplete"),
           ("missing", "Tidak ada", "Missing")),
          applies_when=SEAFARER),
    _f("manning_agency_name", "str", "audit", "work",
       L("Nama agen awak kapal (manning agency)", "Name of the ship manning agency"),
       L("Dicocokkan dengan daftar agen awak kapal berizin (SIUKAK, dahulu SIUPPAK); nama yang "
         "tidak ada di daftar dicatat 'belum terverifikasi'",
         "Checked against the list of licensed manning agencies (SIUKAK, formerly SIUPPAK); a "
         "name not on it is recorded as unverified"), maximum=120, applies_when=SEAFARER),
    _enum("vessel_type", "work", L("Jenis kapal", "Type of vessel"),
          (("merchant", "Kapal niaga", "Merchant vessel"),
           ("fishing", "Kapal penangkap ikan", "Fishing vessel")), applies_when=SEAFARER,
          counts_in_completeness=V21),
    _bool("job_unclear", "work",
          L("Apakah pekerjaan, lokasi atau pemberi kerja tidak jelas bagi pemohon?",
            "Are the job, place or employer unclear to the applicant?"),
          applies_when=WORK_CONTEXT),
    _bool("job_changed", "work",
          L("Apakah pekerjaan, lokasi atau pemberi kerja berubah setelah direkrut?",
            "Did the job, place or employer change after recruitment?"),
          applies_when=WORK_CONTEXT),
    _bool("offer_unrealistic", "work",
          L("Apakah gaji atau syarat kerja terlalu bagus untuk dipercaya?",
            "Are the pay or conditions too good to be true?"), applies_when=WORK_CONTEXT),
    _bool("costs_paid_by_non_family", "work",
          L("Apakah biaya paspor dan pengurusan dokumen dibayar pihak di luar keluarga?",
            "Are the passport and document costs paid by someone outside the family?"),
          L("Orang tua atau keluarga yang membayar tidak termasuk",
            "A parent or relative paying does not count")),
    _enum("ticket_paid_by", "work",
          L("Siapa yang membayar tiket perjalanan?", "Who paid for the travel ticket?"),
          (("self_or_family", "Pemohon sendiri atau keluarga", "The applicant or family"),
           ("employer_or_agency", "Pemberi kerja, P3MI berizin atau program pemerintah",
            "The employer, a licensed P3MI or a government programme"),
           ("sponsor_or_recruiter", "Sponsor, calo atau perekrut", "A sponsor or recruiter"),
           ("matchmaker", "Perantara jodoh atau pihak calon suami/istri",
            "The matchmaker or the future spouse's side"),
           ("other", "Pihak lain di luar keluarga", "Someone else outside the family")),
          applies_when=_when(return_ticket=("return_booked", "one_way_booked")),
          counts_in_completeness=V21),
    _bool("recruitment_debt", "work",
          L("Apakah pemohon berutang kepada perekrut, sponsor atau penyelenggara?",
            "Does the applicant owe the recruiter, sponsor or organiser?"),
          L("Ya/tidak saja, jangan catat jumlahnya", "Yes/no only, never record an amount")),
    _bool("family_cash_advance", "work",
          L("Apakah keluarga menerima uang dari perekrut sebelum berangkat?",
            "Did the family receive money from the recruiter before departure?"),
          L("Ya/tidak saja, jangan catat jumlahnya. Uang dari perantara jodoh dicatat pada "
            "pertanyaan pernikahan",
            "Yes/no only, never record an amount. Money from a matchmaker is recorded under "
            "the marriage questions"), applies_unless=MARRIAGE),
    _bool("romance_or_marriage_promise", "work",
          L("Apakah pemohon dijanjikan pernikahan atau hubungan asmara?",
            "Was the applicant promised marriage or romance?")),
    # --- Pengamatan wawancara ---------------------------------------------------------------
    _enum("accompanied_by", "observation", L("Datang bersama", "Accompanied by"),
          (("alone", "Sendiri", "Alone"),
           ("immediate_family", "Orang tua/wali atau keluarga inti",
            "Parent, guardian or immediate family"),
           ("other_relative", "Kerabat lain", "Other relative"),
           ("group_leader", "Ketua rombongan/guru (PPIU, sekolah)",
            "Group leader or teacher (PPIU, school)"),
           ("p3mi_field_officer", "Petugas lapangan P3MI", "P3MI field officer"),
           ("matchmaker", "Perantara jodoh (mak comblang)", "Matchmaker (mak comblang)"),
           ("travel_agent", "Agen perjalanan", "Travel agent"),
           ("unrelated_adult", "Orang dewasa yang bukan kerabat", "Unrelated adult"),
           ("broker_or_sponsor", "Calo/sponsor", "Broker or sponsor"),
           ("unclear", "Tidak jelas", "Unclear"))),
    _bool("third_party_speaks", "observation",
          L("Apakah orang lain menjawab untuk pemohon atau mengarahkannya?",
            "Does someone answer for or coach the applicant?"),
          L("Penerjemah bahasa yang hanya menerjemahkan tidak termasuk",
            "An interpreter who only translates does not count")),
    _f("interpreter_used", "bool", "audit", "observation",
       L("Apakah wawancara memakai penerjemah?", "Was an interpreter used?"), AUDIT_ONLY),
    _bool("scripted_answers", "observation",
          L("Apakah jawaban terdengar dihafalkan?", "Do the answers sound scripted?")),
    _bool("instructed_to_lie", "observation",
          L("Apakah pemohon menyatakan diminta orang lain memberi keterangan tidak benar "
            "kepada petugas?",
            "Does the applicant say someone asked them to give officers false information?")),
    _bool("documents_held_by_other", "observation",
          L("Apakah dokumen pemohon dipegang orang lain?",
            "Are the applicant's documents held by someone else?")),
    _enum("documents_holder", "observation",
          L("Siapa yang memegang dokumen pemohon?", "Who holds the applicant's documents?"),
          (("pilgrimage_group_leader", "Ketua rombongan umrah/haji (PPIU/PIHK)",
            "The pilgrimage group leader (PPIU/PIHK)"),
           ("sponsor_or_recruiter", "Sponsor, calo atau perekrut", "A sponsor or recruiter"),
           ("other", "Orang lain", "Someone else")),
          L("Ketua rombongan yang memegang paspor jemaah itu wajar",
            "A pilgrimage group leader holding the group's passports is normal"),
          applies_when=_when(documents_held_by_other=(True,)), counts_in_completeness=V21),
    _bool("threats_observed", "observation",
          L("Apakah ada tanda ancaman terhadap pemohon atau keluarganya?",
            "Are there signs of threats against the applicant or their family?")),
    _bool("violence_observed", "observation",
          L("Apakah ada tanda kekerasan?", "Are there signs of violence?")),
    _bool("distress_observed", "observation",
          L("Apakah pemohon tampak tertekan atau takut?",
            "Does the applicant appear distressed or afraid?"),
          L("Lakukan wawancara ulang secara pribadi", "Re-interview in private")),
    _bool("apparent_age_inconsistent", "observation",
          L("Apakah usia pemohon tampak lebih muda dari dokumennya?",
            "Does the applicant look younger than the documents say?"),
          L("Kemungkinan data usia dipalsukan pihak lain; perlakukan sebagai anak",
            "Age data may have been falsified by others; treat as a child")),
    # --- Anak ---------------------------------------------------------------------------------
    _bool("appears_minor", "minor",
          L("Apakah pemohon tampak di bawah 18 tahun?", "Does the applicant appear under 18?"),
          L("Ditanyakan bila usia tidak diketahui dari tanggal lahir atau NIK",
            "Asked when the age is not known from the date of birth or the NIK"),
          applies_when=_when(is_minor=(None,))),
    _enum("parental_consent", "minor",
          L("Persetujuan kedua orang tua/wali (surat atau hadir)",
            "Consent of both parents or the guardian (letter or presence)"),
          (("both", "Lengkap (kedua orang tua/wali)", "Complete (both parents or guardian)"),
           ("incomplete", "Hanya sebagian", "Partial"), ("none", "Tidak ada", "None")),
          applies_when=MINOR),
    # --- Dokumen dan riwayat ------------------------------------------------------------------
    _bool("civil_documents_mismatch", "history",
          L("Apakah data KTP, KK, akta kelahiran atau ijazah tidak sesuai satu sama lain?",
            "Do the KTP, KK, birth certificate or diploma disagree?")),
    _bool("civil_record_changed_recently", "history",
          L("Apakah KTP/KK berubah dalam 6 bulan terakhir?",
            "Did the KTP/KK change in the last 6 months?")),
    _bool("applied_outside_domicile", "history",
          L("Apakah pemohon mengajukan di luar wilayah domisilinya?",
            "Did the applicant apply outside their domicile area?"),
          L("Sah menurut hukum; paling banyak sinyal lemah", "Lawful; a weak signal at most")),
    _bool("prior_deferral_reported", "history",
          L("Apakah permohonan paspor pemohon pernah ditunda?",
            "Does the applicant report an earlier deferral?")),
    _f("earlier_lost_passports", "int", "rule", "history",
       L("Berapa kali paspor pemohon hilang sebelumnya (tidak termasuk kehilangan sekarang)?",
         "How many passports did the applicant lose before (not counting this one)?"),
       minimum=0, maximum=20, counts_in_completeness=V21),
    _f("lost_passport_count", "int", "rule", "history",
       L("Berapa paspor pemohon yang pernah hilang? (daftar periksa v2.0)",
         "How many passports were lost before? (checklist v2.0)"),
       L("Diterima dari data lama saja; belum jelas apakah kehilangan sekarang ikut dihitung",
         "Accepted from older answers only; unclear whether the current loss was counted"),
       minimum=0, maximum=20, counts_in_completeness=False, legacy=True),
    _bool("prior_deportation", "history",
          L("Apakah pemohon pernah dideportasi?", "Was the applicant deported before?")),
    _bool("prior_overstay", "history",
          L("Apakah pemohon pernah tinggal melebihi izin tinggal?",
            "Did the applicant overstay a permit before?")),
    _bool("long_visit_stays_abroad", "history",
          L("Apakah ada riwayat tinggal lama di luar negeri dengan visa kunjungan?",
            "Are there earlier long stays abroad on visit visas?")),
    # --- Pelindungan --------------------------------------------------------------------------
    _bool("financial_pressure", "protection",
          L("Apakah pemohon dalam tekanan ekonomi (utang, kebutuhan keluarga)?",
            "Is the applicant under financial pressure (debt, family needs)?"),
          L("Sinyal pelindungan: beri informasi, bukan penolakan",
            "Protective signal: inform, never refuse")),
    _bool("unaware_of_legal_route", "protection",
          L("Apakah pemohon belum mengetahui jalur resmi bekerja di luar negeri?",
            "Is the applicant unaware of the legal route to work abroad?"),
          L("Sinyal pelindungan: jelaskan jalur resmi dan layanan BP3MI",
            "Protective signal: explain the legal route and BP3MI services")),
    _f("officer_notes", "str", "admin", "protection", L("Catatan petugas", "Officer notes"),
       L("Tidak dibaca oleh aturan; jangan tulis data pribadi",
         "Never read by rules; do not write personal data"), maximum=2000),
    # --- Derived by the service (not accepted as input) -------------------------------------
    _f("is_minor", "bool", "rule", "derived", L("Anak (di bawah 18 tahun)", "Minor (under 18)"),
       derived=True),
    _f("work_in_view", "bool", "rule", "derived",
       L("Ada rencana bekerja (dinyatakan atau tersirat)", "Work in view (stated or implied)"),
       derived=True),
    _f("agency_licence", "enum", "rule", "derived",
       L("Status izin P3MI", "Placement agency licence"), derived=True,
       choices=_choices(("licensed", "Ada di daftar P3MI berizin", "On the licensed list"),
                        ("expired", "Izin sudah habis masa berlakunya pada hari wawancara",
                         "Licence expired on the interview day"),
                        ("suspended", "Izin dibekukan atau dicabut",
                         "Licence suspended or revoked"),
                        ("unverified", "Belum terverifikasi", "Unverified"))),
    _f("manning_agency_licence", "enum", "rule", "derived",
       L("Status izin agen awak kapal", "Manning agency licence"), derived=True,
       choices=_choices(("licensed", "Ada di daftar agen awak kapal berizin",
                         "On the licensed list"),
                        ("expired", "Izin sudah habis masa berlakunya pada hari wawancara",
                         "Licence expired on the interview day"),
                        ("suspended", "Izin dibekukan atau dicabut",
                         "Licence suspended or revoked"),
                        ("unverified", "Belum terverifikasi", "Unverified"))),
    _f("prior_supervisor_decision", "bool", "rule", "derived",
       L("Pernah ditunda, diarahkan, dirujuk atau ditolak oleh supervisor",
         "Deferred, redirected, referred or rejected by a supervisor before"), derived=True),
    _f("last_decided_by_supervisor", "bool", "rule", "derived",
       L("Keputusan terakhir atas pemohon ini diambil supervisor",
         "The last decision on this applicant was a supervisor's"), derived=True),
    _f("repeat_applications_30d", "int", "rule", "derived",
       L("Penilaian sebelumnya atas NIK yang sama dalam 30 hari",
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
    _f("origin_kecamatan", "str", "audit", "derived",
       L("Kode kecamatan asal (dari NIK)", "Kecamatan code of origin (from the NIK)"),
       AUDIT_ONLY, derived=True),
]

FIELDS: MappingProxyType = MappingProxyType({f.name: f for f in _FIELDS})
INPUT_FIELDS = tuple(f for f in _FIELDS if not f.derived)
RULE_FIELDS = tuple(f.name for f in _FIELDS if f.role == "rule")
HISTORY_FIELDS = ("prior_supervisor_decision", "last_decided_by_supervisor",
                  "repeat_applications_30d", "phone_shared_30d")
PII_FIELDS = tuple(f.name for f in _FIELDS if f.role == "pii")
AUDIT_FIELDS = tuple(f.name for f in _FIELDS if f.role == "audit")
# Identity comes from intake when the application was registered at the front desk.
IDENTITY_FIELDS = ("nik", "full_name", "date_of_birth", "sex", "domicile_regency",
                   "domicile_district", "domicile_village", "phone")

assert all(f.role in ROLES and f.kind in KINDS and f.section in SECTIONS for f in _FIELDS)
