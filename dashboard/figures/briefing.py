"""What makes a chart briefing-ready: a title saying what, where and when; units on the axes; a
source line with the week; fonts that render Chinese; sizes legible when pasted into Word."""
from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go

from dashboard import i18n

FONT = "Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, PingFang SC, SimHei, sans-serif"
EXPORT_WIDTH, EXPORT_HEIGHT = 1200, 675  # 16:9, readable at Word's page width

# Colours: the risk labels keep their meaning; tiers and statuses use a colour-blind-safe set.
LABEL_COLOURS = {"green": "#2E9D5B", "yellow": "#E3B505", "red": "#D64541"}
TIER_COLOURS = {
    "primary": "#4C9BE8", "sub_designated": "#8E6CC9", "designated": "#E07B39",
    "lead": "#C0392B", "partner": "#2C3E50", "home": "#95A5A6",
}
DIRECTION_COLOURS = {"up": "#D64541", "down": "#2E86C1", "lateral": "#7F8C8D"}
NEUTRAL = "#5D6D7E"
GOOD, WARN, BAD, MISSING = "#2E9D5B", "#E3B505", "#D64541", "#BDC3C7"


@dataclass(frozen=True)
class Context:
    """What every chart says about itself: where, when, from which data, in which language."""
    area: str
    week_label: str
    sources: tuple[str, ...]  # dataset names: 'register', 'transfer', ...
    lang: str = "zh"

    def source_line(self) -> str:
        names = ("、" if self.lang == "zh" else ", ").join(i18n.value("dataset", s, self.lang) for s in self.sources)
        return i18n.t("app.chart.source", self.lang, sources=names, week=self.week_label)

    def title(self, what: str) -> str:
        return f"{self.area} {what}，{self.week_label}" if self.lang == "zh" else f"{what}, {self.area}, {self.week_label}"

    def file_stem(self, what: str) -> str:
        return "".join(ch if ch.isalnum() else "_" for ch in f"{self.area}_{what}_{self.week_label}")[:80]


def briefing(fig: go.Figure, ctx: Context, what: str, *, height: int = 460, legend_below: bool = True) -> go.Figure:
    """Apply the house style: title, source line, fonts, white background, legend under the plot."""
    fig.update_layout(
        title={"text": ctx.title(what), "x": 0.01, "xanchor": "left", "font": {"size": 18}},
        font={"family": FONT, "size": 13, "color": "#1B2631"},
        paper_bgcolor="white",
        plot_bgcolor="white",
        height=height,
        margin={"l": 60, "r": 30, "t": 70, "b": 90 if legend_below else 60},
        hoverlabel={"font": {"family": FONT}},
    )
    if legend_below:
        fig.update_layout(legend={"orientation": "h", "yanchor": "top", "y": -0.14, "x": 0, "title": None})
    fig.update_xaxes(showline=True, linecolor="#AAB7B8", gridcolor="#EAEDED", zerolinecolor="#AAB7B8")
    fig.update_yaxes(showline=True, linecolor="#AAB7B8", gridcolor="#EAEDED", zerolinecolor="#AAB7B8")
    fig.add_annotation(
        text=ctx.source_line(), xref="paper", yref="paper", x=0, y=0, yshift=-(80 if legend_below else 48),
        xanchor="left", yanchor="top", showarrow=False, font={"size": 11, "color": NEUTRAL},
    )
    return fig


def plotly_config(ctx: Context, what: str) -> dict:
    """Modebar set for export: the camera button saves a 2x PNG with a meaningful file name."""
    return {
        "displaylogo": False,
        "modeBarButtonsToRemove": ["lasso2d", "select2d"],
        "toImageButtonOptions": {"format": "png", "scale": 2, "width": EXPORT_WIDTH, "height": EXPORT_HEIGHT,
                                 "filename": ctx.file_stem(what)},
    }


def to_png(fig: go.Figure) -> bytes:
    """Server-side PNG (kaleido drives the system Chromium; MathJax off so nothing loads from outside)."""
    import plotly.io as pio

    try:
        pio.defaults.mathjax = None
    except AttributeError:
        pass
    return fig.to_image(format="png", width=EXPORT_WIDTH, height=max(EXPORT_HEIGHT, fig.layout.height or 0), scale=2)


def percent_axis(fig: go.Figure, axis: str = "y") -> go.Figure:
    update = fig.update_yaxes if axis == "y" else fig.update_xaxes
    update(tickformat=".0%", rangemode="tozero")
    return fig


def empty(ctx: Context, what: str) -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(text=i18n.t("app.chart.no_data", ctx.lang), showarrow=False, font={"size": 16})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return briefing(fig, ctx, what, height=260, legend_below=False)
