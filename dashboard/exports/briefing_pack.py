"""The one-click briefing pack: an A4 PDF in Chinese (or English), a ZIP of the charts as PNG and an
XLSX of the tables, for the chosen week and area.

PDF library: fpdf2. It embeds (and subsets) OpenType fonts with CFF outlines, which is what Debian's
fonts-noto-cjk ships (NotoSansCJK-*.ttc, a collection: the Simplified Chinese face is number 2), so
the PDF carries its own Chinese glyphs and reads the same on any machine. reportlab's TTFont takes
TrueType outlines only and its CJK fallback (STSong-Light) is not embedded. fpdf2 is pure Python.

The order is fixed, week after week: cover; then one section per area (risk labelling, referrals,
ICU staffing, stock, fever clinics, staff on duty, discharge follow-up, consortium scorecard: the
overview's topics, headlines.TOPICS, in its order), each its verdict lines and its key charts; then
the facilities that need action.
"""
from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import plotly.graph_objects as go
import polars as pl

from dashboard import i18n, weeks
from dashboard.exports import suppression
from dashboard.figures import briefing

FONT_DIR = Path("/usr/share/fonts/opentype/noto")
FONT_REGULAR, FONT_BOLD = FONT_DIR / "NotoSansCJK-Regular.ttc", FONT_DIR / "NotoSansCJK-Bold.ttc"
SC_FACE = 2  # Noto Sans CJK SC in the collection (JP, KR, SC, TC, HK, ...)
# Verdict symbols Noto Sans CJK has no glyph for (fpdf2 would draw nothing): the nearest it has.
PDF_GLYPHS = str.maketrans({"✗": "×"})


@dataclass
class Section:
    title: str
    topic: str = ""  # the overview's topic (headlines.Headline.topic) the section reports
    lines: list[str] = field(default_factory=list)
    figures: list[tuple[str, go.Figure]] = field(default_factory=list)  # (file stem, figure)
    tables: list[tuple[str, pl.DataFrame]] = field(default_factory=list)  # (sheet name, display table)


@dataclass
class Pack:
    area: str
    week_label: str
    lang: str
    sections: list[Section]
    actions: pl.DataFrame  # facilities that need action, display columns
    generated: dt.datetime = field(default_factory=lambda: dt.datetime.now().replace(microsecond=0))


Progress = Callable[[float, str], None]


def _quiet(_: float, __: str) -> None:
    pass


def render_pngs(pack: Pack, progress: Progress = _quiet) -> list[tuple[str, bytes]]:
    """Every figure of the pack as PNG (kaleido, one Chromium for the lot), in the pack's order."""
    import plotly.io as pio

    pio.defaults.mathjax = None
    named = [(f"{i + 1:02d}_{stem}", fig) for i, (stem, fig) in
             enumerate(fig for s in pack.sections for fig in s.figures)]
    out = []
    for n, (name, fig) in enumerate(named):
        progress(0.1 + 0.7 * n / max(len(named), 1), name)
        stem = name.split("_", 1)[1]
        shown = suppression.figure(fig) if suppression.counts_people(stem) else fig  # small counts of people as "<5"
        out.append((name, briefing.to_png(shown, scale=2)))
    return out


