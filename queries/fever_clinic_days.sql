-- Fever clinics (发热门诊/诊室), day by day: who owes the daily report, who sent it, and what it says.
-- Grain: one row per (facility of the area that owes the report or sent one, day with any fever report
-- loaded up to the end of $week). Parameters: $week, $league_code, $county_code, $consortium,
-- $fever_clinic_waiting_normal, $fever_clinic_waiting_warning, $fever_clinic_waiting_alarm.
-- Who must report is the contract's `must_report` (view reporting_duty): hospitals, community health
-- centres and township hospitals; must_report null = the register cannot tell (blank primary type).
-- Waiting status from the day's peak number waiting (TJ-2022 §一 "10 normal, 30 warning, 50 alarm"):
-- normal up to $fever_clinic_waiting_normal; elevated above it and below the warning level; warning from
-- $fever_clinic_waiting_warning; alarm from $fever_clinic_waiting_alarm. A blank peak, or no report,
-- has no status (null): never "normal".
with area as (
    select *
    from area_facilities($league_code, $county_code, $consortium) f
),
reports as (
    select *
    from fever
    where day < $week::date + 7
),
days as (
    select distinct day
    from reports
),
units as (
    select a.facility_code, a.facility_name, a.tier, a.primary_type, a.league_code, a.league_name,
           a.county_code, a.county_name, a.consortium, d.must_report
    from area a
    left join reporting_duty d on d.dataset = 'fever' and d.facility_code = a.facility_code
    where d.must_report is not false
       or a.facility_code in (select facility_code from reports)
)
select dd.day, u.*,
       r.facility_code is not null as reported,
       r.clinic_set_up, r.open_today, r.visits, r.peak_waiting,
       case
           when r.peak_waiting is null then null
           when r.peak_waiting >= $fever_clinic_waiting_alarm then 'alarm'
           when r.peak_waiting >= $fever_clinic_waiting_warning then 'warning'
           when r.peak_waiting > $fever_clinic_waiting_normal then 'elevated'
           else 'normal'
       end as waiting_status
from units u
cross join days dd
left join reports r on r.facility_code = u.facility_code and r.day = dd.day
order by dd.day, u.league_code, u.county_code, u.facility_code
