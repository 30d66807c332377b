"""What the overview says about each headline: its status against the policy target, the change since
the previous week, its trend, and where it is worst. The numbers come from dashboard/metrics/headlines.py (the
pages' own metric functions); the worst places from the same queries the detail pages read.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable

import polars as pl

from dashboard.metrics import fever, followup, headlines, icu, labelling, referrals, scorecard, staff, stock

from dashboard import policy
from dashboard import formatting as fmt
from dashboard.figures import verdict

Runner = Callable[..., pl.DataFrame]
TREND_WEEKS = 6


@dataclass(frozen=True)
class Worst:
    name: str
    shown: str           # the value that makes it worst, formatted
    league_code: str | None
    county_code: str | None
    detail: str = ""     # the denominator, shown on hover


def _area(area: dict) -> dict:
    return {k: area.get(k) for k in ("league_code", "county_code", "consortium")}


def figure_status(figure: headlines.Figure) -> str | None:
    """met / near / short against the figure's policy target (near: within verdict.near_margin below
    a share target); a gap with no target is met at zero and short above it; None when the figure
    is not held to anything (a count such as referrals made)."""
    if figure.kind == "ratio":
        return None
    if figure.target is not None:
        return verdict.status(figure.value, figure.target, policy.value("verdict.near_margin"), figure.higher_is_better)
    if not figure.higher_is_better and figure.key.endswith(("_gap", "shortfall", "below")):
        return verdict.status(figure.value, 0, 0, higher_is_better=False)
    return None


def history(run: Runner, weeks: list[dt.date], area: dict,
            headlines_of: Callable[[dt.date, dict], list[headlines.Headline]] | None = None
            ) -> dict[dt.date, list[headlines.Headline]]:
    """Headlines of the last TREND_WEEKS weeks up to the chosen one (oldest first). headlines_of(week,
    area) gives one week's headlines (the app passes a cache kept per week, area and load, so a
    rerun recomputes nothing); by default they are computed with `run`."""
    of = headlines_of or (lambda week, where: headlines.all_headlines(run, week, where))
    return {w: of(w, area) for w in sorted(weeks)[-TREND_WEEKS:]}


def topic_history(topic: Callable[..., headlines.Headline], run: Runner, weeks: list[dt.date], area: dict,
                  **choices) -> dict[dt.date, list[headlines.Headline]]:
    """One topic's headlines of the last TREND_WEEKS weeks up to the chosen one (oldest first), with
    the page's own choices (for a detail page's head: the other topics are not computed)."""
    return {w: [topic(run, w, area, **choices)] for w in sorted(weeks)[-TREND_WEEKS:]}


def series(past: dict[dt.date, list[headlines.Headline]], topic: str, key: str) -> list:
    out = []
    for week in sorted(past):
        figure = next((f for h in past[week] if h.topic == topic for f in h.figures if f.key == key), None)
        out.append(None if figure is None or isinstance(figure.value, str) else figure.value)
    return out


def worst(topic: str, run: Runner, week: dt.date, area: dict, lang: str, n: int = 3, **choices) -> list[Worst]:
    """The n places where the topic's headline is worst this week, with the sidebar codes that open
    the detail page filtered to them: facilities (their county) for labelling, ICU, stock, fever
    clinics and staff, facilities with the most patients short of follow-up for discharge follow-up;
    sending facilities for referrals (only those with enough judged referrals to rank); the
    lowest-ranked consortia (their lead hospital's banner/county) for the scorecard. `choices` are a detail page's own (the ICU page's range ends, the stock page's item and
    share, the fever page's day), so its head and its worst places agree."""
    if topic == "labelling":
        rows = labelling.with_rates(run("labelling_by_facility", week=week, **_area(area), **labelling.params()))
        rows = rows.filter(pl.col("reported") & pl.col("labelled_share").is_not_null()).sort("labelled_share", "facility_code")
        return [Worst(r["facility_name"], fmt.pct(r["labelled_share"], lang), r["league_code"], r["county_code"])
                for r in rows.head(n).iter_rows(named=True)]
    if topic == "referrals":
        from dashboard.figures.referrals import MIN_ASSESSED

        ranked = (referrals.compliance(run, referrals.selection(_area(area), week, week), "from_code")
                  .filter(pl.col("judged") >= MIN_ASSESSED).sort("compliance_rate", "from_code"))
        return [Worst(r["from_name"], fmt.pct(r["compliance_rate"], lang), r["from_league"], r["from_county"],
                      f"n={fmt.num(r['judged'], lang)}") for r in ranked.head(n).iter_rows(named=True)]
    if topic == "icu":
        rows = run("icu_staffing_by_hospital", week=week, **_area(area),
                   **icu.params(choices.get("nurses_end"), choices.get("reserve_end")))
        rows = rows.filter(pl.col("front_line_gap") > 0).sort(["front_line_gap", "facility_code"], descending=[True, False])
        return [Worst(r["facility_name"], _people(r["front_line_gap"], lang), r["league_code"], r["county_code"])
                for r in rows.head(n).iter_rows(named=True)]
    if topic == "stock":
        rows = run("stock_by_facility", week=week, **_area(area), **stock.params(choices.get("share"), choices.get("cover_days")))
        rows = rows.filter((pl.col("item") == choices.get("item", "antigen")) & pl.col("share_of_target").is_not_null()
                           & (pl.col("shortfall") > 0)).sort("share_of_target", "facility_code")
        return [Worst(r["facility_name"], fmt.pct(r["share_of_target"], lang), r["league_code"], r["county_code"])
                for r in rows.head(n).iter_rows(named=True)]
    if topic == "fever":
        rows = run("fever_clinic_days", week=week, **_area(area), **fever.params())
        days = fever.days(rows, week)
        day = choices.get("day") if choices.get("day") in days else (days[0] if days else None)
        if day is None:
            return []
        # the longest queues of the day, from the alarm level down: the headline's 'in alarm'
        rows = (fever.on(rows, day).filter(pl.col("reported") & pl.col("peak_waiting").is_not_null()
                                           & pl.col("waiting_status").is_in(["warning", "alarm"]))
                .sort(["peak_waiting", "facility_code"], descending=[True, False]))
        return [Worst(r["facility_name"], _people(r["peak_waiting"], lang), r["league_code"], r["county_code"])
                for r in rows.head(n).iter_rows(named=True)]
    if topic == "staff":
        rows = staff.of_week(run("staff_on_duty", week=week, **_area(area), **staff.params()), week)
        rows = (staff.primary(rows).filter(pl.col("on_duty_status") == "below")
                .sort(["on_duty_rate", "facility_code"]))
        return [Worst(r["facility_name"], fmt.pct(r["on_duty_rate"], lang), r["league_code"], r["county_code"],
                      f"{fmt.num(r['staff_on_duty'], lang)}/{fmt.num(r['staff_total'], lang)}")
                for r in rows.head(n).iter_rows(named=True)]
    if topic == "followup":
        rows = followup.of_week(run("followup_patient_weeks", week=week, **_area(area), **followup.params()), week)
        return [Worst(r["facility_name"], _people(r["short"], lang), r["league_code"], r["county_code"],
                      f"{fmt.num(r['short'], lang)}/{fmt.num(r['judged'], lang)}")
                for r in followup.short_by_facility(rows).head(n).iter_rows(named=True)]
    if topic == "scorecard":
        members = run("scorecard_members", week=week, **_area(area))
        if not scorecard.has_reports(members):
            return []
        scored = scorecard.scored_indicators(run, members, week)
        return [Worst(r["consortium"], scorecard.points_text(r["points"], lang), r["league_code"], r["county_code"])
                for r in scorecard.lowest(scorecard.totals(scored, members), members, n).iter_rows(named=True)]
    return []


def _people(n, lang: str) -> str:
    from dashboard import i18n

    return i18n.t("app.verdict.people", lang, n=fmt.num(n, lang))


def figure_text(figure: headlines.Figure, lang: str) -> str:
    """'已标识比例：95.3%（✗ 未达标，目标 100.0%）' for the briefing PDF, from the headline itself."""
    from dashboard import i18n

    values = {k: (i18n.t(v, lang) if isinstance(v, str) and "." in v else fmt.pct(v, lang, 0) if isinstance(v, float) and v < 1 else v)
              for k, v in figure.fmt.items()}
    label = i18n.t(figure.key, lang, **values)
    if figure.kind == "ratio":
        value = str(figure.value)
    elif figure.value is None:
        value = i18n.t("app.verdict.not_reported", lang)
    else:
        value = fmt.pct(figure.value, lang) if figure.kind == "share" else \
            scorecard.points_text(figure.value, lang) if figure.kind == "points" else fmt.compact(figure.value, lang)
    state = figure_status(figure)
    sep = "：" if lang == "zh" else ": "
    if state is None:
        return f"{label}{sep}{value}"
    words = f"{verdict.SYMBOLS[state]} {i18n.t(f'app.verdict.{state}', lang)}"
    if figure.target is not None:
        words += ("，" if lang == "zh" else ", ") + i18n.t("app.verdict.target", lang, target=fmt.pct(figure.target, lang))
    return f"{label}{sep}{value}（{words}）" if lang == "zh" else f"{label}{sep}{value} ({words})"
