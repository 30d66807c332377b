"""Data quality: the load log, rejected files with their errors, missing reports, misplaced and
duplicate facilities."""
import polars as pl
import streamlit as st

from dashboard import geography
from dashboard.ui import filters, lang, query, t, v

f = filters()
st.title(t("data.quality.heading"))

st.subheader(t("data.quality.log"))
history = query("load_history", limit=500)
st.dataframe(
    history.select(
        pl.col("load_id").alias("#"),
        pl.col("loaded_at").dt.strftime("%Y-%m-%d %H:%M").alias(t("data.quality.col.loaded_at")),
        pl.col("user_name").alias(t("data.quality.col.user")),
        pl.col("dataset").replace_strict({d: v("dataset", d) for d in history["dataset"].unique().drop_nulls()}, default="?").alias(t("data.quality.col.dataset")),
        pl.col("week").dt.strftime("%G-W%V").alias(t("data.quality.col.week")),
        pl.col("file_name").alias(t("data.quality.col.file")),
        pl.col("rows").alias(t("data.quality.col.rows")),
        pl.col("outcome").replace_strict({o: v("outcome", o) for o in ("accepted", "rejected", "dry_run")}).alias(t("data.quality.col.outcome")),
        pl.col("errors").alias(t("data.quality.col.errors")),
        pl.col("warnings").alias(t("data.quality.col.warnings")),
    ),
    hide_index=True, width="stretch", height=280,
)

st.subheader(t("data.quality.rejected"))
rejected = history.filter(pl.col("outcome") == "rejected")
if rejected.height == 0:
    st.success(t("data.quality.no_rejected"), icon=":material/check_circle:")
else:
    labels = {r["load_id"]: f"#{r['load_id']} · {r['file_name']} · {r['loaded_at']:%Y-%m-%d %H:%M}" for r in rejected.iter_rows(named=True)}
    chosen = st.selectbox(t("data.quality.pick_load"), list(labels), format_func=labels.get, key="dq_load")
    findings = query("load_findings", load_id=chosen)
    message = "message_zh" if lang() == "zh" else "message_en"
    st.dataframe(
        findings.select(
            pl.col("severity").replace_strict({s: v("severity_level", s) for s in ("error", "warning")}).alias(t("data.quality.col.outcome")),
            pl.col("row_no").alias(t("data.col.row")),
            pl.col("column_name").alias(t("data.col.column")),
            pl.col(message).alias(t("data.col.message")),
            pl.col("occurrences").alias(t("data.col.occurrences")),
        ),
        hide_index=True, width="stretch",
    )

st.subheader(t("data.quality.missing"))
if f.week is not None:
    gaps = query("reporting_gaps", **f.params())
    if gaps.height == 0:
        st.success(t("data.quality.none_missing"), icon=":material/check_circle:")
    else:
        st.caption(f"{f.area_label} · {f.week_label}")
        st.dataframe(
            gaps.select(
                pl.col("dataset").replace_strict({d: v("dataset", d) for d in ("icu", "stock", "register")}).alias(t("data.quality.col.dataset")),
                pl.col("facility_code").alias(t("data.quality.col.code")),
                pl.col("facility_name").alias(t("data.quality.col.facility")),
                pl.col("tier").replace_strict({x: v("tier", x) for x in gaps["tier"].unique()}).alias(t("data.quality.col.tier")),
                pl.col("consortium").alias(t("app.sidebar.consortium")),
            ),
            hide_index=True, width="stretch", height=300,
        )

st.subheader(t("data.quality.out_of_area"))
located = query("facility_locations", **f.params())
outside = located.filter(~geography.points_in_counties(located["county_code"], located["lon"], located["lat"]))
if outside.height == 0:
    st.success(t("data.quality.none_out_of_area"), icon=":material/check_circle:")
else:
    st.dataframe(outside.select(
        pl.col("facility_code").alias(t("data.quality.col.code")),
        pl.col("facility_name").alias(t("data.quality.col.facility")),
        pl.col("county_code").alias(t("data.quality.col.county")),
        pl.col("lon").alias(t("data.quality.col.lon")),
        pl.col("lat").alias(t("data.quality.col.lat"))), hide_index=True, width="stretch")

st.subheader(t("data.quality.duplicates"))
duplicates = query("duplicate_facilities", **f.params())
if duplicates.height == 0:
    st.success(t("data.quality.none_duplicates"), icon=":material/check_circle:")
else:
    st.dataframe(duplicates.select(
        pl.col("reason").replace_strict({r: t(f"data.quality.reason.{r}") for r in ("same_name", "same_place")}).alias(t("data.quality.col.reason")),
        pl.col("facility_code").alias(t("data.quality.col.code")),
        pl.col("facility_name").alias(t("data.quality.col.facility")),
        pl.col("county_code").alias(t("data.quality.col.county")),
    ), hide_index=True, width="stretch")
