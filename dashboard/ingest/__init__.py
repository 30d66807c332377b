"""Ingest: a file goes through reading (bytes to a frame of strings), contracts (what each dataset is),
validation (typed columns and every check) and loading (all-or-nothing into the store)."""
