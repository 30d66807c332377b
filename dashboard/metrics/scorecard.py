"""The consortium scorecard (MC-PLAN §1.2 targets, §4.3 table 1 weights): per consortium, each of the
plan's six indicators with its numerator, denominator, target and points, the total and the rank.

Inputs: the members' visits report (queries/scorecard_members.sql) and the week's upward and downward
referrals per consortium (queries/scorecard_referrals.sql: referral_classified.sql's directions, the
one definition of a referral's direction, counted in agg_transfer).

How it scores (the numbers are in data/policy.toml, `scorecard.*` and `referral.*`):
- A dimension's weight (20 / 30 / 25 / 25 of `scorecard.points_total`) is shared equally by its
  indicators. An indicator earns value / target x its points, capped at its points and never below 0.
- Resource sharing = (member, kind) pairs with some sharing this week / (4 kinds x members other than
  the lead hospital). Kinds: joint consultations and guidance (technology), examinations on shared
  equipment, visiting expert days (staff), remote consultations (information).
- Primary first-visit rate = first visits at the primary members / first visits at every member.
- Two-way referral rate = (upward + downward referrals) / outpatient visits of every member. A referral
  belongs to the consortium of its lower end (upward: the sender's, downward: the receiver's); lateral
  ones do not count. Scored on the weaker of rate / 20% and upward share / 60%, where upward share =
  upward referrals sent by primary care / (upward + downward), as on the referrals page.
- Capability gain = conditions the primary members treat now / at baseline - 1.
- GP share = general practitioners / licensed doctors, over the primary members.
- Satisfaction = satisfied / surveyed, over every member.
- An indicator whose input a member owing it did not give (no report, or the cell blank) is "not
  reported": no value, no points, never a partial sum. A zero denominator is "cannot be judged". The
  total counts the indicators it covers; only a consortium covering all six is ranked.
"""
from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from dashboard import formatting as fmt
from dashboard import i18n, policy

SHARING = ("joint_sessions", "shared_equipment_exams", "expert_days", "remote_consultations")
DIMENSIONS = ("resource_sharing", "tiered_care", "primary_capability", "satisfaction")


@dataclass(frozen=True)
class Indicator:
    key: str
    dimension: str
    target: str                 # the policy rule of its target
    owed_by: str                # the member column saying who must give the inputs
    inputs: tuple[str, ...]     # what every member owing it must give


INDICATORS = (
    Indicator("resource_sharing", "resource_sharing", "scorecard.resource_sharing_rate_min", "owes_sharing", SHARING),
    Indicator("first_visit", "tiered_care", "referral.primary_first_visit_rate_min", "must_report", ("first_visits",)),
    Indicator("two_way_referral", "tiered_care", "referral.two_way_referral_rate_min", "must_report", ("outpatient_visits",)),
    Indicator("capability_gain", "primary_capability", "scorecard.capability_gain_min", "owes_primary",
              ("conditions_treated", "conditions_baseline")),
    Indicator("gp_share", "primary_capability", "scorecard.gp_share_min", "owes_primary", ("doctors", "general_practitioners")),
    Indicator("satisfaction", "satisfaction", "scorecard.satisfaction_rate_min", "must_report",
              ("survey_respondents", "survey_satisfied")),
)
BY_KEY = {ind.key: ind for ind in INDICATORS}
UPWARD = "referral.upward_share_min"

SCHEMA = {
    "consortium": pl.Utf8, "indicator": pl.Utf8, "dimension": pl.Utf8, "status": pl.Utf8,
    "numerator": pl.Float64, "denominator": pl.Float64, "value": pl.Float64, "target": pl.Float64,
    "attainment": pl.Float64, "points_available": pl.Float64, "points": pl.Float64,
    "owed": pl.Int64, "missing": pl.List(pl.Utf8), "duty_unknown": pl.List(pl.Utf8),
    "up": pl.Int64, "down": pl.Int64, "up_primary": pl.Int64, "upward_share": pl.Float64,
}


# --- weights ------------------------------------------------------------------------------------------
def points_available(key: str) -> float:
    """An indicator's full points: its dimension's weight x the total, shared equally within the dimension."""
    dim = BY_KEY[key].dimension
    siblings = sum(1 for ind in INDICATORS if ind.dimension == dim)
    return policy.value("scorecard.points_total") * policy.value(f"scorecard.weight_{dim}") / siblings


