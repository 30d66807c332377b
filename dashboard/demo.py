"""The embedded demo: an invented but realistic Inner Mongolia network over five weeks of the
2022-23 epidemic peak (2022-W49 .. 2023-W01), loaded through the real pipeline.

What is real: the geography (leagues, banners, counties, districts and their boundaries) and the 2020
census populations (total and 65+) from `dashboard.metrics.geography`. Everything else is invented: the
facilities, their names and codes, every person in the register, every referral, ICU and stock
figure. The generator is seeded, so the same week always gives the same bytes.

Each dataset is produced as CSV bytes with the contract's Chinese headers (UTF-8 with BOM; one
week's stock report is GBK, as some facilities' Excel saves it) and loaded with
`loading.load_bytes`, exactly like an analyst's upload. The register is vectorised (numpy + polars;
no Python loop over people): about 3 million people a week at HC_DEMO_SCALE=1.0, generated a few
counties at a time and written to a file loaded with `loading.load_path` (`register_files`).

    from dashboard import demo, store
    con = store.connect()
    demo.ensure_demo(con)            # on an empty database: everything
    demo.demo_status(con)            # {'is_demo': True, 'register_weeks_loaded': 5, ...}
"""
from __future__ import annotations

import datetime as dt
import io
import logging
import os
import shutil
import threading
import time
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO, Callable, Iterable, Iterator

import duckdb
import numpy as np
import polars as pl

from dashboard.ingest import contracts, loading

from dashboard import policy, rules
from dashboard import weeks as isoweeks

log = logging.getLogger(__name__)

SEED = 20221205
DEMO_WEEKS: list[dt.date] = [dt.date(2022, 12, 5) + dt.timedelta(weeks=i) for i in range(5)]
USER = "demo"

# The epidemic: province-wide referrals a week (fever-clinic visits rose ~30-fold in 15 days in
# Tianjin, peaking around 2022-W51/W52), and an intensity 0..1 for everything that follows the peak.
TRANSFERS_PER_WEEK = (2_000, 15_000, 45_000, 35_000, 15_000)
INTENSITY = (0.05, 0.35, 1.0, 0.8, 0.35)
DOWNWARD_SHARE = (0.05, 0.09, 0.13, 0.19, 0.27)  # recovered patients sent back: ~15% overall
LATERAL_SHARE = 0.05
GBK_STOCK_WEEK = DEMO_WEEKS[1]  # this week's stock report is saved in GBK
SLASH_DATETIME_WEEK = DEMO_WEEKS[3]  # this week's transfer log writes times as 2022/12/26 08:30
LEAGUE_SEATS = {"152500": "152502"}  # Xilingol's seat is Xilinhot; elsewhere the league's first division
HOHHOT = "150100"


def scale() -> float:
    return float(os.environ.get("HC_DEMO_SCALE", "1.0"))


def _rng(*keys: int) -> np.random.Generator:
    return np.random.default_rng([SEED, *keys])


def _key(text: str) -> int:
    """A stable small integer for a code (Python's hash() is salted per process)."""
    return int.from_bytes(text.encode("utf-8"), "little") % (2**61 - 1)


# --- helpers -----------------------------------------------------------------------------------------


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser on uint64 arrays."""
    with np.errstate(over="ignore"):
        x = x + np.uint64(0x9E3779B97F4A7C15)
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def _split_exact(total: int, weights: np.ndarray) -> np.ndarray:
    """Integers proportional to weights that sum exactly to total (largest remainder)."""
    share = weights / weights.sum() * total
    out = np.floor(share).astype(np.int64)
    rest = total - out.sum()
    if rest:
        out[np.argsort(-(share - out), kind="stable")[:rest]] += 1
    return out


# --- the network ------------------------------------------------------------------------------------
_CN_ORD = "一二三四五六七八九十"
_STREETS = ["新华", "中山", "人民", "解放", "东风", "光明", "团结", "和平", "建设", "胜利", "朝阳", "北门",
            "南门外", "西街", "东街", "海东", "通道", "昭乌达", "锡林", "兴安", "长青", "丰州", "大学", "石羊桥",
            "友谊", "金桥", "滨河", "站前", "文化", "青山"]
_TOWNS = ["巴彦", "乌兰", "白音", "哈达", "阿拉坦", "宝力格", "查干", "额尔敦", "赛汉", "希拉", "哈拉", "沙尔",
          "新胜", "太平", "永兴", "红旗", "五一", "双井", "大营", "古城", "黄花", "榆树", "柳林", "三道", "西湾",
          "北沙", "德胜", "兴隆", "金山", "石门"]
_TOWN_SUFFIX = ["镇", "镇", "镇", "苏木", "乡"]
_VILLAGES = ["嘎查", "村"]


def _is_district(name: str) -> bool:
    return name.endswith("区")


def _near(adcode: str, seat: tuple[float, float], k: int) -> tuple[float, float]:
    """A point a few hundred metres from the county's seat point, inside the county."""
    from dashboard.metrics import geography

    r = _rng(2, int(adcode), k)
    dx, dy = r.uniform(-1, 1, 2)
    for spread in (0.012, 0.006, 0.003, 0.001):
        lon, lat = round(seat[0] + dx * spread, 5), round(seat[1] + dy * spread, 5)
        if geography.contains(adcode, [lon], [lat])[0]:
            return lon, lat
    return seat


@lru_cache(maxsize=1)
def network() -> pl.DataFrame:
    """Every facility of the demo network (one row each), with the contract's columns plus a few
    internal ones (pop65, fever_from, consortium_id). Deterministic; independent of HC_DEMO_SCALE."""
    from dashboard.metrics import geography

    census = geography.census()
    counties = (census.filter((pl.col("level") == "county") & pl.col("is_county_level_division"))
                .sort("adcode").to_dicts())
    leagues = (census.filter(pl.col("level") == "league").sort("adcode").to_dicts())
    league_names = {r["adcode"]: r["name_zh"] for r in leagues}
    seats: dict[str, str] = {}
    for c in counties:
        seats.setdefault(c["league_code"], c["adcode"])
    seats.update({k: v for k, v in LEAGUE_SEATS.items() if k in seats})

    rows: list[dict] = []
    seat_point: dict[str, tuple[float, float]] = {}
    district_no: dict[str, int] = {}
    for ci, c in enumerate(counties):
        adcode, name, league = str(c["adcode"]), c["name_zh"], str(c["league_code"])
        league_name = league_names.get(league) or c.get("league_name_zh") or ""
        rng = _rng(1, int(adcode))
        district = _is_district(name)
        consortium = f"{name}城市医疗集团" if district else f"{name}县域医共体"
        population, pop65 = int(c["population"]), int(c["pop65"])
        n_primary = int(np.clip(round(population / rng.uniform(25_000, 40_000)), 3, 15))
        n_village = 0 if district else int(rng.integers(1, 4))
        points = geography.random_points_in_county(adcode, n_primary + n_village + 1, int(SEED % 100000 + ci))
        seat = points[0]
        if adcode == seats.get(league):
            seat_point[league] = seat
        base = dict(league_code=league, league_name=league_name, county_code=adcode, county_name=name,
                    consortium=consortium, consortium_id=ci)

        def near(k: int) -> tuple[float, float]:
            return _near(adcode, seat, k)

        # Hospitals: the consortium's lead and its sub-designated hospital.
        if district:
            district_no[league] = district_no.get(league, 0) + 1
            k = district_no[league]
            lead_name = f"{league_name}第{_CN_ORD[k - 1] if k <= 10 else k}医院"
            lead_grade = "tertiary" if rng.random() < 0.85 else "secondary"
            sub_name = f"{name}医院"
        else:
            lead_name = f"{name}人民医院"
            lead_grade = "tertiary" if rng.random() < 0.2 else "secondary"
            sub_name = f"{name}蒙医中医医院"
        for code, fname, tier, grade, k in ((f"H{adcode}01", lead_name, "lead", lead_grade, 1),
                                            (f"H{adcode}02", sub_name, "sub_designated", "secondary", 2)):
            lon, lat = near(k)
            rows.append(dict(base, facility_code=code, facility_name=fname, tier=tier, primary_type=None,
                             grade=grade, lat=lat, lon=lon, service_population=None, pop65=0.0,
                             fever_from=0, ambulances_120=int(rng.integers(2, 9))))
        # Primary care: community health centres in districts, township hospitals elsewhere.
        weights = rng.gamma(6.0 if district else 3.0, size=n_primary)
        service = _split_exact(population, weights)
        places = rng.permutation(_STREETS if district else _TOWNS)[:n_primary]
        late_fever = rng.random(n_primary)
        for j in range(n_primary):
            if district:
                fname, ptype = f"{name}{places[j]}街道社区卫生服务中心", "chc"
            else:
                fname = f"{name}{places[j]}{_TOWN_SUFFIX[int(rng.integers(len(_TOWN_SUFFIX)))]}卫生院"
                ptype = "township"
            lon, lat = points[1 + j]
            no_ambulance = rng.random() < 0.08
            # Fever clinics: most open from the start, a few open during the weeks, a few never.
            fever_from = 0 if late_fever[j] < 0.85 else (int(rng.integers(1, 5)) if late_fever[j] < 0.97 else 99)
            rows.append(dict(base, facility_code=f"P{adcode}{j + 1:03d}", facility_name=fname, tier="primary",
                             primary_type=ptype, grade="primary_grade" if rng.random() < 0.6 else "ungraded",
                             lat=lat, lon=lon, service_population=int(service[j]),
                             pop65=pop65 * service[j] / population if population else 0.0,
                             fever_from=fever_from, ambulances_120=0 if no_ambulance else int(rng.integers(1, 3))))
        for j in range(n_village):
            lon, lat = points[1 + n_primary + j]
            place = _TOWNS[int(rng.integers(len(_TOWNS)))] + ["图", "浩特", "淖尔", "营子", "沟"][j % 5]
            rows.append(dict(base, facility_code=f"P{adcode}{101 + j:03d}",
                             facility_name=f"{name}{place}{_VILLAGES[j % 2]}卫生室", tier="primary",
                             primary_type="village", grade=None, lat=lat, lon=lon, service_population=None,
                             pop65=0.0, fever_from=0 if rng.random() < 0.5 else 99, ambulances_120=0))
    # League level: one designated hospital and one partner tertiary hospital, in the league seat,
    # listed under the seat's consortium (they serve every consortium of the league).
    by_code = {c["adcode"]: c for c in counties}
    for league in sorted(seats):
        seat = by_code[seats[league]]
        name = league_names.get(league) or seat.get("league_name_zh") or league
        consortium = f"{seat['name_zh']}城市医疗集团" if _is_district(seat["name_zh"]) else f"{seat['name_zh']}县域医共体"
        rng = _rng(3, int(league))
        partner = "内蒙古自治区人民医院" if league == HOHHOT else f"{name}中心医院"
        for k, (code, fname, tier, grade) in enumerate(((f"D{league}", f"{name}传染病医院", "designated",
                                                         "tertiary" if rng.random() < 0.5 else "secondary"),
                                                        (f"T{league}", partner, "partner", "tertiary"))):
            lon, lat = _near(seat["adcode"], seat_point[league], 3 + k)
            rows.append(dict(league_code=league, league_name=name, county_code=seat["adcode"],
                             county_name=seat["name_zh"], consortium=consortium,
                             consortium_id=counties.index(seat), facility_code=code, facility_name=fname,
                             tier=tier, primary_type=None, grade=grade,
                             lat=lat, lon=lon,
                             service_population=None, pop65=0.0, fever_from=0,
                             ambulances_120=int(rng.integers(3, 11))))
    return pl.DataFrame(rows, schema={
        "facility_code": pl.Utf8, "facility_name": pl.Utf8, "tier": pl.Utf8, "primary_type": pl.Utf8,
        "grade": pl.Utf8, "league_code": pl.Utf8, "league_name": pl.Utf8, "county_code": pl.Utf8,
        "county_name": pl.Utf8, "consortium": pl.Utf8, "consortium_id": pl.Int64, "lat": pl.Float64,
        "lon": pl.Float64, "service_population": pl.Int64, "pop65": pl.Float64, "fever_from": pl.Int64,
        "ambulances_120": pl.Int64,
    })


