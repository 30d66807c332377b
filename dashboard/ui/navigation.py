"""The app's page list, discovered: every pages/*.py that declares a literal `NAV` dict is a page.

    NAV = {"section": "missions", "order": 20, "title": "app.nav.labelling", "icon": ":material/traffic:"}

`section` is one of SECTIONS (its name is the translation `app.nav.section.<section>`), `order` sorts
pages within and across sections, `title` is a translation key, `default: True` marks the home page.
The declaration is read with `ast` (the page is not run), so adding a page is adding its file.
"""
from __future__ import annotations

import ast
import functools
from dataclasses import dataclass
from pathlib import Path

from dashboard import config

SECTIONS = ("overview", "missions", "data")
PAGES_DIR = config.ROOT / "pages"


@dataclass(frozen=True)
class PageSpec:
    path: str          # relative to the project root: 'pages/icu.py'
    section: str
    order: int
    title: str         # translation key
    icon: str
    default: bool = False

    @property
    def url_path(self) -> str:
        # The file's stem: a freshly started server runs the first visitor's /<page> in Streamlit's
        # old pages/ mode, where that is the address (see ui._through_the_router).
        return Path(self.path).stem


def declared(path: Path) -> dict | None:
    """The literal NAV dict of a page file, or None when it declares none. Parsed once per version of
    the file (app.py asks on every run: parsing every page each time cost 0.05-0.5 s a run)."""
    stat = path.stat()
    return _declared(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=256)
def _declared(path: Path, mtime_ns: int, size: int) -> dict | None:
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "NAV" for t in node.targets):
            return ast.literal_eval(node.value)
    return None


def pages(folder: Path = PAGES_DIR) -> list[PageSpec]:
    """Every declared page, by section (in SECTIONS order) then order."""
    found = []
    for path in sorted(folder.glob("*.py")):
        nav = declared(path)
        if nav is None:
            continue
        if nav["section"] not in SECTIONS:
            raise ValueError(f"{path.name}: NAV section {nav['section']!r} is not one of {SECTIONS}")
        found.append(PageSpec(f"{folder.name}/{path.name}", nav["section"], int(nav["order"]), nav["title"],
                              nav["icon"], bool(nav.get("default", False))))
    return sorted(found, key=lambda p: (SECTIONS.index(p.section), p.order, p.path))