def attainment(value: float, target: float) -> float:
    """How far a value reaches its target: value / target, capped at 1 and never below 0."""
    return min(1.0, max(0.0, value / target))


# --- indicators ---------------------------------------------------------------------------------------
def _missing(members: list[dict], ind: Indicator) -> list[str]:
    """The members owing the indicator's inputs that did not give them: 'name' (no report) or
    'name: column, column' (blank cells; the columns' stored names)."""
    out = []
    for m in members:
        if not m["reported"]:
            out.append(m["facility_name"])
        else:
            blank = [c for c in ind.inputs if m[c] is None]
            if blank:
                out.append(f"{m['facility_name']}: {', '.join(blank)}")
    return out


def _fraction(ind: Indicator, owing: list[dict], ref: dict) -> tuple[float, float]:
    """(numerator, denominator) of an indicator over the members owing it (all of whom gave it)."""
    total = lambda column, rows=owing: float(sum(m[column] for m in rows))  # noqa: E731
    if ind.key == "resource_sharing":
        return float(sum(1 for m in owing for c in SHARING if m[c] > 0)), float(len(SHARING) * len(owing))
    if ind.key == "first_visit":
        return total("first_visits", [m for m in owing if m["tier"] == "primary"]), total("first_visits")
    if ind.key == "two_way_referral":
        return float(ref["up"] + ref["down"]), total("outpatient_visits")
    if ind.key == "capability_gain":
        return total("conditions_treated"), total("conditions_baseline")
    if ind.key == "gp_share":
        return total("general_practitioners"), total("doctors")
    return total("survey_satisfied"), total("survey_respondents")


def _score(ind: Indicator, members: list[dict], ref: dict) -> dict:
    target = policy.value(ind.target)
    row = {"indicator": ind.key, "dimension": ind.dimension, "target": target,
           "points_available": points_available(ind.key), "numerator": None, "denominator": None, "value": None,
           "attainment": None, "points": None, "up": None, "down": None, "up_primary": None, "upward_share": None}
    owing = [m for m in members if m[ind.owed_by] is True]
    # a member the register cannot place (must_report null) may or may not owe the inputs: counting it
    # in or out could change the answer, so the indicator cannot be judged (never scored without it)
    unknown = [m["facility_name"] for m in members if m[ind.owed_by] is None]
    missing = _missing(owing, ind)
    row.update(owed=len(owing), missing=missing, duty_unknown=unknown)
    if ind.key == "two_way_referral":
        row.update(up=ref["up"], down=ref["down"], up_primary=ref["up_primary"],
                   upward_share=ref["up_primary"] / (ref["up"] + ref["down"]) if ref["up"] + ref["down"] else None)
    if missing:
        return {**row, "status": "not_reported"}
    if unknown or not owing:
        return {**row, "status": "cannot_judge"}
    num, den = _fraction(ind, owing, ref)
    row.update(numerator=num, denominator=den)
    if den == 0:
        return {**row, "status": "cannot_judge"}
    value = num / den - 1 if ind.key == "capability_gain" else num / den
    reached = attainment(value, target)
    if ind.key == "two_way_referral":
        # the weaker of the two conditions; no referral at all: the rate is 0 and so is the score
        share = row["upward_share"]
        reached = min(reached, attainment(share, policy.value(UPWARD)) if share is not None else 0.0)
    return {**row, "status": "scored", "value": value, "attainment": reached,
            "points": reached * row["points_available"]}


def indicators(members: pl.DataFrame, referrals: pl.DataFrame) -> pl.DataFrame:
    """One row per (consortium, indicator): status (scored | not_reported | cannot_judge), numerator,
    denominator, value, target, attainment, points available and earned, members owing it, the members
    whose input is missing; for the two-way referral rate also up, down, up_primary and upward_share.
    `referrals`: rows of queries/scorecard_referrals.sql (a consortium absent from them: none)."""
    refs = {r["consortium"]: r for r in referrals.iter_rows(named=True)}
    rows = []
    for (consortium,), part in members.sort("facility_code").group_by("consortium", maintain_order=True):
        people = part.to_dicts()
        ref = refs.get(consortium, {"up": 0, "down": 0, "up_primary": 0})
        rows += [{"consortium": consortium, **_score(ind, people, ref)} for ind in INDICATORS]
    return pl.DataFrame(rows, schema=SCHEMA) if rows else pl.DataFrame(schema=SCHEMA)


