"""Metrics: one module per topic, shaping the rows of queries/*.sql into what a page, the overview,
an export and the briefing show. Pages only lay these out."""
