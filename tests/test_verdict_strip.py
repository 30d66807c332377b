"""The overview's verdict strip (dashboard.figures.verdict.strip_html): one HTML element per headline
row, a cell per figure in the metrics' columns, statuses in words, trends as inline SVG."""
from __future__ import annotations

from dashboard.figures import verdict


def test_strip_has_a_cell_per_figure_words_escaped_and_gaps_in_the_trend():
    """Three figures: a count held to no target (None: an empty cell keeps the columns aligned), a
    share short of its target with a blank week in the middle (two runs of the line, the last point
    marked), and a figure with a status but fewer than two known weeks (no trend drawn)."""
    html = verdict.strip_html([
        None,
        ("✗ short · target <100%>", "#A50F15", [0.5, 0.6, None, 0.7, 0.8]),
        ("? cannot be judged", "#999999", []),
    ])
    assert "grid-template-columns:repeat(3,minmax(0,1fr))" in html
    assert html.count("<div></div>") == 1                      # the count's empty cell
    assert "✗ short · target &lt;100%&gt;" in html              # words escaped, never raw markup
    assert "? cannot be judged" in html
    assert html.count("<svg") == 1                             # no trend for the figure without weeks
    assert html.count("<polyline") == 2                        # the blank week breaks the line
    assert html.count("<circle") == 1 and "#A50F15" in html
    assert "None" not in html and "nan" not in html
