-- ICU staffing against NMG-2022 §二(七): per ICU bed 1 doctor and 2.5-3 nurses on the front line, a
-- reserve of 20-30% of the front line. Every hospital expected to report (non-primary tiers of the
-- current facility register, in the area) gets a row, reported or not: a missing report stays null.
-- Grain: one row per (week, hospital); all weeks with ICU reports when $week is null.
-- Parameters: $week, $league_code, $county_code, $consortium, $icu_doctors_per_bed,
--   $icu_nurses_per_bed (the end the commission holds to), $nurses_low, $nurses_high,
--   $icu_reserve_share (the end held to), $open_share (what-if: the share of convertible beds opened,
--   1 = all; opened beds are ceil(share x convertible beds), a bed being whole, rounded up so as to plan
--   for at least that share).
-- Rounding: a person is whole, so every requirement is rounded up per hospital (ceil), after
-- rounding away floating-point noise (0.3 * 10 is 3.0000000000000004 in binary).
-- Reserve: a share of the front line the beds require (not of the staff a hospital happens to
-- have, which would let an understaffed hospital need less reserve), doctors and nurses apart.
-- Missing is not zero: a hospital with no row for the week has null figures and status 'missing';
-- an optional column left blank (reserve, convertible beds) gives a null gap, never 0 (greatest()
-- would skip the null and answer 0, hence the explicit cases).
with area as (
    select *
    from area_facilities($league_code, $county_code, $consortium) f
),
hospital as (
    -- who owes the report: queries/shared reporting_duty (grade II and above; null = grade blank)
    select a.*, d.must_report
    from area a join reporting_duty d on d.dataset = 'icu' and d.facility_code = a.facility_code
    where a.tier <> 'primary'
),
report_week as (
    select distinct week from icu where $week::date is null or week = $week::date
    union
    select $week::date where $week::date is not null
),
expected as (
    select w.week, h.* from report_week w cross join hospital h
),
joined as (
    -- area names: the register's, else the census's (which also has the leagues' English names)
    select e.week, e.facility_code, e.facility_name, e.tier, e.grade, e.league_code,
           coalesce(e.league_name, cl.name_zh) as league_name, coalesce(cl.name_en, e.league_name, cl.name_zh) as league_name_en,
           e.county_code, coalesce(e.county_name, cc.name_zh) as county_name, e.consortium, e.lat, e.lon,
           e.must_report, i.facility_code is not null as reported,
           i.icu_beds, i.convertible_beds, i.occupied, i.icu_doctors, i.icu_nurses,
           i.reserve_doctors, i.reserve_nurses
    from expected e
    left join icu i on i.week = e.week and i.facility_code = e.facility_code
    left join census cl on cl.adcode = e.league_code
    left join census cc on cc.adcode = e.county_code
    -- a hospital the policy does not ask for ICU beds (grade I, ungraded) is shown only when it reports
    where e.must_report is not false or i.facility_code is not null
),
required as (
    select *,
           ceil(round(icu_beds * $icu_doctors_per_bed, 6))::integer as doctors_required,
           ceil(round(icu_beds * $icu_nurses_per_bed, 6))::integer as nurses_required,
           ceil(round(icu_beds * $nurses_low, 6))::integer as nurses_required_low,
           ceil(round(icu_beds * $nurses_high, 6))::integer as nurses_required_high,
           ceil(round(convertible_beds * $open_share, 6))::integer as opened_beds,
           ceil(round((icu_beds + ceil(round(convertible_beds * $open_share, 6))) * $icu_doctors_per_bed, 6))::integer as doctors_required_converted,
           ceil(round((icu_beds + ceil(round(convertible_beds * $open_share, 6))) * $icu_nurses_per_bed, 6))::integer as nurses_required_converted
    from joined
),
reserve as (
    select *,
           ceil(round(doctors_required * $icu_reserve_share, 6))::integer as reserve_doctors_required,
           ceil(round(nurses_required * $icu_reserve_share, 6))::integer as reserve_nurses_required,
           ceil(round(doctors_required * $icu_reserve_share, 6))::integer
             + ceil(round(nurses_required * $icu_reserve_share, 6))::integer as reserve_required
    from required
),
gap as (
    -- a shortfall in whole people; null when the hospital did not report (greatest() would skip nulls)
    select *,
           case when reported then greatest(doctors_required - icu_doctors, 0) end as doctor_gap,
           case when reported then greatest(nurses_required - icu_nurses, 0) end as nurse_gap,
           case when reserve_doctors is not null then greatest(reserve_doctors_required - reserve_doctors, 0) end as reserve_doctor_gap,
           case when reserve_nurses is not null then greatest(reserve_nurses_required - reserve_nurses, 0) end as reserve_nurse_gap,
           case when convertible_beds is not null then greatest(doctors_required_converted - icu_doctors, 0) end as doctor_gap_converted,
           case when convertible_beds is not null then greatest(nurses_required_converted - icu_nurses, 0) end as nurse_gap_converted
    from reserve
)
select * exclude (doctor_gap_converted, nurse_gap_converted),
       -- opening the convertible beds: the extra people on top of today's gap
       doctor_gap_converted - doctor_gap as extra_doctors_if_converted,
       nurse_gap_converted - nurse_gap as extra_nurses_if_converted,
       doctor_gap + nurse_gap as front_line_gap,
       reserve_doctor_gap + reserve_nurse_gap as reserve_gap,
       case when icu_beds > 0 then occupied / icu_beds end as occupancy,
       case when not reported and must_report then 'missing'
            when not reported then 'duty_unknown'
            when icu_beds = 0 then 'no_beds'
            when doctor_gap + nurse_gap > 0 then 'short'
            else 'met' end as status
from gap
order by week, league_code, county_code, facility_code
