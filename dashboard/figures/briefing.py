"""What makes a chart briefing-ready: a title saying what, where and when; units on the axes; a
source line with the week; fonts that render Chinese; sizes legible when pasted into Word."""
from __future__ import annotations

import math
from dataclasses import dataclass

import plotly.graph_objects as go
import polars as pl

from dashboard import i18n

FONT = "Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, PingFang SC, SimHei, sans-serif"
EXPORT_WIDTH, EXPORT_HEIGHT = 1200, 675  # 16:9, readable at Word's page width

# Colours. The risk labels (red/yellow/green) keep their meaning and are used for nothing else.
# Everything else uses the Okabe-Ito set, which colour-blind readers tell apart; statuses also carry a
# word or a symbol, never colour alone. Maps use single-hue sequential scales (maps.py).
LABEL_COLOURS = {"green": "#2E9D5B", "yellow": "#E3B505", "red": "#D64541"}
BLUE, SKY, ORANGE, VERMILION, TEAL, PURPLE = "#0072B2", "#56B4E9", "#E69F00", "#D55E00", "#009E73", "#CC79A7"
SERIES = (BLUE, SKY, PURPLE, TEAL, ORANGE, "#7F7F7F")
TIER_COLOURS = {
    "primary": SKY, "sub_designated": TEAL, "designated": ORANGE,
    "lead": BLUE, "partner": "#1B2631", "home": "#95A5A6",
}
DIRECTION_COLOURS = {"up": BLUE, "down": ORANGE, "lateral": "#7F8C8D"}
NEUTRAL = "#5D6D7E"
MISSING = "#BDC3C7"
# status against a target: met / near / short, and unknown (a blank is not a status)
STATUS_COLOURS = {"met": BLUE, "near": ORANGE, "short": "#A50F15", "unknown": MISSING}
GOOD, WARN, BAD = STATUS_COLOURS["met"], STATUS_COLOURS["near"], STATUS_COLOURS["short"]


@dataclass(frozen=True)
class Context:
    """What every chart says about itself: where, when, from which data, in which language."""
    area: str
    week_label: str
    sources: tuple[str, ...]  # dataset names: 'register', 'transfer', ...
    lang: str = "zh"
    file_week: str = ""  # the week as a file name wants it ('2022年第51周'); week_label when empty

    def source_line(self) -> str:
        names = ("、" if self.lang == "zh" else ", ").join(i18n.value("dataset", s, self.lang) for s in self.sources)
        return i18n.t("app.chart.source", self.lang, sources=names, week=self.week_label)

    def title(self, what: str) -> str:
        return f"{self.area} {what}，{self.week_label}" if self.lang == "zh" else f"{what}, {self.area}, {self.week_label}"

    def file_stem(self, what: str) -> str:
        """'呼和浩特市_ICU医护缺口_2022年第51周': area, what and week; no button label, no brackets."""
        week = self.file_week or self.week_label
        parts = [self.area, what, week.split("（")[0].split(" (")[0]]
        cleaned = ("".join(ch if ch.isalnum() or ch == "-" else "_" for ch in part).strip("_") for part in parts)
        return "_".join(p for p in cleaned if p)[:80]


# The bands of a figure, top to bottom, in pixels. Every band is reserved before anything is drawn, so
# title, legend, plot, axis labels and source line cannot overlap, at the in-app size and at export
# (both use the figure's own height; only the width differs, and nothing here depends on it beyond
# the legend's rows, which are counted for the narrowest width the app shows a chart at).
PAD = 8              # white space at the top and bottom edges
TITLE_LINE = 26      # one line of the 18 px title
LEGEND_ROW = 24      # one row of a horizontal legend at 13 px
GAP = 10             # between bands
SOURCE_BAND = 26     # the 11 px source line
TICK_LINE = 17       # one line of 13 px tick labels
AXIS_TITLE = 22
MIN_WIDTH = 860      # the narrowest a chart is shown (full width in the app's main column at 1280 px)
TITLE_SIZE, BODY_SIZE, SOURCE_SIZE = 18, 13, 11


def text_width(text: str, size: float) -> float:
    """Estimated width in pixels: CJK glyphs are square, Latin ones about 0.6 em (Noto Sans)."""
    return sum(size * (1.0 if ord(ch) >= 0x2E80 else 0.62) for ch in text)


def legend_entries(fig: go.Figure) -> list[str]:
    if fig.layout.showlegend is False:
        return []
    return [tr.name for tr in fig.data
            if tr.name and tr.showlegend is not False and tr.type in ("bar", "scatter", "funnel")]


def legend_rows(names: list[str], width: float = MIN_WIDTH) -> int:
    """Rows a horizontal legend needs at `width`: entries packed left to right (symbol + gap + text)."""
    if not names:
        return 0
    rows, used = 1, 0.0
    for name in names:
        w = 46 + text_width(name, BODY_SIZE)
        if used and used + w > width - 20:
            rows, used = rows + 1, 0.0
        used += w
    return rows


