-- Pulse oximeters (CQ-2023 §4: at least 20 per community health centre and township hospital) and
-- networked 120 ambulances (CQ-2023 §13: at least 1) per facility, for the week and area.
-- Oximeters come from the stock report (null, status 'missing', when the facility did not report),
-- ambulances from the facility register (null, status 'missing', when the register leaves them blank).
-- Grain: one row per expected facility (community health centre or township hospital).
-- Parameters: $week, $league_code, $county_code, $consortium, $stock_min_oximeters, $stock_min_ambulances_120.
with area as (
    select *
    from area_facilities($league_code, $county_code, $consortium) f
),
expected_facility as (
    select a.* from area a join reporting_duty d on d.dataset = 'stock' and d.facility_code = a.facility_code
    where d.must_report
),
equipment as (
    select e.facility_code, e.facility_name, e.primary_type, e.league_code, e.county_code, e.county_name,
           e.consortium, s.facility_code is not null as reported, s.oximeters, e.ambulances_120
    from expected_facility e
    left join stock s on s.week = $week::date and s.facility_code = e.facility_code
)
select *,
       case when reported then oximeters >= $stock_min_oximeters end as oximeters_ok,
       ambulances_120 >= $stock_min_ambulances_120 as ambulances_ok,
       case when not reported or oximeters is null then 'missing'
            when oximeters < $stock_min_oximeters then 'short'
            else 'ok' end as oximeter_status,
       case when ambulances_120 is null then 'missing'
            when ambulances_120 < $stock_min_ambulances_120 then 'short'
            else 'ok' end as ambulance_status
from equipment
-- facilities missing a minimum first, so the list reads as a to-do list
order by (oximeter_status = 'short' or ambulance_status = 'short') desc, league_code, county_code, facility_code
