"""The headline figures of each topic, read by the overview, the briefing and the topic's own page.

One definition per metric: a headline is computed by the same query and the same metric function as
the figure on the topic's page (the page calls `headline` too), so the overview can never disagree
with the page it links to. A topic is registered by adding its function to TOPICS.

Each function takes `run(name, **params) -> polars.DataFrame` (the cached runner in the app,
`queries.run` elsewhere), the week and the area, and returns a Headline whose figures keep None for
unknown: a blank is never shown as 0.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Callable

import polars as pl

from dashboard.metrics import fever, followup, icu, labelling, referrals, scorecard, staff, stock

from dashboard import policy

Runner = Callable[..., pl.DataFrame]


@dataclass(frozen=True)
class Figure:
    """One headline number. kind: 'count' (people, facilities), 'share' (0-1), 'ratio' ('12/15'),
    'points' (a scorecard total, one decimal).
    target: the policy's figure it is held to (a share), where there is one; higher_is_better says
    which way is good."""
    key: str                       # translation key of the label
    value: float | int | str | None
    kind: str = "count"
    target: float | None = None
    higher_is_better: bool = True
    fmt: dict = field(default_factory=dict)  # values for the label's {placeholders}


@dataclass(frozen=True)
class Headline:
    topic: str
    page: str                      # the page that shows the detail, e.g. 'pages/icu.py'
    title_key: str
    figures: tuple[Figure, ...]
    raw: dict                      # every computed number, for tests and the briefing
    datasets: tuple[str, ...] = () # what it reads, so a page can say "loading" while one still loads


def _area(area: dict) -> dict:
    return {k: area.get(k) for k in ("league_code", "county_code", "consortium")}


def labelling_headline(run: Runner, week: dt.date, area: dict) -> Headline:
    facilities = labelling.with_rates(run("labelling_by_facility", week=week, **_area(area), **labelling.params()))
    counties = run("labelling_found_by_county", week=week, **_area(area))
    total = labelling.totals(facilities) if facilities.height else {}
    total = dict(total)
    found, pop65 = labelling.found(counties)
    total["counties_not_reporting"] = labelling.counties_not_reporting(counties)
    raw = {**total, "found_65": found, "pop65": pop65, "found_share": found / pop65 if found is not None and pop65 else None}
    return Headline("labelling", "pages/labelling.py", "app.overview.labelling", (
        Figure("labelling.metric.reported", f"{total.get('reported', 0)}/{total.get('facilities', 0)}", "ratio"),
        Figure("labelling.metric.found", raw["found_share"], "share", policy.value("coverage.labelled_target")),
        Figure("labelling.metric.labelled", total.get("labelled_share"), "share", policy.value("coverage.labelled_target")),
        Figure("labelling.metric.managed", total.get("managed_share"), "share"),
    ), raw, ("register",))


def referrals_headline(run: Runner, week: dt.date, area: dict) -> Headline:
    ind = referrals.indicators(run, referrals.selection(_area(area), week, week), reported=referrals.logged(run, week, week))
    hours = int(policy.value("referral.upward_reception_hours"))
    return Headline("referrals", "pages/referrals.py", "app.overview.referrals", (
        Figure("referrals.metric.referrals", ind["referrals"]),
        Figure("referrals.metric.upward_share", ind["upward_share"], "share", policy.value("referral.upward_share_min")),
        Figure("referrals.metric.compliance", ind["compliance_rate"], "share"),
        Figure("referrals.metric.in_time", ind["in_time_share"], "share", fmt={"hours": hours}),
        Figure("referrals.metric.refused", ind["refused"], higher_is_better=False),
    ), ind, ("transfer",))


def icu_headline(run: Runner, week: dt.date, area: dict, nurses_end: str | None = None,
                 reserve_end: str | None = None) -> Headline:
    """The ends of the policy ranges default to the policy file's strict ends (the ICU page may
    choose others: its head then follows the choice)."""
    hospitals = run("icu_staffing_by_hospital", week=week, **_area(area), **icu.params(nurses_end, reserve_end))
    total = icu.totals(hospitals) if hospitals.height else {}
    return Headline("icu", "pages/icu.py", "app.overview.icu", (
        Figure("icu.metric.reported", f"{total.get('reported', 0)}/{total.get('hospitals', 0)}", "ratio"),
        Figure("icu.metric.beds", total.get("icu_beds")),
        Figure("icu.metric.doctor_gap", total.get("doctor_gap"), higher_is_better=False),
        Figure("icu.metric.nurse_gap", total.get("nurse_gap"), higher_is_better=False),
        Figure("icu.metric.reserve_gap", total.get("reserve_gap"), higher_is_better=False),
    ), total, ("icu",))


def stock_headline(run: Runner, week: dt.date, area: dict, item: str = "antigen", share: float | None = None,
                   cover_days: float | None = None) -> Headline:
    """Antigen kits against the policy's share by default (the stock page's item and sliders may
    choose others: its head then follows the choice)."""
    rows = run("stock_by_facility", week=week, **_area(area), **stock.params(share, cover_days))
    totals = {r["item"]: r for r in stock.totals(rows).iter_rows(named=True)} if rows.height else {}
    chosen = totals.get(item, {})
    low, _ = policy.policy_range("stock.population_share")
    name_key = f"stock.items.{item}"
    return Headline("stock", "pages/stock.py", "app.overview.stock", (
        Figure("stock.metric.reported", f"{chosen.get('facilities', 0) - chosen.get('missing', 0)}/{chosen.get('facilities', 0)}", "ratio"),
        Figure("stock.metric.share", chosen.get("share_of_target"), "share", 1.0, fmt={"item": name_key}),
        Figure("stock.metric.shortfall", chosen.get("shortfall"), higher_is_better=False, fmt={"item": name_key}),
        Figure("stock.metric.below", chosen.get("below_low"), higher_is_better=False, fmt={"low": low}),
    ), chosen, ("stock",))


def fever_headline(run: Runner, week: dt.date, area: dict, day: dt.date | None = None) -> Headline:
    """The newest day of the week with a fever-clinic report (the day the fever page opens on), or
    the day the fever page chose."""
    rows = run("fever_clinic_days", week=week, **_area(area), **fever.params())
    days = fever.days(rows, week)
    if day in days:
        days = [day]
    h = fever.headline(fever.on(rows, days[0])) if days else {}
    return Headline("fever", "pages/fever.py", "fever.nav", (
        Figure("fever.metric.reported", f"{h['reported']}/{h['owed']}" if days else "—", "ratio"),
        Figure("fever.metric.set_up_rate", h.get("set_up_rate"), "share", policy.value("fever_clinic.setup_rate_target")),
        Figure("fever.metric.open_rate", h.get("open_rate"), "share", policy.value("fever_clinic.open_rate_target")),
        Figure("fever.metric.visits", h.get("visits")),
        Figure("fever.metric.alarm", h.get("alarm"), higher_is_better=False),
    ), {**h, "day": days[0] if days else None}, ("fever",))


def staff_headline(run: Runner, week: dt.date, area: dict) -> Headline:
    rows = staff.of_week(run("staff_on_duty", week=week, **_area(area), **staff.params()), week)
    reported = rows.height > 0 and bool(rows["reported"].any())
    h = staff.headline(rows) if reported else {}
    on_duty_min = policy.value(staff.ON_DUTY)
    return Headline("staff", "pages/staff.py", "staff.nav", (
        Figure("staff.metric.reported", f"{h['primary_reported']}/{h['primary_owed']}" if reported else "—", "ratio"),
        Figure("staff.metric.on_duty_rate", h.get("on_duty_rate"), "share", on_duty_min),
        Figure("staff.metric.below", h.get("below"), higher_is_better=False, fmt={"minimum": on_duty_min}),
        Figure("staff.metric.placed_share", h.get("placed_share"), "share", policy.value(staff.PLACED)),
    ), h, ("staff",))


def followup_headline(run: Runner, week: dt.date, area: dict) -> Headline:
    """Discharged patients under management this week; follow-up met (of the patients judged) and
    signing within the week (of those judged) against everyone; observation tests positive or missing."""
    rows = followup.of_week(run("followup_patient_weeks", week=week, **_area(area), **followup.params()), week)
    h = followup.headline(rows) if rows.height else {}
    return Headline("followup", "pages/followup.py", "followup.nav", (
        Figure("followup.metric.patients", h.get("patients")),
        Figure("followup.metric.compliance", h.get("met_share"), "share", policy.value("discharge.followup_met_target")),
        Figure("followup.metric.signing", h.get("signing_share"), "share", policy.value("discharge.signing_on_time_target")),
        Figure("followup.metric.test_positive", h.get("test_positive"), higher_is_better=False),
        Figure("followup.metric.test_missing", h.get("test_missing"), higher_is_better=False),
    ), h, ("discharge",))


def scorecard_headline(run: Runner, week: dt.date, area: dict) -> Headline:
    """Consortia ranked (all six indicators computable) of those with a member in the area, those not
    ranked, the lowest-ranked one's points (its name in the label), members that owe the visits
    report and sent none. Nothing reported this week: every figure unknown."""
    members = run("scorecard_members", week=week, **_area(area))
    h = {}
    if scorecard.has_reports(members):
        scored = scorecard.scored_indicators(run, members, week)
        h = scorecard.headline(scorecard.totals(scored, members))
    return Headline("scorecard", "pages/scorecard.py", "scorecard.nav", (
        Figure("scorecard.metric.ranked", f"{h['ranked']}/{h['consortia']}" if h else "—", "ratio"),
        Figure("scorecard.metric.unranked", h.get("unranked"), higher_is_better=False),
        Figure("scorecard.metric.worst", h.get("worst_points"), "points", fmt={"name": h.get("worst") or "—"}),
        Figure("scorecard.metric.silent", f"{h['members_silent']}/{h['members_owed']}" if h else "—", "ratio"),
    ), h, ("visits",))


TOPICS: tuple[Callable[[Runner, dt.date, dict], Headline], ...] = (
    labelling_headline, referrals_headline, icu_headline, stock_headline, fever_headline, staff_headline,
    followup_headline, scorecard_headline,
)


def all_headlines(run: Runner, week: dt.date, area: dict) -> list[Headline]:
    return [topic(run, week, area) for topic in TOPICS]
