-- Which reporting units have not uploaded for the week, by dataset, in the selected area.
-- Who must report is each contract's `must_report` (the view reporting_duty): ICU reports from
-- hospitals of grade II and above; stock reports and the key-population register from community
-- health centres and township hospitals. A hospital whose grade is blank cannot be told: it is listed
-- with must_report null ('cannot be judged'), apart from the facilities that owe the report.
-- Grain: one row per (dataset, silent facility). Parameters: $week, $league_code, $county_code, $consortium.
with area as (
    select *
    from area_facilities($league_code, $county_code, $consortium) f
),
expected as (
    select d.dataset, d.facility_code, d.must_report
    from reporting_duty d join area a using (facility_code)
    where d.must_report is not false
),
reported as (
    select distinct 'icu' as dataset, facility_code from icu where week = $week
    union all
    select distinct 'stock', facility_code from stock where week = $week
    union all
    select distinct 'register', facility_code from agg_register where week = $week
)
select e.dataset, e.must_report, a.facility_code, a.facility_name, a.tier, a.league_code, a.county_code, a.consortium
from expected e
join area a using (facility_code)
anti join reported r on r.dataset = e.dataset and r.facility_code = e.facility_code
order by e.dataset, a.league_code, a.county_code, a.facility_code
