"""Small numbers in exports: a count of people from 1 to the threshold less one (data/policy.toml
`disclosure.small_count_below`, default 5) in an exported row, which always describes a facility or
an area, is written as "<5"; a share computed from such a count is hidden with it (a share next to
its denominator would give the count back). 0 and blanks stay as they are. Counts of beds, staff,
stock and facilities are not people and are left alone. Pages are not suppressed: only signed-in
staff see them.

Used by dashboard/exports/downloads.py (every CSV and XLSX) and, for images, by `figure()` on the
briefing pack's charts of people (its PNGs and the PDF made from them) and the pages' "PNG" buttons
(`for_page_chart`). The plotly toolbar's own camera saves the chart as the page shows it."""
from __future__ import annotations

import copy

import plotly.graph_objects as go
import polars as pl

from dashboard import policy

# Columns (as queries name them) that count people: the elderly in the registers and their labels,
# referred and waiting patients, ICU patients.
PERSON_COUNTS = frozenset({
    "persons", "persons_65", "found_65", "labelled", "green", "yellow", "red", "rule_red", "rule_yellow",
    "mislabelled", "over_labelled", "under_labelled", "managed", "signed", "red_contacted", "yellow_contacted",
    "referrals", "refused", "upward_accepted", "received_in_time", "pending", "pending_too_long", "occupied",
    "waiting", "patients_waiting",
})
# share column -> the count it is computed from
SHARE_OF = {"found_share": "found_65", "labelled_share": "labelled", "managed_share": "managed",
            "signed_share": "signed", "refused_share": "refused", "red_contact_share": "red_contacted",
            "yellow_contact_share": "yellow_contacted", "in_time_share": "received_in_time"}
HIDDEN_SHARE = {"zh": "（已隐去）", "en": "(suppressed)"}


def threshold() -> int:
    return int(policy.value("disclosure.small_count_below"))


def label() -> str:
    return f"<{threshold()}"


def is_small(value) -> bool:
    return isinstance(value, (int, float)) and value == value and 0 < value < threshold()


def mask(frame: pl.DataFrame) -> dict[str, list[bool]]:
    """{column: which rows to hide} for the person counts of `frame` and the shares built on them."""
    out: dict[str, list[bool]] = {}
    for column in frame.columns:
        if column in PERSON_COUNTS and frame[column].dtype.is_numeric():
            out[column] = [is_small(v) for v in frame[column].to_list()]
    for share, count in SHARE_OF.items():
        if share in frame.columns and count in out:
            out[share] = out[count]
    return out


def apply(values: list, hidden: list[bool], column: str, lang: str) -> list:
    """A localised column's values with the hidden rows replaced (as text, so the column is text)."""
    if not any(hidden):
        return values
    mark = HIDDEN_SHARE[lang] if column in SHARE_OF else label()
    return [mark if h else (None if v is None else str(v)) for v, h in zip(values, hidden)]


# The briefing pack's charts that plot people (file stems): risk labels, referrals and the fever
# clinics' waiting chart (treated as the page's "PNG" button treats it, PEOPLE_CHART_KEYS). ICU and
# staff charts plot staff and beds, stock charts doses, fever rates shares: not people.
PEOPLE_FIGURES = ("labelling_", "referrals_", "fever_waiting")


# The pages' charts of people, by widget key (pages/*.py): risk labels, referrals, patients waiting.
PEOPLE_CHART_KEYS = ("lab_", "ref_", "fever_waiting")


def counts_people(stem: str) -> bool:
    return stem.startswith(PEOPLE_FIGURES)


def for_page_chart(fig: go.Figure, key: str) -> go.Figure:
    """What a page's "PNG" button exports: the chart with small counts taken out if it shows people."""
    return figure(fig) if key.startswith(PEOPLE_CHART_KEYS) else fig


def figure(fig: go.Figure) -> go.Figure:
    """A copy of a chart for export with small counts of people taken out: a bar or funnel segment of
    1 to threshold-1 is not drawn and its label reads "<5"; a sankey flow that small is drawn at the
    threshold and its label says "<5". For charts of people only (`counts_people`); a trace of
    shares (every value at most 1) is left alone."""
    out = copy.deepcopy(fig)
    for trace in out.data:
        if trace.type in ("bar", "funnel"):
            axis = "x" if getattr(trace, "orientation", None) == "h" else "y"
            values = list(getattr(trace, axis) or [])
            if not values or not all(isinstance(v, (int, float)) or v is None for v in values):
                continue
            if all(v is None or (isinstance(v, float) and v <= 1) for v in values):
                continue  # shares
            small = [is_small(v) and float(v).is_integer() for v in values]
            if any(small):
                text = list(trace.text) if trace.text is not None and not isinstance(trace.text, str) else [None] * len(values)
                setattr(trace, axis, [None if s else v for v, s in zip(values, small)])
                trace.text = [label() if s else t for t, s in zip(text, small)]
                trace.hoverinfo = "skip"
        elif trace.type == "sankey" and trace.link is not None and trace.link.value is not None:
            values = list(trace.link.value)
            small = [is_small(v) for v in values]
            if any(small):
                trace.link.value = [threshold() if s else v for v, s in zip(values, small)]
                labels = list(trace.link.label) if trace.link.label is not None else [""] * len(values)
                trace.link.label = [label() if s else lbl for lbl, s in zip(labels, small)]
    return out
