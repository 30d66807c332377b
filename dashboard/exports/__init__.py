"""Exports: downloaded tables in the reader's language and the one-click briefing pack (PDF, PNG ZIP, XLSX).
Pure of Streamlit, so the command line can build them too."""
