"""Per-track precision and recall, weighted by how each label arose (docs/learning.md).

Strata are the stored (live) rungs. In a stratum with random-sample labels only those
represent it: each weighs 1/probability, scaled so the stratum's weights add up to its row
count (a Hajek estimator, robust to sampled cases whose outcome is still missing); follow-up
labels there weigh nothing. In a stratum without sample labels the follow-up labels
represent it, each weighing (rows / labelled rows) of the stratum; for a stratum below
supervisor review that is an assumption the result warns about. External labels (imports
from border posts, BP3MI, police) hold only positives and are no random sample: they weigh
nothing here and are counted apart (`external`), for the misses report.

Intervals: the wider of Clopper-Pearson on the Kish effective sample size of the weights
(Korn and Graubard, 1998; exact, so 0 of n gets a real upper bound) and a bootstrap of the
labels within strata (it sees the variance of rare positives in a heavily weighted stratum).
Recall's low end also allows for the misses the random sample cannot rule out: a stratum
whose sample found k misses in n labels may hold up to rows x the exact upper bound of k/n
(`missed_bound`), so a sample that met no case of a track does not vouch for its recall.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from ews.engine import LADDER, REVIEW_RUNG

from .cells import EXTERNAL, FOLLOWUP, LABELLED, SAMPLE, Cells

TRACK_OUTCOMES = {"trafficking": (0,),  # confirmed_trafficking
                  "nonprocedural": (1, 2)}  # confirmed_nonprocedural, intercepted_at_border
TRACK_RUNG = {"trafficking": LADDER.index("refer_protection"),
              "nonprocedural": LADDER.index("defer_and_redirect")}
MIN_LABELS = 30
BOOT = 400  # stratified bootstrap replicates per figure set (cells: cheap at any row count)


@dataclass(frozen=True)
class Figure:
    """A proportion with its 95% interval and the number of labels it rests on."""

    estimate: float | None
    low: float | None
    high: float | None
    labels: int


@dataclass(frozen=True)
class RungFigures:
    """Precision and recall of flagging at `action` or above, weighted and naive."""

    rung: int
    action: str
    precision: Figure
    recall: Figure
    naive_precision: Figure
    naive_recall: Figure


@dataclass(frozen=True)
class TrackFigures(RungFigures):
    """One track's figures at its own action (`rung`) and at every rung from 1 up."""

    external: int  # externally reported positives of this track (not weighted in)
    rungs: tuple[RungFigures, ...]


def clopper_pearson(k: float, n: float, alpha: float = 0.05) -> tuple[float, float]:
    """Return the exact (Clopper-Pearson) interval of k in n; k and n may be fractional."""
    from scipy.stats import beta  # imported when first needed: heavy for backtest workers

    if n <= 0:
        return (float("nan"), float("nan"))
    k = min(max(k, 0.0), n)
    low = 0.0 if k <= 0 else float(beta.ppf(alpha / 2, k, n - k + 1))
    high = 1.0 if k >= n else float(beta.ppf(1 - alpha / 2, k + 1, n - k))
    return low, high


def figure(w_hit: float, w_all: float, w2_all: float, labels: int) -> Figure:
    """Return the weighted share w_hit / w_all with an interval on the effective size."""
    if labels == 0 or w_all <= 0:
        return Figure(None, None, None, int(labels))
    p = w_hit / w_all
    n_eff = w_all * w_all / w2_all if w2_all > 0 else float(labels)
    low, high = clopper_pearson(p * n_eff, n_eff)
    return Figure(round(float(p), 4), round(low, 4), round(high, 4), int(labels))