# --- writing files ------------------------------------------------------------------------------------
_ZH = {  # stored enum value -> the spelling written in the demo's files
    "tier": {"primary": "基层医疗卫生机构", "sub_designated": "亚定点医院", "designated": "定点医院",
             "lead": "医联体牵头医院", "partner": "外部协作医院"},
    "primary_type": {"chc": "社区卫生服务中心", "township": "乡镇卫生院", "village": "村卫生室"},
    "grade": {"tertiary": "三级", "secondary": "二级", "primary_grade": "一级", "ungraded": "未定级"},
}


def _csv(ds_name: str, frame: pl.DataFrame, encoding: str = "utf-8-sig") -> bytes:
    """The frame (columns named as the contract's stored names) with the contract's Chinese headers."""
    if encoding == "gbk":
        return _contract_columns(ds_name, frame).write_csv(null_value="").encode("gbk")
    # Written as bytes straight into one buffer: a week's register is 400 MB of CSV, and going through
    # a str (2 bytes a character for Chinese) then encoding and prefixing the BOM held three copies.
    buffer = io.BytesIO()
    _write_csv(ds_name, [frame], buffer)
    return buffer.getvalue()


def _contract_columns(ds_name: str, frame: pl.DataFrame) -> pl.DataFrame:
    ds = contracts.dataset(ds_name)
    names = [c.name for c in ds.columns if c.name in frame.columns]
    return frame.select(names).rename({c.name: c.zh for c in ds.columns if c.name in names})


def _write_csv(ds_name: str, frames: Iterable[pl.DataFrame], out: BinaryIO) -> None:
    """UTF-8 CSV with a BOM and the contract's Chinese headers, written part by part (one header)."""
    out.write(b"\xef\xbb\xbf")
    header = True
    for frame in frames:
        _contract_columns(ds_name, frame).write_csv(out, null_value="", include_header=header)
        header = False


def _week_index(week: dt.date | str) -> int:
    monday = isoweeks.parse_week(week)
    if monday not in DEMO_WEEKS:
        raise ValueError(f"{isoweeks.short(monday)} is not a demo week ({isoweeks.short(DEMO_WEEKS[0])}..{isoweeks.short(DEMO_WEEKS[-1])})")
    return DEMO_WEEKS.index(monday)


def facility_frame(week_index: int) -> pl.DataFrame:
    net = network()
    # the league's designated and partner hospitals serve every consortium of the league
    consortia = net.group_by("league_code").agg(pl.col("consortium").unique().sort().alias("league_consortia"))
    net = net.join(consortia, on="league_code", how="left", maintain_order="left").with_columns(
        pl.when(pl.col("tier").is_in(["designated", "partner"]))
        .then(pl.col("league_consortia").list.set_difference(pl.concat_list("consortium")).list.sort().list.join("；"))
        .alias("serves_consortia"))
    return net.with_columns(
        pl.col("tier").replace_strict(_ZH["tier"]),
        pl.col("primary_type").replace_strict(_ZH["primary_type"], default=None),
        pl.col("grade").replace_strict(_ZH["grade"], default=None),
        pl.col("lat").round(5), pl.col("lon").round(5),
        pl.when(pl.col("fever_from") <= week_index).then(pl.lit("是")).otherwise(pl.lit("否")).alias("fever_clinic"),
    )


# --- ICU ----------------------------------------------------------------------------------------------
def icu_frame(week_index: int) -> pl.DataFrame:
    net = network().filter(pl.col("tier") != "primary")
    doctors_per_bed = policy.value("icu.doctors_per_bed")
    nurses_low, nurses_high = policy.policy_range("icu.nurses_per_bed")
    reserve_low, reserve_high = policy.policy_range("icu.reserve_share")
    beds_range = {"designated": (20, 60), "lead": (8, 30), "partner": (30, 80), "sub_designated": (0, 10)}
    out = []
    for code, tier in net.select("facility_code", "tier").iter_rows():
        # Per hospital: the same draws every week (all drawn, whatever the week, in the same order).
        rng = _rng(4, _key(code))
        lo, hi = beds_range[tier]
        none, rare, size = rng.random(), rng.random(), int(rng.integers(max(lo, 1), hi + 1))
        expands, growth, convert = rng.random() < 0.5, rng.uniform(0.1, 0.4), rng.uniform(0.3, 1.0)
        doctor_ratio, nurse_ratio = rng.uniform(0.55, 1.15), rng.uniform(nurses_low * 0.6, nurses_high * 1.1)
        reserve = rng.uniform(0.0, reserve_high) if rng.random() < 0.8 else rng.uniform(0.0, reserve_low)
        busy = rng.uniform(0.8, 1.15)
        beds0 = 0 if (tier == "sub_designated" and none < 0.3) or rare < 0.03 else size
        # Beds converted at the peak (W51 onward) by half of the hospitals.
        beds = beds0 + (int(round(beds0 * growth)) if expands and week_index >= 2 else 0)
        # Staff: many below 1 doctor and 2.5-3 nurses a bed, some comfortably above.
        doctors = int(round(beds * doctors_per_bed * doctor_ratio))
        nurses = int(round(beds * nurse_ratio))
        wr = _rng(5, _key(code), week_index)
        late, noise = wr.random(), wr.uniform(0.93, 1.05)
        if late < 0.05 and week_index == len(DEMO_WEEKS) - 1:
            continue  # no report yet for the latest week
        load = INTENSITY[week_index] * 0.6 + 0.35
        occupied = min(beds, int(round(beds * min(1.0, load * busy * noise))))
        out.append(dict(facility_code=code, icu_beds=beds, convertible_beds=int(round(beds0 * convert)),
                        occupied=occupied, icu_doctors=doctors, icu_nurses=nurses,
                        reserve_doctors=int(round(doctors * reserve)), reserve_nurses=int(round(nurses * reserve))))
    return pl.DataFrame(out)


# --- stock --------------------------------------------------------------------------------------------
USE_SHARE = (0.004, 0.025, 0.06, 0.045, 0.02)  # share of the service population treated a week
STOCK_LEVEL = (1.0, 0.9, 0.7, 0.8, 1.0)  # how far stocks have fallen at the peak, then restocked
ITEMS = ("antigen", "antipyretic", "cough", "tcm")


def stock_frame(week_index: int) -> pl.DataFrame:
    net = network().filter(pl.col("primary_type").is_in(["chc", "township"]))
    low, high = policy.policy_range("stock.population_share")
    out = []
    for code, population in net.select("facility_code", "service_population").iter_rows():
        rng = _rng(6, _key(code))  # per facility: the same draws every week
        group, below, between, above = rng.random(), rng.uniform(low * 0.3, low * 0.95), rng.uniform(low, high), rng.uniform(high, high * 1.6)
        # ~15% below the low end, ~25% between the ends, ~60% at or above the high end
        share = below if group < 0.15 else between if group < 0.40 else above
        oximeters, extra_oximeters = int(rng.integers(5, 41)), int(rng.integers(0, 6))
        busy, dip = rng.uniform(0.6, 1.5), rng.uniform(0.85, 1.1)
        item_factor = np.array((1.2, 1.0, 0.7, 0.5)) * rng.uniform(0.8, 1.2, len(ITEMS))
        no_tcm = rng.random() < 0.05
        wr = _rng(7, _key(code), week_index)
        late, no_use, noise = wr.random(), wr.random() < 0.04, wr.uniform(0.85, 1.15, 2 * len(ITEMS))
        if week_index == len(DEMO_WEEKS) - 1 and late < 0.04:
            continue  # no report yet for the latest week
        row = dict(facility_code=code, oximeters=oximeters + (extra_oximeters if week_index >= 2 else 0))
        level = STOCK_LEVEL[week_index] * (dip if week_index else 1.0)
        for k, item in enumerate(ITEMS):
            row[f"{item}_on_hand"] = int(round(population * share * item_factor[k] ** 0.3 * level * noise[k]))
            used = population * USE_SHARE[week_index] * item_factor[k] * busy * noise[len(ITEMS) + k]
            # some report what they hold but not what they used
            row[f"{item}_used"] = 0 if no_use or (item == "tcm" and no_tcm) else int(round(used))
        out.append(row)
    return pl.DataFrame(out)


