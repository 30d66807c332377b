-- Facilities that look like the same place registered twice: the same name under different codes,
-- or two codes within about 100 m of each other (0.001 degree of latitude is ~111 m).
-- Grain: one row per (facility, reason). Parameters: $league_code, $county_code, $consortium.
with area as (
    select *
    from area_facilities($league_code, $county_code, $consortium) f
),
same_name as (
    select a.facility_code, a.facility_name, a.tier, a.county_code, 'same_name' as reason
    from area a
    where exists (select 1 from facility_current b
                  where b.facility_name = a.facility_name and b.facility_code <> a.facility_code)
),
same_place as (
    select a.facility_code, a.facility_name, a.tier, a.county_code, 'same_place' as reason
    from area a
    where exists (select 1 from facility_current b
                  where b.facility_code <> a.facility_code
                    and abs(b.lat - a.lat) < 0.001
                    and abs(b.lon - a.lon) < 0.001 * 1.35)  -- a degree of longitude is shorter at 42°N
)
select * from same_name
union all
select * from same_place
order by reason, facility_name, facility_code
