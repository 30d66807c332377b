-- Pulse oximeters (CQ-2023 §4: at least 20 per community health centre and township hospital) and
-- networked 120 ambulances (CQ-2023 §13: at least 1) per facility, for the week and area.
-- Oximeters come from the stock report (null when the facility did not report), ambulances from the
-- facility register.
-- Grain: one row per expected facility. Parameters: $week, $league_code, $county_code, $consortium,
--   $stock_min_oximeters, $stock_min_ambulances_120.
with area as (
    select *
    from facility_current f
    where ($league_code::varchar is null or f.league_code = $league_code::varchar)
      and ($county_code::varchar is null or f.county_code = $county_code::varchar)
      and ($consortium::varchar is null or f.consortium = $consortium::varchar)
)
select a.facility_code, a.facility_name, a.primary_type, a.league_code, a.county_code, a.county_name,
       a.consortium, s.facility_code is not null as reported, s.oximeters, a.ambulances_120,
       case when s.facility_code is null then null else s.oximeters >= $stock_min_oximeters end as oximeters_ok,
       a.ambulances_120 >= $stock_min_ambulances_120 as ambulances_ok
from area a
left join stock s on s.week = $week and s.facility_code = a.facility_code
where a.primary_type in ('chc', 'township')
order by a.league_code, a.county_code, a.facility_code
