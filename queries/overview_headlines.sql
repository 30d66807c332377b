-- One row of headline numbers for the overview page, for the week and area.
-- Grain: one row. Parameters: $week, $league_code, $county_code, $consortium,
--   $stock_population_share_low (the 15% end), $icu_doctors_per_bed, $icu_nurses_per_bed.
with area as (
    select *
    from area_facilities($league_code, $county_code, $consortium) f
),
labelling as (
    select sum(persons) as persons,
           sum(persons) filter (recorded_label is not null) as labelled,
           sum(persons) filter (rule_label in ('yellow', 'red')) as yellow_red
    from agg_register g join area a using (facility_code)
    where g.week = $week
),
referrals as (
    select count(*) as referrals,
           count(*) filter (t.status = 'accepted') as accepted,
           count(*) filter (t.status = 'refused') as refused
    from transfer t join area a on a.facility_code = t.from_code
    where t.week = $week
),
icu_staff as (
    select sum(i.icu_beds) as icu_beds,
           sum(greatest(ceil(round(i.icu_beds * $icu_doctors_per_bed, 6)) - i.icu_doctors, 0)) as doctor_gap,
           sum(greatest(ceil(round(i.icu_beds * $icu_nurses_per_bed, 6)) - i.icu_nurses, 0)) as nurse_gap
    from icu i join area a using (facility_code)
    where i.week = $week
),
antigen as (
    select count(*) as stock_reports,
           count(*) filter (s.antigen_on_hand < a.service_population * $stock_population_share_low) as below_low
    from stock s join area a using (facility_code)
    where s.week = $week and a.primary_type in ('chc', 'township')
)
select * from labelling, referrals, icu_staff, antigen
