-- Drug and antigen-kit stock against the target of NMG-2022 §三(一) / CQ-2023 §3: enough for 15-20%
-- of the population each community health centre and township hospital serves, and usable stock
-- always above 2 weeks. Every facility expected to report gets a row per item, reported or not.
-- Grain: one row per (week, facility, item); all weeks with stock reports when $week is null.
-- Parameters: $week, $league_code, $county_code, $consortium, $share (the target share chosen on the
--   page, default the policy's strict end), $share_low, $share_high (the policy range, for the status),
--   $stock_min_cover_days.
-- Targets are whole doses (人份), rounded up per facility; days of cover = on hand / (this week's use / 7),
-- rounded down to 0.1 day,
-- null with cover_status 'no_use' when nothing was used (no division by zero, no infinity), and
-- 'use_missing' when the report left this week's use blank.
with area as (
    select *
    from area_facilities($league_code, $county_code, $consortium) f
),
expected_facility as (
    select a.* from area a join reporting_duty d on d.dataset = 'stock' and d.facility_code = a.facility_code
    where d.must_report
),
report_week as (
    select distinct week from stock where $week::date is null or week = $week::date
    union
    select $week::date where $week::date is not null
),
item(item, item_order) as (
    values ('antigen', 1), ('antipyretic', 2), ('cough', 3), ('tcm', 4)
),
reported as (
    select week, facility_code, 'antigen' as item, antigen_on_hand as on_hand, antigen_used as used from stock
    union all
    select week, facility_code, 'antipyretic', antipyretic_on_hand, antipyretic_used from stock
    union all
    select week, facility_code, 'cough', cough_on_hand, cough_used from stock
    union all
    select week, facility_code, 'tcm', tcm_on_hand, tcm_used from stock
),
joined as (
    select w.week, f.facility_code, f.facility_name, f.primary_type, f.league_code, f.league_name,
           f.county_code, f.county_name, f.consortium, f.lon, f.lat, f.service_population, i.item, i.item_order,
           r.facility_code is not null as reported, r.on_hand, r.used,
           ceil(round(f.service_population * $share, 6))::bigint as target,
           ceil(round(f.service_population * $share_low, 6))::bigint as target_low,
           ceil(round(f.service_population * $share_high, 6))::bigint as target_high
    from report_week w
    cross join expected_facility f
    cross join item i
    left join reported r on r.week = w.week and r.facility_code = f.facility_code and r.item = i.item
),
cover as (
    select *,
           -- rounded down to a tenth of a day, so that a cover shown as 14.0 always meets 14
           case when used > 0 then floor(on_hand * 70.0 / used) / 10 end as cover_days,
           -- compared without dividing: 5000 / (5000 / 7.0) is 6.999999999999999 in binary
           case when not reported then 'missing'
                -- use is optional in the report: left blank, the cover is unknown (not 'no use')
                when used is null then 'use_missing'
                when used = 0 then 'no_use'
                when on_hand * 7 < $stock_min_cover_days * used then 'short'
                else 'ok' end as cover_status
    from joined
)
select *,
       -- no target (no population; loading requires one for these facilities): shortfall unknown, not the 0
       -- that duckdb's greatest() gives when one side is null
       case when reported and target is not null then greatest(target - on_hand, 0) end as shortfall,
       case when target > 0 then on_hand / target end as share_of_target,
       case when not reported then 'missing'
            when service_population is null then 'no_population'
            when on_hand < target_low then 'below_low'
            when on_hand < target_high then 'between'
            else 'met' end as status
from cover
order by week, league_code, county_code, facility_code, item_order
