-- The area drill-down: league/city -> banner/county -> consortium, from the current facility register.
-- Names come from the census table where the code is known there, else from the register itself.
-- Grain: one row per (league, county, consortium). Parameters: none.
with areas as (
    select distinct league_code, league_name, county_code, county_name, consortium
    from facility_current
)
select
    a.league_code,
    coalesce(l.name_zh, a.league_name, a.league_code) as league_name,
    a.county_code,
    coalesce(c.name_zh, a.county_name, a.county_code) as county_name,
    a.consortium
from areas a
left join census l on l.adcode = a.league_code
left join census c on c.adcode = a.county_code
order by a.league_code, a.county_code, a.consortium
