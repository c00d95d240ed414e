"""A small rule set written for the core tests, so they do not depend on the default one."""

import textwrap

import yaml

from ews.engine.loader import RuleLoader

HEADER = """
ruleset: {id: mini, version: "1", description: test}
lists:
  scam: [KH, MM]
actions:
  - {id: proceed, label: {id: Lanjutkan, en: Proceed}}
  - {id: in_depth_interview, label: {id: Wawancara mendalam, en: In-depth interview}}
  - {id: supervisor_review, label: {id: Tinjauan supervisor, en: Supervisor review}}
  - {id: defer_and_redirect, label: {id: Tunda, en: Defer and redirect}}
  - {id: refer_protection, label: {id: Rujuk perlindungan, en: Refer for protection}}
tracks:
  trafficking:
    bands: [{below: 20, band: low, action: proceed},
            {below: 45, band: medium, action: in_depth_interview},
            {below: 70, band: high, action: supervisor_review},
            {band: critical, action: refer_protection}]
  nonprocedural:
    above_review_needs: {any: [{field: states_work_abroad, eq: true},
                               {field: purpose, eq: procedural_work}]}
    bands: [{below: 25, band: low, action: proceed},
            {below: 50, band: medium, action: in_depth_interview},
            {band: high, action: defer_and_redirect}]
dimension_rule: ilo_2009
"""

BODY = """
indicators:
  - {id: D1S, track: trafficking, dimension: deceptive_recruitment, severity: strong,
     points: 35, when: {field: job_changed, eq: true},
     label: {id: Pekerjaan tidak jelas, en: Job unclear}, source: ILO 2009}
  - {id: D1M, track: trafficking, dimension: deceptive_recruitment, severity: medium,
     points: 15, when: {field: offer_unrealistic, eq: true},
     label: {id: Tawaran, en: Offer}, source: ILO 2009}
  - {id: D1W, track: trafficking, dimension: deceptive_recruitment, severity: weak,
     points: 5, when: {field: destination_address_known, in: [no, partly]},
     label: {id: Alamat, en: Address},
     source: {id: "UNODC: tidak tahu alamat", en: "UNODC: does not know the address"}}
  - {id: D2S, track: trafficking, dimension: coercive_recruitment, severity: strong,
     points: 40, when: {field: threats_observed, eq: true},
     label: {id: Paksaan, en: Coercion}, source: ILO 2009}
  - {id: D2M, track: trafficking, dimension: coercive_recruitment, severity: medium,
     points: 20, when: {field: documents_held_by_other, eq: true},
     label: {id: Dokumen, en: Documents}, source: ILO 2009}
  - {id: SCAM, track: trafficking, severity: weak, points: 10,
     when: {all: [{field: destination_country, in_list: scam},
                  {field: purpose, in: [tourism, other]}]},
     label: {id: Tujuan, en: Destination}, source: Kemlu}
  - {id: LOST, track: nonprocedural, severity: medium, points: 15,
     when: {any: [{field: lost_passport_count, ge: 2}, {field: repeat_applications_30d, gt: 1}]},
     label: {id: Hilang, en: Lost}, source: SE IMI-0277, min_action: in_depth_interview}
  - {id: TICKET, track: nonprocedural, severity: weak, points: 10,
     when: {not: {field: return_ticket, eq: return_booked}},
     label: {id: Tiket, en: Ticket}, source: SE IMI-0277}
  - {id: NOTASKED, track: nonprocedural, severity: weak, points: 0,
     when: {field: visa_status, is_null: true},
     label: {id: Visa, en: Visa}, source: SE IMI-0277}
  - {id: KER01, protective: true, points: 30, dimension: abuse_of_vulnerability,
     when: {field: financial_pressure, eq: true},
     label: {id: Ekonomi, en: Economic}, source: ILO 2009 dimension 3}
  - {id: KER02, protective: true, points: 30, dimension: abuse_of_vulnerability,
     when: {field: unaware_of_legal_route, eq: true},
     label: {id: Jalur, en: Route}, source: ILO 2009 dimension 3}
escalations:
  - {id: ESC-D1, when: {dimension_positive: deceptive_recruitment}, min_action: supervisor_review}
  - {id: ESC-D2, when: {dimension_positive: coercive_recruitment}, min_action: refer_protection}
  - {id: ESC-WORK, when: {all: [{field: states_work_abroad, eq: true},
                                {field: disnaker_recommendation, in: [missing, doubtful]}]},
     min_action: defer_and_redirect}
  - {id: ESC-MINOR, when: {all: [{field: is_minor, eq: true},
                                 {any: [{field: states_work_abroad, eq: true},
                                        {field: accompanied_by, ne: immediate_family}]}]},
     min_action: supervisor_review}
model: {mode: off}
"""

MINI = HEADER + BODY


def with_change(path: str, value) -> str:
    """Return MINI with one value replaced, addressed like 'indicators.0.when'."""
    doc = yaml.load(textwrap.dedent(MINI), Loader=RuleLoader)
    *parents, last = path.split(".")
    node = doc
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return yaml.safe_dump(doc, sort_keys=False)