def scored_indicators(run, members: pl.DataFrame, week) -> pl.DataFrame:
    """indicators() of `members` with the week's referrals per consortium; `run(name, **params)` runs a
    query (the page's cached one, or queries.run)."""
    return indicators(members, run("scorecard_referrals", week=week))


def totals(scored: pl.DataFrame, members: pl.DataFrame) -> pl.DataFrame:
    """One row per consortium: points earned over the indicators it covers, how many it covers of the
    six, the points those could earn, rank (1 = best; only among consortia covering all six, ties
    share a rank), the indicators below target (most points lost first; ties in the indicators' order)
    with their values, and those not reported or not judgeable.
    Sorted worst first: ranked consortia from the lowest total, then the unranked ones."""
    n = len(INDICATORS)
    place = (members.sort([pl.col("tier") != "lead", "facility_code"])
             .group_by("consortium", maintain_order=True)
             .agg(pl.col("league_name").first(), pl.col("county_name").first(),
                  (pl.col("must_report").fill_null(False) & ~pl.col("reported")).sum().alias("members_silent"),
                  pl.col("must_report").fill_null(False).sum().alias("members_owed"),
                  pl.col("must_report").is_null().sum().alias("members_duty_unknown")))
    lost = (pl.col("points_available") - pl.col("points"))
    short = (pl.col("status") == "scored") & (pl.col("attainment") < 1)
    out = (scored.group_by("consortium", maintain_order=True).agg(
        pl.col("points").sum().alias("points"),
        (pl.col("status") == "scored").sum().alias("covered"),
        pl.col("points_available").filter(pl.col("status") == "scored").sum().alias("points_covered"),
        pl.col("indicator").filter(short).sort_by(lost.filter(short), descending=True, maintain_order=True).alias("behind"),
        pl.col("value").filter(short).sort_by(lost.filter(short), descending=True, maintain_order=True).alias("behind_values"),
        pl.col("indicator").filter(pl.col("status") == "not_reported").alias("not_reported"),
        pl.col("indicator").filter(pl.col("status") == "cannot_judge").alias("cannot_judge"))
        .with_columns(pl.lit(n).alias("indicators"), (pl.col("covered") == n).alias("complete")))
    ranked = out.filter("complete").with_columns(
        pl.col("points").round(6).rank("min", descending=True).cast(pl.Int64).alias("rank"))
    out = out.join(ranked.select("consortium", "rank"), on="consortium", how="left")
    out = out.join(place, on="consortium", how="left")
    return out.sort([~pl.col("complete"), "points", "consortium"], descending=[False, False, False])


def headline(tot: pl.DataFrame) -> dict:
    """Consortia scored and ranked, the lowest-ranked one, how many members owe a report not sent, and
    (counted apart) how many the register cannot tell whether they owe it."""
    ranked = tot.filter("complete")
    worst = ranked.row(0, named=True) if ranked.height else None
    return {"consortia": tot.height, "ranked": ranked.height, "unranked": tot.height - ranked.height,
            "worst": worst["consortium"] if worst else None, "worst_points": worst["points"] if worst else None,
            "worst_behind": worst["behind"][0] if worst and len(worst["behind"]) else None,
            "members_silent": int(tot["members_silent"].sum()) if tot.height else 0,
            "members_owed": int(tot["members_owed"].sum()) if tot.height else 0,
            "members_duty_unknown": int(tot["members_duty_unknown"].sum()) if tot.height else 0}


def lowest(tot: pl.DataFrame, members: pl.DataFrame, n: int = 3) -> pl.DataFrame:
    """The n lowest-ranked consortia (of totals(), ranked ones only), lowest first, with the banner/county
    of their lead hospital (or first member): the overview's worst places. Columns: consortium, rank,
    points, league_code, county_code."""
    place = (members.sort([pl.col("tier") != "lead", "facility_code"])
             .group_by("consortium", maintain_order=True)
             .agg(pl.col("league_code").first(), pl.col("county_code").first()))
    return (tot.filter("complete").head(n).select("consortium", "rank", "points")
            .join(place, on="consortium", how="left", maintain_order="left"))


# --- what a reader sees -------------------------------------------------------------------------------
def indicator_name(key: str, lang: str) -> str:
    return i18n.t(f"scorecard.indicator.{key}", lang)


