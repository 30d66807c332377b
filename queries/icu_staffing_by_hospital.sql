-- ICU staffing against NMG-2022 §二(七): "1张ICU床位配备1名医师和2.5-3名护士作为一线医护人员，并按照
-- 一线医护人员总数的20-30%储备后备力量". Every hospital the policy asks to run ICU beds (grade II and
-- above, see reporting_duty) gets a row, reported or not; a hospital of blank grade that sent nothing
-- is 'duty_unknown' (nobody can tell whether it owed the report); a grade I or ungraded hospital
-- appears only when it reports.
-- Grain: one row per (week, hospital); all weeks with ICU reports when $week is null.
-- Parameters: $week, $league_code, $county_code, $consortium, $icu_doctors_per_bed,
--   $icu_nurses_per_bed (the end the gap columns use), $nurses_low, $nurses_high,
--   $icu_reserve_share (the end the reserve gap uses), $reserve_low, $reserve_high, $open_share
--   (what-if: the share of convertible beds opened, 1 = all; opened beds are ceil(share x convertible
--   beds), a bed being whole, rounded up so as to plan for at least that share).
-- Rounding: a person is whole, so every requirement is rounded up per hospital (ceil), after
-- rounding away floating-point noise (0.3 * 10 is 3.0000000000000004 in binary).
-- Reserve: a share of the *total* front line (doctors + nurses) the beds require, met by the reserve
-- as a whole: the text sets no doctor/nurse split (the split reported is shown as information).
-- A range is a range: below its low end is 'short', from the low end up to the high end 'meets the
-- minimum', at or above the high end 'fully meets' (nurses 2.5-3 per bed, reserve 20-30%).
-- Missing is not zero: a hospital with no row for the week has null figures; a blank reserve column
-- makes the reserve (and so the hospital's verdict) 'cannot be judged', never 0 or met (greatest()
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
           ceil(round((icu_beds + ceil(round(convertible_beds * $open_share, 6))) * $icu_nurses_per_bed, 6))::integer as nurses_required_converted,
           -- the reserve as a whole: null when either part is blank (a sum with a blank is unknown)
           reserve_doctors + reserve_nurses as reserve_staff
    from joined
),
reserve as (
    select *,
           doctors_required + nurses_required as front_line_required,
           ceil(round((doctors_required + nurses_required) * $icu_reserve_share, 6))::integer as reserve_required,
           ceil(round((doctors_required + nurses_required) * $reserve_low, 6))::integer as reserve_required_low,
           ceil(round((doctors_required + nurses_required) * $reserve_high, 6))::integer as reserve_required_high
    from required
),
gap as (
    -- a shortfall in whole people; null when the hospital did not report or left the column blank
    select *,
           case when reported then greatest(doctors_required - icu_doctors, 0) end as doctor_gap,
           case when reported then greatest(nurses_required - icu_nurses, 0) end as nurse_gap,
           case when reserve_staff is not null then greatest(reserve_required - reserve_staff, 0) end as reserve_gap,
           case when convertible_beds is not null then greatest(doctors_required_converted - icu_doctors, 0) end as doctor_gap_converted,
           case when convertible_beds is not null then greatest(nurses_required_converted - icu_nurses, 0) end as nurse_gap_converted,
           case when not reported or icu_beds = 0 then null
                when icu_nurses < nurses_required_low then 'short'
                when icu_nurses < nurses_required_high then 'meets_minimum'
                else 'fully_meets' end as nurse_status,
           case when not reported or icu_beds = 0 then null
                when reserve_staff is null then 'cannot_judge'
                when reserve_staff < reserve_required_low then 'short'
                when reserve_staff < reserve_required_high then 'meets_minimum'
                else 'fully_meets' end as reserve_status
    from reserve
)
select * exclude (doctor_gap_converted, nurse_gap_converted),
       -- opening the convertible beds: the extra people on top of today's gap
       doctor_gap_converted - doctor_gap as extra_doctors_if_converted,
       nurse_gap_converted - nurse_gap as extra_nurses_if_converted,
       doctor_gap + nurse_gap as front_line_gap,
       case when icu_beds > 0 then occupied / icu_beds end as occupancy,
       -- the hospital's verdict: short when any part is below its low end; otherwise cannot be judged
       -- when the reserve is blank; fully meets only when every part reaches its high end
       case when not reported and must_report then 'missing'
            when not reported then 'duty_unknown'
            when icu_beds = 0 then 'no_beds'
            when icu_doctors < doctors_required or nurse_status = 'short' or reserve_status = 'short' then 'short'
            when reserve_status = 'cannot_judge' then 'cannot_judge'
            when nurse_status = 'fully_meets' and reserve_status = 'fully_meets' then 'fully_meets'
            else 'meets_minimum' end as status
from gap
order by week, league_code, county_code, facility_code
