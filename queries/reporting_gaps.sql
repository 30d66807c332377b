-- Which reporting units have not uploaded, by dataset, in the selected area and week.
-- Who must report is each contract's `must_report` (the view reporting_duty); what was delivered is the
-- view `reported`; both are generated from data/datasets.toml, so no dataset is named here. A hospital
-- whose grade is blank cannot be told: it is listed with must_report null ('cannot be judged'), apart
-- from the facilities that owe the report. A week-grain dataset is judged on the week; a day-grain one
-- on its latest loaded day of the week (`day`; null when nothing of it was loaded that week, and then
-- every facility that owes it is listed).
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
this_week as (
    select dataset, day, facility_code
    from reported
    where week = $week
),
judged_day as (
    select dataset, max(day) as day
    from this_week
    group by dataset
),
delivered as (
    select w.dataset, w.facility_code
    from this_week w join judged_day j using (dataset)
    where w.day is null or w.day = j.day
)
select e.dataset, j.day, e.must_report, a.facility_code, a.facility_name, a.tier, a.league_code, a.county_code,
       a.consortium
from expected e
join area a using (facility_code)
left join judged_day j using (dataset)
anti join delivered r on r.dataset = e.dataset and r.facility_code = e.facility_code
order by e.dataset, a.league_code, a.county_code, a.facility_code
