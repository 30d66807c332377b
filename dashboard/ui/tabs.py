"""Tabs that build only the open tab.

Streamlit sends every tab's content by default, so a page with a map and five charts in its tabs made
the browser draw all of them on every visit. With `on_change="rerun"` Streamlit reruns the page when
another tab is chosen and each tab container's `.open` says which one is shown: the page builds that
one only (the first by default).

The open tab is kept by its name (not its label) under `key`, so it survives a language switch: the
widget itself is keyed per language, because Streamlit keeps a tab by its shown label and forgets a
label that is no longer among the tabs.
"""
from __future__ import annotations

import streamlit as st

from dashboard.ui import lang


def open_tab(key: str, names: list[str], label) -> tuple[str, object]:
    """Draw the tabs `names` (shown as `label(name)`, in this run's language) and return the open
    tab's name and its container: `name, box = open_tab(...)`, then `with box:` build that tab only.
    A test or a link opens a tab by setting `st.session_state[key]` to its name before the page runs
    (or the per-language widget key `f"{key}_{lang}"` to its label, as a click does)."""
    labels = {name: label(name) for name in names}
    widget_key = f"{key}_{lang()}"
    if st.session_state.get(widget_key) not in labels.values():  # first visit, or the language changed
        kept = st.session_state.get(key)
        st.session_state[widget_key] = labels[kept if kept in labels else names[0]]
    containers = st.tabs(list(labels.values()), key=widget_key, on_change="rerun")
    name, box = next(((n, c) for n, c in zip(names, containers) if c.open), (names[0], containers[0]))
    st.session_state[key] = name
    return name, box


def kept_value(widget, label: str, key: str, default, **kwargs):
    """A slider or toggle inside a tab whose value survives the tab being closed and opened again
    (Streamlit forgets a widget's state after a run that does not draw it): the value is kept under
    `f"{key}_kept"` and given back as the widget's starting value. The widget keeps its `key`."""
    value = widget(label, value=st.session_state.get(f"{key}_kept", default), key=key, **kwargs)
    st.session_state[f"{key}_kept"] = value
    return value
