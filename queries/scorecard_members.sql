-- The consortium scorecard's inputs: every member of every consortium with a member in the area, and
-- what it reported in the visits report of $week.
-- Grain: one row per (consortium member, $week). Parameters: $week, $league_code, $county_code, $consortium.
-- A consortium is scored whole: the area picks the consortia (those with a member in it), then every
-- member of each counts, inside the area or not. Members are the facilities the current register lists
-- under the consortium's name; a hospital that only serves it (`serves_consortia`) is not a member.
-- Who must report is the contract's `must_report` (view reporting_duty): every member but the external
-- partner hospital and village clinics; null = the register cannot tell (a primary facility of blank
-- type). owes_primary: a community health centre or township hospital (doctors, GPs, conditions);
-- owes_sharing: every member owing the report but the lead hospital (the four kinds of resources).
-- A blank stays null: the metric names the members behind an indicator that is not reported.
with area as (
    select distinct consortium
    from area_facilities($league_code, $county_code, $consortium) f
),
members as (
    select f.facility_code, f.facility_name, f.tier, f.primary_type, f.league_code, f.league_name,
           f.county_code, f.county_name, f.consortium, d.must_report
    from facility_current f
    join area a on a.consortium = f.consortium
    left join reporting_duty d on d.dataset = 'visits' and d.facility_code = f.facility_code
),
reports as (
    select *
    from visits
    where week = $week
)
select m.*,
       m.must_report and m.tier = 'primary' as owes_primary,
       m.must_report and m.tier <> 'lead' as owes_sharing,
       r.facility_code is not null as reported,
       r.outpatient_visits, r.first_visits, r.doctors, r.general_practitioners,
       r.conditions_treated, r.conditions_baseline,
       r.joint_sessions, r.shared_equipment_exams, r.expert_days, r.remote_consultations,
       r.survey_respondents, r.survey_satisfied
from members m
left join reports r on r.facility_code = m.facility_code
order by m.consortium, m.facility_code