def briefing(fig: go.Figure, ctx: Context, what: str, *, height: int = 460, legend_below: bool = True,
             tick_lines: int = 1, x_title: bool | None = None, axis_band: int | None = None,
             left: int = 70, right: int = 40, legend_always: bool = False) -> go.Figure:
    """Apply the house style in reserved bands: title | legend | plot | x-axis labels and title | source.

    `tick_lines` is how many lines the x tick labels take (2 for weeks: '第51周<br>12月19日');
    `axis_band` overrides the band under the plot (0 for charts without an x axis: maps, Sankey).
    The legend (when there are two or more named series, or one with `legend_always`, where colour
    means something a reader must be told: the flow map's direction) sits under the title, never over
    the source.
    `legend_below` is kept for old callers and ignored."""
    title = ctx.title(what)
    title_lines, subtitle, title_size = 1, None, TITLE_SIZE
    room = MIN_WIDTH - left
    if text_width(title, TITLE_SIZE) > room:
        title_size = max(15, int(TITLE_SIZE * room / text_width(title, TITLE_SIZE)))  # a little smaller first
    if text_width(title, title_size) > room:
        # still too long: the week goes on a second line (plotly's subtitle; a '<br>' in a top-anchored
        # title would push its first line off the top), and the area too if need be
        title_size = TITLE_SIZE
        title, subtitle = (f"{ctx.area} {what}", ctx.week_label) if ctx.lang == "zh" else (f"{what}, {ctx.area}", ctx.week_label)
        if text_width(title, TITLE_SIZE) > room:
            title, subtitle = what, (f"{ctx.area} · {ctx.week_label}" if ctx.lang == "zh" else f"{ctx.area}, {ctx.week_label}")
        title_lines = 2
    names = legend_entries(fig)
    rows = legend_rows(names) if len(names) >= (1 if legend_always else 2) else 0
    if x_title is None:
        x_title = bool(fig.layout.xaxis.title.text) if fig.layout.xaxis else False
    if axis_band is None:
        axis_band = 6 + TICK_LINE * tick_lines + (AXIS_TITLE + 4 if x_title else 0) + 4
    title_band = PAD + TITLE_LINE * title_lines + (12 if subtitle else 0)
    legend_band = LEGEND_ROW * rows
    top = title_band + legend_band + GAP
    bottom = axis_band + GAP + SOURCE_BAND
    fig.update_layout(
        title={"text": title, "x": 0, "xref": "container", "xanchor": "left", "pad": {"l": 12},
               "y": 1 - PAD / height, "yref": "container", "yanchor": "top", "font": {"size": title_size},
               **({"subtitle": {"text": subtitle, "font": {"size": 15, "color": "#1B2631"}}} if subtitle else {})},
        font={"family": FONT, "size": BODY_SIZE, "color": "#1B2631"},
        paper_bgcolor="white",
        plot_bgcolor="white",
        height=height,
        margin={"l": left, "r": right, "t": top, "b": bottom, "pad": 0},
        hoverlabel={"font": {"family": FONT}},
        showlegend=bool(rows),
        meta={"bands": {"title": [0, title_band], "legend": [title_band, title_band + legend_band],
                        "plot": [top, height - bottom], "axis": [height - bottom, height - bottom + axis_band],
                        "source": [height - SOURCE_BAND, height]},
              "legend_rows": rows, "title_lines": title_lines},
    )
    if rows:
        fig.update_layout(legend={"orientation": "h", "x": 0, "xref": "container", "xanchor": "left",
                                  "y": 1 - title_band / height, "yref": "container", "yanchor": "top",
                                  "title": None, "traceorder": "normal", "font": {"size": BODY_SIZE},
                                  "itemwidth": 30, "indentation": 8})
    fig.update_xaxes(showline=True, linecolor="#AAB7B8", gridcolor="#EAEDED", zerolinecolor="#AAB7B8",
                     automargin=False, title_standoff=6)
    fig.update_yaxes(showline=True, linecolor="#AAB7B8", gridcolor="#EAEDED", zerolinecolor="#AAB7B8")
    fig.add_annotation(
        text=ctx.source_line(), xref="paper", yref="paper", x=0, y=0, yshift=-(bottom - PAD // 2),
        xanchor="left", yanchor="bottom", showarrow=False, font={"size": SOURCE_SIZE, "color": NEUTRAL},
        name="source",
    )
    return fig


def bar_ends(fig: go.Figure, names: list, ends: list, texts: list[str]) -> go.Figure:
    """Write a text at the end of each horizontal bar (its total, or its denominator), as annotations
    so the traces stay the data's own."""
    add_annotations(fig, [{"x": end or 0, "y": name, "xref": "x", "yref": "y", "text": text, "showarrow": False,
                           "xanchor": "left", "xshift": 4, "font": {"size": 12, "color": "#1B2631"}}
                          for name, end, text in zip(names, ends, texts)])
    return fig


def category_ticks(fig: go.Figure, names: list, left: int = 70, right: int = 40) -> int:
    """Lay out a category x axis's labels and say how many tick lines they take: level when each fits
    its slot of the plot at its narrowest, else at -30 degrees (a label then takes about half its
    width in height). Without this plotly turns them on its own, into the axis title and the source."""
    longest = max((text_width(str(n), BODY_SIZE) for n in names), default=0)
    if longest + 8 <= (MIN_WIDTH - left - right) / max(len(names), 1):
        fig.update_xaxes(tickangle=0)
        return 1
    fig.update_xaxes(tickangle=-30)
    return max(1, min(9, math.ceil(longest * 0.5 / TICK_LINE) + 1))


def target_line(fig: go.Figure, y: float, text: str) -> go.Figure:
    """A target across the plot as a dashed line, named in the legend: a text written on the plot
    beside the line would sit over the bars or lines that pass it."""
    line = {"color": NEUTRAL, "dash": "dash", "width": 1.5}
    fig.add_hline(y=y, line=line)
    fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name=text, line=line, hoverinfo="skip"))
    return fig


