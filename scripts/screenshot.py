"""Screenshot pages of a running dashboard in headless Chromium (Debian's /usr/bin/chromium).

    .venv/bin/python scripts/screenshot.py http://localhost:8501/labelling out.png [--lang en] [--wait 4]

Fails (exit 1) if the page shows a Streamlit exception box or asks for anything not on localhost.
"""
from __future__ import annotations

import argparse
import sys
from urllib.parse import urlparse

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


def shoot(url: str, out: str, lang: str = "zh", wait: float = 4.0, width: int = 1400, height: int = 1000) -> list[str]:
    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page = browser.new_page(viewport={"width": width, "height": height}, device_scale_factor=1)

        def check(request):
            host = urlparse(request.url).hostname
            if request.url.startswith(("data:", "blob:")) or host in ("localhost", "127.0.0.1", "::1"):
                return
            problems.append(f"external request: {request.url}")

        page.on("request", check)
        page.goto(url, wait_until="networkidle")
        page.wait_for_selector("[data-testid='stAppViewContainer']", timeout=30000)
        if lang == "en":
            page.get_by_text("English", exact=True).first.click()
        page.wait_for_timeout(wait * 1000)
        page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60000)
        page.wait_for_timeout(1000)
        if page.locator("[data-testid='stException']").count():
            problems.append("Streamlit exception shown on page")
        page.screenshot(path=out, full_page=True)
        browser.close()
    return problems


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("out")
    parser.add_argument("--lang", default="zh", choices=["zh", "en"])
    parser.add_argument("--wait", type=float, default=4.0)
    parser.add_argument("--width", type=int, default=1400)
    args = parser.parse_args()
    found = shoot(args.url, args.out, args.lang, args.wait, args.width)
    for problem in found:
        print(problem)
    sys.exit(1 if found else 0)