def stratum_factors(count: np.ndarray, s1: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Return the factor by (stored rung, origin) that turns base weights into weights.

    `count` and `s1` are indexed (stored rung, origin, outcome, rung).
    """
    rows = count.sum(axis=(1, 2, 3))
    lab = count[:, :, list(LABELLED)].sum(axis=(2, 3))
    lab_s1 = s1[:, :, list(LABELLED)].sum(axis=(2, 3))
    factors = np.zeros(count.shape[:2])
    notes = []
    for s in range(count.shape[0]):
        if rows[s] == 0:
            continue
        if lab[s, SAMPLE] > 0:
            factors[s, SAMPLE] = rows[s] / lab_s1[s, SAMPLE]
        elif lab[s, FOLLOWUP] > 0:
            factors[s, FOLLOWUP] = rows[s] / lab[s, FOLLOWUP]
            if s < REVIEW_RUNG:
                notes.append(f"no random-sample labels among the {int(rows[s]):,} interviews "
                             f"decided {LADDER[s]}: their {int(lab[s, FOLLOWUP]):,} follow-up "
                             "labels are assumed to represent them (recall may be too high)")
        else:
            notes.append(f"no labels among the {int(rows[s]):,} interviews decided "
                         f"{LADDER[s]}: their cases are missing from every estimate")
    return factors, notes


def _usable(count, s1, s2, factors):
    """Return the labels that carry weight by (stratum, outcome, rung): counts, w, w^2."""
    f = factors[:, :, None, None]
    on = f > 0
    return ((count * on).sum(axis=1), (s1 * f).sum(axis=1), (s2 * f * f).sum(axis=1))


def _boot(u_count, u_w, u_w2, rng, reps):
    """Return bootstrap replicates of the usable weights: labels resampled within strata."""
    lab = list(LABELLED)
    n_s = u_count[:, lab].sum(axis=(1, 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_w = np.where(u_count > 0, u_w / np.where(u_count > 0, u_count, 1), 0)
    w = np.zeros((reps, *u_count.shape))
    for s in np.flatnonzero(n_s):
        cells = u_count[s, lab].ravel()
        draws = rng.multinomial(int(n_s[s]), cells / cells.sum(), size=reps)
        draws = draws.reshape(reps, len(lab), -1)
        base = draws * mean_w[s, lab][None]
        total = base.sum(axis=(1, 2))  # the stratum's weights add up to its rows again
        scale = np.where(total > 0, u_w[s, lab].sum() / np.where(total > 0, total, 1), 0)
        w[:, s, lab] = base * scale[:, None, None]
    return w


def _share(hit, total, w2, labels, reps_hit, reps_total) -> Figure:
    """Return the estimate with the wider of the Kish-Clopper-Pearson and bootstrap bounds."""
    fig = figure(hit, total, w2, labels)
    if fig.estimate is None:
        return fig
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = reps_hit / reps_total
    shares = shares[np.isfinite(shares)]
    if len(shares) == 0:
        return fig
    low, high = np.quantile(shares, [0.025, 0.975])
    return Figure(fig.estimate, round(min(fig.low, float(low)), 4),
                  round(max(fig.high, float(high)), 4), fig.labels)


def missed_bound(count: np.ndarray, positive, rung: int) -> float | None:
    """Return a 95% upper bound of the cases of `positive` scored below `rung` in the strata
    with random-sample labels: per stratum, its rows times the exact (Clopper-Pearson) upper
    bound of the sampled misses among its sampled labels, summed (conservative). None when
    no stratum has sample labels.

    A sample that found no miss (0 of n) still bounds the misses at rows x (1 - 0.025^(1/n)):
    without this the weighted recall of a track the sample never met reads as the naive one.
    """
    lab, pos = list(LABELLED), list(positive)
    bound, sampled = 0.0, False
    for s in range(count.shape[0]):
        n = count[s, SAMPLE][lab].sum()
        if n <= 0:
            continue
        sampled = True
        k = count[s, SAMPLE][pos, :rung].sum()
        bound += count[s].sum() * clopper_pearson(float(k), float(n))[1]
    return bound if sampled else None


def _figures(u_count, u_w, u_w2, reps, positive, rung, count=None) -> tuple[Figure, Figure]:
    """Return (precision, recall) at `rung` or above for the outcome codes `positive`; with
    the raw `count` cells, recall's low end also allows for the misses the random sample
    cannot rule out (`missed_bound`)."""
    at = np.arange(u_count.shape[2]) >= rung
    pos, lab = list(positive), list(LABELLED)

    def total(a, kinds, where=None):
        part = a[..., kinds, :]
        return (part[..., where] if where is not None else part).sum(axis=(-1, -2, -3))

    hit = total(u_w, pos, at)
    r_hit = total(reps, pos, at)
    precision = _share(hit, total(u_w, lab, at), total(u_w2, lab, at),
                       int(total(u_count, lab, at)), r_hit, total(reps, lab, at))
    recall = _share(hit, total(u_w, pos), total(u_w2, pos), int(total(u_count, pos)),
                    r_hit, total(reps, pos))
    bound = None if count is None else missed_bound(count, positive, rung)
    if recall.estimate is not None and bound is not None and hit + bound > 0:
        low = min(recall.low, round(float(hit / (hit + bound)), 4))
        recall = Figure(recall.estimate, low, recall.high, recall.labels)
    return precision, recall


def track_figures(cells: Cells, which: str = "c", *, random_state: int = 0,
                  reps: int = BOOT) -> tuple[dict[str, TrackFigures], list[str]]:
    """Return {track: TrackFigures} of version `which` ('b' or 'c') and the warnings."""
    count, s1, s2 = cells.version(which)
    factors, notes = stratum_factors(count, s1)
    rng = np.random.default_rng(random_state)
    u = _usable(count, s1, s2, factors)
    boot = _boot(*u, rng, reps)
    naive_f = np.ones(count.shape[:2])
    naive_f[:, EXTERNAL] = 0
    n = _usable(count, count, count, naive_f)
    n_boot = _boot(*n, rng, reps)
    out = {}
    for track, positive in TRACK_OUTCOMES.items():
        rungs = []
        for rung in range(1, len(LADDER)):
            p, r = _figures(*u, boot, positive, rung, count)
            np_, nr = _figures(*n, n_boot, positive, rung)
            rungs.append(RungFigures(rung, LADDER[rung], p, r, np_, nr))
        top = rungs[TRACK_RUNG[track] - 1]
        external = int(count[:, EXTERNAL][:, list(positive)].sum())
        out[track] = TrackFigures(top.rung, top.action, top.precision, top.recall,
                                  top.naive_precision, top.naive_recall, external,
                                  tuple(rungs))
    return out, notes


def support_warnings(name: str, tracks: dict[str, TrackFigures],
                     minimum: int = MIN_LABELS) -> list[str]:
    """Return one warning per track whose figures rest on fewer than `minimum` labels."""
    out = []
    for track, t in tracks.items():
        thin = [f"{kind} at {r.action}+ {fig.labels}" for r in t.rungs
                for kind, fig in (("precision", r.precision), ("recall", r.recall))
                if fig.labels < minimum]
        if thin:
            out.append(f"{name} {track}: figures on fewer than {minimum} labels: "
                       + ", ".join(thin))
    return out


def as_dict(tracks: dict[str, TrackFigures]) -> dict:
    """Return the figures as plain data (the JSON contract of docs/learning.md)."""
    return {k: asdict(v) for k, v in tracks.items()}


__all__ = ["MIN_LABELS", "TRACK_OUTCOMES", "TRACK_RUNG", "Figure", "RungFigures",
           "TrackFigures", "as_dict", "clopper_pearson", "figure", "missed_bound",
           "stratum_factors",
           "support_warnings", "track_figures"]