def area_rates(ctx: Context, what: str, shown: pl.DataFrame, series: list[tuple[str, str, str]], target: float,
               target_text: str, y_title: str, x_title: str) -> go.Figure:
    """Rates per area (`shown`'s "name", one grouped bar per (column, name, colour) of `series`) against
    a target line, the area names at -30°."""
    fig = go.Figure()
    for column, name, colour in series:
        fig.add_trace(go.Bar(x=shown["name"].to_list(), y=shown[column].to_list(), name=name, marker_color=colour,
                             hovertemplate="%{x}: %{y:.1%}<extra>%{fullData.name}</extra>"))
    target_line(fig, target, target_text)
    fig.update_yaxes(title=y_title, tickformat=".0%", range=[0, 1.12])
    fig.update_xaxes(title=x_title, type="category", tickangle=-30, automargin=True)
    briefing(fig, ctx, what, height=520, tick_lines=3)  # names at -30°: three lines deep
    fig.update_layout(barmode="group")
    return fig


def status_bars(ctx: Context, what: str, labels: list[str], counts: list, colours: list[str], y_title: str,
                x_title: str, height: int) -> go.Figure:
    """Facilities by status, one bar each with its count above it (the blanks and the ones that sent
    nothing are statuses of their own, never folded into another)."""
    fig = go.Figure(go.Bar(x=labels, y=counts, marker_color=colours, text=counts, textposition="outside",
                           cliponaxis=False, showlegend=False, hovertemplate="%{x}: %{y}<extra></extra>"))
    fig.update_yaxes(title=y_title, rangemode="tozero")
    fig.update_xaxes(title=x_title, type="category")
    return briefing(fig, ctx, what, height=height, legend_below=False)


def add_annotations(fig: go.Figure, annotations: list[dict]) -> go.Figure:
    """Append annotations in one update: `fig.add_annotation` in a loop validates and copies the whole
    list each time (30 bar ends: 84 ms, at once 4 ms; the same figure)."""
    if annotations:
        fig.update_layout(annotations=[*fig.layout.annotations, *annotations])
    return fig


def bands(fig: go.Figure) -> dict[str, tuple[int, int]]:
    """The reserved bands recorded by `briefing` (pixels from the top)."""
    return {k: tuple(v) for k, v in fig.layout.meta["bands"].items()}


def plotly_config(ctx: Context, what: str, height: int | None = None) -> dict:
    """Modebar set for export: the camera button saves a 2x PNG with a meaningful file name, at the
    figure's own height (the bands are laid out for it)."""
    height = height or EXPORT_HEIGHT
    return {
        "displaylogo": False,
        "modeBarButtonsToRemove": ["lasso2d", "select2d"],
        "toImageButtonOptions": {"format": "png", "scale": 2, "width": EXPORT_WIDTH, "height": height,
                                 "filename": ctx.file_stem(what)},
    }


def to_png(fig: go.Figure, scale: float = 2) -> bytes:
    """Server-side PNG (kaleido drives the system Chromium; MathJax off so nothing loads from outside)."""
    import plotly.io as pio

    try:
        pio.defaults.mathjax = None
    except AttributeError:
        pass
    return fig.to_image(format="png", width=EXPORT_WIDTH, height=fig.layout.height or EXPORT_HEIGHT, scale=scale)


def percent_axis(fig: go.Figure, axis: str = "y") -> go.Figure:
    update = fig.update_yaxes if axis == "y" else fig.update_xaxes
    update(tickformat=".0%", rangemode="tozero")
    return fig


def empty(ctx: Context, what: str) -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(text=i18n.t("app.chart.no_data", ctx.lang), showarrow=False, font={"size": 16})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return briefing(fig, ctx, what, height=260, axis_band=0)
