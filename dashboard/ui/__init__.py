"""Streamlit glue shared by every page: language, filters, cached queries, chart display, banner.

Pages stay thin: read `filters()`, call `query()` and a figure builder, then `chart()`.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
import re
from dataclasses import dataclass, field

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from dashboard import config, i18n, store, weeks

from dashboard.exports import downloads, suppression

from dashboard.ingest import contracts
from dashboard.store import access, queries
from dashboard import formatting as fmt
from dashboard.figures import briefing

log = logging.getLogger("dashboard")


def lang() -> str:
    return st.session_state.get("lang", i18n.DEFAULT)


def t(key: str, **fmt) -> str:
    """Translate 'app.title'-style keys in the current language."""
    return i18n.t(key, lang(), **fmt)


def v(group: str, stored: str | None) -> str:
    return i18n.value(group, stored, lang())


@dataclass(frozen=True)
class Filters:
    week: dt.date | None
    league_code: str | None = None
    county_code: str | None = None
    consortium: str | None = None
    area_label: str = ""
    latest_week: dt.date | None = None
    weeks: tuple[dt.date, ...] = field(default_factory=tuple)
    loading: tuple[str, ...] = ()      # datasets of this week still loading (the demo's register)

    def params(self) -> dict:
        return {"week": self.week, "league_code": self.league_code, "county_code": self.county_code,
                "consortium": self.consortium}

    @property
    def week_label(self) -> str:
        return weeks.label(self.week, lang()) if self.week else "—"

    def context(self, *sources: str) -> briefing.Context:
        return briefing.Context(self.area_label, self.week_label, tuple(sources), lang())


def data_version() -> int:
    """Changes whenever a load lands (from this app or the CLI), so cached results refresh. Asked once
    per page run (every cached query's key holds it)."""
    def last_load() -> int:
        row = store.cursor().execute("select coalesce(max(load_id), 0) from load_log where outcome = 'accepted'").fetchone()
        return int(row[0])
    return access.once_per_run(("data_version", str(config.db_path())), last_load)


# A resource cache, not a data cache: polars frames are immutable and every page only reads them, so
# one copy serves every session with no pickling on each hit (a data cache copies the frame back out
# on every call: 0.3-1 s for the referral rows at 1.6 million transfers a week). The key holds the
# database and its load number, so a load (an upload, the CLI, the demo's background weeks) is seen
# on the next run.
@st.cache_resource(show_spinner=False, max_entries=512)
def _cached(name: str, database: str, version: int, params: tuple) -> pl.DataFrame:
    return queries.run(name, **dict(params))


def query(name: str, **params) -> pl.DataFrame:
    """Run queries/<name>.sql, cached until the data change. Extra parameters are ignored."""
    wanted = queries.parameters(name)
    key = tuple(sorted((k, v) for k, v in params.items() if k in wanted))
    # the database is part of the key: two databases can share a load number (tests open several)
    return _cached(name, str(config.db_path()), data_version(), key)


def clear_caches() -> None:
    st.cache_data.clear()
    for cached in (_cached, _headlines, _worst):
        cached.clear()


def _area_key(area: dict) -> tuple:
    return tuple(sorted((k, area.get(k)) for k in ("league_code", "county_code", "consortium")))


def data_identity(week: dt.date) -> tuple:
    """Everything a week's computed headlines depend on besides the area: the database (its path and
    the id it was made with), the loads the week's figures read, the policy in force and the code that
    computes them. A cache keyed by this may outlive the process: a restart reads it instead of
    recomputing, and a load the week reads, a policy change or a new release makes new keys.

    The loads a week reads (`week_loads`): its own, every week of a dataset whose weeks read each other
    or that a contract's `must_report` reads, and the facility register's latest week (the current
    register every figure reads). A load of another week of anything else leaves the week's figures
    as they were, so the overview's six-week history recomputes only the weeks a load touched."""
    from dashboard import policy

    database = str(config.db_path())
    return (database,
            access.once_per_run(("database_id", database), lambda: store.database_id(store.cursor())),
            access.once_per_run(("week_loads", database, week), lambda: week_loads(store.cursor(), week)),
            policy.fingerprint(), _code_version())


def week_loads(cur, week: dt.date) -> tuple[int, int, int]:
    """(the last accepted load of the week itself, of any week of the datasets every week reads, of the
    facility register's latest week); 0 where there is none. Load numbers only grow, so a new load
    of any of these changes the answer."""
    row = cur.execute(
        """select coalesce(max(load_id) filter (where week = $week), 0),
                  coalesce(max(load_id) filter (where list_contains($every_week, dataset)), 0),
                  coalesce(max(load_id) filter (where dataset = 'facility'
                                                  and week = (select max(week) from facility)), 0)
           from load_log where outcome = 'accepted'""",
        {"week": week, "every_week": list(contracts.read_every_week())}).fetchall()[0]
    return tuple(int(x) for x in row)


@functools.lru_cache(maxsize=1)
def _code_version() -> str:
    digest = hashlib.sha256()
    for path in sorted([*(config.ROOT / "dashboard").rglob("*.py"), *config.QUERIES.rglob("*.sql")]):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


# Kept on disk (Streamlit's cache folder, ~/.streamlit/cache): counts and shares per area, no
# personal data. The overview's six-week history then costs one computation per (week, area) and
# load, not one per rerun, per visitor or per server start.
@st.cache_data(show_spinner=False, max_entries=512, persist="disk")
def _headlines(identity: tuple, week: dt.date, area: tuple) -> list:
    from dashboard.metrics import headlines

    return headlines.all_headlines(query, week, dict(area))


def cached_headlines(week: dt.date, area: dict) -> list:
    """Every topic's headline for one week and area, computed once per (week, area) until the data
    change (the overview's six-week history asks for the same weeks on every rerun and every visit)."""
    return _headlines(data_identity(week), week, _area_key(area))


@st.cache_data(show_spinner=False, max_entries=1024)
def _topic_headline(identity: tuple, topic: str, week: dt.date, area: tuple, choices: tuple):
    """One topic's headline with a detail page's own choices, once per (week, area, choices) until the
    data change: the page's head and its trend recompute nothing on a rerun."""
    from dashboard.metrics import headlines

    return getattr(headlines, topic)(query, week, dict(area), **dict(choices))


@st.cache_data(show_spinner=False, max_entries=512, persist="disk")
def _worst(identity: tuple, topic: str, week: dt.date, area: tuple, language: str, choices: tuple = ()) -> list:
    from dashboard.metrics import verdicts

    return verdicts.worst(topic, query, week, dict(area), language, **dict(choices))


def filters() -> Filters:
    """The sidebar's choices for this run (every page calls this first)."""
    if "lang" not in st.session_state:
        _through_the_router()
    return st.session_state.get("filters") or Filters(week=None)


def _through_the_router() -> None:
    """A page is running without app.py around it. Streamlit does this (its old multipage mode, which
    runs pages/<name>.py by itself) when the first visitor of a freshly started server opens
    /<page> rather than /: no st.navigation call has told the process yet that app.py is the router.
    Tell it (the flag st.navigation itself sets) and run again, through app.py."""
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.uses_pages_directory = False
    st.rerun()


def _province_label() -> str:
    census = query("area_census_names")
    province = census.filter(pl.col("level") == "province")
    if province.height:
        return province["name_zh"][0] if lang() == "zh" else (province["name_en"][0] or province["name_zh"][0])
    return t("app.area.all")


ALL = ""  # the "whole area" choice of a drill-down (a string: Streamlit shows a None value as "no choice")


def _pick(label: str, options: list, key: str, fmt):
    """A sidebar selectbox whose choice survives a language switch and page changes.

    Streamlit's front end remembers a selectbox's choice by its displayed text, which changes with the
    language; so the widget is keyed per language and the choice itself is kept under `key`."""
    current = st.session_state.get(key)
    index = options.index(current) if current in options else 0
    shown = {option: fmt(option) for option in options}  # formatted now, in this run's language
    value = st.sidebar.selectbox(label, options, index=index, format_func=shown.__getitem__, key=f"{key}_{lang()}")
    st.session_state[key] = value
    return value


def kept_choice(widget, label: str, options: list, key: str, fmt, default=None, **kwargs):
    """A radio, selectbox or select_slider on a page whose choice survives reruns and a language
    switch. Its labels are formatted now, in this run's language (Streamlit may call format_func
    later, outside the run, where the language is not known: a lambda calling t() then answers in
    Chinese, and a choice stored by its label no longer matches); the widget is keyed per language
    and the choice itself kept under `key`. `default`: the option chosen until the user chooses."""
    current = st.session_state.get(key, default)
    shown = {option: fmt(option) for option in options}
    index = options.index(current) if current in options else 0
    value = widget(label, options, index=index, format_func=shown.__getitem__, key=f"{key}_{lang()}", **kwargs)
    st.session_state[key] = value
    return value


def kept_choices(label: str, options: list, key: str, fmt, place=None, **kwargs) -> list:
    """A multiselect kept the same way as `kept_choice` (labels formatted now, keyed per language),
    placed in `place` (a column) or the page."""
    current = [x for x in st.session_state.get(key, []) if x in options]
    shown = {option: fmt(option) for option in options}
    value = (place or st).multiselect(label, options, default=current, format_func=shown.__getitem__, key=f"{key}_{lang()}", **kwargs)
    st.session_state[key] = value
    return value


def sidebar_filters() -> Filters:
    """Week picker and area drill-down, shared by every page (kept in session state)."""
    page_style()
    available = tuple(query("data_weeks")["week"].to_list())
    if not available:
        st.sidebar.info(t("app.sidebar.no_data"))
        result = Filters(week=None, area_label=t("app.area.all"))
        st.session_state["filters"] = result
        return result
    week = _pick(t("app.sidebar.week"), list(available), "f_week", lambda w: weeks.label(w, lang()))
    areas = query("area_options")
    names = query("area_census_names")
    en_names = dict(zip(names["adcode"].to_list(), names["name_en"].to_list()))

    def area_name(code: str, zh: str) -> str:
        return zh if lang() == "zh" else (en_names.get(code) or zh)

    leagues = areas.select("league_code", "league_name").unique().sort("league_code")
    league_names = dict(zip(leagues["league_code"].to_list(), leagues["league_name"].to_list()))
    league = _pick(t("app.sidebar.league"), [ALL, *league_names], "f_league",
                   lambda c: t("app.sidebar.all_leagues") if c == ALL else area_name(c, league_names[c])) or None
    county = consortium = None
    if league:
        counties = areas.filter(pl.col("league_code") == league).select("county_code", "county_name").unique().sort("county_code")
        county_names = dict(zip(counties["county_code"].to_list(), counties["county_name"].to_list()))
        county = _pick(t("app.sidebar.county"), [ALL, *county_names], "f_county",
                       lambda c: t("app.sidebar.all") if c == ALL else area_name(c, county_names[c])) or None
        scope = areas.filter(pl.col("league_code") == league)
        if county:
            scope = scope.filter(pl.col("county_code") == county)
        consortia = sorted(set(scope["consortium"].to_list()))
        consortium = _pick(t("app.sidebar.consortium"), [ALL, *consortia], "f_consortium",
                           lambda c: t("app.sidebar.all") if c == ALL else c) or None
    if consortium:
        label = consortium
    elif county:
        label = f"{area_name(league, league_names[league])} {area_name(county, county_names[county])}"
    elif league:
        label = area_name(league, league_names[league])
    else:
        label = _province_label()
    from dashboard import demo

    result = Filters(week, league, county, consortium, label, available[0], available,
                     demo.datasets_loading(store.cursor(), week))
    st.session_state["filters"] = result
    return result


def page_header(title_key: str, *, needs_week: bool = True, reads: tuple[str, ...] = ()) -> Filters:
    """The top of every page: its title, the 'area · week' caption, and (unless the page works without
    data, like the upload page) a stop with a note when nothing has been loaded yet, or while the
    datasets it `reads` are still loading for the week. Returns the filters."""
    f = filters()
    st.title(t(title_key))
    if f.week is not None:
        st.caption(f"{f.area_label} · {f.week_label}")
    if needs_week and f.week is None:
        st.info(t("app.sidebar.no_data"))
        st.stop()
    if reads:
        stop_while_loading(f, *reads)
    return f


def chart(fig: go.Figure, ctx: briefing.Context, what: str, key: str, data: pl.DataFrame | None = None,
          topic: str | None = None) -> None:
    """Show a briefing chart with image export (modebar camera, and a server-rendered PNG button) and
    its data as CSV and XLSX in the interface's language."""
    st.plotly_chart(fig, key=key, config=briefing.plotly_config(ctx, what, fig.layout.height))
    chart_downloads(lambda: fig, ctx, what, key, data, topic)


def chart_downloads(build, ctx: briefing.Context, what: str, key: str, data: pl.DataFrame | None = None,
                    topic: str | None = None) -> None:
    """A briefing figure's downloads: its server-rendered PNG (`build()` called only when the button is
    clicked, so a figure that is not on screen, such as a map's briefing copy beside the interactive
    map, costs nothing until then) and its data as CSV and XLSX."""
    columns = st.columns([1, 1, 1, 2])
    columns[0].download_button(
        t("app.chart.download_png"), data=lambda: briefing.to_png(suppression.for_page_chart(build(), key)),
        file_name=f"{ctx.file_stem(what)}.png", mime="image/png", key=f"{key}_png", icon=":material/image:",
        on_click="ignore",
    )
    if data is not None:
        table_downloads(data, ctx.file_stem(what), key, topic, columns[1:3])


def map_copy(view: str, build, ctx: briefing.Context, what: str, key: str, data: pl.DataFrame | None = None) -> None:
    """A map's briefing copy: on screen with its downloads in the "briefing" view; in the
    "interactive" view (placed under the interactive map) only its downloads, `build()` called when
    the PNG is clicked."""
    if view == "briefing":
        chart(build(), ctx, what, key, data)
    else:
        chart_downloads(build, ctx, what, key, data)


def map_view(key: str, place=None) -> str:
    """Which of a map tab's two views to draw: "interactive" (the deck.gl map: zoom, hover) or
    "briefing" (its Plotly copy with title, area, week, legend and source: what the PNG holds). One at
    a time: the two drawn together took 4-5 s in the browser. Kept per page under `key`."""
    return kept_choice((place or st).radio, t("app.map.view"), ["interactive", "briefing"], key,
                       lambda x: t(f"app.map.view_{x}"), horizontal=True)


def table_downloads(data: pl.DataFrame, stem: str, key: str, topic: str | None = None, places=None) -> None:
    """CSV and XLSX of a table, column names and values in the interface's language; the file is
    named for what it holds (area, what, week), never for the button."""
    left, right = places or st.columns([1, 1, 3])[:2]
    left.download_button(
        t("app.chart.download_csv"), data=lambda: downloads.csv_bytes(data, lang(), topic),
        file_name=f"{stem}.csv", mime="text/csv", key=f"{key}_csv", icon=":material/download:", on_click="ignore",
    )
    right.download_button(
        t("app.chart.download_xlsx"), data=lambda: downloads.xlsx_bytes(data, lang(), topic),
        file_name=f"{stem}.xlsx", mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"{key}_xlsx", icon=":material/table:", on_click="ignore",
    )


def briefing_pack_button(f: Filters) -> None:
    """One click: the briefing pack (PDF, ZIP of PNGs, XLSX) for the chosen week and area, with
    progress while it builds; the three files then download."""
    from dashboard.exports import briefing_pack

    # a week still loading would go into the briefing as if its figures were final: not until it is in
    if st.button(t("app.pack.button"), icon=":material/picture_as_pdf:", key="pack_build", type="primary",
                 disabled=bool(f.loading), help=t("app.pack.wait") if f.loading else None):
        bar = st.progress(0.0, text=t("app.pack.building"))
        pack = briefing_pack.collect(f, query, lang())
        files = briefing_pack.build(pack, lambda share, what: bar.progress(min(share, 1.0), text=t("app.pack.step", what=what)))
        bar.empty()
        st.session_state["pack_files"] = (briefing_pack.file_stem(pack), files)
    if "pack_files" in st.session_state:
        stem, files = st.session_state["pack_files"]
        st.success(t("app.pack.done"), icon=":material/check_circle:")
        a, b, c, _ = st.columns([1, 1, 1, 1])
        a.download_button(t("app.pack.pdf"), files["pdf"], file_name=f"{stem}.pdf", mime="application/pdf",
                          key="pack_pdf", icon=":material/picture_as_pdf:", on_click="ignore")
        b.download_button(t("app.pack.zip"), files["zip"], file_name=f"{stem}.zip", mime="application/zip",
                          key="pack_zip", icon=":material/folder_zip:", on_click="ignore")
        c.download_button(t("app.pack.xlsx"), files["xlsx"], file_name=f"{stem}.xlsx", key="pack_xlsx",
                          mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                          icon=":material/table:", on_click="ignore")


PRINT_CSS = """
<style>
/* the sidebar wide enough for a whole week label */
section[data-testid="stSidebar"] { min-width: 330px; }
/* a headline's label and a worst place's name wrap onto a second line rather than end in "…" */
[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] * { white-space: normal !important;
  overflow: visible !important; text-overflow: clip !important; }
[class*="st-key-worst_"] button, [class*="st-key-worst_"] button * { white-space: normal !important;
  overflow: visible !important; text-overflow: clip !important; }
[class*="st-key-worst_"] button { height: auto; min-height: 2.5rem; }
/* printing a page: no sidebar, no header or toolbar, no download buttons; a fixed A4-landscape width;
   charts and tables kept whole on a page */
@media print {
  @page { size: A4 landscape; margin: 12mm; }
  section[data-testid="stSidebar"], header[data-testid="stHeader"], [data-testid="stToolbar"],
  [data-testid="stSidebarCollapsedControl"], [data-testid="stDownloadButton"], [data-testid="stStatusWidget"],
  [data-testid="stDecoration"] { display: none !important; }
  [data-testid="stAppViewContainer"], [data-testid="stMain"], .main { margin-left: 0 !important; }
  [data-testid="stMainBlockContainer"], .block-container { width: 1000px !important; max-width: 1000px !important;
    padding: 0 !important; }
  [data-testid="stPlotlyChart"], [data-testid="stDataFrame"], [data-testid="stMetric"],
  [data-testid="stVerticalBlockBorderWrapper"] { break-inside: avoid; }
  body { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
</style>
"""


def page_style() -> None:
    """The app's own CSS (sidebar width, print layout); called once per run from the sidebar."""
    st.html(PRINT_CSS)


_NUMBER_TEXT = re.compile(r"^[−+\-]?\d[\d,.]*(%|万|亿|K|M|B)?$")


def table(frame: pl.DataFrame, **kwargs) -> None:
    """st.dataframe for a table written out by dashboard.metrics.tables.readable: columns that hold
    only numbers ('12,345', '12.3%', or '—' for a blank) are aligned right, as numbers are."""
    right = {}
    for name in frame.columns:
        values = [v for v in frame[name].to_list() if v is not None and v != fmt.BLANK]
        if frame[name].dtype == pl.String and values and all(_NUMBER_TEXT.match(v) for v in values):
            right[name] = st.column_config.TextColumn(alignment="right")
    st.dataframe(frame, column_config=right | kwargs.pop("column_config", {}), **kwargs)


def metric_row(items: list[tuple[str, str, str | None]]) -> None:
    """A row of headline numbers: (label, value, help)."""
    for column, (label, value, help_text) in zip(st.columns(len(items)), items):
        column.metric(label, value, help=help_text, border=True)


def figure_label(fig) -> str:
    """A headline figure's label in the current language (dashboard.metrics.headlines.Figure), its
    placeholders filled: translation keys translated, shares as percentages."""
    values = {k: (t(v) if isinstance(v, str) and "." in v else pct(v, 0) if isinstance(v, float) and v < 1 else v)
              for k, v in fig.fmt.items()}
    return t(fig.key, **values)


def figure_value(fig) -> str:
    """A headline figure's value as shown: '—' for unknown, never 0."""
    if fig.kind == "ratio":
        return str(fig.value)
    if fig.kind == "points":
        from dashboard.metrics import scorecard

        return scorecard.points_text(fig.value, lang())
    return pct(fig.value) if fig.kind == "share" else num(fig.value)


def headline_row(headline) -> None:
    """The headline figures of one topic, exactly as its page shows them."""
    metric_row([(figure_label(x), figure_value(x), None) for x in headline.figures])


def stop_while_loading(f: Filters, *datasets: str) -> None:
    """A page whose data for the week (its datasets, and the facility register every page reads) are
    still loading says so and stops: it never shows a silent facility as "not reported" or a share of
    zero in the meantime."""
    if loading_note(f, "facility", *datasets):
        st.stop()


def loading_note(f: Filters, *datasets: str) -> bool:
    """Say which of `datasets` are still loading for the chosen week, if any; True when one is."""
    waiting = [d for d in f.loading if d in datasets]
    if waiting:
        names = ("、" if lang() == "zh" else ", ").join(v("dataset", d) for d in waiting)
        st.info(t("app.loading_week", week=f.week_label, datasets=names), icon=":material/hourglass_top:")
    return bool(waiting)


def pct(x: float | None, digits: int = 1) -> str:
    """'12.3%' (one decimal unless asked), from Babel's CLDR data; '—' for a blank."""
    return fmt.pct(x, lang(), digits)


def num(x: float | int | None) -> str:
    """'12,345'; from 10万 up, '58万' / '1234.6万' / '12.35亿' in Chinese ('580K' in English)."""
    return fmt.compact(x, lang())


def localise_file_uploader(button: str, instructions: str) -> None:
    """Streamlit writes the file uploader's button ("Upload") and its size line in English whatever
    the app's language; replace both with our own words (CSS only: the widget itself is unchanged)."""
    css = (
        "[data-testid='stFileUploaderDropzone'] button [data-testid='stMarkdownContainer'] p{font-size:0}"
        f"[data-testid='stFileUploaderDropzone'] button [data-testid='stMarkdownContainer'] p::after{{content:{_css_text(button)};font-size:0.875rem}}"
        "[data-testid='stFileUploaderDropzoneInstructions'] span{font-size:0}"
        f"[data-testid='stFileUploaderDropzoneInstructions'] span::after{{content:{_css_text(instructions)};font-size:0.875rem}}"
    )
    st.html(f"<style>{css}</style>")


def _css_text(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


STATUS_TONES = {"met": "blue", "near": "orange", "short": "red", "unknown": "gray"}  # st.metric / markdown colours


def verdict_row(headline, past: dict, f: Filters, helps: dict | None = None, choices: dict | None = None,
                here: bool = False) -> None:
    """A headline as a verdict: each figure (the page's own value and label) with the change since
    the previous week, a small trend, and its status against the policy target in words, symbol and
    colour (met / near / short, or cannot be judged for a blank); then the three places where it is
    worst, each a link into the detail page filtered to its banner/county. `helps`: a help text per
    figure key; `choices`: a detail page's own choices (see verdicts.worst); `here`: placed on the
    detail page itself (a worst place then filters this page)."""
    from dashboard.metrics import verdicts
    from dashboard.figures import verdict

    figures = headline.figures
    cells = []
    for column, figure in zip(st.columns(len(figures)), figures):
        if figure.kind == "ratio":  # who reported: a count of units, held to no target
            column.metric(figure_label(figure), figure_value(figure), border=True, help=(helps or {}).get(figure.key))
            cells.append(None)
            continue
        trend = verdicts.series(past, headline.topic, figure.key)
        previous = trend[-2] if len(trend) >= 2 else None
        state = verdicts.figure_status(figure)
        change = None if fmt.missing(figure.value) or fmt.missing(previous) else figure.value - previous
        delta = fmt.signed(change, lang(), "pct" if figure.kind == "share" else "num").replace("−", "-") \
            if change is not None else None
        column.metric(figure_label(figure), figure_value(figure), delta=delta,
                      delta_color=STATUS_TONES.get(state, "gray") if state else "gray",
                      help=" ".join(x for x in ((helps or {}).get(figure.key), t("app.verdict.delta_help") if delta else None)
                                    if x) or None,
                      border=True)
        words = ""
        if state:
            words = f"{verdict.SYMBOLS[state]} {t(f'app.verdict.{state}')}"
            if figure.target is not None:
                words += " · " + t("app.verdict.target", target=pct(figure.target))
        known = [v for v in trend if not fmt.missing(v)]
        cells.append((words, briefing.STATUS_COLOURS[state] if state else briefing.NEUTRAL,
                      trend if len(known) > 1 else []) if words or len(known) > 1 else None)
    # the statuses and trends of the whole row in one element (not a chart per metric: see strip_html)
    if any(cells):
        st.markdown(verdict.strip_html(cells), unsafe_allow_html=True)
    worst = _worst(data_identity(f.week), headline.topic, f.week, _area_key(f.params()), lang(),
                   tuple(sorted((choices or {}).items())))
    if worst:
        st.markdown(f"**{t('app.verdict.worst')}**")
        for i, (column, place) in enumerate(zip(st.columns(len(worst)), worst)):
            column.button(f"{place.name}（{place.shown}）" if lang() == "zh" else f"{place.name} ({place.shown})",
                          help=place.detail or None,
                          key=f"worst_{headline.topic}_{i}", icon=":material/arrow_forward:", width="stretch",
                          on_click=_open_filtered, args=(None if here else headline.page, place.league_code, place.county_code))


def page_verdict(topic, f: Filters, helps: dict | None = None, **choices):
    """The head of a detail page: its headline as the overview shows it (the same function of
    dashboard/metrics/headlines.py, so the two agree), with the page's own choices where it has any,
    its trend over the last weeks, and the three places where it is worst. Returns the headline."""
    from dashboard.metrics import verdicts

    area, chosen = _area_key(f.params()), tuple(sorted(choices.items()))
    headline = _topic_headline(data_identity(f.week), topic.__name__, f.week, area, chosen)
    weeks = sorted(w for w in f.weeks if w <= f.week)[-verdicts.TREND_WEEKS:]
    past = {w: [_topic_headline(data_identity(w), topic.__name__, w, area, chosen)] for w in weeks}
    verdict_row(headline, past, f, helps=helps, choices=choices, here=True)
    return headline


def _open_filtered(page: str | None, league_code: str | None, county_code: str | None) -> None:
    """Set the sidebar to a banner/county (its keyed widgets too) and open the page there."""
    for key, value in (("f_league", league_code or ALL), ("f_county", county_code or ALL), ("f_consortium", ALL)):
        st.session_state[key] = value
        for language in i18n.LANGS:
            st.session_state.pop(f"{key}_{language}", None)
    if page:
        st.session_state["open_page"] = page


def follow_link() -> None:
    """Open the page a verdict link asked for (st.switch_page cannot run inside a callback)."""
    page = st.session_state.pop("open_page", None)
    if page:
        st.switch_page(page)


def policy_value(key: str) -> float:
    from dashboard import policy

    return policy.value(key)
