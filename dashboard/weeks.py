"""Weeks are ISO weeks, stored as the date of their Monday."""
from __future__ import annotations

import datetime as dt
import re

_ISO = re.compile(r"(\d{4})-?W(\d{1,2})", re.IGNORECASE)
_DATE = re.compile(r"(\d{4})[-_./]?(\d{2})[-_./]?(\d{2})")


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def parse_week(text: str | dt.date) -> dt.date:
    """'2022-W51', '2022W51', '2022-12-21' or a date -> Monday of that ISO week."""
    if isinstance(text, dt.datetime):
        return monday(text.date())
    if isinstance(text, dt.date):
        return monday(text)
    match = _ISO.search(text)
    if match:
        return dt.date.fromisocalendar(int(match[1]), int(match[2]), 1)
    match = _DATE.search(text)
    if match:
        return monday(dt.date(int(match[1]), int(match[2]), int(match[3])))
    raise ValueError(f"not a week: {text!r} (use 2022-W51 or a date such as 2022-12-19)")


def day_in(text: str) -> dt.date | None:
    """The date written in a text ('2022-12-19', 'fever_20221219.csv'), or None (a week label names no day)."""
    match = _DATE.search(text or "")
    if not match:
        return None
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def week_from_filename(name: str) -> dt.date | None:
    try:
        return parse_week(name)
    except ValueError:
        return None


def label(week: dt.date, lang: str = "zh") -> str:
    """'2022年第51周（12月19日—25日）' / '2022-W51 (19-25 Dec)'."""
    year, number, _ = week.isocalendar()
    end = week + dt.timedelta(days=6)
    if lang == "zh":
        tail = f"{end.day}日" if end.month == week.month else f"{end.month}月{end.day}日"
        return f"{year}年第{number}周（{week.month}月{week.day}日—{tail}）"
    if end.month == week.month:
        span = f"{week.day}-{end.day} {week:%b}"
    else:
        span = f"{week.day} {week:%b}-{end.day} {end:%b}"
    return f"{year}-W{number:02d} ({span})"


def short(week: dt.date, lang: str | None = None) -> str:
    """'2022-W51' (file names, logs, English); with lang='zh': '2022年第51周'."""
    year, number, _ = week.isocalendar()
    if lang == "zh":
        return f"{year}年第{number}周"
    return f"{year}-W{number:02d}"


def tick(week: dt.date, lang: str = "zh") -> str:
    """A week on a chart axis, two short lines: '第51周<br>12月19日' / 'W51<br>19 Dec'."""
    year, number, _ = week.isocalendar()
    if lang == "zh":
        return f"第{number}周<br>{week.month}月{week.day}日"
    return f"W{number:02d}<br>{week.day} {week:%b}"


def span(first: dt.date, last: dt.date, lang: str = "zh") -> str:
    """A run of weeks: one week's full label, or '2022年第51周至2023年第1周' / '2022-W51 to 2023-W01'."""
    if first == last:
        return label(first, lang)
    if lang == "zh":
        return f"{short(first, 'zh')}至{short(last, 'zh')}"
    return f"{short(first)} to {short(last)}"


def day_label(day: dt.date, lang: str = "zh") -> str:
    """2022年12月19日 / 19 Dec 2022: a day as a chart's title and the day picker name it."""
    return f"{day.year}年{day.month}月{day.day}日" if lang == "zh" else f"{day.day} {day:%b} {day.year}"
