-- Staff on duty in primary care and doctors placed in primary care, per facility and week.
-- Grain: one row per (facility of the area that owes the staff report or sent one, week with any staff
-- report up to $week). Parameters: $week, $league_code, $county_code, $consortium,
-- $staff_on_duty_rate_min, $staff_new_doctors_to_primary_share_min.
-- Who must report is the contract's `must_report` (view reporting_duty): community health centres and
-- township hospitals (staff on duty), lead and sub-designated hospitals (recruitment).
-- on_duty_rate = staff_on_duty / staff_total, only where both are given and the roll is not empty;
-- placed_share = new_doctors_to_primary / new_doctors, only where both are given and someone was
-- recruited. A blank gives no rate and no status (null): never 0, never "met".
with area as (
    select *
    from area_facilities($league_code, $county_code, $consortium) f
),
reports as (
    select *
    from staff
    where week <= $week
),
weeks as (
    select distinct week
    from reports
),
units as (
    select a.facility_code, a.facility_name, a.tier, a.primary_type, a.league_code, a.league_name,
           a.county_code, a.county_name, a.consortium, d.must_report
    from area a
    left join reporting_duty d on d.dataset = 'staff' and d.facility_code = a.facility_code
    where d.must_report is not false
       or a.facility_code in (select facility_code from reports)
),
rated as (
    select w.week, u.*,
           r.facility_code is not null as reported,
           r.staff_total, r.staff_on_duty, r.new_doctors, r.new_doctors_to_primary,
           case when r.staff_total > 0 then r.staff_on_duty / r.staff_total end as on_duty_rate,
           case when r.new_doctors > 0 then r.new_doctors_to_primary / r.new_doctors end as placed_share
    from units u
    cross join weeks w
    left join reports r on r.facility_code = u.facility_code and r.week = w.week
)
select *,
       case when on_duty_rate is null then null
            when on_duty_rate >= $staff_on_duty_rate_min then 'met' else 'below' end as on_duty_status,
       case when placed_share is null then null
            when placed_share >= $staff_new_doctors_to_primary_share_min then 'met' else 'below' end as placed_status
from rated
order by week, league_code, county_code, facility_code
