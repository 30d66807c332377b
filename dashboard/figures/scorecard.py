"""The consortium scorecard's chart: points per dimension, one bar per consortium, worst at the top.
Pure: data in, figure out."""
from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from dashboard import formatting as fmt
from dashboard import i18n, policy
from dashboard.figures import briefing
from dashboard.metrics import scorecard

DIMENSION_COLOURS = dict(zip(scorecard.DIMENSIONS, (briefing.BLUE, briefing.TEAL, briefing.ORANGE, briefing.PURPLE)))
RANKED_SHOWN, UNRANKED_SHOWN = 20, 10
BAR = 26  # pixels a bar takes


def shown(tot: pl.DataFrame) -> pl.DataFrame:
    """The consortia the chart shows: the lowest-ranked ones (at most RANKED_SHOWN), then the unranked
    ones (at most UNRANKED_SHOWN), in the scorecard's order."""
    return pl.concat([tot.filter("complete").head(RANKED_SHOWN), tot.filter(~pl.col("complete")).head(UNRANKED_SHOWN)])


def bar_label(row: dict, lang: str) -> str:
    if row["rank"] is not None:
        return i18n.t("scorecard.chart.ranked_label", lang, rank=row["rank"], name=row["consortium"])
    return i18n.t("scorecard.chart.unranked_label", lang, name=row["consortium"])


def points_figure(by_dimension: pl.DataFrame, tot: pl.DataFrame, ctx: briefing.Context) -> go.Figure:
    """Stacked horizontal bars of points by dimension, against the total's full points; an unranked
    consortium's bar ends with how many indicators it covers (its missing ones earn nothing and are not
    drawn as zero: the bar says 'k/6')."""
    what = i18n.t("scorecard.chart.points", ctx.lang)
    picked = shown(tot)
    if picked.height == 0:
        return briefing.empty(ctx, what)
    labels = {r["consortium"]: bar_label(r, ctx.lang) for r in picked.iter_rows(named=True)}
    order = [labels[c] for c in picked["consortium"].to_list()]
    data = by_dimension.filter(pl.col("consortium").is_in(list(labels)))
    fig = go.Figure()
    for dim in scorecard.DIMENSIONS:
        part = {r["consortium"]: r["points"] for r in data.filter(pl.col("dimension") == dim).iter_rows(named=True)}
        fig.add_trace(go.Bar(
            y=order, x=[part.get(c) for c in picked["consortium"].to_list()], orientation="h",
            name=i18n.t(f"scorecard.dimension.{dim}", ctx.lang), marker_color=DIMENSION_COLOURS[dim],
            hovertemplate="%{y}: %{x:.1f}<extra>%{fullData.name}</extra>"))
    full = policy.value("scorecard.points_total")
    ends = [r["points"] for r in picked.iter_rows(named=True)]
    texts = [scorecard.total_text(r, ctx.lang) for r in picked.iter_rows(named=True)]
    briefing.bar_ends(fig, order, ends, texts)
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title=i18n.t("scorecard.chart.points_axis", ctx.lang, full=fmt.num(full, ctx.lang)),
                     range=[0, full * 1.3], tickvals=[full * k / 4 for k in range(5)],
                     ticktext=[fmt.num(full * k / 4, ctx.lang) for k in range(5)])
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=order, autorange="reversed")
    fig.add_vline(x=full, line={"color": briefing.NEUTRAL, "dash": "dash"})
    longest = max(briefing.text_width(label, briefing.BODY_SIZE) for label in order)
    return briefing.briefing(fig, ctx, what, height=200 + BAR * len(order), left=int(min(360, longest + 24)))
