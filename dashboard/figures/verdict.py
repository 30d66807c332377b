"""A headline as a verdict: the value against its policy target, a status (met / near / short, or
unknown for a blank), the change since the previous week and a small trend. Pure: data in, text and
figures out; the overview and the head of each detail page place them.
"""
from __future__ import annotations

import html
from dataclasses import dataclass

import plotly.graph_objects as go

from dashboard import formatting as fmt
from dashboard import i18n
from dashboard.figures import briefing

STATUSES = ("met", "near", "short", "unknown")
SYMBOLS = {"met": "✓", "near": "!", "short": "✗", "unknown": "?"}


def status(value: float | None, target: float, near: float, higher_is_better: bool = True) -> str:
    """'met' at or beyond the target; 'near' within `near` of it (the margin from data/policy.toml);
    'short' beyond that; 'unknown' for a blank, which is never met.

    With target 1.0 and near 0.05: 1.0 -> met, 0.96 -> near, 0.94 -> short, None -> unknown.
    With higher_is_better False (a gap), target 0 and near 5: 0 -> met, 4 -> near, 6 -> short."""
    if fmt.missing(value):
        return "unknown"
    if higher_is_better:
        return "met" if value >= target else "near" if value >= target - near else "short"
    return "met" if value <= target else "near" if value <= target + near else "short"


@dataclass(frozen=True)
class Card:
    label: str
    value: str
    target: str
    status: str
    change: str
    status_text: str
    colour: str


def card(label: str, value: float | None, previous: float | None, target: float, near: float, lang: str,
         kind: str = "pct", higher_is_better: bool = True) -> Card:
    """A verdict card's texts: '87.5%', '目标 100.0%', '✗ 未达标', '较上周 +2.5个百分点'."""
    state = status(value, target, near, higher_is_better)
    shown = fmt.pct(value, lang) if kind == "pct" else fmt.compact(value, lang)
    target_text = fmt.pct(target, lang) if kind == "pct" else fmt.compact(target, lang)
    if fmt.missing(value):
        shown = i18n.t("app.verdict.not_reported", lang)
    change = None if fmt.missing(value) or fmt.missing(previous) else value - previous
    return Card(
        label=label, value=shown,
        target=i18n.t("app.verdict.target", lang, target=target_text),
        status=state, status_text=f"{SYMBOLS[state]} {i18n.t(f'app.verdict.{state}', lang)}",
        change=i18n.t("app.verdict.change", lang, change=fmt.signed(change, lang, "pct" if kind == "pct" else "num"))
        if change is not None else i18n.t("app.verdict.no_change", lang),
        colour=briefing.STATUS_COLOURS[state],
    )


def sparkline(values: list[float | None], colour: str = briefing.NEUTRAL, target: float | None = None,
              width: int = 160, height: int = 48) -> go.Figure:
    """A small trend: no axes, no title; the last point marked; a blank week leaves a gap."""
    x = list(range(len(values)))
    fig = go.Figure(go.Scatter(x=x, y=values, mode="lines", line={"color": colour, "width": 2},
                               connectgaps=False, hoverinfo="skip"))
    last = next((i for i in range(len(values) - 1, -1, -1) if not fmt.missing(values[i])), None)
    if last is not None:
        fig.add_trace(go.Scatter(x=[last], y=[values[last]], mode="markers", marker={"color": colour, "size": 7},
                                 hoverinfo="skip"))
    if target is not None:
        fig.add_hline(y=target, line={"color": "#AAB7B8", "dash": "dot", "width": 1})
    fig.update_layout(width=width, height=height, margin={"l": 2, "r": 2, "t": 2, "b": 2}, showlegend=False,
                      paper_bgcolor="white", plot_bgcolor="white")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def card_html(c: Card, spark: str = "", show_status: bool = True) -> str:
    """The card as HTML for st.html: status in words and symbol as well as colour; a card without a
    target (a count) shows its value, change and trend only."""
    colour = c.colour if show_status else "#D5D8DC"
    status = (f"<span style='color:{c.colour};font-weight:600'>{c.status_text}</span> · {c.target} · "
              if show_status else "")
    return (f"<div style='border:1px solid #E5E8E8;border-left:6px solid {colour};border-radius:6px;padding:8px 12px;"
            f"font-family:{briefing.FONT};height:100%'>"
            f"<div style='font-size:0.85rem;color:#5D6D7E'>{c.label}</div>"
            f"<div style='display:flex;align-items:flex-end;justify-content:space-between'>"
            f"<span style='font-size:1.6rem;font-weight:600;color:#1B2631'>{c.value}</span>{spark}</div>"
            f"<div style='font-size:0.8rem;color:#1B2631'>{status}{c.change}</div></div>")


def sparkline_svg(values: list, colour: str = briefing.NEUTRAL, width: int = 120, height: int = 30) -> str:
    """The same small trend as inline SVG (light enough for a card): a polyline through the weeks,
    broken where a week is blank, the last point marked."""
    present = [v for v in values if not fmt.missing(v)]
    if len(values) < 2 or not present:
        return ""
    lo, hi = min(present), max(present)
    span = (hi - lo) or 1.0
    step = (width - 8) / (len(values) - 1)

    def point(i, v):
        return 4 + i * step, height - 4 - (v - lo) / span * (height - 8)

    runs, current = [], []
    for i, v in enumerate(values):
        if fmt.missing(v):
            if current:
                runs.append(current)
            current = []
        else:
            current.append(point(i, v))
    if current:
        runs.append(current)
    lines = "".join(f"<polyline fill='none' stroke='{colour}' stroke-width='2' points='"
                    + " ".join(f"{x:.1f},{y:.1f}" for x, y in run) + "'/>" for run in runs)
    last = next(((i, v) for i, v in reversed(list(enumerate(values))) if not fmt.missing(v)))
    x, y = point(*last)
    return (f"<svg width='{width}' height='{height}' viewBox='0 0 {width} {height}' role='img'>{lines}"
            f"<circle cx='{x:.1f}' cy='{y:.1f}' r='3' fill='{colour}'/></svg>")


def strip_html(cells: list[tuple[str, str, list] | None]) -> str:
    """Under a row of headline metrics, one light element for the whole row: per figure (in the
    metrics' columns) its status in words and symbol, in the status colour, and its trend as inline
    SVG; None for a figure held to no target and shown without a trend (an empty cell keeps the
    columns aligned). Each cell: (status text, colour, the weekly values, oldest first).

    Drawn as one HTML block rather than one chart per metric: a page of 27 sparkline charts cost the
    browser more than the rest of the overview together."""
    parts = []
    for cell in cells:
        if cell is None:
            parts.append("<div></div>")
            continue
        text, colour, values = cell
        spark = sparkline_svg(values, colour, width=120, height=26)
        parts.append(f"<div style='display:flex;flex-direction:column;gap:2px;min-width:0'>"
                     f"<span style='color:{colour};font-weight:600;font-size:0.875rem;line-height:1.3'>{html.escape(text)}</span>"
                     f"{spark}</div>")
    return (f"<div style='display:grid;grid-template-columns:repeat({len(cells)},minmax(0,1fr));"
            f"column-gap:1rem;margin-top:-0.25rem'>" + "".join(parts) + "</div>")
