"""Page tables as placed: dashboard/metrics/tables.py writes every value the way the cards do."""
import polars as pl

from dashboard.metrics.tables import readable


def test_readable_writes_shares_counts_and_blanks():
    """0.1234 -> 12.3% (one decimal), 12345 -> 12,345, 2.26 with one digit -> 2.3, a blank of any type
    -> —, never None or nan."""
    frame = pl.DataFrame({"share": [0.1234, None], "people": [12345, None], "days": [2.26, float("nan")],
                          "name": ["甲", None]})
    out = readable(frame, "zh", percent=["share"], decimals={"days": 1})
    assert out.to_dict(as_series=False) == {"share": ["12.3%", "—"], "people": ["12,345", "—"], "days": ["2.3", "—"],
                                            "name": ["甲", "—"]}
    assert readable(pl.DataFrame({"share": [1.0]}), "en", percent=["share"])["share"].to_list() == ["100.0%"]