# --- fever clinics (daily) -----------------------------------------------------------------------------
# The epidemic by day (0 = the first demo Monday): the weekly INTENSITY at mid-week, joined by straight
# lines, from a quiet start, so visits rise about 20-30-fold in a fortnight as in Tianjin (TJ-2022 §一).
FEVER_CURVE = ((0, 0.03), (3, 0.05), (10, 0.35), (17, 1.0), (24, 0.8), (31, 0.35), (34, 0.3))


def _fever_intensity(day_index: int) -> float:
    days, values = zip(*FEVER_CURVE)
    return float(np.interp(day_index, days, values))


def fever_frame(day: dt.date) -> pl.DataFrame:
    """One day's fever clinic report of every hospital, community health centre and township hospital:
    most report, a few are late; a few leave a cell blank; queues build up at the peak. Vectorised: the
    facilities keep their order, so each one's draws are the same every day (per-day ones change)."""
    index = (day - DEMO_WEEKS[0]).days
    intensity = _fever_intensity(index)
    net = (network().filter((pl.col("tier") != "primary") | pl.col("primary_type").is_in(["chc", "township"]))
           .sort("facility_code"))
    n = net.height
    fixed, daily = _rng(30).random((n, 3)), _rng(31, index).random((n, 7))
    primary = (net["tier"] == "primary").to_numpy()
    population = net["service_population"].fill_null(0).to_numpy()
    size = np.where(primary, population / 30_000 * (0.6 + 0.8 * fixed[:, 0]), 0.8 + 2.4 * fixed[:, 0])
    crowding = np.where(primary, 0.03 + 0.25 * fixed[:, 1], 0.01 + 0.08 * fixed[:, 1])  # hospitals have more hands
    noise = 0.8 + 0.4 * daily[:, 4]
    set_up = (net["fever_from"] <= index // 7).to_numpy()
    open_today = set_up & (daily[:, 3] > 0.03 + 0.05 * intensity)  # staff off sick at the peak
    visits = np.where(open_today, np.round(110 * size * intensity * noise), 0).astype(np.int64)
    peak = np.where(open_today, np.round(visits * crowding * noise * (0.5 + intensity)), 0).astype(np.int64)
    sent = daily[:, 5] >= (0.06 if day == DEMO_DAYS[-1] else 0.025)  # the others are late today

    def yes_no(values: np.ndarray, blank: np.ndarray) -> pl.Series:
        return pl.Series(np.where(values, "是", "否")).set(pl.Series(blank), None)

    frame = pl.DataFrame({
        "facility_code": net["facility_code"],
        "clinic_set_up": yes_no(set_up, daily[:, 0] < 0.01),
        "open_today": yes_no(open_today, daily[:, 1] < 0.01),
        "visits": pl.Series(visits).set(pl.Series(daily[:, 2] < 0.01), None),
        "peak_waiting": pl.Series(peak).set(pl.Series(daily[:, 6] < 0.02), None),
    })
    return frame.filter(pl.Series(sent))


# --- staff on duty (weekly) ----------------------------------------------------------------------------
def staff_frame(week_index: int) -> pl.DataFrame:
    """Community health centres and township hospitals: staff on the roll and on duty (fewer at the peak,
    when staff fall ill); lead and sub-designated hospitals: doctors recruited to date and how many
    went to primary care. A few leave a cell blank; a few report late in the latest week."""
    intensity = INTENSITY[week_index]
    net = (network().filter(pl.col("primary_type").is_in(["chc", "township"]) | pl.col("tier").is_in(["lead", "sub_designated"]))
           .sort("facility_code"))
    n = net.height
    fixed, weekly = _rng(40).random((n, 4)), _rng(41, week_index).random((n, 5))
    primary = (net["tier"] == "primary").to_numpy()
    roll = np.round(net["service_population"].fill_null(0).to_numpy() / 900 * (0.7 + 0.6 * fixed[:, 0])).astype(np.int64) + 8
    resilience = 0.6 + 0.4 * fixed[:, 1]  # how well a facility covers absences
    on_duty = np.round(roll * (1 - intensity * (0.5 - 0.45 * resilience) - 0.08 * weekly[:, 0])).astype(np.int64)
    recruited = np.round((4 + 16 * fixed[:, 2]) * (1 + week_index) / 3).astype(np.int64)
    placed = np.round(recruited * (0.6 + 0.4 * fixed[:, 3])).astype(np.int64)
    late = weekly[:, 1] < (0.05 if week_index == len(DEMO_WEEKS) - 1 else 0.015)

    def column(values: np.ndarray, show: np.ndarray, blank: np.ndarray) -> pl.Series:
        return pl.Series(values).set(pl.Series(~show | blank), None)

    frame = pl.DataFrame({
        "facility_code": net["facility_code"],
        "staff_total": column(roll, primary, weekly[:, 2] < 0.01),
        "staff_on_duty": column(on_duty, primary, weekly[:, 3] < 0.015),
        "new_doctors": column(recruited, ~primary, weekly[:, 4] < 0.02),
        "new_doctors_to_primary": column(placed, ~primary, weekly[:, 4] < 0.03),
    })
    return frame.filter(pl.Series(~late))


# --- transfers ----------------------------------------------------------------------------------------
SEVERITY = ("asymptomatic", "mild", "ordinary", "severe", "critical")
SEVERITY_UP = (0.02, 0.10, 0.46, 0.30, 0.12)
MAIN = ("covid", "underlying", "dialysis")
MAIN_UP = (0.58, 0.34, 0.08)
_ZH_TRANSFER = {
    "severity": {"asymptomatic": "无症状", "mild": "轻型", "ordinary": "普通型", "severe": "重型", "critical": "危重型"},
    "main_problem": {"covid": "新冠", "underlying": "基础疾病", "dialysis": "血液透析"},
    "status": {"accepted": "已接收", "refused": "拒收", "pending": "待接收"},
    "direction_recorded": {"up": "上转", "down": "下转", "lateral": "平转"},
}


DISEASE = ("none", "serious_stable", "serious_unstable")
_ZH_DISEASE = {"none": "无严重基础疾病", "serious_stable": "严重基础疾病稳定", "serious_unstable": "严重基础疾病不稳定"}


def _expected_destination(severity: np.ndarray, main: np.ndarray, lead_tertiary: np.ndarray, beyond: np.ndarray,
                          lead_insufficient: np.ndarray) -> np.ndarray:
    """NMG-2022 §二(五): 0 sub-designated, 1 designated, 2 lead, 3 partner. The demo's facilities send
    case-1 and text-silent patients to the sub-designated hospital (the queries judge them)."""
    serious = severity >= SEVERITY.index("severe")
    dest = np.zeros(len(severity), dtype=np.int64)
    case4 = (serious & (main == MAIN.index("underlying"))) | (~serious & beyond)
    dest[case4] = np.where(lead_tertiary[case4] & ~lead_insufficient[case4], 2, 3)
    dest[serious & (main == MAIN.index("covid"))] = 1
    dest[main == MAIN.index("dialysis")] = 1
    return dest


def _case_details(rng: np.random.Generator, severity: np.ndarray) -> dict[str, np.ndarray]:
    """Age, underlying disease, capacity and mobility of each referral, as a primary doctor would record
    them: mild cases referred up are mostly elderly with a serious stable disease (case 2)."""
    n = len(severity)
    mild = severity <= SEVERITY.index("mild")
    disease = np.where(mild, rng.choice(3, n, p=(0.12, 0.76, 0.12)), rng.choice(3, n, p=(0.4, 0.45, 0.15)))
    elderly = rng.random(n) < np.where(mild & (disease == 1), 0.88, 0.45)
    age = np.where(elderly, rng.integers(80, 96, n), rng.integers(60, 80, n))
    beyond = (disease == 2) & (rng.random(n) < 0.8) | (rng.random(n) < 0.02)
    return {"age": age, "disease": disease, "beyond": beyond, "lead_insufficient": rng.random(n) < 0.08,
            "immobile": elderly & (rng.random(n) < 0.15)}


def transfer_frame(week_index: int) -> pl.DataFrame:
    net = network()
    week = DEMO_WEEKS[week_index]
    rng = _rng(8, week_index)
    n = TRANSFERS_PER_WEEK[week_index]
    primary = net.filter(pl.col("primary_type").is_in(["chc", "township"])).sort("consortium_id", "facility_code")
    p_codes = primary["facility_code"].to_numpy()
    p_cons = primary["consortium_id"].to_numpy()
    p_cum = np.cumsum(primary["service_population"].to_numpy()).astype(np.float64)
    n_cons = int(net["consortium_id"].max()) + 1
    cons_pop = np.bincount(p_cons, weights=primary["service_population"].to_numpy(), minlength=n_cons)
    cons_start = np.concatenate([[0.0], np.cumsum(cons_pop)[:-1]])
    hosp = {t: dict(net.filter(pl.col("tier") == t).select("consortium_id", "facility_code").iter_rows())
            for t in ("lead", "sub_designated")}
    league_of = dict(net.filter(pl.col("tier") == "lead").select("consortium_id", "league_code").iter_rows())
    lead_tertiary_by = dict(net.filter(pl.col("tier") == "lead").select("consortium_id", pl.col("grade") == "tertiary").iter_rows())
    table = np.array([[hosp["sub_designated"][c], f"D{league_of[c]}", hosp["lead"][c], f"T{league_of[c]}"]
                      for c in range(n_cons)], dtype=object)  # destination tier -> code, per consortium
    lead_tertiary = np.array([lead_tertiary_by[c] for c in range(n_cons)])
    # Consortium practice: most deviate ~5-12% of the time, a few much more.
    deviation_rate = np.where(_rng(9).random(n_cons) < 0.12, _rng(10).uniform(0.2, 0.35, n_cons),
                              _rng(11).uniform(0.04, 0.12, n_cons))

    # Origin: a primary facility drawn by population (consortium follows from it).
    pick = np.searchsorted(p_cum, rng.random(n) * p_cum[-1], side="right").clip(0, len(p_codes) - 1)
    cons = p_cons[pick]
    kind = np.where(rng.random(n) < DOWNWARD_SHARE[week_index], 1, 0)  # 0 up, 1 down, 2 lateral
    kind[(kind == 0) & (rng.random(n) < LATERAL_SHARE)] = 2
    severity = rng.choice(len(SEVERITY), n, p=SEVERITY_UP)
    main = rng.choice(len(MAIN), n, p=MAIN_UP)
    down = kind == 1
    severity[down] = rng.choice(len(SEVERITY), down.sum(), p=(0.0, 0.25, 0.5, 0.2, 0.05))
    main[down] = rng.choice(len(MAIN), down.sum(), p=(0.7, 0.3, 0.0))
    case = _case_details(rng, severity)
    dest = _expected_destination(severity, main, lead_tertiary[cons], case["beyond"], case["lead_insufficient"])
    deviates = rng.random(n) < deviation_rate[cons] * (1 + 0.5 * INTENSITY[week_index])
    dest[deviates] = (dest[deviates] + rng.integers(1, 4, deviates.sum())) % 4
    # a few go to the right tier of a neighbouring consortium of the same league (not their own)
    neighbour = np.where((cons + 1 < n_cons) & (np.array([league_of.get(c + 1) for c in cons]) == np.array([league_of[c] for c in cons])),
                         cons + 1, np.maximum(cons - 1, 0))
    elsewhere = rng.random(n) < 0.02
    hospital = np.where(elsewhere, table[neighbour, dest], table[cons, dest])
    # Downward: from a hospital (mostly designated / sub-designated) back to the primary facility.
    back = rng.choice(4, n, p=(0.35, 0.35, 0.2, 0.1))
    from_code = np.where(down, table[cons, back], p_codes[pick])
    to_code = np.where(down, p_codes[pick], hospital)
    # Lateral: to a neighbouring primary facility of the same consortium.
    lateral = kind == 2
    lo = np.searchsorted(p_cons, cons[lateral], side="left")
    hi = np.searchsorted(p_cons, cons[lateral], side="right")
    other = lo + (pick[lateral] - lo + rng.integers(1, 3, lateral.sum())) % (hi - lo)
    to_code[lateral] = p_codes[other]

    # Times: spread over the week, mostly daytime.
    day = rng.integers(0, 7, n)
    hour = np.where(rng.random(n) < 0.8, rng.integers(8, 21, n), rng.integers(0, 24, n))
    minute = rng.integers(0, 60, n)
    requested = np.datetime64(week) + (day * 1440 + hour * 60 + minute).astype("timedelta64[m]")
    # Status: refusals concentrate in a few hospitals; pending ones are recent.
    receivers, receiver = np.unique(to_code.astype(str), return_inverse=True)
    strict = np.array([_key(c) % 1000 < 80 for c in receivers])  # ~8% of hospitals refuse often
    refuse_rate = np.where(strict[receiver], 0.12, 0.022)
    u = rng.random(n)
    pending_rate = 0.03 + 0.04 * (day >= 5)
    status = np.where(u < refuse_rate, 2, np.where(u < refuse_rate + pending_rate, 1, 0))  # accepted/pending/refused
    slow = rng.random(n) < (0.06 + 0.04 * INTENSITY[week_index])
    hours = np.where(slow, rng.uniform(24.05, 30.0, n), 1.0 + rng.random(n) ** 1.6 * 22.5)
    received = requested + (hours * 60).astype("timedelta64[m]")
    direction = np.array(["up", "down", "lateral"])[kind]
    recorded = rng.random(n) < 0.7

    frame = pl.DataFrame({
        "requested_at": requested.astype("datetime64[ms]"), "from_code": from_code.astype(str), "to_code": to_code.astype(str),
        "direction": direction, "recorded": recorded,
        "severity": np.array(SEVERITY)[severity], "main_problem": np.array(MAIN)[main],
        "status": np.array(["accepted", "pending", "refused"])[status],
        "received_at": received.astype("datetime64[ms]"), "accepted": status == 0,
        "patient_age": case["age"], "underlying_disease": np.array([_ZH_DISEASE[d] for d in DISEASE])[case["disease"]],
        "haemodialysis": np.where(main == MAIN.index("dialysis"), "是", "否"),
        "beyond_capacity": np.where(case["beyond"], "是", "否"),
        "lead_insufficient": np.where(case["lead_insufficient"], "是", "否"),
        "immobile": np.where(case["immobile"], "是", "否"),
        "up": ~down & ~lateral, "blank": rng.integers(0, 60, n),
    }).sort("requested_at", "from_code", "to_code", maintain_order=True)
    # the case columns describe upward referrals; a few are left blank, as real logs do (~1.5% each)
    case_columns = ["patient_age", "underlying_disease", "haemodialysis", "beyond_capacity", "lead_insufficient", "immobile"]
    frame = frame.with_columns(*[pl.when(pl.col("up") & (pl.col("blank") != k)).then(pl.col(c)).alias(c)
                                 for k, c in enumerate(case_columns)])
    year, number, _ = week.isocalendar()
    fmt = "%Y/%m/%d %H:%M" if week == SLASH_DATETIME_WEEK else "%Y-%m-%d %H:%M"
    return frame.with_columns(
        (pl.lit(f"ZZ{year}W{number:02d}") + pl.int_range(1, pl.len() + 1).cast(pl.Utf8).str.zfill(6)).alias("referral_id"),
        pl.col("requested_at").dt.strftime(fmt),
        pl.when(pl.col("recorded")).then(pl.col("direction")).alias("direction_recorded"),
        pl.when(pl.col("accepted")).then(pl.col("received_at").dt.strftime(fmt)).alias("received_at"),
    ).with_columns(*[pl.col(c).replace_strict(m, default=None) for c, m in _ZH_TRANSFER.items()])


# --- the register ---------------------------------------------------------------------------------------
REF_DATE = DEMO_WEEKS[0]
REGISTER_RAMP = (0.90, 0.95, 0.98, 1.0, 1.0)  # share of the final register already entered each week
BLANK_LABEL_RAMP = (1.6, 1.3, 1.0, 0.9, 0.8)
YOUNG_SHARE = 0.04  # aged 60-64 with underlying disease, on top of the 65+
AGE_BANDS = np.array([65, 70, 75, 80, 85, 90, 95, 101], dtype=np.float64)
AGE_BAND_P = np.array([0.34, 0.27, 0.17, 0.12, 0.065, 0.03, 0.005])
DISEASES = np.array(["高血压", "糖尿病", "冠心病", "慢阻肺", "慢性肾病", "脑卒中后遗症", "肿瘤", "心力衰竭"])
DISEASE_P = np.array([0.34, 0.2, 0.14, 0.1, 0.06, 0.08, 0.05, 0.03])
SURNAMES = np.array(list("王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"))
GIVEN_M = np.array(list("国建明军华文志强永海春金德平忠生福贵林荣保玉成宝山立清胜祥俊刚振义云富贤树"))
GIVEN_F = np.array(list("秀兰英凤玉淑珍芳桂琴霞华丽梅兰红春云金荣素翠萍敏娥燕凤月香花莲"))
MONGOLIAN = np.array(["巴特尔", "乌云", "其其格", "斯琴高娃", "那日苏", "额尔敦", "苏和", "阿拉坦仓", "图雅",
                      "萨仁", "孟和", "巴图", "乌力吉", "格日勒", "宝音", "朝鲁", "敖其尔", "吉日嘎拉", "娜仁",
                      "达来", "哈斯", "满都拉", "德力格尔", "其木格"])
MOBILE_PREFIX = np.array([130, 131, 132, 133, 135, 136, 137, 138, 139, 150, 151, 152, 155, 157, 158, 159,
                          177, 180, 182, 183, 185, 186, 187, 189, 191, 198])
LABEL_STYLES = (("绿色", "黄色", "红色"), ("绿", "黄", "红"), ("低风险", "中风险", "高风险"))
DISEASE_STYLES = (("无基础疾病", "基础疾病稳定", "基础疾病不稳定"), ("无", "稳定", "不稳定"))
VACCINATION_ZH = ("未接种", "未全程接种", "全程接种")  # rules.VACCINATION_STATES order: none, partial, full
ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
CHECK_CHARS = np.array(list("10X98765432"))


@lru_cache(maxsize=1)
def _label_lookup() -> np.ndarray:
    """rules.risk_label for every (age 0..120, disease state, vaccination): 0 green, 1 yellow, 2 red."""
    return np.array([[[rules.LABELS.index(rules.risk_label(age, d, v)) for v in rules.VACCINATION_STATES]
                      for d in rules.DISEASE_STATES] for age in range(121)], dtype=np.int8)


def register_facilities(demo_scale: float | None = None) -> pl.DataFrame:
    """Per community health centre and township hospital: people in its register (the final week),
    and its habits (coverage, signing rate, labelling and contact practice)."""
    s = scale() if demo_scale is None else demo_scale
    net = network().filter(pl.col("primary_type").is_in(["chc", "township"])).sort("facility_code")
    out = []
    for code, pop65 in net.select("facility_code", "pop65").iter_rows():
        rng = _rng(12, _key(code))
        coverage = rng.uniform(0.5, 0.7) if rng.random() < 0.08 else rng.uniform(0.85, 1.0)
        out.append(dict(
            facility_code=code, people=int(round(pop65 * coverage * s / (1 - YOUNG_SHARE))),
            signed_rate=rng.uniform(0.85, 0.99), blank_rate=rng.uniform(0.03, 0.08),
            wrong_rate=rng.uniform(0.02, 0.09), contact_rate=rng.uniform(0.6, 0.97),
            care_home_rate=rng.uniform(0.0, 0.045), label_style=int(rng.choice(3, p=(0.7, 0.15, 0.15))),
            disease_style=int(rng.random() < 0.3), no_birth_date=bool(rng.random() < 0.1),
            coverage=coverage))
    return pl.DataFrame(out).with_columns(pl.Series("fac_no", np.arange(len(out)), dtype=pl.Int64))


class _Draws:
    """Uniform draws per person for one week: the whole population is the same for a given scale, in
    the same order, every week, so a person's draws are the same every week (per_week ones change).
    A part of the population (people start .. start + size) gets exactly its slice of the whole
    population's draws: the generator skips the draws before it (PCG64.advance, one step a draw)."""

    def __init__(self, size: int, week_index: int, start: int = 0):
        self.size, self.week_index, self.start = size, week_index, start

    def __call__(self, stream: int, per_week: bool = False) -> np.ndarray:
        bits = np.random.PCG64([SEED, 20, stream, self.week_index + 1 if per_week else 0])
        bits.advance(self.start)
        return np.random.Generator(bits).random(self.size)


def _who(u: _Draws, young: np.ndarray) -> dict[str, np.ndarray]:
    """Age on the first demo Monday, birth date, sex, disease state and diseases, vaccination."""
    band = np.searchsorted(np.cumsum(AGE_BAND_P), u(2) * AGE_BAND_P.sum(), side="right").clip(0, 6)
    age_ref = np.where(young, 60 + 5 * u(3), AGE_BANDS[band] + (AGE_BANDS[band + 1] - AGE_BANDS[band]) * u(3))
    birth = np.datetime64(REF_DATE) - (age_ref * 365.2425).astype("timedelta64[D]") - np.timedelta64(1, "D")
    female = u(4) < np.where(age_ref >= 80, 0.58, 0.52)
    old = age_ref >= 80
    ud = u(5)
    disease = np.where(young, np.where(ud < 0.6, 1, 2),
                       np.where(ud < np.where(old, 0.30, 0.40), 0, np.where(ud < np.where(old, 0.78, 0.84), 1, 2)))
    flare = (disease == 1) & (u(6, per_week=True) < 0.05 * INTENSITY[u.week_index])  # decompensated while infected
    disease = np.where(flare, 2, disease)
    uv = u(7)
    vaccination = np.where(uv < np.where(old, 0.30, 0.12), 0, np.where(uv < np.where(old, 0.55, 0.28), 1, 2))
    first = np.searchsorted(np.cumsum(DISEASE_P), u(8) * DISEASE_P.sum(), side="right").clip(0, len(DISEASES) - 1)
    second = (first + 1 + (u(9) * (len(DISEASES) - 1)).astype(np.int64)) % len(DISEASES)
    two = u(10) < 0.35
    return dict(birth=birth, female=female, disease=disease, vaccination=vaccination, first=first,
                second=second, two=two)


def _id_numbers(county: np.ndarray, birth: np.ndarray, female: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """ID numbers: county, birth date, a sequence unique within county, day and sex (odd = male), and
    the check character. Returns (the first 17 digits as a number, the check character)."""
    total = len(county)
    days = (birth - np.datetime64("1900-01-01")).astype(np.int64)
    group = (county * 100_000 + days) * 2 + (~female)
    order = np.argsort(group, kind="stable")
    sorted_group = group[order]
    starts = np.flatnonzero(np.r_[True, sorted_group[1:] != sorted_group[:-1]])
    rank = np.empty(total, dtype=np.int64)
    rank[order] = np.arange(total) - np.repeat(starts, np.diff(np.r_[starts, total]))
    off = (_mix(group.astype(np.uint64)) % np.uint64(400)).astype(np.int64)
    seq = 2 * ((off + rank) % 500) + (~female).astype(np.int64)
    ymd = pl.Series(birth.astype("datetime64[D]")).dt.strftime("%Y%m%d").cast(pl.Int64).to_numpy()
    base = county * 10**11 + ymd * 1000 + seq
    total_w = np.zeros(total, dtype=np.int64)
    for i, w in enumerate(ID_WEIGHTS):
        total_w += w * ((base // 10 ** (16 - i)) % 10)
    return base, CHECK_CHARS[total_w % 11]


def _age_at(birth: np.ndarray, week_index: int) -> np.ndarray:
    """Completed years at this week's Monday (day-of-year comparison; off by one around 29 February
    only, which no demo Monday is near)."""
    monday = np.datetime64(DEMO_WEEKS[week_index])
    birth_y = birth.astype("datetime64[Y]").astype(np.int64) + 1970
    birth_md = (birth - birth.astype("datetime64[Y]")).astype(np.int64)  # day of year
    monday_y = monday.astype("datetime64[Y]").astype(np.int64) + 1970
    monday_md = (monday - monday.astype("datetime64[Y]")).astype(np.int64)
    return monday_y - birth_y - (birth_md > monday_md)


def _labels_and_contacts(u: _Draws, label: np.ndarray, col) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What facilities recorded: blank for a few, one step off for some; and contacts this week: yellow
    at least 2, red at least 3, met by most, not all (less at the peak). Returns (blank, recorded, contacts)."""
    blank = u(12) < col("blank_rate") * BLANK_LABEL_RAMP[u.week_index]
    wrong = u(13) < col("wrong_rate")
    step = np.where(label == 0, 1, np.where(label == 2, -1, np.where(u(14) < 0.5, -1, 1)))
    recorded = np.where(wrong, label + step, label)
    seen = np.where(blank, label, recorded)  # what the facility acts on
    yellow_min = int(policy.value("contacts.yellow_per_week"))
    red_min = int(policy.value("contacts.red_per_week"))
    need = np.where(seen == 2, red_min, np.where(seen == 1, yellow_min, 0))
    meets = u(15, per_week=True) < col("contact_rate") * (1 - 0.15 * INTENSITY[u.week_index])
    uc = u(16, per_week=True)
    contacts = np.where(need == 0, (uc * 3).astype(np.int64),
                        np.where(meets, need + (uc * uc * 4).astype(np.int64), (uc * need).astype(np.int64)))
    return blank, recorded, contacts


def _take(values, index: np.ndarray) -> pl.Series:
    """values[index] as a string column (a gather from a small table: no per-row Python)."""
    return pl.Series(values, dtype=pl.Utf8).gather(pl.Series(index, dtype=pl.UInt32))


def _names_and_phones(u: _Draws, k: np.ndarray, female_k: np.ndarray) -> tuple[pl.Series, pl.Series]:
    """Invented names and phones of this week's people (the pipeline drops names and hashes phones)."""
    names, name_index = _name_table()
    un = u(17)[k]
    two_char = u(26)[k] >= 0.3
    surname = (u(18)[k] * len(SURNAMES)).astype(np.int64)
    g1 = (u(19)[k] * len(GIVEN_F)).astype(np.int64) % np.where(female_k, len(GIVEN_F), len(GIVEN_M))
    g2 = (u(25)[k] * len(GIVEN_F)).astype(np.int64) % np.where(female_k, len(GIVEN_F), len(GIVEN_M))
    name_i = name_index(female_k, surname, g1, np.where(two_char, g2, -1))
    mongolian = un < 0.12
    name_i[mongolian] = (un[mongolian] / 0.12 * len(MONGOLIAN)).astype(np.int64)  # the table starts with them
    phone_kind = u(20)[k]
    mobile = (MOBILE_PREFIX[(u(21)[k] * len(MOBILE_PREFIX)).astype(np.int64)] * 10**8
              + (u(22)[k] * 10**8).astype(np.int64))
    phone = pl.Series(mobile).cast(pl.Utf8)
    landline = pl.Series((u(27)[k] * 10**7).astype(np.int64) + 2 * 10**6).cast(pl.Utf8)
    phones = pl.select(pl.when(pl.Series(phone_kind < 0.86)).then(phone)
                       .when(pl.Series(phone_kind < 0.92)).then(pl.lit("0471-") + landline)
                       .otherwise(pl.lit(None, pl.Utf8))).to_series()
    return _take(names, name_i), phones


REGISTER_PART_PEOPLE = 250_000  # people generated at a time: memory stays that of one part


def _register_parts(people: np.ndarray, county: np.ndarray, size: int) -> list[tuple[int, int]]:
    """(first facility, end facility) of each part: about `size` people, whole counties only (ID
    numbers' sequences are ranked within a county, birth date and sex)."""
    bounds, first_person, before = [0], 0, 0
    for i in range(1, len(people)):
        before += int(people[i - 1])
        if county[i] != county[i - 1] and before - first_person >= size:
            bounds.append(i)
            first_person = before
    return list(zip(bounds, bounds[1:] + [len(people)]))


def register_frames(week_index: int, part_people: int | None = None) -> Iterator[pl.DataFrame]:
    """This week's register in parts of whole counties, in order; together the rows of register_frame."""
    fac = register_facilities()
    people = fac["people"].to_numpy()
    county = np.array([int(c[1:7]) for c in fac["facility_code"].to_list()], dtype=np.int64)
    first = np.cumsum(people) - people
    for lo, hi in _register_parts(people, county, part_people or REGISTER_PART_PEOPLE):
        yield _register_part(fac, county, week_index, lo, hi, int(first[lo]))


def register_frame(week_index: int) -> pl.DataFrame:
    """This week's key-population register, as the facilities write it: who the people are, their ID
    numbers, the label the rule gives and the one recorded, contacts, then names and phones."""
    return pl.concat(list(register_frames(week_index)))


def _register_part(fac: pl.DataFrame, fac_county: np.ndarray, week_index: int, lo: int, hi: int,
                   first_person: int) -> pl.DataFrame:
    """The register rows of facilities lo .. hi - 1, whose first person is `first_person` of the
    whole population (the draws are that slice of the whole population's)."""
    people = fac["people"].to_numpy()[lo:hi]
    total = int(people.sum())
    f = np.repeat(np.arange(lo, hi), people)
    person = np.arange(total) - np.repeat(np.cumsum(people) - people, people)
    u = _Draws(total, week_index, first_person)

    def col(name: str) -> np.ndarray:
        return fac[name].to_numpy()[f]

    county = fac_county[f]
    who = _who(u, u(1) < YOUNG_SHARE)
    base, check = _id_numbers(county, who["birth"], who["female"])
    del county
    # Who is in this week's register: the first people of each facility (the register grows).
    k = person < np.round(col("people") * REGISTER_RAMP[week_index])
    age = _age_at(who["birth"], week_index)
    label = _label_lookup()[age.clip(0, 120), who["disease"], who["vaccination"]].astype(np.int64)
    blank, recorded, contacts = _labels_and_contacts(u, label, col)
    del label

    # From here on, only this week's people.
    n_kept = int(k.sum())
    fk = f[k]
    female_k = who["female"][k]
    names, phones = _names_and_phones(u, k, female_k)
    label_style = fac["label_style"].to_numpy()[fk]
    disease_style = fac["disease_style"].to_numpy()[fk]
    no_birth = fac["no_birth_date"].to_numpy()[fk] | (u(29)[k] < 0.005)
    disease_k = who["disease"][k]
    diseases_i = np.where(disease_k == 0, len(DISEASES) ** 2,
                          who["first"][k] * len(DISEASES) + np.where(who["two"][k], who["second"][k], who["first"][k]))
    label_i = np.where(blank[k], 9, label_style * 3 + recorded[k])
    del blank, recorded
    codes = fac["facility_code"]
    out = pl.DataFrame({
        "id_number": pl.Series(base[k]).cast(pl.Utf8) + pl.Series(check[k]),
        "name": names,
        "phone": phones,
        "record_no": (codes.str.slice(1).gather(pl.Series(fk, dtype=pl.UInt32))
                      + pl.Series(person[k]).cast(pl.Utf8).str.zfill(6)),
        "facility_code": codes.gather(pl.Series(fk, dtype=pl.UInt32)),
        "age": pl.Series(np.where(u(28)[k] < 0.015, -1, age[k])).replace(-1, None),
        "birth_date": pl.Series(np.where(no_birth, np.datetime64("NaT"), who["birth"][k]).astype("datetime64[D]")),
        "sex": _take(["男", "女"], female_k.astype(np.int64)),
        "diseases": _take(_disease_table(), diseases_i),
        "disease_state": _take([v for style in DISEASE_STYLES for v in style], disease_style * 3 + disease_k),
        "vaccination": _take(VACCINATION_ZH, who["vaccination"][k]),
        "recorded_label": _take([v for style in LABEL_STYLES for v in style] + [None], label_i),
        "family_doctor_signed": _take(["否", "是"], (u(23)[k] < col("signed_rate")[k]).astype(np.int64)),
        "contacts_week": contacts[k],
        "care_home": _take(["否", "是"], (u(24)[k] < col("care_home_rate")[k]).astype(np.int64)),
    })
    assert out.height == n_kept
    return out


@lru_cache(maxsize=1)
def _disease_table() -> list[str | None]:
    """Index first * n + second: one disease (first == second) or two; the last entry is none."""
    n = len(DISEASES)
    return [DISEASES[a] if a == b else f"{DISEASES[a]}、{DISEASES[b]}" for a in range(n) for b in range(n)] + [None]


@lru_cache(maxsize=1)
def _name_table():
    """All names: the Mongolian ones first, then surname + one or two given characters, by sex.
    Returns (names, index(female, surname, g1, g2 or -1))."""
    names = list(MONGOLIAN)
    starts = {}
    for sex, given in ((0, GIVEN_M), (1, GIVEN_F)):
        g = len(given)
        starts[sex] = len(names)
        for s_ in SURNAMES:
            for a in given:
                names.append(s_ + a)
                names.extend(s_ + a + b for b in given)

    def index(female: np.ndarray, surname: np.ndarray, g1: np.ndarray, g2: np.ndarray) -> np.ndarray:
        g = np.where(female, len(GIVEN_F), len(GIVEN_M))
        start = np.where(female, starts[1], starts[0])
        return start + (surname * g + g1) * (g + 1) + (g2 + 1)

    return names, index


# --- public API -----------------------------------------------------------------------------------------
# One generator per dataset with demo data: a week-grain one takes the week's index, a day-grain one
# (contract replace_by = "day") the day. A contract without a generator simply has no demo data.
WEEKLY: dict[str, Callable[[int], pl.DataFrame]] = {
    "facility": facility_frame, "register": register_frame, "transfer": transfer_frame,
    "icu": icu_frame, "stock": stock_frame, "staff": staff_frame,
}
DAILY: dict[str, Callable[[dt.date], pl.DataFrame]] = {"fever": fever_frame}
BACKGROUND = ("register",)  # minutes at full scale: loaded after the rest (ensure_demo, load_demo_register)
DEMO_DAYS: list[dt.date] = [DEMO_WEEKS[0] + dt.timedelta(days=i) for i in range(7 * len(DEMO_WEEKS))]


# Datasets generated in parts (the register: about 3 million people a week at full scale), so that
# only one part's arrays are in memory at a time, never the whole week's.
PARTS: dict[str, Callable[[int], Iterable[pl.DataFrame]]] = {"register": register_frames}


def generate(week: dt.date | str, datasets: tuple[str, ...] | None = None) -> dict[str, bytes]:
    """CSV bytes per week-grain dataset for one demo week (Chinese headers; UTF-8 with BOM, one week's
    stock in GBK). Default: every week-grain dataset with a generator."""
    out = {}
    for name in datasets or tuple(WEEKLY):
        buffer = io.BytesIO()
        _write_week(_week_index(week), name, buffer)
        out[name] = buffer.getvalue()
    return out


def write_week(week: dt.date | str, dataset: str, path: Path | str) -> Path:
    """generate(week, (dataset,))'s bytes written to `path`, a part at a time for the register (the
    week is never whole in memory: for loading.load_path / stage_and_publish from the file)."""
    path = Path(path)
    with open(path, "wb") as out:
        _write_week(_week_index(week), dataset, out)
    return path


def _write_week(i: int, name: str, out: BinaryIO) -> None:
    """One dataset's CSV for demo week i into `out`: the register a part at a time."""
    if name in PARTS:
        _write_csv(name, PARTS[name](i), out)
    else:
        encoding = "gbk" if name == "stock" and DEMO_WEEKS[i] == GBK_STOCK_WEEK else "utf-8-sig"
        out.write(_csv(name, WEEKLY[name](i), encoding))


def generate_day(day: dt.date, dataset: str) -> bytes:
    """CSV bytes of a day-grain dataset's report for one demo day."""
    if day not in DEMO_DAYS:
        raise ValueError(f"{day} is not a demo day ({DEMO_DAYS[0]}..{DEMO_DAYS[-1]})")
    return _csv(dataset, DAILY[dataset](day))


def file_name(dataset: str, when: dt.date) -> str:
    """demo_stock_2022-W51.csv; a day-grain dataset's file names its day: demo_fever_2022-12-19.csv."""
    return f"demo_{dataset}_{when.isoformat() if contracts.daily(dataset) else isoweeks.short(when)}.csv"


def _accepted_loads(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("select count(*) from load_log where outcome = 'accepted'").fetchall()[0][0]


def _load(con, dataset: str, week: dt.date, data: bytes | Path) -> loading.LoadResult:
    # Demo files are regenerated byte for byte from the seed (`python -m dashboard demo`), so their
    # originals are not kept (at full scale they would be ~1.8 GB); the log keeps their SHA-256.
    kwargs = dict(dataset=dataset, week=week, user=USER, con=con, keep_original=False)
    if isinstance(data, Path):
        result = loading.load_path(data, **kwargs)
    else:
        result = loading.load_bytes(data, file_name(dataset, week), **kwargs)
    _accepted(result)
    return result


def _accepted(result: loading.LoadResult) -> None:
    if result.outcome != "accepted":
        raise RuntimeError(f"demo file rejected: {result.summary('en')}: "
                           + "; ".join(f.message_en for f in result.errors[:5]))


def load_staged(database: str, dataset: str, week: dt.date, data: bytes | Path) -> loading.LoadResult:
    """_load for a server that keeps serving: checked outside the write lock, published under it."""
    result = loading.stage_and_publish(data, file_name(dataset, week), db=database, dataset=dataset, week=week,
                                       user=USER, keep_original=False)
    _accepted(result)
    return result


def demo_wanted(con: duckdb.DuckDBPyConnection) -> bool:
    """ensure_demo would load the demo: the database has no accepted load."""
    return _accepted_loads(con) == 0


def ensure_demo(con: duckdb.DuckDBPyConnection, force: bool = False, register: bool = True,
                weeks: list[dt.date] | None = None) -> str:
    """Load the demo into a database that has no accepted load (or always, with force). The quick
    datasets first (seconds): of `weeks` (default every demo week; a dataset whose weeks read each
    other, every week all the same), then the register week by week (skipped with register=False:
    the server's first start loads the latest week alone, then the rest in a thread:
    ui.serving.demo_in_background)."""
    if not force and not demo_wanted(con):
        return "The database already has data: demo not loaded."
    started = time.perf_counter()
    rows = load_quick(con, weeks, force=force)
    con.execute("insert or replace into meta values ('demo', 'true')")
    con.execute("insert or replace into meta values ('demo_scale', $s)", {"s": f"{scale():g}"})
    quick = time.perf_counter() - started
    chosen = sorted(weeks or DEMO_WEEKS)
    text = (f"Demo loaded: {rows['facility'] // len(chosen)} facilities, {rows['transfer']} referrals, "
            f"{rows['icu']} ICU and {rows['stock']} stock reports over {len(chosen)} week{'s' * (len(chosen) > 1)} "
            f"({isoweeks.short(chosen[0])}..{isoweeks.short(chosen[-1])}) in {quick:.1f} s")
    if register:
        results = load_demo_register(con, DEMO_WEEKS if force else None)
        registered = sum(r.rows for r in results)
        text += f"; register: {registered} rows in {len(results)} weeks, {time.perf_counter() - started - quick:.1f} s"
    return text + f" (scale {scale():g})."


# One demo loader at a time per process (the server's thread, the command line): held while it loads.
_loading_lock = threading.Lock()


def demo_datasets() -> tuple[str, ...]:
    """The datasets the demo has data for, in the contracts' order."""
    return tuple(name for name in contracts.DATASETS if name in WEEKLY or name in DAILY)


def load_quick(con: duckdb.DuckDBPyConnection, weeks: list[dt.date] | None = None, force: bool = False) -> dict[str, int]:
    """The demo's datasets but the background ones (the register), of `weeks` (default: every demo week;
    a dataset whose weeks read each other, contract `reads_history`, every week whatever is asked),
    those not loaded yet (all, with force), in the contracts' order (the facility register first),
    oldest week or day first as an analyst would. Returns rows per dataset."""
    todo = {w: demo_datasets() for w in DEMO_WEEKS} if force else pending(con)
    rows = {name: 0 for name in contracts.DATASETS}
    for name, when in quick_loads(todo, weeks):
        rows[name] += _load(con, name, when, quick_file(name, when)).rows
    return rows


def quick_loads(todo: dict[dt.date, tuple[str, ...]], weeks: list[dt.date] | None = None) -> list[tuple[str, dt.date]]:
    """(dataset, week or day) of each quick-dataset file load_quick would load, in its order, given
    what is still to load (`pending`)."""
    out = []
    for name in demo_datasets():
        if name in BACKGROUND:
            continue
        chosen = DEMO_WEEKS if weeks is None or contracts.dataset(name).reads_history else sorted(weeks)
        for week in chosen:
            if name in todo[week]:
                out += [(name, week)] if name in WEEKLY else [(name, day) for day in _days(week)]
    return out


def quick_file(dataset: str, when: dt.date) -> bytes:
    """The demo's CSV bytes of a quick dataset for a week (a day-grain one: a day)."""
    return generate_day(when, dataset) if dataset in DAILY else generate(when, (dataset,))[dataset]


def _days(week: dt.date) -> list[dt.date]:
    return [week + dt.timedelta(days=i) for i in range(7)]


def pending(con: duckdb.DuckDBPyConnection) -> dict[dt.date, tuple[str, ...]]:
    """Per demo week, the demo's datasets not loaded for it yet, in the contracts' order (a day-grain
    dataset until all seven of its days are in). Read from the load log: accepted loads only."""
    done = set()
    for dataset, week, days in con.execute(
            """select dataset, week, count(distinct day) from load_log
               where outcome = 'accepted' and week between $first and $last group by all""",
            {"first": DEMO_WEEKS[0], "last": DEMO_WEEKS[-1]}).fetchall():
        if not contracts.daily(dataset) or days >= 7:
            done.add((dataset, week))
    return {w: tuple(d for d in demo_datasets() if (d, w) not in done) for w in DEMO_WEEKS}


def is_demo(con: duckdb.DuckDBPyConnection) -> bool:
    return con.execute("select value from meta where key = 'demo'").fetchall() == [("true",)]


def register_files(weeks: list[dt.date], first_alone: bool = True,
                   after_first: Callable[[], None] | None = None) -> Iterator[tuple[dt.date, Path]]:
    """Each week's register written to a file, in order: the next week's is written (in a thread,
    a part at a time) while the caller loads this one, so generating costs no time after the first
    week, and memory holds one part, never a week. With first_alone, the second week is written only
    once the caller is done with the first (the week a new user waits for loads with both cores).
    The files (invented people, but shaped like personal data) are in an owner-only folder of the
    data folder's tmp/, each deleted as soon as the caller moves on, the folder when the generator
    ends (or at the next start, if the process died). `after_first()` is called once the caller is
    done with the first week, while the second week's file is written (the first start loads the
    other datasets' older weeks there)."""
    from concurrent.futures import ThreadPoolExecutor

    folder = _scratch_folder()
    pool = ThreadPoolExecutor(1, thread_name_prefix="demo-register-writer")

    def write(week: dt.date) -> Path:
        started = time.perf_counter()
        path = write_week(week, "register", folder / file_name("register", week))
        log.info("demo register %s: written in %.1f s", isoweeks.short(week), time.perf_counter() - started)
        return path

    try:
        pending = pool.submit(write, weeks[0]) if weeks else None
        for i, week in enumerate(weeks):
            path = pending.result()
            after = weeks[i + 1:i + 2]
            pending = pool.submit(write, after[0]) if after and not (first_alone and i == 0) else None
            try:
                yield week, path
            finally:
                path.unlink(missing_ok=True)
            if after and pending is None:
                pending = pool.submit(write, after[0])
            if i == 0 and after_first is not None:
                after_first()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(folder, ignore_errors=True)


def _scratch_folder() -> Path:
    """A new owner-only folder for this process's demo files; those of processes that died go."""
    from dashboard import config

    tmp = config.private_dir(config.data_dir() / "tmp")
    for old in tmp.glob("demo-register-*"):
        try:
            pid = int(old.name.split("-")[2])
        except (IndexError, ValueError):
            continue
        if pid != os.getpid() and not loading._alive(pid):
            shutil.rmtree(old, ignore_errors=True)
    return config.private_dir(tmp / f"demo-register-{os.getpid()}-{time.time_ns()}")


def load_demo_register(con: duckdb.DuckDBPyConnection, weeks: list[dt.date] | None = None) -> list[loading.LoadResult]:
    """Load the demo register, week by week (the weeks given, else the demo weeks not loaded yet), each
    from its file through the real loading path, the next week written while one loads.
    One loader at a time per process."""
    wanted = weeks
    results = []
    with _loading_lock:
        cur = con.cursor()
        try:
            # newest week first: the week a new user sees first is complete soonest
            todo = wanted if wanted is not None else register_weeks_to_load(cur)
            for week, path in register_files(todo):
                started = time.perf_counter()
                results.append(_load(cur, "register", week, path))
                log.info("demo register %s: %d rows, loaded in %.1f s",
                         isoweeks.short(week), results[-1].rows, time.perf_counter() - started)
        finally:
            cur.close()
    return results


def register_weeks_to_load(con: duckdb.DuckDBPyConnection) -> list[dt.date]:
    """The demo weeks whose register is not loaded yet, newest first."""
    todo = pending(con)
    return [w for w in DEMO_WEEKS[::-1] if "register" in todo[w]]


def datasets_loading(con: duckdb.DuckDBPyConnection, week: dt.date | None) -> tuple[str, ...]:
    """The datasets of `week` that the demo has still to load (a first start loads the latest week,
    then the rest in the background): pages say "loading" for them, never "not reported" or a share
    of zero."""
    if week is None or week not in DEMO_WEEKS or not is_demo(con):
        return ()
    return pending(con)[week]


def demo_status(con: duckdb.DuckDBPyConnection) -> dict:
    """{'is_demo': bool, 'weeks_complete': demo weeks with every dataset in, 'weeks_total': int,
    'register_weeks_loaded': int, 'loading': a demo loader runs in this process,
    'scale': the HC_DEMO_SCALE the register was made at (1.0 = as many people as the census counts)}."""
    meta = dict(con.execute("select key, value from meta where key in ('demo', 'demo_scale')").fetchall())
    is_demo = meta.get("demo") == "true"
    todo = pending(con) if is_demo else {}
    return {"is_demo": is_demo, "scale": float(meta.get("demo_scale", "1")),
            "weeks_complete": sum(not datasets for datasets in todo.values()),
            "weeks_total": len(todo),
            "register_weeks_loaded": sum("register" not in datasets for datasets in todo.values()),
            "loading": _loading_lock.locked()}


# --- discharged patients (weekly) ----------------------------------------------------------------------
# A small cohort (a few hundred listed a week) discharged from mid-September to the end of December,
# listed each week by their community health centre or township hospital until three months after
# discharge, with deliberate flaws: blank signing dates, signing after the week, positive and missing
# observation tests, early releases, follow-ups short of the category's frequency (more at the peak),
# blank counts and patients a facility forgot to list one week.
DISCHARGE_COHORT = 1200
_ZH_DISCHARGE = {"severity": _ZH_TRANSFER["severity"], "test": {"negative": "阴性", "positive": "阳性"}}


def _plus_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (the month's last day when it has none), as DuckDB adds intervals."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


@lru_cache(maxsize=1)
def _discharge_cohort() -> list[dict]:
    """Every demo patient with their fixed facts (facility, dates, results, category inputs, habits)."""
    net = network().filter(pl.col("primary_type").is_in(["chc", "township"])).sort("facility_code")
    rng = _rng(60)
    n = DISCHARGE_COHORT
    weight = net["service_population"].fill_null(0).to_numpy().astype(float) + 1.0
    where = rng.choice(net.height, size=n, p=weight / weight.sum())
    # more discharges towards the peak: a mix of an even spread and the December wave
    start = dt.date(2022, 9, 15)
    days = np.where(rng.random(n) < 0.4, rng.integers(0, 77, n), 77 + rng.integers(0, 31, n))
    draws = rng.random((n, 12))
    older = int(policy.value("discharge.older_from_age"))
    severities = np.array(SEVERITY)[np.searchsorted(np.cumsum([0.15, 0.45, 0.28, 0.09, 0.03]), draws[:, 0])]
    birth = np.datetime64("1935-01-01") + rng.integers(0, 365 * 65, n).astype("timedelta64[D]")
    county = net["county_code"].cast(pl.Int64).to_numpy()[where]
    base, check = _id_numbers(county, birth, draws[:, 1] < 0.5)
    out = []
    for i in range(n):
        discharge = start + dt.timedelta(days=int(days[i]))
        age = int((discharge - birth[i].astype(dt.date)).days // 365.25)
        positive7, positive14 = draws[i, 2] < 0.015, draws[i, 3] < 0.025
        late_release = 21 if (positive7 or positive14) else (10 if draws[i, 4] < 0.02 else int(14 + (draws[i, 4] > 0.8) + (draws[i, 4] > 0.95)))
        sign = draws[i, 5]
        signed = None if sign < 0.07 else (int(8 + 6 * draws[i, 6]) if sign < 0.13 else int(7 * draws[i, 6]))
        out.append({
            "i": i, "facility_code": net["facility_code"][int(where[i])], "id": f"{base[i]}{check[i]}",
            "record_no": f"{county[i]}{int(where[i]):05d}{i:06d}", "discharge": discharge,
            "test7": None if draws[i, 7] < 0.03 else ("positive" if positive7 else "negative"),
            "test14": None if draws[i, 8] < 0.03 else ("positive" if positive14 else "negative"),
            "release": None if draws[i, 9] < 0.02 else discharge + dt.timedelta(days=late_release),
            "age": None if draws[i, 10] < 0.02 else age, "severity": None if draws[i, 11] < 0.02 else str(severities[i]),
            "chronic": None if draws[i, 1] > 0.97 else bool(draws[i, 6] < 0.3 + 0.3 * (age >= older)),
            "signed": signed, "file_lag": int(draws[i, 10] > 0.6),
            "diligence": float(draws[i, 8]),
        })
    return out


def _discharge_owed(p: dict) -> float:
    """Contacts a week the category asks for (DIS-2020 §二(四)), as the demo's facilities aim at them."""
    older = policy.value("discharge.older_from_age")
    if p["severity"] in ("severe", "critical"):
        return policy.value("discharge.severe_per_week")
    if p["severity"] == "ordinary" or p["chronic"] or (p["age"] or 0) >= older:
        return policy.value("discharge.standard_per_week")
    return 1 / policy.value("discharge.mild_every_weeks")


def discharge_frame(week_index: int) -> pl.DataFrame:
    """This week's list of each facility: patients discharged by Sunday whose three months have not
    ended by Monday; what is known by Sunday (results, release, signing) and this week's contacts."""
    monday = DEMO_WEEKS[week_index]
    sunday = monday + dt.timedelta(days=6)
    months = int(policy.value("discharge.followup_months"))
    rng = _rng(61, week_index)
    rows = []
    for p in _discharge_cohort():
        if p["discharge"] > sunday or _plus_months(p["discharge"], months) <= monday:
            continue
        draw = rng.random(4)
        if draw[0] < 0.02:  # forgotten on this week's list
            continue
        known = lambda day: day if day is not None and day <= sunday else None  # noqa: E731
        release = known(p["release"])
        signed = known(release + dt.timedelta(days=p["signed"])) if release and p["signed"] is not None else None
        filed = known(signed + dt.timedelta(days=p["file_lag"])) if signed else None
        contacts = None
        if release and release <= monday:
            owed = _discharge_owed(p)
            keen = p["diligence"] > 0.12 + 0.15 * INTENSITY[week_index]
            contacts = int(owed) if keen else max(int(owed) - 1, 0)
            if owed < 1:  # once every two weeks: the keen ones call most weeks
                contacts = int(draw[1] < (0.7 if keen else 0.2))
            if draw[2] < 0.03:
                contacts = None
        day7 = p["discharge"] + dt.timedelta(days=int(policy.value("discharge.first_test_day")))
        day14 = p["discharge"] + dt.timedelta(days=int(policy.value("discharge.second_test_day")))
        rows.append({
            "id_number": p["id"], "name": "患者" + str(p["i"]), "phone": f"139{p['i']:08d}",
            "record_no": p["record_no"], "facility_code": p["facility_code"], "discharge_date": p["discharge"],
            "test_day7": _ZH_DISCHARGE["test"].get(p["test7"]) if day7 <= sunday else None,
            "test_day14": _ZH_DISCHARGE["test"].get(p["test14"]) if day14 <= sunday else None,
            "release_date": release, "age": p["age"], "clinical_type": _ZH_DISCHARGE["severity"].get(p["severity"]),
            "chronic_disease": None if p["chronic"] is None else ("是" if p["chronic"] else "否"),
            "signed_date": signed, "file_date": filed, "contacts_week": contacts,
        })
    schema = {"id_number": pl.Utf8, "name": pl.Utf8, "phone": pl.Utf8, "record_no": pl.Utf8, "facility_code": pl.Utf8,
              "discharge_date": pl.Date, "test_day7": pl.Utf8, "test_day14": pl.Utf8, "release_date": pl.Date,
              "age": pl.Int64, "clinical_type": pl.Utf8, "chronic_disease": pl.Utf8, "signed_date": pl.Date,
              "file_date": pl.Date, "contacts_week": pl.Int64}
    return pl.DataFrame(rows, schema=schema, orient="row")


WEEKLY["discharge"] = discharge_frame


# --- visits and consortium operation (weekly) ----------------------------------------------------------
# Every member but the partner hospital and village clinics reports (the contract's must_report).
# Deliberate flaws: the lead hospital of one consortium never reports (its first-visit, two-way referral
# and satisfaction indicators are "not reported" every week, so it is never ranked); in the latest week
# one community health centre leaves its doctors blank, and a few members report late.
VISITS_SILENT_LEAD = "H15012101"     # 土默特左旗人民医院 (Hohhot): never sends the visits report
VISITS_BLANK_DOCTORS = "P150102001"  # a community health centre of 新城区: doctors blank in the latest week


def visits_frame(week_index: int) -> pl.DataFrame:
    """Outpatient and first visits (more at the peak; primary care sees most first contacts), doctors
    and general practitioners and conditions treated (community health centres and township
    hospitals), the four kinds of resources the consortium shared with each member but the lead (how
    much a consortium shares is its own habit), and the week's satisfaction survey."""
    intensity = INTENSITY[week_index]
    net = (network().filter((pl.col("tier") != "partner")
                            & ((pl.col("tier") != "primary") | pl.col("primary_type").is_in(["chc", "township"])))
           .sort("facility_code"))
    n = net.height
    fixed, weekly = _rng(60).random((n, 8)), _rng(61, week_index).random((n, 8))
    habit = _rng(62).random((int(net["consortium_id"].max()) + 1, 3))[net["consortium_id"].to_numpy()]
    tier = net["tier"].to_numpy()
    primary = tier == "primary"
    # hospitals see a share of their consortium's population (the designated hospital a fixed number)
    served = net.select(pl.col("service_population").fill_null(0).sum().over("consortium_id")).to_series().to_numpy()
    hospital_base = np.select([tier == "lead", tier == "sub_designated"], [served * 0.009, served * 0.0045], 1_200.0)
    base = np.where(primary, net["service_population"].fill_null(0).to_numpy() * (0.012 + 0.012 * fixed[:, 0]),
                    hospital_base * (0.6 + 0.8 * fixed[:, 0]))
    visits = np.round(base * (1 + intensity) * (0.9 + 0.2 * weekly[:, 0])).astype(np.int64)
    first = np.round(visits * np.where(primary, 0.45 + 0.3 * fixed[:, 1], 0.3 + 0.3 * fixed[:, 1])).astype(np.int64)
    doctors = np.round(net["service_population"].fill_null(0).to_numpy() / 2_500 + 3 + 4 * fixed[:, 2]).astype(np.int64)
    gps = np.round(doctors * (0.12 + 0.36 * fixed[:, 3])).astype(np.int64)
    baseline = (18 + 24 * fixed[:, 4]).astype(np.int64)
    treated = np.round(baseline * (1 + 0.75 * fixed[:, 5] * (0.8 + 0.05 * week_index))).astype(np.int64)
    # each kind of resource reaches a member this week with the consortium's own likelihood
    draws = _rng(63, week_index).random((n, 4))
    share = 0.45 + 0.55 * habit[:, 0]
    kinds = [np.where(draws[:, k] < share, 1 + np.floor(draws[:, k] * 8), 0).astype(np.int64) for k in range(4)]
    respondents = (20 + 60 * weekly[:, 1]).astype(np.int64)
    satisfied = np.minimum(respondents, np.round(respondents * (0.78 + 0.2 * habit[:, 1] + 0.04 * weekly[:, 2]))).astype(np.int64)
    lead = tier == "lead"
    latest = week_index == len(DEMO_WEEKS) - 1

    def column(values: np.ndarray, show: np.ndarray, blank: np.ndarray | None = None) -> pl.Series:
        hidden = ~show if blank is None else (~show | blank)
        return pl.Series(values).set(pl.Series(hidden), None)

    codes = net["facility_code"].to_numpy()
    doctors_blank = (codes == VISITS_BLANK_DOCTORS) & latest
    frame = pl.DataFrame({
        "facility_code": net["facility_code"],
        "outpatient_visits": visits, "first_visits": first,
        "doctors": column(doctors, primary, doctors_blank), "general_practitioners": column(gps, primary),
        "conditions_treated": column(treated, primary), "conditions_baseline": column(baseline, primary),
        **{name: column(values, ~lead) for name, values in zip(
            ("joint_sessions", "shared_equipment_exams", "expert_days", "remote_consultations"), kinds)},
        "survey_respondents": respondents, "survey_satisfied": satisfied,
    })
    late = (weekly[:, 3] < (0.01 if latest else 0.0)) | (codes == VISITS_SILENT_LEAD)
    return frame.filter(pl.Series(~late))


WEEKLY["visits"] = visits_frame
