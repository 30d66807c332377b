-- Which reporting units have not uploaded for the week, by dataset, in the selected area.
-- Expected reporters: every hospital (non-primary tier) sends the ICU report; every community
-- health centre and township hospital sends the stock report and keeps the key-population register.
-- Grain: one row per (dataset, missing facility). Parameters: $week, $league_code, $county_code, $consortium.
with area as (
    select *
    from facility_current f
    where ($league_code::varchar is null or f.league_code = $league_code::varchar)
      and ($county_code::varchar is null or f.county_code = $county_code::varchar)
      and ($consortium::varchar is null or f.consortium = $consortium::varchar)
),
expected as (
    select 'icu' as dataset, facility_code from area where tier <> 'primary'
    union all
    select 'stock', facility_code from area where primary_type in ('chc', 'township')
    union all
    select 'register', facility_code from area where primary_type in ('chc', 'township')
),
reported as (
    select distinct 'icu' as dataset, facility_code from icu where week = $week
    union all
    select distinct 'stock', facility_code from stock where week = $week
    union all
    select distinct 'register', facility_code from agg_register where week = $week
)
select e.dataset, a.facility_code, a.facility_name, a.tier, a.league_code, a.county_code, a.consortium
from expected e
join area a using (facility_code)
anti join reported r on r.dataset = e.dataset and r.facility_code = e.facility_code
order by e.dataset, a.league_code, a.county_code, a.facility_code
