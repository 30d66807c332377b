"""Figure builders: pure functions, data in, figure out (plotly or pydeck), tested without Streamlit."""