def xlsx(pack: Pack) -> bytes:
    """One sheet per table, headers and values as shown on the pages (localised), blanks empty."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "nan_inf_to_errors": True})
    bold = book.add_format({"bold": True, "bg_color": "#EAEDED"})
    used = set()
    tables = [t for s in pack.sections for t in s.tables] + [(i18n.t("app.pack.actions", pack.lang), pack.actions)]
    for name, table in tables:
        sheet_name = "".join(ch for ch in name if ch not in "[]:*?/\\")[:31] or "sheet"
        while sheet_name in used:
            sheet_name = sheet_name[:29] + f"{len(used)}"
        used.add(sheet_name)
        sheet = book.add_worksheet(sheet_name)
        for c, column in enumerate(table.columns):
            sheet.write(0, c, column, bold)
            sheet.set_column(c, c, max(10, min(40, len(column) * 2)))
        for r, row in enumerate(table.iter_rows(), start=1):
            for c, value in enumerate(row):
                if value is None or (isinstance(value, float) and value != value):
                    continue
                sheet.write(r, c, value if isinstance(value, (int, float, str)) else str(value))
    book.close()
    return buffer.getvalue()


def png_zip(pngs: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in pngs:
            archive.writestr(f"{name}.png", data)
    return buffer.getvalue()


def pdf(pack: Pack, pngs: list[tuple[str, bytes]], progress: Progress = _quiet) -> bytes:
    """A4 portrait: cover, sections in order (verdict lines, then charts at the page's width), the
    action list as a table; page numbers in the footer."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    lang = pack.lang

    class Doc(FPDF):
        def footer(self):
            self.set_y(-12)
            self.set_font("cjk", size=8)
            self.set_text_color(93, 109, 126)
            self.cell(0, 6, f"{i18n.t('app.pack.title', lang)} · {pack.area} · {pack.week_label} · "
                            f"{i18n.t('app.pack.page', lang, n=self.page_no())}", align="C")

    doc = Doc(orientation="P", unit="mm", format="A4")
    doc.set_auto_page_break(True, margin=16)
    doc.add_font("cjk", "", str(FONT_REGULAR), collection_font_number=SC_FACE)
    doc.add_font("cjk", "B", str(FONT_BOLD), collection_font_number=SC_FACE)
    doc.set_title(f"{i18n.t('app.pack.title', lang)} {pack.area} {pack.week_label}")
    # cover
    doc.add_page()
    doc.set_y(80)
    doc.set_font("cjk", "B", 26)
    doc.multi_cell(0, 14, i18n.t("app.pack.title", lang), align="C", new_x="LMARGIN", new_y="NEXT")
    doc.ln(8)
    doc.set_font("cjk", "", 14)
    for line in (i18n.t("app.pack.area", lang, area=pack.area), i18n.t("app.pack.week", lang, week=pack.week_label),
                 i18n.t("app.pack.generated", lang, time=pack.generated.strftime("%Y-%m-%d %H:%M"))):
        doc.multi_cell(0, 9, line, align="C", new_x="LMARGIN", new_y="NEXT")
    images = dict(pngs)
    counter = 0
    for s_index, section in enumerate(pack.sections):
        progress(0.8 + 0.1 * s_index / max(len(pack.sections), 1), section.title)
        doc.add_page()
        doc.set_font("cjk", "B", 16)
        doc.multi_cell(0, 10, f"{s_index + 1}. {section.title}", new_x="LMARGIN", new_y="NEXT")
        doc.set_font("cjk", "", 11)
        for line in section.lines:
            doc.multi_cell(0, 6.5, f"· {line}".translate(PDF_GLYPHS), new_x="LMARGIN", new_y="NEXT")
        doc.ln(3)
        for stem, fig in section.figures:
            counter += 1
            data = images.get(f"{counter:02d}_{stem}")
            if data is None:
                continue
            width = doc.epw
            height = width * (fig.layout.height or briefing.EXPORT_HEIGHT) / briefing.EXPORT_WIDTH
            if doc.get_y() + height > doc.page_break_trigger:
                doc.add_page()
            doc.image(io.BytesIO(data), w=width, h=height)
            doc.ln(4)
    # the action list
    doc.add_page()
    doc.set_font("cjk", "B", 16)
    doc.multi_cell(0, 10, f"{len(pack.sections) + 1}. {i18n.t('app.pack.actions', lang)}", new_x="LMARGIN", new_y="NEXT")
    doc.set_font("cjk", "", 9)
    if pack.actions.height == 0:
        doc.multi_cell(0, 7, i18n.t("app.pack.none", lang), new_x="LMARGIN", new_y="NEXT")
    else:
        with doc.table(headings_style=FontFace(emphasis="BOLD", fill_color=(234, 237, 237)),
                       line_height=5.5, text_align="LEFT") as table:
            table.row([str(c) for c in pack.actions.columns])
            for row in pack.actions.iter_rows():
                table.row(["" if v is None else str(v) for v in row])
    progress(1.0, "PDF")
    return bytes(doc.output())


def build(pack: Pack, progress: Progress = _quiet) -> dict[str, bytes]:
    """{'pdf': ..., 'zip': ..., 'xlsx': ...} for the pack; progress(fraction, what) as it goes."""
    pngs = render_pngs(pack, progress)
    return {"pdf": pdf(pack, pngs, progress), "zip": png_zip(pngs), "xlsx": xlsx(pack)}


def file_stem(pack: Pack) -> str:
    ctx = briefing.Context(pack.area, pack.week_label, (), pack.lang)
    return ctx.file_stem(i18n.t("app.pack.title", pack.lang))


LISTED = 10  # facility names written out in a verdict line; the rest are in the XLSX


def _listed(head: str, names: list, lang: str) -> str:
    """'警报机构（12 家），候诊人数由多到少：甲、乙……等 12 家' -- the first LISTED names of an action list."""
    shown = [str(n) for n in names[:LISTED] if n is not None]
    text = ("、" if lang == "zh" else ", ").join(shown)
    if len(names) > LISTED:
        text += i18n.t("app.pack.and_more", lang, n=len(names))
    return f"{head}{'：' if lang == 'zh' else ': '}{text}"


def _people_suppressed(table: pl.DataFrame, columns: tuple[str, ...]) -> pl.DataFrame:
    """A display table with its counts of people from 1 to the threshold less one written as "<5"
    (dashboard/exports/suppression.py); the columns become text, blanks stay blank."""
    def shown(v):
        return None if v is None else suppression.label() if suppression.is_small(v) else f"{v:,}" if isinstance(v, int) else str(v)

    return table.with_columns(pl.col(c).map_elements(shown, return_dtype=pl.String, skip_nulls=False)
                              for c in columns if c in table.columns)


def collect(f, query: Callable[..., pl.DataFrame], lang: str) -> Pack:
    """The pack's contents for the sidebar's week and area `f` (ui.Filters), through the same metric
    functions and figure builders as the pages; `query` runs queries/<name>.sql (ui.query)."""
    from dashboard import formatting as fmt
    from dashboard.metrics import geography, icu, labelling, referrals, stock
    from dashboard import policy
    from dashboard.figures import icu as icu_figures
    from dashboard.figures import labelling as labelling_figures
    from dashboard.figures import referrals as referral_figures
    from dashboard.figures import stock as stock_figures

    from dashboard.metrics.tables import readable

    def t(key: str, **kw) -> str:
        return i18n.t(key, lang, **kw)

    sep = "：" if lang == "zh" else ": "

    def ctx(*sources: str) -> briefing.Context:
        return briefing.Context(f.area_label, f.week_label, sources, lang)

    from dashboard.metrics import headlines, verdicts

    heads = {h.topic: h for h in headlines.all_headlines(query, f.week, f.params())}
    lines = {topic: [verdicts.figure_text(x, lang) for x in h.figures] for topic, h in heads.items()}
    sections: list[Section] = []
    # 1. risk labelling
    facilities = labelling.with_rates(query("labelling_by_facility", **f.params(), **labelling.params()))
    total = labelling.totals(facilities)
    s = Section(t("app.nav.labelling"), "labelling")
    s.lines = lines["labelling"]
    c = ctx("register")
    s.figures = [("labelling_funnel", labelling_figures.funnel(total, c)),
                 ("labelling_audit", labelling_figures.audit(facilities, c))]
    sections.append(s)
    # 2. referrals
    sel = referrals.selection(f.params(), f.week, f.week)
    s = Section(t("app.nav.referrals"), "referrals")
    s.lines = lines["referrals"]
    c = ctx("transfer", "facility")
    s.figures = [("referrals_tiers", referral_figures.sankey(referrals.tier_matrix(query, sel), c)),
                 ("referrals_refusals", referral_figures.refusals(referrals.reception(query, sel), c))]
    sections.append(s)
    # 3. ICU
    hospitals = query("icu_staffing_by_hospital", **f.params(), **icu.params(None, None))
    history = query("icu_staffing_by_hospital", **(f.params() | {"week": None}), **icu.params(None, None))

    s = Section(t("app.nav.icu"), "icu")
    s.lines = lines["icu"]
    c = ctx("icu", "facility")
    if hospitals.height:
        s.figures = [("icu_ranking", icu_figures.gap_ranking(hospitals, c)),
                     ("icu_trend", icu_figures.trend(icu.trend(history, until=f.week), c))]
    sections.append(s)
    # 4. stock
    share, days = policy.value("stock.population_share"), int(policy.value("stock.min_cover_days"))
    stock_rows = query("stock_by_facility", **f.params(), **stock.params(share, days))
    s = Section(t("app.nav.stock"), "stock", lines["stock"])
    actions = pl.DataFrame()
    if stock_rows.height:
        c = ctx("stock", "facility")
        s.figures = [("stock_ranking", stock_figures.ranking(stock_rows, "antigen", c))]
        items = {i: stock_figures.item_name(i, lang) for i in stock.ITEMS}
        listed = stock.needs_action(stock_rows, True).head(60)
        actions = listed.select(
            pl.col("facility_name").alias(t("stock.col.facility")),
            pl.col("county_name").fill_null("—").alias(t("stock.col.county")),
            pl.col("item").replace_strict(items, default="—").alias(t("stock.col.item")),
            pl.col("shortfall").map_elements(lambda v: fmt.num(v, lang, blank=t("app.verdict.not_reported")),
                                             return_dtype=pl.String, skip_nulls=False).alias(t("stock.col.shortfall")),
            pl.col("share_of_target").map_elements(lambda v: fmt.pct(v, lang, blank=t("app.verdict.not_reported")),
                                                   return_dtype=pl.String, skip_nulls=False).alias(t("stock.col.share")),
        )
        s.tables = [(t("stock.download_name"), actions)]
    sections.append(s)
    # 5. fever clinics, on the day the headline reads (the newest day of the week with a report)
    from dashboard.figures import fever as fever_figures, staff as staff_figures
    from dashboard.metrics import fever, staff

    s = Section(t("fever.nav"), "fever", lines["fever"])
    day = heads["fever"].raw["day"]
    if day is not None:
        today = fever.on(query("fever_clinic_days", **f.params(), **fever.params()), day)
        c = fever_figures.context(f.area_label, day, lang)
        s.lines = [f"{t('fever.day')}{sep}{weeks.day_label(day, lang)}"] + s.lines
        s.figures = [("fever_rates", fever_figures.rates(geography.in_language(fever.by_area(today, fever.level_for(f.league_code)), lang), c)),
                     ("fever_waiting", fever_figures.waiting(fever.headline(today), c))]
        alarm = _people_suppressed(fever.in_alarm(today, lang), (t("fever.col.peak_waiting"), t("fever.col.visits")))
        if alarm.height:
            s.lines.append(_listed(t("fever.in_alarm", n=alarm.height), alarm[t("fever.col.facility")].to_list(), lang))
            s.tables = [(t("fever.section.waiting"), alarm)]
    sections.append(s)
    # 6. staff on duty
    week_rows = staff.of_week(query("staff_on_duty", **f.params(), **staff.params()), f.week)
    s = Section(t("staff.nav"), "staff", list(lines["staff"]))
    if week_rows.height and week_rows["reported"].any():
        c = ctx("staff")
        s.figures = [("staff_areas", staff_figures.areas(geography.in_language(staff.by_area(week_rows, staff.level_for(f.league_code)), lang), c)),
                     ("staff_status", staff_figures.status(staff.headline(week_rows), c))]
        minimum = fmt.pct(policy.value(staff.ON_DUTY), lang, 0)
        below = readable(staff.below_list(week_rows, lang), lang, decimals={t("staff.col.rate"): 1})  # staff, not patients
        if below.height:
            s.lines.append(_listed(t("staff.below_list", n=below.height, minimum=minimum),
                                   below[t("staff.col.facility")].to_list(), lang))
            s.tables = [(t("staff.section.facilities"), below)]
    sections.append(s)
    # 7. discharged-patient follow-up
    from dashboard.metrics import followup, scorecard
    from dashboard.figures import followup as followup_figures, scorecard as scorecard_figures

    week_rows = followup.of_week(query("followup_patient_weeks", **f.params(), **followup.params()), f.week)
    s = Section(t("followup.nav"), "followup", lines["followup"])
    if week_rows.height:
        c = ctx("discharge")
        s.figures = [("followup_problems", followup_figures.problems(geography.in_language(followup.by_area(week_rows, followup.level_for(f.league_code)), lang), c)),
                     ("followup_compliance", followup_figures.compliance(followup.compliance(week_rows), c))]
        s.tables = [(t("followup.section.actions"), followup.action_list(week_rows, lang))]  # record number, masked ID
    sections.append(s)
    # 8. consortium scorecard
    members = query("scorecard_members", **f.params())
    s = Section(t("scorecard.nav"), "scorecard", lines["scorecard"])
    if scorecard.has_reports(members):
        scored = scorecard.scored_indicators(query, members, f.week)
        totals = scorecard.totals(scored, members)
        s.lines = s.lines + [line.replace("**", "") for line in scorecard.behind_summary(totals, lang)]  # plain text
        s.figures = [("scorecard_points", scorecard_figures.points_figure(scorecard.dimension_points(scored, totals), totals,
                                                                           ctx("visits", "transfer", "facility")))]
        s.tables = [(t("scorecard.heading"), scorecard.table(scored, totals, lang))]
    sections.append(s)
    return Pack(f.area_label, f.week_label, lang, sections, actions)