def points_text(x, lang: str) -> str:
    """'52.6 分' / '52.6 pts'; '—' when there is nothing to show."""
    return "—" if x is None else i18n.t("scorecard.points_value", lang, points=fmt.num(x, lang, 1))


def _pct(x, lang: str) -> str:
    return fmt.pct(x, lang)


def arithmetic(row: dict, lang: str) -> str:
    """The working of one (consortium, indicator) row, in words and numbers, e.g.
    '基层首诊 1,200 ÷ 全部首诊 2,000 = 60.0%；60.0% ÷ 65% × 15 = 13.8 分'."""
    t = lambda key, **kw: i18n.t(f"scorecard.arith.{key}", lang, **kw)  # noqa: E731
    n = lambda x: fmt.num(x, lang)  # noqa: E731
    if row["status"] == "not_reported":
        return t("not_reported", who=("、" if lang == "zh" else "; ").join(_missing_label(m, lang) for m in row["missing"]))
    if row["status"] == "cannot_judge":
        if row["duty_unknown"]:
            return t("duty_unknown", names=("、" if lang == "zh" else ", ").join(row["duty_unknown"]))
        return t("no_member") if row["owed"] == 0 else t("zero_denominator")
    key, value = row["indicator"], _pct(row["value"], lang)
    points = fmt.num(row["points"], lang, 1)
    full = fmt.num(row["points_available"], lang, 1 if row["points_available"] % 1 else 0)
    target = fmt.pct(row["target"], lang, 0)
    if key == "resource_sharing":
        members = int(row["denominator"] // len(SHARING))
        first = t("resource_sharing", num=n(row["numerator"]), kinds=counted("kind", len(SHARING), lang),
                  members=counted("member", members, lang), value=value)
    elif key == "capability_gain":
        first = t("capability_gain", now=counted("condition", row["numerator"], lang),
                  base=counted("condition", row["denominator"], lang), value=value)
    elif key == "two_way_referral":
        first = t("two_way_referral", up=n(row["up"]), down=n(row["down"]), visits=n(row["denominator"]), value=value)
        share = _pct(row["upward_share"], lang)
        second = t("upward", up_primary=n(row["up_primary"]), both=n(row["up"] + row["down"]), share=share)
        return f"{first}{t('sep')}{second}{t('sep')}" + t(
            "points_weaker", value=value, target=target, share=share,
            upward=fmt.pct(policy.value(UPWARD), lang, 0), full=full, points=points)
    else:
        first = t(key, num=n(row["numerator"]), den=n(row["denominator"]), value=value)
    return f"{first}{t('sep')}" + t("points", value=value, target=target, full=full, points=points)


def counted(word: str, n: float, lang: str) -> str:
    """'1 member' / '3 members' ('3 家成员'): the word agrees with its number."""
    return i18n.t(f"scorecard.arith.count.{word}_{'one' if n == 1 else 'other'}", lang, n=fmt.num(n, lang))


def _missing_label(entry: str, lang: str) -> str:
    """'某卫生院' -> '某卫生院（未报送）'; '某卫生院: doctors' -> '某卫生院（空白：执业（助理）医师数）'."""
    from dashboard.ingest import contracts

    if ": " not in entry:
        return i18n.t("scorecard.arith.no_report", lang, name=entry)
    name, columns = entry.split(": ", 1)
    ds = contracts.dataset("visits")
    labels = ("、" if lang == "zh" else ", ").join(ds.column(c).label(lang) for c in columns.split(", "))
    return i18n.t("scorecard.arith.blank", lang, name=name, columns=labels)


def status_text(row: dict, lang: str) -> str:
    """A cell of the scorecard: '60.0%（13.8 分）', or '未报送' / '无法判断'."""
    if row["status"] == "scored":
        return i18n.t("scorecard.cell", lang, value=_pct(row["value"], lang), points=fmt.num(row["points"], lang, 1))
    return i18n.t(f"scorecard.status.{row['status']}", lang)


def total_text(row: dict, lang: str) -> str:
    """'72.4' for a complete total; '58.1（覆盖 5/6 项，满分 75）' for one that is not."""
    points = fmt.num(row["points"], lang, 1)
    if row["complete"]:
        return points
    if row["covered"] == 0:
        return i18n.t("scorecard.no_total", lang, n=row["indicators"])
    return i18n.t("scorecard.partial_total", lang, points=points, covered=row["covered"], n=row["indicators"],
                  full=fmt.num(row["points_covered"], lang, 1 if row["points_covered"] % 1 else 0))


def behind_text(row: dict, lang: str) -> str:
    """The indicators below target with their values (most points lost first), then those not reported
    or not judgeable, in words: '双向转诊率 10.0%、资源共享率 58.3%'."""
    sep = "、" if lang == "zh" else ", "
    parts = []
    if len(row["behind"]):
        parts.append(sep.join(f"{indicator_name(k, lang)} {_pct(v, lang)}" for k, v in zip(row["behind"], row["behind_values"])))
    if len(row["not_reported"]):
        parts.append(i18n.t("scorecard.behind_not_reported", lang,
                            names=sep.join(indicator_name(k, lang) for k in row["not_reported"])))
    if len(row["cannot_judge"]):
        parts.append(i18n.t("scorecard.behind_cannot_judge", lang,
                            names=sep.join(indicator_name(k, lang) for k in row["cannot_judge"])))
    return ("；" if lang == "zh" else "; ").join(parts) or i18n.t("scorecard.all_met", lang)


def table(scored: pl.DataFrame, tot: pl.DataFrame, lang: str) -> pl.DataFrame:
    """The ranked scorecard, worst first: rank, consortium, total, what it is behind on, then each
    indicator's value and points (or 'not reported' / 'cannot be judged'). Every cell is text: a blank
    never shows as None."""
    t = lambda key: i18n.t(f"scorecard.col.{key}", lang)  # noqa: E731
    cells = {(r["consortium"], r["indicator"]): status_text(r, lang) for r in scored.iter_rows(named=True)}
    rows = []
    for r in tot.iter_rows(named=True):
        row = {t("rank"): str(r["rank"]) if r["rank"] is not None else i18n.t("scorecard.unranked", lang),
               t("consortium"): r["consortium"], t("county"): r["county_name"] or "—",
               t("total"): total_text(r, lang), t("behind"): behind_text(r, lang)}
        for ind in INDICATORS:
            row[indicator_name(ind.key, lang)] = cells[(r["consortium"], ind.key)]
        rows.append(row)
    columns = [t("rank"), t("consortium"), t("county"), t("total"), t("behind")] + [indicator_name(i.key, lang) for i in INDICATORS]
    return pl.DataFrame(rows, schema={c: pl.Utf8 for c in columns}) if rows else pl.DataFrame(schema={c: pl.Utf8 for c in columns})


def detail(scored: pl.DataFrame, consortium: str, lang: str) -> pl.DataFrame:
    """One consortium's six indicators with the arithmetic shown: dimension, indicator, target, value,
    points available, points earned and the working. Text cells throughout."""
    t = lambda key: i18n.t(f"scorecard.col.{key}", lang)  # noqa: E731
    rows = []
    for r in scored.filter(pl.col("consortium") == consortium).iter_rows(named=True):
        full = fmt.num(r["points_available"], lang, 1 if r["points_available"] % 1 else 0)
        rows.append({
            t("dimension"): i18n.t(f"scorecard.dimension.{r['dimension']}", lang),
            t("indicator"): indicator_name(r["indicator"], lang),
            t("target"): i18n.t("scorecard.at_least", lang, target=fmt.pct(r["target"], lang, 0)),
            t("value"): _pct(r["value"], lang) if r["status"] == "scored" else i18n.t(f"scorecard.status.{r['status']}", lang),
            t("points_available"): full,
            t("points"): fmt.num(r["points"], lang, 1) if r["status"] == "scored" else "—",
            t("working"): arithmetic(r, lang),
        })
    return pl.DataFrame(rows, schema={k: pl.Utf8 for k in rows[0]}) if rows else pl.DataFrame()


def silent_members(members: pl.DataFrame, lang: str) -> pl.DataFrame:
    """Members that owe the visits report and sent nothing this week (what a consortium office chases),
    and members whose duty the register cannot tell."""
    t = lambda key: i18n.t(f"scorecard.col.{key}", lang)  # noqa: E731
    silent = members.filter(~pl.col("reported") & pl.col("must_report").fill_null(True))
    return (silent.sort([pl.col("must_report").is_null(), "consortium", "facility_code"])
            .select(pl.col("consortium").alias(t("consortium")),
                    pl.col("facility_code").alias(t("code")),
                    pl.col("facility_name").alias(t("facility")),
                    pl.col("tier").replace_strict({k: i18n.value("tier", k, lang) for k in
                                                   ("primary", "sub_designated", "designated", "lead", "partner")},
                                                  default="—").alias(t("tier")),
                    pl.when(pl.col("must_report").is_null()).then(pl.lit(i18n.t("scorecard.duty_unknown", lang)))
                    .otherwise(pl.lit(i18n.t("scorecard.duty_owed", lang))).alias(t("duty"))))


def consortia(tot: pl.DataFrame) -> list[str]:
    """The consortia in the scorecard's order (worst first), for the detail's picker."""
    return tot["consortium"].to_list()


def dimension_points(scored: pl.DataFrame, tot: pl.DataFrame) -> pl.DataFrame:
    """Per consortium and dimension: points earned (null when no indicator of it was scored), in the
    scorecard's order: the chart's data."""
    order = {c: i for i, c in enumerate(tot["consortium"].to_list())}
    return (scored.group_by("consortium", "dimension")
            .agg(pl.col("points").sum().alias("points"), (pl.col("status") == "scored").any().alias("any_scored"))
            .with_columns(pl.when("any_scored").then(pl.col("points")).alias("points"))
            .drop("any_scored")
            .with_columns(pl.col("consortium").replace_strict(order, default=len(order)).alias("_order"),
                          pl.col("dimension").replace_strict({d: i for i, d in enumerate(DIMENSIONS)}).alias("_dim"))
            .sort("_order", "_dim").drop("_order", "_dim"))


def has_reports(members: pl.DataFrame) -> bool:
    return bool(members.height) and bool(members["reported"].any())


# which member column says who owes each input of the visits report
OWED_BY = {column: ind.owed_by for ind in INDICATORS for column in ind.inputs} | {"outpatient_visits": "must_report"}
DUTY = {True: "scorecard.duty.owed", False: "scorecard.duty.not_owed", None: "scorecard.duty.unknown"}
INPUTS = ("outpatient_visits", "first_visits", "doctors", "general_practitioners", "conditions_treated",
          "conditions_baseline", *SHARING, "survey_respondents", "survey_satisfied")


def member_inputs(members: pl.DataFrame, consortium: str, lang: str) -> pl.DataFrame:
    """One consortium's members and what each reported: the inputs every score is worked out from. A cell
    the member owes reads its number, 'not reported' (no report) or 'blank' (left empty); a cell it does
    not owe reads '—', or its number marked 'not counted' when it sent one anyway. Text throughout."""
    from dashboard.ingest import contracts

    ds = contracts.dataset("visits")
    t = lambda key: i18n.t(f"scorecard.col.{key}", lang)  # noqa: E731
    rows = []
    for m in members.filter(pl.col("consortium") == consortium).sort("facility_code").iter_rows(named=True):
        row = {t("code"): m["facility_code"], t("facility"): m["facility_name"], t("tier"): i18n.value("tier", m["tier"], lang),
               t("duty"): i18n.t(DUTY[m["must_report"]], lang)}
        for column in INPUTS:
            owed = m[OWED_BY[column]] is True
            if not owed:
                text = i18n.t("scorecard.not_counted", lang, n=fmt.num(m[column], lang)) if m[column] is not None else "—"
            elif not m["reported"]:
                text = i18n.t("scorecard.status.not_reported", lang)
            elif m[column] is None:
                text = i18n.t("scorecard.blank", lang)
            else:
                text = fmt.num(m[column], lang)
            row[ds.column(column).label(lang)] = text
        rows.append(row)
    return pl.DataFrame(rows, schema={k: pl.Utf8 for k in rows[0]}) if rows else pl.DataFrame()


def behind_summary(tot: pl.DataFrame, lang: str, n: int = 3) -> list[str]:
    """The first thing a reader sees: the n lowest-ranked consortia, each with its total and what it is
    behind on (most points lost first), then how many are not ranked and why."""
    lines = [i18n.t("scorecard.summary.ranked", lang, rank=r["rank"], name=r["consortium"],
                    points=fmt.num(r["points"], lang, 1), behind=behind_text(r, lang))
             for r in tot.filter("complete").head(n).iter_rows(named=True)]
    unranked = tot.filter(~pl.col("complete"))
    if unranked.height:
        sep = "、" if lang == "zh" else ", "
        lines.append(i18n.t("scorecard.summary.unranked", lang, n=unranked.height,
                            names=sep.join(unranked["consortium"].head(n).to_list()) + ("…" if unranked.height > n else "")))
    return lines
